package main

import "testing"

// TestRequiredFlags: a command run without a flag it needs says which, before it reads anything.
func TestRequiredFlags(t *testing.T) {
	for _, c := range []struct{ cmd, want string }{
		{"quantize", "--in is required"},
		{"release", "--runs is required"},
		{"ship", "--runs is required"},
		{"tasks", "--out is required"},
		{"tasks-report", "--runs is required"},
		{"train", "--out is required"},
	} {
		err := commands[c.cmd].run(nil)
		if err == nil || err.Error() != c.want {
			t.Errorf("i2m2 %s: error %v, want %q", c.cmd, err, c.want)
		}
	}
}
