package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestCheck is `go run ./model/internal/gen -check` inside `go test`: the
// committed model/testdata must be exactly what the generator writes, so the
// golden files cannot drift from it.
func TestCheck(t *testing.T) {
	files, err := generate()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		p := filepath.Join("..", "..", "testdata", f.name)
		old, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(old, f.data) {
			t.Errorf("%s differs from what the generator writes (go run ./model/internal/gen)", p)
		}
	}
}
