package model

import (
	"errors"
	"math"
	"testing"
)

// testInputs returns deterministic inputs in [0,1] for m.
func testInputs(m *Model) map[string][]float32 {
	in := map[string][]float32{}
	for mi, md := range m.Modalities {
		x := make([]float32, md.Shape.Size())
		for i := range x {
			x[i] = float32((i*7+mi*3)%11) / 10
		}
		in[md.Name] = x
	}
	return in
}

func buildAVMNIST(t testing.TB, h, w, k int) *Model {
	t.Helper()
	m, err := BuildAVMNIST(h, w, k)
	if err != nil {
		t.Fatal(err)
	}
	mustInit(t, m, 1)
	return m
}

func mustInit(t testing.TB, m *Model, seed uint64) {
	t.Helper()
	if err := InitRandom(m, seed); err != nil {
		t.Fatal(err)
	}
}

func mustPredict(t testing.TB, m *Model, p Path, in map[string][]float32) *Result {
	t.Helper()
	r, err := m.Predict(p, in)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// roundTrip writes m and reads it back.
func roundTrip(t testing.TB, m *Model) *Model {
	t.Helper()
	b, err := m.MarshalBinary()
	if err == nil {
		m, err = Read(b)
	}
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func mustQuantize(t testing.TB, m *Model) {
	t.Helper()
	if err := Quantize(m); err != nil {
		t.Fatal(err)
	}
}

// Tolerances between paths on the AV-MNIST architecture with random weights.
const (
	tolFastVsRef = 1e-5 // float32 reordering only
	tolInt8VsRef = 3e-2 // per-tensor activation + per-row weight quantisation
)

func maxDiff(a, b []float32) float64 {
	d := 0.0
	for i := range a {
		d = math.Max(d, math.Abs(float64(a[i]-b[i])))
	}
	return d
}

func TestPathsAgree(t *testing.T) {
	for _, tc := range []struct{ h, w, k int }{{40, 40, 4}, {64, 64, 5}, {33, 47, 4}} {
		m := buildAVMNIST(t, tc.h, tc.w, tc.k)
		in := testInputs(m)
		ref := mustPredict(t, m, Reference, in)
		fast := mustPredict(t, m, Fast, in)
		if d := maxDiff(ref.Probs, fast.Probs); d > tolFastVsRef {
			t.Errorf("%v: float32 vs reference: max prob diff %g > %g", tc, d, tolFastVsRef)
		}
		mustQuantize(t, m)
		ref, _ = m.Predict(Reference, in) // same (dequantised) weights as the int8 path
		q := mustPredict(t, m, Quantized, in)
		for i := range q.Experts {
			if d := maxDiff(ref.Experts[i].Probs, q.Experts[i].Probs); d > tolInt8VsRef {
				t.Errorf("%v: expert %s int8 vs reference: max prob diff %g > %g", tc, q.Experts[i].Name, d, tolInt8VsRef)
			}
		}
	}
}

func TestProductOfExperts(t *testing.T) {
	m := buildAVMNIST(t, 40, 40, 4)
	r, err := m.Predict(Reference, testInputs(m))
	if err != nil {
		t.Fatal(err)
	}
	// log q = log_softmax(sum of logits) = sum of expert log-probs - logsumexp(that).
	k := len(m.Classes)
	sum := make([]float64, k)
	for _, e := range r.Experts {
		for i := range sum {
			sum[i] += float64(e.LogProbs[i])
		}
	}
	lse := 0.0
	for _, v := range sum {
		lse += math.Exp(v)
	}
	lse = math.Log(lse)
	for i := range sum {
		if d := math.Abs(sum[i] - lse - float64(r.LogProbs[i])); d > 1e-4 {
			t.Fatalf("class %d: product of experts %g, got %g", i, sum[i]-lse, r.LogProbs[i])
		}
	}
	if len(r.Used) != 3 || !r.HasIntraOnly {
		t.Fatalf("used %v, intra-only %v", r.Used, r.HasIntraOnly)
	}
}

func TestMissingModality(t *testing.T) {
	m := buildAVMNIST(t, 40, 40, 4)
	in := testInputs(m)
	delete(in, "audio")
	r := mustPredict(t, m, Fast, in)
	if len(r.Used) != 1 || r.Used[0] != "image" {
		t.Fatalf("used %v, want [image]", r.Used)
	}
	if d := maxDiff(r.Probs, r.Experts[0].Probs); d > 1e-6 {
		t.Fatalf("with only the image expert the product must equal it (diff %g)", d)
	}
}

func TestBadInputs(t *testing.T) {
	m := buildAVMNIST(t, 40, 40, 4)
	good := testInputs(m)
	nan := make([]float32, 784)
	nan[5] = float32(math.NaN())
	for name, in := range map[string]map[string][]float32{
		"unknown":  {"image": good["image"], "video": good["audio"]},
		"short":    {"image": good["image"][:700], "audio": good["audio"]},
		"nan":      {"image": nan, "audio": good["audio"]},
		"inf":      {"image": good["image"], "audio": append([]float32{float32(math.Inf(1))}, good["audio"][1:]...)},
		"nothing":  {},
		"nil both": {"image": nil, "audio": nil},
	} {
		if _, err := m.Predict(Fast, in); !errors.Is(err, ErrInput) && !errors.Is(err, errNoExpert) {
			t.Errorf("%s: got %v, want ErrInput or errNoExpert", name, err)
		}
	}
	if _, err := m.Predict(Fast, good); err != nil {
		t.Fatalf("good input after bad ones: %v", err)
	}
}

func TestRoundTrip(t *testing.T) {
	for _, q := range []bool{false, true} {
		m := buildAVMNIST(t, 40, 40, 4)
		if q {
			mustQuantize(t, m)
		}
		m2 := roundTrip(t, m)
		in := testInputs(m)
		path := Fast
		if q {
			path = Quantized
		}
		r1, _ := m.Predict(path, in)
		r2 := mustPredict(t, m2, path, in)
		if d := maxDiff(r1.Probs, r2.Probs); d != 0 {
			t.Fatalf("quantized=%v: round trip changed probabilities by %g", q, d)
		}
	}
}

// TestPathsInAnyOrder: each path packs its own layouts on first use
// (compile.go), so a path's results must not depend on which paths the
// model made predictors for before it: every order of the three gives each
// path the same probabilities as a model that made that path alone.
func TestPathsInAnyOrder(t *testing.T) {
	m := buildAVMNIST(t, 40, 40, 4)
	mustQuantize(t, m)
	b, err := m.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	in := testInputs(m)
	fresh := func() *Model {
		m, err := Read(b)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	alone := map[Path][]float32{}
	for _, p := range []Path{Reference, Fast, Quantized} {
		alone[p] = mustPredict(t, fresh(), p, in).Probs
	}
	for _, order := range [][]Path{{Reference, Fast, Quantized}, {Reference, Quantized, Fast}, {Fast, Reference, Quantized}, {Fast, Quantized, Reference}, {Quantized, Reference, Fast}, {Quantized, Fast, Reference}} {
		m := fresh()
		ps := map[Path]*Predictor{}
		for _, p := range order {
			if ps[p], err = m.NewPredictor(p); err != nil {
				t.Fatal(err)
			}
		}
		for _, p := range order {
			r := m.NewResult()
			if err := ps[p].Predict(in, r); err != nil {
				t.Fatal(err)
			}
			if d := maxDiff(r.Probs, alone[p]); d != 0 {
				t.Errorf("order %v: %v differs from the path alone by %g", order, p, d)
			}
		}
	}
}

// TestNonFinite: nonFinite finds the first NaN or ±Inf wherever it is (in
// the steps of four and in the tail) and nothing in finite values, the
// largest and the smallest included.
func TestNonFinite(t *testing.T) {
	for n := 0; n <= 9; n++ {
		x := make([]float32, n)
		for i := range x {
			x[i] = float32(i) - 3
		}
		if n > 1 {
			x[0], x[n-1] = math.MaxFloat32, -math.SmallestNonzeroFloat32
		}
		if got := nonFinite(x); got != -1 {
			t.Fatalf("n=%d finite: %d", n, got)
		}
		for i := 0; i < n; i++ {
			for _, bad := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
				y := append([]float32(nil), x...)
				y[i] = float32(bad)
				if i+1 < n {
					y[n-1] = float32(math.NaN())
				}
				if got := nonFinite(y); got != i {
					t.Fatalf("n=%d %v at %d: %d", n, bad, i, got)
				}
			}
		}
	}
}
