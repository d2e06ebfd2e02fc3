package model

import (
	"fmt"
	"math"
	"testing"
	"time"
)

// BenchmarkModel runs the whole I2M2 (image leNet(1,3,3), audio leNet(1,3,k),
// inter expert c=6 with late fusion; random weights) at batch 1: in every
// iteration one prediction on each path, interleaved, so that a loaded
// machine slows them alike. Reported per path: the fastest prediction in
// ms (<path>-ms); "-im2col-only" is the float32/int8 path with every
// convolution through im2col + GEMM (the step before the direct kernels).
//
//	go test -run x -bench Model ./model/
//	GOOS=js GOARCH=wasm go test -run x -bench Model ./model/   (node)
func BenchmarkModel(b *testing.B) {
	for _, a := range []struct{ h, w, k int }{{40, 40, 4}, {112, 112, 5}} {
		b.Run(fmt.Sprintf("audio=%dx%d", a.h, a.w), func(b *testing.B) {
			m := buildAVMNIST(b, a.h, a.w, a.k)
			mustQuantize(b, m)
			noDirect = true // packed when the first predictor is made
			m2 := buildAVMNIST(b, a.h, a.w, a.k)
			mustQuantize(b, m2)
			type run struct {
				name string
				p    *Predictor
				r    *Result
			}
			var runs []run
			for _, v := range []struct {
				name string
				m    *Model
				path Path
			}{{"reference", m, Reference}, {"float32", m, Fast}, {"int8", m, Quantized}, {"float32-im2col-only", m2, Fast}, {"int8-im2col-only", m2, Quantized}} {
				if v.m == m {
					noDirect = false
				} else {
					noDirect = true
				}
				p, err := v.m.NewPredictor(v.path)
				if err != nil {
					b.Fatal(err)
				}
				runs = append(runs, run{v.name, p, v.m.NewResult()})
			}
			noDirect = false
			in := testInputs(m)
			best := make([]time.Duration, len(runs))
			for i := range runs {
				best[i] = time.Duration(math.MaxInt64)
				for range 2 { // warm up (and let node's JIT tier up)
					_ = runs[i].p.Predict(in, runs[i].r)
				}
			}
			b.ReportAllocs()
			for b.Loop() {
				for i, r := range runs {
					t0 := time.Now()
					if err := r.p.Predict(in, r.r); err != nil {
						b.Fatal(err)
					}
					best[i] = min(best[i], time.Since(t0))
				}
			}
			for i, r := range runs {
				b.ReportMetric(best[i].Seconds()*1e3, r.name+"-ms")
			}
		})
	}
}

// BenchmarkLayers times each computing layer of the 40x40 model alone on
// its real input (the profile under GOOS=js, where pprof is unavailable),
// reporting the fastest run: short runs are rarely disturbed on a loaded
// machine. A Conv2D or Dense followed by ReLU is timed together (fused on the
// fast paths).
func BenchmarkLayers(b *testing.B) {
	m := buildAVMNIST(b, 40, 40, 4)
	mustQuantize(b, m)
	in := testInputs(m)
	for _, path := range []Path{Fast, Quantized} {
		p, _ := m.NewPredictor(path)
		prog := m.compiled(path)
		for ei := range m.Experts {
			e := &m.Experts[ei]
			ep := &m.plan.experts[ei]
			type stage struct {
				name string
				ops  []op
				x    []float32
			}
			var stages []stage
			add := func(tag string, ls []Layer, ops []op, x []float32) {
				for i := range ops {
					o := &ops[i]
					li := 0
					for li < len(ls) && &ls[li] != o.l {
						li++
					}
					xin := x
					if i > 0 {
						xin = append([]float32(nil), p.run(ops[:i], x, 1)[:o.in.Size()]...)
					}
					stages = append(stages, stage{fmt.Sprintf("%s/%s.%s.%d.%s%v", path, e.Name, tag, li, o.l.Kind, o.out), ops[i : i+1], xin})
				}
			}
			for bi := range e.Branches {
				add(e.Inputs[bi], e.Branches[bi], prog[ei].branches[bi].ops, in[e.Inputs[bi]])
			}
			add("head", e.Head, prog[ei].head, make([]float32, ep.concat))
			for _, st := range stages {
				b.Run(st.name, func(b *testing.B) {
					best := time.Duration(math.MaxInt64)
					for b.Loop() {
						t0 := time.Now()
						p.run(st.ops, st.x, 1)
						best = min(best, time.Since(t0))
					}
					b.ReportMetric(best.Seconds()*1e6, "min-us/op")
				})
			}
		}
	}
}

// BenchmarkBatch compares, on the float32 path of the 40x40 model, per
// sample (fastest round, ms): 64 Predict calls ("single"), the same without
// the fused pooling ("single-unfused"), and PredictBatch of 64 with the
// narrow convolutions batched as batchConv chooses ("batch"), all of them
// ("batch-every-narrow-conv"), none ("batch-no-conv"). Interleaved per
// iteration. "-pairs": the same without the direct convolutions' channel
// quads (kern.MakeTapsF), 2x8 tiles only.
//
//	GOOS=js GOARCH=wasm go test -run x -bench Batch -ldflags=-s=false -exec $PWD/scripts/go-simd-exec ./model/
func BenchmarkBatch(b *testing.B) {
	m := buildAVMNIST(b, 40, 40, 4)
	mustQuantize(b, m)
	plain := buildAVMNIST(b, 40, 40, 4)
	mustQuantize(b, plain)
	noFuse = true
	pu, _ := plain.NewPredictor(Fast)
	noFuse = false
	p, _ := m.NewPredictor(Fast)
	pairs := buildAVMNIST(b, 40, 40, 4)
	mustQuantize(b, pairs)
	noQuads = true
	pp, _ := pairs.NewPredictor(Fast)
	noQuads = false
	all, _ := batchModel(b, func(_, ow int) bool { return ow < 8 }).NewPredictor(Fast)
	none, _ := batchModel(b, func(int, int) bool { return false }).NewPredictor(Fast)
	ins := batchInputs(m, 64)
	for _, in := range ins { // every expert runs
		for _, md := range m.Modalities {
			if in[md.Name] == nil {
				in[md.Name] = ins[0][md.Name]
			}
		}
	}
	outs := make([]*Result, len(ins))
	for i := range outs {
		outs[i] = m.NewResult()
	}
	type variant struct {
		name string
		run  func()
	}
	single := func(p *Predictor) func() {
		return func() {
			for s := range ins {
				_ = p.Predict(ins[s], outs[s])
			}
		}
	}
	batch := func(p *Predictor) func() { return func() { _ = p.PredictBatch(ins, outs) } }
	vs := []variant{{"single", single(p)}, {"single-unfused", single(pu)}, {"batch", batch(p)}, {"single-pairs", single(pp)}, {"batch-pairs", batch(pp)}, {"batch-every-narrow-conv", batch(all)}, {"batch-no-conv", batch(none)}}
	best := make([]time.Duration, len(vs))
	for i := range vs {
		best[i] = time.Duration(math.MaxInt64)
		vs[i].run()
	}
	for b.Loop() {
		for i, v := range vs {
			t0 := time.Now()
			v.run()
			best[i] = min(best[i], time.Since(t0))
		}
	}
	for i, v := range vs {
		b.ReportMetric(best[i].Seconds()*1e3/64, v.name+"-ms/sample")
	}
}
