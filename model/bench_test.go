package model

import (
	"fmt"
	"testing"
)

// BenchmarkModel runs the whole I2M2 (image LeNet(1,3,3), audio LeNet(1,3,k),
// inter expert c=6 with late fusion; random weights) at batch 1 on every path.
// Reported: ms/sample and GMAC/s (multiply-adds of all experts per second).
//
//	go test -run x -bench Model ./model/
//	GOOS=js GOARCH=wasm go test -run x -bench Model ./model/   (node)
func BenchmarkModel(b *testing.B) {
	for _, a := range []struct{ h, w, k int }{{40, 40, 4}, {112, 112, 5}} {
		m := buildAVMNIST(b, a.h, a.w, a.k)
		m.Quantize()
		in := testInputs(m)
		macs := float64(m.MACs())
		for _, path := range allPaths {
			b.Run(fmt.Sprintf("audio=%dx%d/%s", a.h, a.w, path), func(b *testing.B) {
				p, err := m.NewPredictor(path)
				if err != nil {
					b.Fatal(err)
				}
				r := m.NewResult()
				b.ReportAllocs()
				for b.Loop() {
					if err := p.Predict(in, r); err != nil {
						b.Fatal(err)
					}
				}
				sec := b.Elapsed().Seconds() / float64(b.N)
				b.ReportMetric(sec*1e3, "ms/sample")
				b.ReportMetric(macs/sec/1e9, "GMAC/s")
			})
		}
	}
}

// BenchmarkLayers times each layer of the 40x40 model on one path (the
// profile under GOOS=js, where pprof is unavailable): ns per call of every
// layer of every expert.
func BenchmarkLayers(b *testing.B) {
	m := buildAVMNIST(b, 40, 40, 4)
	m.Quantize()
	in := testInputs(m)
	for _, path := range []Path{Fast, Quantized} {
		p, _ := m.NewPredictor(path)
		for ei := range m.Experts {
			e := &m.Experts[ei]
			ep := &m.plan.experts[ei]
			for bi := range e.Branches {
				x := in[e.Inputs[bi]]
				s := ep.branchIn[bi]
				for li := range e.Branches[bi] {
					l := &e.Branches[bi][li]
					ls := e.Branches[bi][:li+1]
					name := fmt.Sprintf("%s/%s.%s.%d.%s%v", path, e.Name, e.Inputs[bi], li, l.Kind, ep.branches[bi][li])
					b.Run(name, func(b *testing.B) {
						// time the prefix up to li minus the prefix before it
						for b.Loop() {
							p.layers(ls, x, s, ep.branches[bi])
						}
					})
				}
			}
		}
	}
}
