package ui

import (
	"math"
	"strings"
	"testing"
)

func tone(n, rate int, amp float64, from, to int) []float32 {
	x := make([]float32, n)
	for i := from; i < to && i < n; i++ {
		x[i] = float32(amp * math.Sin(2*math.Pi*440*float64(i)/float64(rate)))
	}
	return x
}

func TestCheckRecording(t *testing.T) {
	const r = 48000
	for _, c := range []struct {
		name   string
		pcm    []float32
		rate   int
		want   string // "" = fine, else a word of the message
		usable bool
	}{
		{"speech-like tone", tone(r*3/2, r, 0.3, r/4, r), r, "", true},
		{"silence", make([]float32, r*3/2), r, "silent", false},
		{"faint hiss", tone(r*3/2, r, 0.001, 0, r*3/2), r, "silent", false},
		{"too short", tone(r/10, r, 0.3, 0, r/10), r, "too short", false},
		{"click", tone(r*3/2, r, 0.5, r/2, r/2+r/100), r, "click", false},
		{"clipped", tone(r*3/2, r, 3, r/4, r), r, "clipped", true},
		{"no rate", tone(100, 0, 0.3, 0, 100), 0, "too short", false},
	} {
		for i := range c.pcm {
			c.pcm[i] = float32(math.Max(-1, math.Min(1, float64(c.pcm[i]))))
		}
		got, usable := CheckRecording(c.pcm, c.rate)
		if (c.want == "") != (got == "") || !strings.Contains(got, c.want) || usable != c.usable {
			t.Errorf("%s: %q usable %v, want %q usable %v", c.name, got, usable, c.want, c.usable)
		}
		// A sound file gets the same verdict, in words about the file and none about a microphone.
		got, usable = CheckSoundFile("take.wav", c.pcm, c.rate)
		if (c.want == "") != (got == "") || !strings.Contains(got, c.want) || usable != c.usable ||
			(got != "" && !strings.HasPrefix(got, "take.wav ")) || strings.Contains(got, "microphone") {
			t.Errorf("%s (file): %q usable %v, want %q usable %v", c.name, got, usable, c.want, c.usable)
		}
	}
}

func TestCheckDrawing(t *testing.T) {
	const side = 280
	pad := make([]byte, 4*side*side)
	if CheckDrawing(pad) == "" {
		t.Error("blank pad accepted")
	}
	dot := func(cx, cy, r int) {
		for y := cy - r; y <= cy+r; y++ {
			for x := cx - r; x <= cx+r; x++ {
				if (x-cx)*(x-cx)+(y-cy)*(y-cy) <= r*r {
					pad[4*(y*side+x)+3] = 255
				}
			}
		}
	}
	dot(140, 140, 10) // a tap
	if CheckDrawing(pad) == "" {
		t.Error("a single dot accepted")
	}
	for y := 40; y < 240; y++ { // a "1"
		dot(140, y, 10)
	}
	if msg := CheckDrawing(pad); msg != "" {
		t.Errorf("a stroke refused: %s", msg)
	}
	if CheckDrawing(nil) == "" {
		t.Error("no canvas accepted")
	}
}
