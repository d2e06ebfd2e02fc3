package ui

import (
	"math"
	"testing"
)

func TestDigitStrokes(t *testing.T) {
	const side, step = PadSide, 6.0
	for d := 0; d < len(digitStrokes); d++ {
		ss := DigitStrokes(d, side, step)
		if len(ss) == 0 {
			t.Fatalf("digit %d: no strokes", d)
		}
		length := 0.0
		for i, s := range ss {
			if len(s) < 4 || len(s)%2 != 0 {
				t.Fatalf("digit %d stroke %d: %d coordinates", d, i, len(s))
			}
			for k := 0; k < len(s); k += 2 {
				// inside the pad with room for the 20-pixel pen
				if s[k] < 10 || s[k] > side-10 || s[k+1] < 10 || s[k+1] > side-10 {
					t.Fatalf("digit %d stroke %d: point (%.1f, %.1f) leaves the pad", d, i, s[k], s[k+1])
				}
				if k >= 2 {
					seg := math.Hypot(s[k]-s[k-2], s[k+1]-s[k-1])
					if seg > step+1e-9 {
						t.Fatalf("digit %d stroke %d: a %.1f-pixel step (want <= %v)", d, i, seg, step)
					}
					length += seg
				}
			}
		}
		// a digit spans a good part of the pad, as a person draws it (MNIST digits fill 20 of 28 pixels)
		if length < side/2 {
			t.Errorf("digit %d: %0.f pixels of ink, too little to read", d, length)
		}
	}
	for _, d := range []int{-1, len(digitStrokes)} {
		if DigitStrokes(d, side, step) != nil {
			t.Errorf("DigitStrokes(%d) must be nil", d)
		}
	}
}
