package model

import (
	"errors"
	"math"
	"runtime"
	"strings"
	"testing"
)

// batchInputs returns n samples for m with varied values; every fifth lacks
// its last modality and every seventh its first, so a chunk mixes the
// experts that run.
func batchInputs(m *Model, n int) []map[string][]float32 {
	ins := make([]map[string][]float32, n)
	for s := range ins {
		in := map[string][]float32{}
		for mi, md := range m.Modalities {
			if (s%5 == 4 && mi == len(m.Modalities)-1) || (s%7 == 6 && s%5 != 4 && mi == 0) {
				continue
			}
			x := make([]float32, md.Shape.Size())
			for i := range x {
				x[i] = float32((i*7+mi*3+s*13)%23) / 22
			}
			in[md.Name] = x
		}
		ins[s] = in
	}
	return ins
}

// tolBatchRel bounds |batch - single| / max|logit| on the float32 path. A
// chunk's narrow convolutions and dense layers run other kernels than a
// single sample's (ops.go, convBatch; kern.GemmPS), which sum the same
// products in the same order, so the results are the same bits where the
// compiler does not fuse multiply-adds (amd64, wasm); Go may fuse them
// elsewhere (arm64), differently in each kernel.
var tolBatchRel = map[bool]float64{true: 0, false: 1e-5}[runtime.GOARCH == "amd64" || runtime.GOARCH == "wasm"]

// batchModel builds the 40x40 model with batchConv replaced by rule while
// its weights are packed (the batch taps are made then).
func batchModel(t testing.TB, rule func(M, ow int) bool) *Model {
	m := buildAVMNIST(t, 40, 40, 4)
	mustQuantize(t, m)
	defer func(f func(M, ow int) bool) { batchConv = f }(batchConv)
	batchConv = rule
	if _, err := m.NewPredictor(Reference); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestBatchMatchesSingle: PredictBatch gives every sample what Predict gives
// it, on every path, over several chunks (batchChunk) with mixed modalities:
// bit for bit where the batch runs the single kernels (reference, int8) and
// within tolBatchRel (0 on amd64 and wasm) on the float32 path, with the
// batched convolutions as chosen (batchConv), for every narrow layer, and
// for none.
func TestBatchMatchesSingle(t *testing.T) {
	def := buildAVMNIST(t, 40, 40, 4)
	mustQuantize(t, def)
	all := batchModel(t, func(_, ow int) bool { return ow < 8 })
	none := batchModel(t, func(int, int) bool { return false })
	n := 2*def.plan.batchChunk() + 3
	ins := batchInputs(def, n)
	for _, tc := range []struct {
		name string
		m    *Model
		path Path
		tol  float64
	}{{"reference", def, Reference, 0}, {"int8", def, Quantized, 0}, {"float32", def, Fast, tolBatchRel},
		{"float32-every-narrow-conv-batched", all, Fast, tolBatchRel}, {"float32-no-conv-batched", none, Fast, tolBatchRel}} {
		t.Run(tc.name, func(t *testing.T) {
			m := tc.m
			p, err := m.NewPredictor(tc.path)
			if err != nil {
				t.Fatal(err)
			}
			outs := make([]*Result, n)
			for i := range outs {
				outs[i] = m.NewResult()
			}
			if err := p.PredictBatch(ins, outs); err != nil {
				t.Fatal(err)
			}
			one := m.NewResult()
			for s := range ins {
				if err := p.Predict(ins[s], one); err != nil {
					t.Fatal(err)
				}
				got := outs[s]
				if strings.Join(got.Used, ",") != strings.Join(one.Used, ",") {
					t.Fatalf("sample %d: used %v, single %v", s, got.Used, one.Used)
				}
				for ei := range one.Experts {
					w, g := one.Experts[ei].Logits, got.Experts[ei].Logits
					mag := 0.0
					for _, v := range w {
						mag = math.Max(mag, math.Abs(float64(v)))
					}
					for i := range w {
						if d := math.Abs(float64(g[i] - w[i])); d > tc.tol*mag || (tc.tol == 0 && math.Float32bits(g[i]) != math.Float32bits(w[i])) {
							t.Fatalf("sample %d expert %s logit %d: batch %g, single %g (tolerance %g x %g)", s, one.Experts[ei].Name, i, g[i], w[i], tc.tol, mag)
						}
					}
				}
				if d := maxDiff(got.LogProbs, one.LogProbs); d > 10*tc.tol {
					t.Fatalf("sample %d: log-probs differ by %g", s, d)
				}
			}
		})
	}
}

// TestBatchErrors: every input is checked before any runs, an error names
// its sample, and a batch of none is no work.
func TestBatchErrors(t *testing.T) {
	m := buildAVMNIST(t, 40, 40, 4)
	p, _ := m.NewPredictor(Fast)
	ins := batchInputs(m, 6)
	outs := make([]*Result, 6)
	for i := range outs {
		outs[i] = m.NewResult()
	}
	if err := p.PredictBatch(ins, outs[:5]); !errors.Is(err, ErrInput) {
		t.Errorf("5 results for 6 inputs: %v", err)
	}
	ins[3] = map[string][]float32{"image": make([]float32, 3)}
	if err := p.PredictBatch(ins, outs); !errors.Is(err, ErrInput) || !strings.Contains(err.Error(), "sample 3") {
		t.Errorf("bad sample 3: %v", err)
	}
	for _, r := range outs {
		if len(r.Used) != 0 {
			t.Fatal("a sample ran although sample 3 was bad")
		}
	}
	ins[3] = map[string][]float32{}
	if err := p.PredictBatch(ins, outs); !errors.Is(err, errNoExpert) || !strings.Contains(err.Error(), "sample 3") {
		t.Errorf("empty sample 3: %v", err)
	}
	outs[2] = nil
	ins[3] = batchInputs(m, 1)[0]
	if err := p.PredictBatch(ins, outs); !errors.Is(err, ErrInput) || !strings.Contains(err.Error(), "sample 2") {
		t.Errorf("nil result 2: %v", err)
	}
	if err := p.PredictBatch(nil, nil); err != nil {
		t.Errorf("empty batch: %v", err)
	}
}

// TestBatchNoAlloc: after its first call a batch size allocates nothing.
func TestBatchNoAlloc(t *testing.T) {
	m := buildAVMNIST(t, 40, 40, 4)
	mustQuantize(t, m)
	ins := batchInputs(m, 64)
	outs := make([]*Result, len(ins))
	for i := range outs {
		outs[i] = m.NewResult()
	}
	for _, path := range []Path{Fast, Quantized} {
		p, _ := m.NewPredictor(path)
		if err := p.PredictBatch(ins, outs); err != nil {
			t.Fatal(err)
		}
		if a := testing.AllocsPerRun(3, func() { _ = p.PredictBatch(ins, outs) }); a != 0 {
			t.Errorf("%v: %v allocations per batch", path, a)
		}
	}
}

// TestFusedPoolExact: the float32 path with conv + ReLU + max-pool fused
// gives the same bits as with the pool as an op of its own, and fuses every
// such run of the AV-MNIST experts.
func TestFusedPoolExact(t *testing.T) {
	for _, a := range []struct{ h, w, k int }{{40, 40, 4}, {33, 47, 4}} {
		fused, plain := buildAVMNIST(t, a.h, a.w, a.k), buildAVMNIST(t, a.h, a.w, a.k)
		pf, _ := fused.NewPredictor(Fast)
		noFuse = true
		pp, err := plain.NewPredictor(Fast)
		noFuse = false
		if err != nil {
			t.Fatal(err)
		}
		nf, np := 0, 0 // fused ops; pools after a direct convolution, unfused
		for _, eo := range fused.compiled(Fast) {
			for _, b := range eo.branches {
				for _, o := range b.ops {
					if o.pool {
						nf++
					}
				}
			}
		}
		for _, eo := range plain.compiled(Fast) {
			for _, b := range eo.branches {
				for i := 1; i < len(b.ops); i++ {
					if c := b.ops[i-1]; b.ops[i].l.isMaxPool2x2() && c.l.Kind == Conv2D && c.l.direct(c.out) {
						np++
					}
				}
			}
		}
		if nf == 0 || nf != np {
			t.Errorf("%v: %d fused ops, %d pools after a direct convolution unfused", a, nf, np)
		}
		for s, in := range batchInputs(fused, 9) {
			rf, rp := fused.NewResult(), plain.NewResult()
			if err := pf.Predict(in, rf); err != nil {
				t.Fatal(err)
			}
			if err := pp.Predict(in, rp); err != nil {
				t.Fatal(err)
			}
			for ei := range rf.Experts {
				for i, v := range rf.Experts[ei].Logits {
					if w := rp.Experts[ei].Logits[i]; math.Float32bits(v) != math.Float32bits(w) {
						t.Fatalf("%v sample %d expert %d logit %d: fused %g, unfused %g", a, s, ei, i, v, w)
					}
				}
			}
		}
	}
}
