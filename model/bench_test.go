package model

import (
	"fmt"
	"math"
	"testing"
	"time"
)

// BenchmarkModel runs the whole I2M2 (image LeNet(1,3,3), audio LeNet(1,3,k),
// inter expert c=6 with late fusion; random weights) at batch 1 on every path.
// Reported: ms/sample (mean wall time), cpu-ms/sample (process CPU time),
// min-ms/sample (the fastest single prediction: on a shared, loaded machine
// the least disturbed figure) and GMAC/s (from the mean) (multiply-adds of all experts per second).
//
//	go test -run x -bench Model ./model/
//	GOOS=js GOARCH=wasm go test -run x -bench Model ./model/   (node)
func BenchmarkModel(b *testing.B) {
	for _, a := range []struct{ h, w, k int }{{40, 40, 4}, {112, 112, 5}} {
		m := buildAVMNIST(b, a.h, a.w, a.k)
		m.Quantize()
		in := testInputs(m)
		macs := float64(m.MACs())
		for _, v := range []struct {
			path     Path
			noDirect bool
		}{{Reference, false}, {Fast, false}, {Quantized, false}, {Fast, true}, {Quantized, true}} {
			path := v.path
			name := path.String()
			if v.noDirect {
				name += "-im2col-only"
			}
			b.Run(fmt.Sprintf("audio=%dx%d/%s", a.h, a.w, name), func(b *testing.B) {
				noDirect = v.noDirect // every convolution through im2col (the previous step)
				m.weightsChanged()
				defer func() { noDirect = false; m.weightsChanged() }()
				p, err := m.NewPredictor(path)
				if err != nil {
					b.Fatal(err)
				}
				r := m.NewResult()
				for range 3 { // warm up (and let node's JIT tier up)
					_ = p.Predict(in, r)
				}
				b.ReportAllocs()
				c0 := cpuTime()
				best := time.Duration(math.MaxInt64)
				for b.Loop() {
					t0 := time.Now()
					if err := p.Predict(in, r); err != nil {
						b.Fatal(err)
					}
					best = min(best, time.Since(t0))
				}
				cpu := (cpuTime() - c0) / float64(b.N)
				sec := b.Elapsed().Seconds() / float64(b.N)
				b.ReportMetric(sec*1e3, "ms/sample")
				b.ReportMetric(cpu*1e3, "cpu-ms/sample")
				b.ReportMetric(best.Seconds()*1e3, "min-ms/sample")
				b.ReportMetric(macs/sec/1e9, "GMAC/s")
			})
		}
	}
}

// BenchmarkLayers times each computing layer of the 40x40 model alone on
// its real input (the profile under GOOS=js, where pprof is unavailable),
// reporting the fastest run: short runs are rarely disturbed on a loaded
// machine. A Conv2D or Dense followed by ReLU is timed together (fused on the
// fast paths).
func BenchmarkLayers(b *testing.B) {
	m := buildAVMNIST(b, 40, 40, 4)
	m.Quantize()
	in := testInputs(m)
	for _, path := range []Path{Fast, Quantized} {
		p, _ := m.NewPredictor(path)
		for ei := range m.Experts {
			e := &m.Experts[ei]
			ep := &m.plan.experts[ei]
			type stage struct {
				name   string
				ls     []Layer
				shapes []Shape
				x      []float32
				s      Shape
			}
			var stages []stage
			add := func(tag string, ls []Layer, shapes []Shape, x []float32, s Shape) {
				for li := 0; li < len(ls); li++ {
					l := &ls[li]
					if l.Kind == ReLU || l.Kind == Flatten {
						continue
					}
					k := 1
					if (l.Kind == Conv2D || l.Kind == Dense) && li+1 < len(ls) && ls[li+1].Kind == ReLU {
						k = 2
					}
					xin, sin := x, s
					if li > 0 {
						y, ys := p.layers(ls[:li], x, s, shapes)
						xin, sin = append([]float32(nil), y[:ys.Size()]...), ys
					}
					stages = append(stages, stage{fmt.Sprintf("%s/%s.%s.%d.%s%v", path, e.Name, tag, li, l.Kind, shapes[li]), ls[li : li+k], shapes[li : li+k], xin, sin})
				}
			}
			for bi := range e.Branches {
				add(e.Inputs[bi], e.Branches[bi], ep.branches[bi], in[e.Inputs[bi]], ep.branchIn[bi])
			}
			cat := make([]float32, ep.concat)
			add("head", e.Head, ep.head, cat, Shape{ep.concat, 1, 1})
			for _, st := range stages {
				b.Run(st.name, func(b *testing.B) {
					best := time.Duration(math.MaxInt64)
					for b.Loop() {
						t0 := time.Now()
						p.layers(st.ls, st.x, st.s, st.shapes)
						best = min(best, time.Since(t0))
					}
					b.ReportMetric(best.Seconds()*1e6, "min-us/op")
				})
			}
		}
	}
}
