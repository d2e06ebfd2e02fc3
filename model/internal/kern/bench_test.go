package kern

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// gemmNaive is the baseline: the textbook triple loop with one accumulator.
func gemmNaive(dst, a, bt, bias []float32, M, N, K int) {
	for m := 0; m < M; m++ {
		for n := 0; n < N; n++ {
			s := bias[m]
			for k := 0; k < K; k++ {
				s += a[m*K+k] * bt[n*K+k]
			}
			dst[m*N+n] = s
		}
	}
}

// The convolutions of the AV-MNIST model at 40x40 audio (c = 3 and 6) and a
// dense layer, as (name, conv case).
var benchConvs = []struct {
	name string
	cc   convCase
}{
	{"5x5 1->6 40x40", convCase{1, 40, 40, 6, 5, 5, 1, 2}},
	{"5x5 1->3 28x28", convCase{1, 28, 28, 3, 5, 5, 1, 2}},
	{"3x3 6->12 20x20", convCase{6, 20, 20, 12, 3, 3, 1, 1}},
	{"3x3 12->24 10x10", convCase{12, 10, 10, 24, 3, 3, 1, 1}},
	{"3x3 48->96 2x2", convCase{48, 2, 2, 96, 3, 3, 1, 1}},
}

func BenchmarkConv(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	for _, bc := range benchConvs {
		cc := bc.cc
		oh, ow := cc.out()
		K := cc.c * cc.kh * cc.kw
		src := randF(r, cc.c*cc.h*cc.w, 0, 1)
		wt, bias := randF(r, cc.oc*K, -1, 1), randF(r, cc.oc, -1, 1)
		dst := make([]float32, cc.oc*oh*ow)
		col := make([]float32, oh*ow*K)
		macs := float64(cc.oc * K * oh * ow)
		run := func(name string, fn func()) { b.Run(bc.name+"/"+name, func(b *testing.B) { timed(b, macs, fn) }) }
		run("ref", func() {
			Conv2DRef(dst, src, cc.c, cc.h, cc.w, wt, bias, cc.oc, cc.kh, cc.kw, cc.s, cc.p)
		})
		run("naive-im2col+gemm", func() {
			Im2colT(col, src, cc.c, cc.h, cc.w, cc.kh, cc.kw, cc.s, cc.p, oh, ow)
			gemmNaive(dst, wt, col, bias, cc.oc, oh*ow, K)
		})
		run("v0-f32-im2col+gemm", func() {
			Im2colT(col, src, cc.c, cc.h, cc.w, cc.kh, cc.kw, cc.s, cc.p, oh, ow)
			GemmNT(dst, wt, col, bias, cc.oc, oh*ow, K)
		})
		hp, wp := cc.h+2*cc.p, cc.w+2*cc.p
		padded := make([]float32, cc.c*hp*wp)
		ap := PackA4(wt, cc.oc, K)
		run("v1-pad+im2col", func() {
			Pad(padded, src, cc.c, cc.h, cc.w, cc.p)
			Im2colP(col, padded, cc.c, hp, wp, cc.kh, cc.kw, cc.s, oh, ow)
		})
		run("v1-f32-gemm", func() {
			GemmP(dst, ap, col, bias, cc.oc, oh*ow, K, true)
		})
		qa8 := randI8(r, cc.oc*K)
		pairs := PackPairs(qa8, cc.oc, K)
		colu := make([]uint8, len(col))
		run("v1-int8-gemm", func() {
			GemmPair(dst, pairs, bias, colu, 0.01, bias, cc.oc, oh*ow, K, true)
		})
		if cc.s == 1 {
			pd := make([]float32, cc.c*hp*wp+DirectSlack)
			ap2 := PackA2(wt, cc.oc, K)
			off := Offsets(cc.c, hp, wp, cc.kh, cc.kw)
			run("v2-f32-direct", func() {
				Pad(pd, src, cc.c, cc.h, cc.w, cc.p)
				ConvDirect(dst, ap2, pd, off, bias, cc.oc, oh, ow, wp, true)
			})
			tapsF := MakeTapsF(wt, off, cc.oc, false)
			run("v4-f32-taps", func() {
				Pad(pd, src, cc.c, cc.h, cc.w, cc.p)
				ConvTapsF(dst, tapsF, pd, bias, cc.oc, K, oh, ow, wp, true)
			})
			taps4 := MakeTapsF(wt, off, cc.oc, true)
			run("v5-f32-quads", func() {
				Pad(pd, src, cc.c, cc.h, cc.w, cc.p)
				ConvTapsF(dst, taps4, pd, bias, cc.oc, K, oh, ow, wp, true)
			})
			pu := make([]uint8, cc.c*hp*wp+DirectSlack)
			qu := randU8(r, len(src))
			taps8 := MakeTaps8(qa8, off, cc.oc)
			run("v3-int8-taps", func() {
				Pad(pu, qu, cc.c, cc.h, cc.w, cc.p)
				ConvTaps8(dst, taps8, bias, pu, 0.01, bias, cc.oc, K, oh, ow, wp, true)
			})
			// int8 activations (an input with negative values): the Go loop
			// under GOOS=js too, where uint8 runs the assembly
			ps := make([]int8, len(pu))
			Pad(ps, randI8(r, len(src)), cc.c, cc.h, cc.w, cc.p)
			run("v3-int8-taps-signed", func() { ConvTaps8(dst, taps8, bias, ps, 0.01, bias, cc.oc, K, oh, ow, wp, true) })
		}
		q := make([]int8, len(src))
		col8 := make([]int8, len(col))
		qa := randI8(r, cc.oc*K)
		sa := randF(r, cc.oc, 0, 0.01)
		run("int8-ref", func() {
			sx := QuantizeSym(q, src)
			Im2colT8(col8, q, cc.c, cc.h, cc.w, cc.kh, cc.kw, cc.s, cc.p, oh, ow)
			GemmNT8Ref(dst, qa, sa, col8, sx, bias, cc.oc, oh*ow, K)
		})
		run("v0-int8-im2col+gemm", func() {
			sx := QuantizeSym(q, src)
			Im2colT8(col8, q, cc.c, cc.h, cc.w, cc.kh, cc.kw, cc.s, cc.p, oh, ow)
			GemmNT8(dst, qa, sa, col8, sx, bias, cc.oc, oh*ow, K)
		})
	}
}

// timed runs fn b.N times and reports the fastest run, its GMAC/s and the
// CPU time per run (cpuTime: the machines are shared).
func timed(b *testing.B, macs float64, fn func()) {
	b.ReportAllocs()
	c0 := cpuTime()
	best := time.Duration(math.MaxInt64)
	for b.Loop() {
		t0 := time.Now()
		fn()
		best = min(best, time.Since(t0))
	}
	b.ReportMetric((cpuTime()-c0)/float64(b.N)*1e6, "cpu-us/op")
	b.ReportMetric(best.Seconds()*1e6, "min-us/op")
	b.ReportMetric(macs/best.Seconds()/1e9, "best-GMAC/s")
}

func BenchmarkDense(b *testing.B) {
	r := rand.New(rand.NewPCG(2, 2))
	for _, sz := range [][2]int{{240, 100}, {144, 100}, {100, 10}} {
		in, out := sz[0], sz[1]
		macs := float64(in * out)
		x, w, bias := randF(r, in, 0, 1), randF(r, in*out, -1, 1), randF(r, out, -1, 1)
		dst := make([]float32, out)
		name := fmt.Sprintf("%dx%d", in, out)
		b.Run(name+"/ref", func(b *testing.B) { timed(b, macs, func() { DenseRef(dst, x, w, bias, in, out) }) })
		b.Run(name+"/v0-f32", func(b *testing.B) { timed(b, macs, func() { GemmNT(dst, w, x, bias, out, 1, in) }) })
		ap := PackA4(w, out, in)
		b.Run(name+"/v1-f32", func(b *testing.B) { timed(b, macs, func() { GemmP(dst, ap, x, bias, out, 1, in, true) }) })
		q, qa, sa := make([]int8, in), randI8(r, in*out), randF(r, out, 0, 0.01)
		b.Run(name+"/int8-v0", func(b *testing.B) {
			timed(b, macs, func() { GemmNT8(dst, qa, sa, q, QuantizeSym(q, x), bias, out, 1, in) })
		})
		pairs, qu := PackPairs(qa, out, in), make([]uint8, in)
		b.Run(name+"/int8-v1", func(b *testing.B) {
			timed(b, macs, func() {
				sx, _ := QuantizeAct(qu, q, x)
				GemmPair(dst, pairs, sa, qu, sx, bias, out, 1, in, true)
			})
		})
	}
}
