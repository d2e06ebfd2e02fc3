package model

import (
	"errors"
	"testing"
)

// TestKindsTable: every kind has a complete entry whose name the file format
// reads back, and a kind without an entry is refused, not run.
func TestKindsTable(t *testing.T) {
	n := 0
	for k := range kinds {
		ki := &kinds[k]
		if ki.name == "" {
			continue
		}
		n++
		if ki.shape == nil || ki.cost == nil || ki.kernel == nil {
			t.Errorf("%s: incomplete entry", ki.name)
		}
		if got, ok := kindNamed(ki.name); !ok || got != Kind(k) || Kind(k).String() != ki.name {
			t.Errorf("kind %d: name %q reads back as %v, %v", k, ki.name, got, ok)
		}
		if ki.weights != (Kind(k) == Conv2D || Kind(k) == Dense) {
			t.Errorf("%s: weights = %v", ki.name, ki.weights)
		}
	}
	if n != 7 {
		t.Errorf("%d kinds in the table, want 7", n)
	}
	for _, k := range []Kind{0, 8, 255} {
		if k.info().shape != nil || k.String() == "" {
			t.Errorf("unknown kind %d: %q has an entry", k, k)
		}
		if _, ok := kindNamed(k.String()); ok {
			t.Errorf("unknown kind %d: name %q reads", k, k)
		}
		m := &Model{Modalities: []Modality{{"a", Shape{4, 1, 1}}}, Classes: []string{"x", "y"},
			Experts: []Expert{{Name: "e", Inputs: []string{"a"}, Branches: [][]Layer{{{Kind: k}}},
				Head: []Layer{{Kind: Dense, In: 4, Out: 2, W: make([]float32, 8), B: make([]float32, 2)}}}}}
		if err := m.Validate(); !errors.Is(err, errLayer) {
			t.Errorf("kind %d: Validate = %v, want errLayer", k, err)
		}
	}
	if _, ok := kindNamed(""); ok {
		t.Error(`kindNamed("") found a kind`)
	}
}
