package model

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"slices"
	"testing"

	"github.com/i2m2-wasm/i2m2/model/internal/golden"
)

// Golden tolerances. golden.json was written natively by model/internal/gen
// with the same kernels, so native runs should match exactly; under GOOS=js
// the float32 arithmetic is the same IEEE single precision (Go never fuses
// multiply-adds on amd64 v1 nor on wasm), and only math.Exp/math.Log (assembly
// on amd64, pure Go on wasm) may differ in the last bit of a float64.
const (
	tolGoldenLogitsInt8 = 0    // int8 logits: integer sums, scales applied in a fixed order: bit-exact
	tolGoldenLogitsF32  = 1e-6 // float32 and reference logits (|logit| < 10)
	tolGoldenProbs      = 1e-6 // probabilities and log-probabilities, every path
)

func readGolden(t testing.TB) *golden.File {
	t.Helper()
	b, err := os.ReadFile("testdata/golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var g golden.File
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	if len(g.Outputs) == 0 {
		t.Fatal("golden.json has no outputs")
	}
	return &g
}

func pathByName(t testing.TB, s string) Path {
	for _, p := range []Path{Reference, Fast, Quantized} {
		if p.String() == s {
			return p
		}
	}
	t.Fatalf("unknown path %q", s)
	return 0
}

func checkClose(t *testing.T, what string, got, want []float32, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d values, want %d", what, len(got), len(want))
		return
	}
	for i := range got {
		if d := math.Abs(float64(got[i]) - float64(want[i])); !(d <= tol) {
			t.Errorf("%s[%d] = %.9g, want %.9g (diff %.3g > %g)", what, i, got[i], want[i], d, tol)
		}
	}
}

func checkDist(t *testing.T, what string, got Dist, want golden.Dist) {
	t.Helper()
	if got.Label != want.Label {
		t.Errorf("%s: label %d, want %d", what, got.Label, want.Label)
	}
	checkClose(t, what+" probs", got.Probs, want.Probs, tolGoldenProbs)
	checkClose(t, what+" log-probs", got.LogProbs, want.LogProbs, tolGoldenProbs)
}

// TestGolden reads the tiny model files of testdata and checks every path's
// outputs against golden.json (natively and under GOOS=js with node).
func TestGolden(t *testing.T) {
	g := readGolden(t)
	inputs := map[string]map[string][]float32{}
	for _, in := range g.Inputs {
		inputs[in.Name] = (in.Data)
	}
	models := map[string]*Model{}
	for _, o := range g.Outputs {
		m := models[o.File]
		if m == nil {
			b, err := os.ReadFile("testdata/" + o.File)
			if err != nil {
				t.Fatal(err)
			}
			if m, err = Read(b); err != nil {
				t.Fatalf("%s: %v", o.File, err)
			}
			// The writer must reproduce the file byte for byte.
			if b2, err := m.MarshalBinary(); err != nil || !bytes.Equal(b, b2) {
				t.Errorf("%s: MarshalBinary does not reproduce the file (err %v)", o.File, err)
			}
			models[o.File] = m
		}
		path := pathByName(t, o.Path)
		in, ok := inputs[o.Input]
		if !ok {
			t.Fatalf("unknown input %q", o.Input)
		}
		r, err := m.Predict(path, in)
		if err != nil {
			t.Fatalf("%s %s %s: %v", o.File, o.Path, o.Input, err)
		}
		at := o.File + " " + o.Path + " " + o.Input
		if !slices.Equal(r.Used, o.Used) {
			t.Errorf("%s: used %v, want %v", at, r.Used, o.Used)
		}
		checkDist(t, at+" product", r.Dist, o.Product)
		if r.HasIntraOnly != (o.IntraOnly != nil) {
			t.Errorf("%s: has intra-only %v, want %v", at, r.HasIntraOnly, o.IntraOnly != nil)
		} else if o.IntraOnly != nil {
			checkDist(t, at+" intra-only", r.IntraOnly, *o.IntraOnly)
		}
		tol := tolGoldenLogitsF32
		if path == Quantized {
			tol = tolGoldenLogitsInt8
		}
		for i, e := range o.Experts {
			er := &r.Experts[i]
			if er.Name != e.Name || er.Used != e.Used {
				t.Errorf("%s: expert %d is %s used=%v, want %s used=%v", at, i, er.Name, er.Used, e.Name, e.Used)
				continue
			}
			if !e.Used {
				continue
			}
			checkClose(t, at+" "+e.Name+" logits", er.Logits, e.Logits, tol)
			checkDist(t, at+" "+e.Name, er.Dist, e.Dist)
		}
	}
}
