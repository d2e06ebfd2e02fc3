package ui

import (
	"fmt"
	"strings"
	"testing"

	"github.com/i2m2-wasm/i2m2/model"
)

// standInShaped is a random-weight model of the project's architecture with other classes or
// another modality added: the lab must show and run it without knowing it.
func standInShaped(t testing.TB, classes []string, extra ...model.Modality) *model.Model {
	t.Helper()
	a := model.AVMNIST(AudioSide, AudioSide, 4)
	a.Classes = classes
	for _, md := range extra {
		a.Modalities = append(a.Modalities, md)
		a.Blocks = append(a.Blocks, 1)
	}
	m, err := a.Build()
	if err != nil {
		t.Fatal(err)
	}
	m.InitRandom(11)
	m.Quantize()
	return m
}

func digitNames(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprint(i)
	}
	return out
}

// TestOtherShapes runs the lab on stand-in models of other shapes: two classes (the "same" task),
// eleven ("digit-or-mismatch") and a third modality the demo set does not have.
func TestOtherShapes(t *testing.T) {
	for _, tc := range []struct {
		name        string
		m           *model.Model
		experts     int // rows: the experts, the intra-only product, I2M2
		mods, conds int
	}{
		{"2 classes", standInShaped(t, []string{"no", "yes"}), 5, 2, 3},
		{"11 classes", standInShaped(t, append(digitNames(10), "mismatch")), 5, 2, 3},
		{"3 modalities", standInShaped(t, digitNames(10), model.Modality{Name: "depth", Shape: model.Shape{1, 16, 16}}), 6, 3, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := newLabWith(t, tc.m, 20)
			classes := len(tc.m.Classes)
			do(l, func() { l.Select(2) })
			if l.Now == nil || len(l.Now.Final.Probs) != classes {
				t.Fatalf("no prediction over %d classes: %+v", classes, l.Now)
			}
			h := render(t, l)
			rows := len(l.Desc.Rows())
			if rows != tc.experts {
				t.Fatalf("%d rows, want %d", rows, tc.experts)
			}
			if n := count(h, `class="bar `); n != rows*classes {
				t.Errorf("%d bars, want %d rows of %d classes", n, rows, classes)
			}
			if n := count(h, `id="mod-`); n != tc.mods {
				t.Errorf("%d modality cards, want %d", n, tc.mods)
			}
			for _, c := range tc.m.Classes {
				if !strings.Contains(h, `<span class="digit-label">`+c+`</span>`) {
					t.Errorf("class %q not shown", c)
				}
			}
			// swap every modality in turn: the reading talks in the model's classes
			for k := range l.Desc.Modalities {
				do(l, func() { l.SwapNoise(k) })
				if l.Now == nil || !l.Swapped(k) || l.Reading == "" {
					t.Fatalf("swapping modality %d: reading %q", k, l.Reading)
				}
			}
			do(l, func() { l.Restore() })
			do(l, func() { l.StartScan() })
			do(l, func() { l.StartShuffle() })
			if !l.Shuffle.Complete || len(l.Shuffle.Stats) != tc.conds {
				t.Fatalf("shuffle: complete %v, %d conditions", l.Shuffle.Complete, len(l.Shuffle.Stats))
			}
			h = render(t, l)
			if n := count(h, `class="cbar `); n != 2*rows*tc.conds {
				t.Errorf("%d chart bars, want %d", n, 2*rows*tc.conds)
			}
			if len(l.Errors) > 0 {
				t.Errorf("errors: %q", l.Errors)
			}
		})
	}
}
