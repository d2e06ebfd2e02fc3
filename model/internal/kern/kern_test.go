package kern

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// Tolerances of the fast float32 kernels against the reference loops. The
// fast kernels sum in a different order (several accumulators, tiles), so
// each output may differ by a few ulps of the sum of |terms|.
const (
	tolGemmRel = 1e-5 // |fast - ref| <= tolGemmRel * sum_k |a*b| + tiny
	tolTiny    = 1e-6
)

// guard is the value written around destination slices; a kernel that
// writes outside its range changes it.
const guard = -12345.5

const guardLen = 13

// guarded returns a slice of n elements with guard bands on both sides.
func guarded(n int) (buf, dst []float32) {
	buf = make([]float32, n+2*guardLen)
	for i := range buf {
		buf[i] = guard
	}
	return buf, buf[guardLen : guardLen+n : guardLen+n]
}

func checkGuards(t *testing.T, what string, buf []float32, n int) {
	t.Helper()
	for i := 0; i < guardLen; i++ {
		if buf[i] != guard || buf[guardLen+n+i] != guard {
			t.Fatalf("%s: wrote outside its destination", what)
		}
	}
}

func guarded8(n int) (buf, dst []int8) {
	buf = make([]int8, n+2*guardLen)
	for i := range buf {
		buf[i] = 99
	}
	return buf, buf[guardLen : guardLen+n : guardLen+n]
}

func checkGuards8(t *testing.T, what string, buf []int8, n int) {
	t.Helper()
	for i := 0; i < guardLen; i++ {
		if buf[i] != 99 || buf[guardLen+n+i] != 99 {
			t.Fatalf("%s: wrote outside its destination", what)
		}
	}
}

func randF(r *rand.Rand, n int, lo, hi float32) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = lo + (hi-lo)*r.Float32()
	}
	return x
}

func randI8(r *rand.Rand, n int) []int8 {
	x := make([]int8, n)
	for i := range x {
		x[i] = int8(r.IntN(255) - 127)
	}
	return x
}

// gemmRef is the definition of GemmNT, in float64.
func gemmRef(a, bt, bias []float32, M, N, K int) (val, mag []float64) {
	val = make([]float64, M*N)
	mag = make([]float64, M*N)
	for m := 0; m < M; m++ {
		for n := 0; n < N; n++ {
			s, g := float64(bias[m]), math.Abs(float64(bias[m]))
			for k := 0; k < K; k++ {
				p := float64(a[m*K+k]) * float64(bt[n*K+k])
				s += p
				g += math.Abs(p)
			}
			val[m*N+n], mag[m*N+n] = s, g
		}
	}
	return
}

var sweep = []int{1, 2, 3, 4, 5, 7, 8, 9, 13, 16, 17, 31, 64, 100}

// eachMNK calls f with every (M, N, K) of the sweep up to 200,000
// multiply-adds.
func eachMNK(f func(M, N, K int)) {
	for _, M := range sweep {
		for _, N := range sweep {
			for _, K := range sweep {
				if M*N*K <= 200000 {
					f(M, N, K)
				}
			}
		}
	}
}

// TestGemmFloat checks the float32 products against the float64
// definition, with and without ReLU where the kernel has it.
func TestGemmFloat(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, g := range []struct {
		name  string
		relus []bool
		run   func(dst, a, bt, bias []float32, M, N, K int, relu bool)
	}{
		{"GemmNT", []bool{false}, func(dst, a, bt, bias []float32, M, N, K int, _ bool) { GemmNT(dst, a, bt, bias, M, N, K) }},
		{"GemmP", []bool{false, true}, func(dst, a, bt, bias []float32, M, N, K int, relu bool) {
			GemmP(dst, PackA4(a, M, K), bt, bias, M, N, K, relu)
		}},
	} {
		eachMNK(func(M, N, K int) {
			a, bt, bias := randF(r, M*K, -1, 1), randF(r, N*K, -1, 1), randF(r, M, -1, 1)
			want, mag := gemmRef(a, bt, bias, M, N, K)
			for _, relu := range g.relus {
				buf, dst := guarded(M * N)
				g.run(dst, a, bt, bias, M, N, K, relu)
				checkGuards(t, g.name, buf, M*N)
				for i := range dst {
					w := want[i]
					if relu {
						w = math.Max(w, 0)
					}
					if d := math.Abs(float64(dst[i]) - w); d > tolGemmRel*mag[i]+tolTiny {
						t.Fatalf("%s M=%d N=%d K=%d relu=%v: dst[%d] = %g, want %g", g.name, M, N, K, relu, i, dst[i], w)
					}
				}
			}
		})
	}
}

// TestDenseRefIsGemm pins the reference against the float64 definition.
func TestDenseRefIsGemm(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, in := range sweep {
		for _, out := range sweep {
			x, w, b := randF(r, in, -1, 1), randF(r, out*in, -1, 1), randF(r, out, -1, 1)
			buf, dst := guarded(out)
			DenseRef(dst, x, w, b, in, out)
			checkGuards(t, "DenseRef", buf, out)
			want, mag := gemmRef(w, x, b, out, 1, in)
			for i := range dst {
				if d := math.Abs(float64(dst[i]) - want[i]); d > tolGemmRel*mag[i]+tolTiny {
					t.Fatalf("in=%d out=%d: %g, want %g", in, out, dst[i], want[i])
				}
			}
		}
	}
}

type convCase struct{ c, h, w, oc, kh, kw, s, p int }

func (cc convCase) out() (int, int) {
	return (cc.h+2*cc.p-cc.kh)/cc.s + 1, (cc.w+2*cc.p-cc.kw)/cc.s + 1
}

func (cc convCase) String() string {
	return fmt.Sprintf("%+v", [8]int{cc.c, cc.h, cc.w, cc.oc, cc.kh, cc.kw, cc.s, cc.p})
}

func convCases() []convCase {
	cs := []convCase{
		{1, 28, 28, 3, 5, 5, 1, 2}, {3, 14, 14, 6, 3, 3, 1, 1}, {1, 40, 40, 6, 5, 5, 1, 2}, {6, 20, 20, 12, 3, 3, 1, 1},
		{24, 5, 5, 48, 3, 3, 1, 1}, {48, 2, 2, 96, 3, 3, 1, 1}, {1, 1, 1, 1, 1, 1, 1, 0}, {2, 5, 7, 3, 3, 2, 2, 1},
		{2, 5, 7, 2, 3, 3, 1, 0}, {5, 9, 11, 7, 1, 1, 1, 0}, {3, 8, 8, 5, 3, 3, 2, 0}, {1, 3, 3, 2, 5, 5, 1, 2},
		{4, 6, 5, 3, 2, 4, 3, 2}, {1, 17, 31, 17, 3, 3, 1, 1}, {3, 7, 9, 4, 5, 5, 1, 2}, {2, 1, 13, 3, 1, 3, 1, 1},
	}
	return cs
}

// TestConvFast checks the fast convolution (as the float32 path runs it)
// against Conv2DRef.
func TestConvFast(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, cc := range convCases() {
		oh, ow := cc.out()
		src := randF(r, cc.c*cc.h*cc.w, 0, 1)
		wt, b := randF(r, cc.oc*cc.c*cc.kh*cc.kw, -1, 1), randF(r, cc.oc, -1, 1)
		want := make([]float32, cc.oc*oh*ow)
		Conv2DRef(want, src, cc.c, cc.h, cc.w, wt, b, cc.oc, cc.kh, cc.kw, cc.s, cc.p)
		K := cc.c * cc.kh * cc.kw
		cbuf, col := guarded(oh * ow * K)
		Im2colT(col, src, cc.c, cc.h, cc.w, cc.kh, cc.kw, cc.s, cc.p, oh, ow)
		checkGuards(t, "Im2colT", cbuf, len(col))
		buf, dst := guarded(cc.oc * oh * ow)
		GemmNT(dst, wt, col, b, cc.oc, oh*ow, K)
		checkGuards(t, "conv", buf, len(dst))
		for i := range dst {
			if d := math.Abs(float64(dst[i] - want[i])); d > tolGemmRel*float64(K)+tolTiny {
				t.Fatalf("%v: dst[%d] = %g, want %g", cc, i, dst[i], want[i])
			}
		}
	}
}

// TestPool2x2: the 2x2 stride-2 pools equal their references bit for bit.
func TestPool2x2(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for _, p := range []struct {
		name      string
		fast, ref func(dst, src []float32, c, h, w int)
	}{
		{"MaxPool2x2", MaxPool2x2, func(dst, src []float32, c, h, w int) { MaxPoolRef(dst, src, c, h, w, 2, 2, 2) }},
		{"AvgPool2x2", AvgPool2x2, func(dst, src []float32, c, h, w int) { AvgPoolRef(dst, src, c, h, w, 2, 2, 2, 0) }},
	} {
		for _, c := range []int{1, 3} {
			for _, h := range []int{2, 3, 5, 8, 17} {
				for _, w := range []int{2, 3, 4, 9, 16} {
					src := randF(r, c*h*w, -1, 1)
					want := make([]float32, c*(h/2)*(w/2))
					p.ref(want, src, c, h, w)
					buf, dst := guarded(len(want))
					p.fast(dst, src, c, h, w)
					checkGuards(t, p.name, buf, len(want))
					for i := range want {
						if dst[i] != want[i] {
							t.Fatalf("%s c=%d h=%d w=%d: [%d] %g want %g", p.name, c, h, w, i, dst[i], want[i])
						}
					}
				}
			}
		}
	}
}

// TestMaxPoolRef checks the reference against a brute-force definition,
// with a 3x3 stride 1 window.
func TestMaxPoolRef(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	src := randF(r, 2*5*7, -1, 1)
	dst := make([]float32, 2*3*5)
	MaxPoolRef(dst, src, 2, 5, 7, 3, 3, 1)
	for c := 0; c < 2; c++ {
		for y := 0; y < 3; y++ {
			for x := 0; x < 5; x++ {
				m := float32(math.Inf(-1))
				for i := 0; i < 3; i++ {
					for j := 0; j < 3; j++ {
						m = max(m, src[(c*5+y+i)*7+x+j])
					}
				}
				if dst[(c*3+y)*5+x] != m {
					t.Fatalf("MaxPoolRef 3x3/1 wrong at %d,%d,%d", c, y, x)
				}
			}
		}
	}
}

func TestReLU(t *testing.T) {
	x := []float32{-1, 0, 2, float32(math.Copysign(0, -1)), -3.5, 7}
	ReLU(x)
	for i, want := range []float32{0, 0, 2, 0, 0, 7} {
		if x[i] != want {
			t.Fatalf("ReLU[%d] = %g, want %g", i, x[i], want)
		}
	}
}

func TestGemmNT8Exact(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	eachMNK(func(M, N, K int) {
		a, bt := randI8(r, M*K), randI8(r, N*K)
		sa, bias := randF(r, M, 0, 0.01), randF(r, M, -1, 1)
		sb := float32(0.003)
		want := make([]float32, M*N)
		GemmNT8Ref(want, a, sa, bt, sb, bias, M, N, K)
		buf, dst := guarded(M * N)
		GemmNT8(dst, a, sa, bt, sb, bias, M, N, K)
		checkGuards(t, "GemmNT8", buf, M*N)
		for i := range want {
			if dst[i] != want[i] {
				t.Fatalf("M=%d N=%d K=%d: [%d] %g, want %g (must be bit-exact)", M, N, K, i, dst[i], want[i])
			}
		}
	})
}

func TestQuantizeSym(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for _, n := range sweep {
		x := randF(r, n, -3, 3)
		buf, dst := guarded8(n)
		s := QuantizeSym(dst, x)
		checkGuards8(t, "QuantizeSym", buf, n)
		var amax float64
		for _, v := range x {
			amax = math.Max(amax, math.Abs(float64(v)))
		}
		if math.Abs(float64(s)-amax/127) > 1e-6*amax {
			t.Fatalf("n=%d: scale %g, want %g", n, s, amax/127)
		}
		for i, v := range x {
			// within half a step (plus float32 rounding of v*inv)
			if d := math.Abs(float64(dst[i])*float64(s) - float64(v)); d > 0.5001*float64(s) {
				t.Fatalf("n=%d: x[%d] = %g quantised to %d*%g", n, i, v, dst[i], s)
			}
		}
	}
	dst := make([]int8, 4)
	if s := QuantizeSym(dst, make([]float32, 4)); s != 0 || dst[0] != 0 {
		t.Fatal("all-zero input must give scale 0 and zeros")
	}
}

func TestIm2colT8MatchesFloat(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	for _, cc := range convCases() {
		oh, ow := cc.out()
		src := randI8(r, cc.c*cc.h*cc.w)
		srcF := make([]float32, len(src))
		for i, v := range src {
			srcF[i] = float32(v)
		}
		K := cc.c * cc.kh * cc.kw
		want := make([]float32, oh*ow*K)
		Im2colT(want, srcF, cc.c, cc.h, cc.w, cc.kh, cc.kw, cc.s, cc.p, oh, ow)
		buf, dst := guarded8(len(want))
		Im2colT8(dst, src, cc.c, cc.h, cc.w, cc.kh, cc.kw, cc.s, cc.p, oh, ow)
		checkGuards8(t, "Im2colT8", buf, len(want))
		for i := range want {
			if float32(dst[i]) != want[i] {
				t.Fatalf("%v: [%d] %d, want %g", cc, i, dst[i], want[i])
			}
		}
	}
}

// TestInt8ErrorBound states the error of the int8 product against the
// float32 one: with w = sa*qa + ea (|ea| <= sa/2 per element) and
// x = sb*qb + eb (|eb| <= sb/2),
//
//	|w.x - sa*sb*qa.qb| <= sum_k (|ea_k||x_k| + |w_k||eb_k| + |ea_k||eb_k|)
//	                    <= K*(sa/2*max|x| + sb/2*max|w| + sa*sb/4).
func TestInt8ErrorBound(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 16))
	for _, K := range sweep {
		M, N := 5, 3
		w, x, bias := randF(r, M*K, -1, 1), randF(r, N*K, 0, 1), randF(r, M, -1, 1)
		want := make([]float32, M*N)
		GemmNT(want, w, x, bias, M, N, K)
		qa := make([]int8, M*K)
		sa := make([]float32, M)
		var wmax float32
		for m := 0; m < M; m++ {
			sa[m] = QuantizeSym(qa[m*K:(m+1)*K], w[m*K:(m+1)*K])
		}
		for _, v := range w {
			wmax = max(wmax, float32(math.Abs(float64(v))))
		}
		qb := make([]int8, N*K)
		sb := QuantizeSym(qb, x)
		var xmax float32
		for _, v := range x {
			xmax = max(xmax, v)
		}
		got := make([]float32, M*N)
		GemmNT8(got, qa, sa, qb, sb, bias, M, N, K)
		for i := range got {
			m := i / N
			bound := float64(K)*(float64(sa[m])/2*float64(xmax)+float64(sb)/2*float64(wmax)+float64(sa[m]*sb)/4) + 1e-5
			if d := math.Abs(float64(got[i] - want[i])); d > bound {
				t.Fatalf("K=%d: int8 %g vs float32 %g: error %g above the bound %g", K, got[i], want[i], d, bound)
			}
		}
	}
}

func TestLogSoftmax(t *testing.T) {
	for _, x := range [][]float32{{0, 0}, {1, 2, 3}, {-100, 0, 100}, {1e4, 1e4 - 1}} {
		dst := make([]float32, len(x))
		LogSoftmax(dst, x)
		var s float64
		for i, v := range dst {
			s += math.Exp(float64(v))
			if v > 0 {
				t.Fatalf("%v: log-prob %d = %g > 0", x, i, v)
			}
		}
		if math.Abs(s-1) > 1e-6 {
			t.Fatalf("%v: probabilities sum to %g", x, s)
		}
	}
}

func TestPackA4(t *testing.T) {
	a := []float32{1, 2, 3, 4, 5, 6, 7, 8, 9, 10} // 5 x 2
	p := PackA4(a, 5, 2)
	want := [][4]float32{{1, 3, 5, 7}, {2, 4, 6, 8}, {9, 0, 0, 0}, {10, 0, 0, 0}}
	if len(p) != len(want) {
		t.Fatalf("len %d, want %d", len(p), len(want))
	}
	for i := range want {
		if p[i] != want[i] {
			t.Fatalf("PackA4[%d] = %v, want %v", i, p[i], want[i])
		}
	}
}

func TestPackPairs(t *testing.T) {
	a := []int8{1, -2, 3, 4, -127, 127, 5, 6, 7, 8} // 5 x 2
	p := PackPairs(a, 5, 2)
	pair := func(lo, hi int8) int64 { return int64(lo) + int64(hi)<<32 }
	want := [][2]int64{{pair(1, 3), pair(-127, 5)}, {pair(-2, 4), pair(127, 6)}, {pair(7, 0), 0}, {pair(8, 0), 0}}
	for i := range want {
		if p[i] != want[i] {
			t.Fatalf("PackPairs[%d] = %v, want %v", i, p[i], want[i])
		}
	}
	for _, e := range []struct{ lo, hi int64 }{{-5, 7}, {5, -7}, {-1 << 30, -1 << 30}, {1<<31 - 1, -(1 << 31)}, {0, -1}} {
		lo, hi := split(e.lo + e.hi<<32)
		if lo != e.lo || hi != e.hi {
			t.Fatalf("split(%d + %d<<32) = %d, %d", e.lo, e.hi, lo, hi)
		}
	}
}

func TestPadIm2colP(t *testing.T) {
	r := rand.New(rand.NewPCG(23, 24))
	for _, cc := range convCases() {
		oh, ow := cc.out()
		src := randF(r, cc.c*cc.h*cc.w, -1, 1)
		hp, wp := cc.h+2*cc.p, cc.w+2*cc.p
		pbuf, padded := guarded(cc.c * hp * wp)
		for i := range padded {
			padded[i] = 77 // Pad must overwrite everything
		}
		Pad(padded, src, cc.c, cc.h, cc.w, cc.p)
		checkGuards(t, "Pad", pbuf, len(padded))
		K := cc.c * cc.kh * cc.kw
		want := make([]float32, oh*ow*K)
		Im2colT(want, src, cc.c, cc.h, cc.w, cc.kh, cc.kw, cc.s, cc.p, oh, ow)
		buf, dst := guarded(len(want))
		Im2colP(dst, padded, cc.c, hp, wp, cc.kh, cc.kw, cc.s, oh, ow)
		checkGuards(t, "Im2colP", buf, len(want))
		for i := range want {
			if dst[i] != want[i] {
				t.Fatalf("%v: [%d] = %g, want %g", cc, i, dst[i], want[i])
			}
		}
	}
}

func randU8(r *rand.Rand, n int) []uint8 {
	x := make([]uint8, n)
	for i := range x {
		x[i] = uint8(r.IntN(256))
	}
	return x
}

// TestGemmPairExact: the paired kernel equals the reference bit for bit, for
// signed and unsigned activations, including the extreme values that make
// the low lane borrow from the high one.
func TestGemmPairExact(t *testing.T) {
	r := rand.New(rand.NewPCG(25, 26))
	extreme := func(a []int8) {
		for i := range a {
			if r.IntN(3) == 0 {
				a[i] = []int8{-127, 127}[r.IntN(2)]
			}
		}
	}
	eachMNK(func(M, N, K int) {
		a := randI8(r, M*K)
		extreme(a)
		sa, bias := randF(r, M, 0, 0.01), randF(r, M, -1, 1)
		ap := PackPairs(a, M, K)
		bs, bu := randI8(r, N*K), randU8(r, N*K)
		for _, relu := range []bool{false, true} {
			checkPair(t, "int8", a, ap, sa, bs, 0.003, bias, M, N, K, relu)
			checkPair(t, "uint8", a, ap, sa, bu, 0.002, bias, M, N, K, relu)
		}
	})
}

// checkPair checks GemmPair on activations bt against GemmNT8Ref (then
// ReLU): equal bit for bit.
func checkPair[T int8 | uint8](t *testing.T, what string, a []int8, ap [][2]int64, sa []float32, bt []T, sb float32, bias []float32, M, N, K int, relu bool) {
	t.Helper()
	want := make([]float32, M*N)
	GemmNT8Ref(want, a, sa, bt, sb, bias, M, N, K)
	buf, dst := guarded(M * N)
	GemmPair(dst, ap, sa, bt, sb, bias, M, N, K, relu)
	checkGuards(t, "GemmPair "+what, buf, M*N)
	for i := range want {
		if w := want[i]; (relu && w < 0 && dst[i] != 0) || (!(relu && w < 0) && dst[i] != w) {
			t.Fatalf("%s M=%d N=%d K=%d relu=%v: [%d] %g, want %g", what, M, N, K, relu, i, dst[i], w)
		}
	}
}

// TestGemmPairMaxK: at K = MaxPairK with every product at its extreme
// (127*255, or -127*255) the lanes must not overflow.
func TestGemmPairMaxK(t *testing.T) {
	if testing.Short() {
		t.Skip("large")
	}
	K := MaxPairK
	M, N := 4, 1
	for _, sign := range []int8{127, -127} {
		a := make([]int8, M*K)
		for i := range a {
			a[i] = sign
			if i/K%2 == 1 {
				a[i] = -sign
			}
		}
		bt := make([]uint8, N*K)
		for i := range bt {
			bt[i] = 255
		}
		sa, bias := []float32{1, 1, 1, 1}, make([]float32, M)
		want, dst := make([]float32, M), make([]float32, M)
		GemmNT8Ref(want, a, sa, bt, 1, bias, M, N, K)
		GemmPair(dst, PackPairs(a, M, K), sa, bt, 1, bias, M, N, K, false)
		for i := range want {
			if dst[i] != want[i] {
				t.Fatalf("sign %d row %d: %g, want %g", sign, i, dst[i], want[i])
			}
		}
	}
}

func TestQuantizeAct(t *testing.T) {
	r := rand.New(rand.NewPCG(27, 28))
	for _, n := range sweep {
		for _, lo := range []float32{0, -2} {
			x := randF(r, n, lo, 2)
			if lo < 0 {
				x[0] = -0.5 // at least one negative
			}
			u, s := make([]uint8, n), make([]int8, n)
			scale, unsigned := QuantizeAct(u, s, x)
			if unsigned != (lo >= 0) {
				t.Fatalf("n=%d lo=%g: unsigned=%v", n, lo, unsigned)
			}
			for i, v := range x {
				q := float64(s[i])
				if unsigned {
					q = float64(u[i])
				}
				if d := math.Abs(q*float64(scale) - float64(v)); d > 0.5001*float64(scale) {
					t.Fatalf("n=%d: x[%d]=%g quantised to %g*%g", n, i, v, q, scale)
				}
			}
		}
	}
	u := []uint8{9, 9}
	if s, uns := QuantizeAct(u, nil, []float32{0, 0}); s != 0 || !uns || u[0] != 0 {
		t.Fatal("all-zero input must give scale 0 and zeros")
	}
}

// TestConvDirect checks the implicit-GEMM convolution against Conv2DRef
// (float32) and against im2col + GemmNT8Ref (int8, bit-exact), for every
// stride-1 case.
func TestConvDirect(t *testing.T) {
	r := rand.New(rand.NewPCG(29, 30))
	cases := convCases()
	for _, oc := range []int{1, 3, 4, 5, 8} {
		for _, ow := range []int{1, 2, 3, 4, 5, 7, 8, 9} {
			cases = append(cases, convCase{2, 3, ow + 2, oc, 3, 3, 1, 1}, convCase{1, 4, ow + 4, oc, 5, 5, 1, 0})
		}
	}
	for _, cc := range cases {
		if cc.s != 1 {
			continue
		}
		oh, ow := cc.out()
		hp, wp := cc.h+2*cc.p, cc.w+2*cc.p
		K := cc.c * cc.kh * cc.kw
		src := randF(r, cc.c*cc.h*cc.w, 0, 1)
		wt, b := randF(r, cc.oc*K, -1, 1), randF(r, cc.oc, -1, 1)
		want := make([]float32, cc.oc*oh*ow)
		Conv2DRef(want, src, cc.c, cc.h, cc.w, wt, b, cc.oc, cc.kh, cc.kw, cc.s, cc.p)
		padded := make([]float32, cc.c*hp*wp+DirectSlack)
		for i := range padded {
			padded[i] = 1e30 // the slack may hold anything finite
		}
		Pad(padded, src, cc.c, cc.h, cc.w, cc.p)
		off := Offsets(cc.c, hp, wp, cc.kh, cc.kw)
		for _, relu := range []bool{false, true} {
			buf, dst := guarded(len(want))
			ConvDirect(dst, PackA2(wt, cc.oc, K), padded, off, b, cc.oc, oh, ow, wp, relu)
			checkGuards(t, "ConvDirect", buf, len(want))
			for _, quads := range []bool{false, true} {
				bufT, dstT := guarded(len(want))
				ConvTapsF(dstT, MakeTapsF(wt, off, cc.oc, quads), padded, b, cc.oc, K, oh, ow, wp, relu)
				checkGuards(t, "ConvTapsF", bufT, len(want))
				for i := range dst {
					if math.Float32bits(dstT[i]) != math.Float32bits(dst[i]) {
						t.Fatalf("%v relu=%v quads=%v: ConvTapsF[%d] = %g, ConvDirect %g", cc, relu, quads, i, dstT[i], dst[i])
					}
				}
			}
			for i := range want {
				w := want[i]
				if relu {
					w = max(w, 0)
				}
				if d := math.Abs(float64(dst[i] - w)); d > tolGemmRel*float64(K)+tolTiny {
					t.Fatalf("%v relu=%v: dst[%d] = %g, want %g", cc, relu, i, dst[i], w)
				}
			}
		}
		// int8: both activation types
		qa, sa := randI8(r, cc.oc*K), randF(r, cc.oc, 0, 0.01)
		checkConvTaps8(t, cc, randU8(r, cc.c*cc.h*cc.w), qa, sa, b, false)
		checkConvTaps8(t, cc, randI8(r, cc.c*cc.h*cc.w), qa, sa, b, true)
	}
}

// checkConvTaps8 checks ConvTaps8 on the 8-bit input q of cc against
// im2col and GemmNT8Ref (then ReLU): equal bit for bit.
func checkConvTaps8[T int8 | uint8](t *testing.T, cc convCase, q []T, qa []int8, sa, b []float32, relu bool) {
	t.Helper()
	oh, ow := cc.out()
	hp, wp := cc.h+2*cc.p, cc.w+2*cc.p
	K := cc.c * cc.kh * cc.kw
	pd := make([]T, cc.c*hp*wp+DirectSlack)
	Pad(pd, q, cc.c, cc.h, cc.w, cc.p)
	col := make([]T, oh*ow*K)
	Im2colP(col, pd, cc.c, hp, wp, cc.kh, cc.kw, 1, oh, ow)
	want := make([]float32, cc.oc*oh*ow)
	GemmNT8Ref(want, qa, sa, col, 0.004, b, cc.oc, oh*ow, K)
	buf, dst := guarded(len(want))
	ConvTaps8(dst, MakeTaps8(qa, Offsets(cc.c, hp, wp, cc.kh, cc.kw), cc.oc), sa, pd, 0.004, b, cc.oc, K, oh, ow, wp, relu)
	checkGuards(t, "ConvTaps8", buf, len(want))
	for i := range want {
		if w := want[i]; dst[i] != w && !(relu && w < 0 && dst[i] == 0) {
			t.Fatalf("%v %T relu=%v: dst[%d] = %g, want %g (bit-exact)", cc, q, relu, i, dst[i], w)
		}
	}
}

// TestDot2x4: the platform's dot2x4 (WebAssembly under GOOS=js) equals its
// Go definition bit for bit.
func TestDot2x4(t *testing.T) {
	r := rand.New(rand.NewPCG(31, 32))
	for _, n := range []int{1, 2, 3, 7, 25, 54, 108, 433} {
		s := randF(r, 3000, -2, 2)
		taps := make([]TapF, n)
		for i := range taps {
			taps[i] = TapF{int32(r.IntN(len(s) - 4)), [2]float32{2*r.Float32() - 1, 2*r.Float32() - 1}}
		}
		var got, want [8]float32
		dot2x4(taps, s, &got)
		dot2x4Go(taps, s, &want)
		if got != want {
			t.Fatalf("n=%d: %v, want %v (HaveAsm=%v)", n, got, want, HaveAsm)
		}
	}
}

// TestTapsFBytes: TapsFBytes is the size of what MakeTapsF makes.
func TestTapsFBytes(t *testing.T) {
	for M := 1; M <= 13; M++ {
		for _, quads := range []bool{false, true} {
			tp := MakeTapsF(make([]float32, M*3), []int32{0, 1, 2}, M, quads)
			if got, want := TapsFBytes(M, 3, quads), 20*len(tp.Quad)+12*len(tp.Pair); got != want {
				t.Fatalf("M=%d quads=%v: %d bytes, MakeTapsF made %d", M, quads, got, want)
			}
		}
	}
}

func TestConvTapsFBounds(t *testing.T) {
	for _, M := range []int{1, 3} {
		taps := MakeTapsF(make([]float32, 4*M), []int32{0, 1, 2, 3}, M, true)
		func() {
			defer func() {
				if recover() == nil {
					t.Fatalf("M=%d: ConvTapsF read past its input without panicking", M)
				}
			}()
			ConvTapsF(make([]float32, 4*M), taps, make([]float32, 6), make([]float32, M), M, 4, 1, 4, 4, false)
		}()
	}
}

// TestDot4x2: the platform's dot4x2 equals its Go definition bit for bit.
func TestDot4x2(t *testing.T) {
	r := rand.New(rand.NewPCG(33, 34))
	for _, k := range []int{0, 1, 2, 5, 27, 54, 216, 433} {
		a := PackA4(randF(r, 4*k, -1, 1), 4, k)
		b0, b1 := randF(r, k, 0, 1), randF(r, k, 0, 1)
		var got, want [8]float32
		dot4x2(a, b0, b1, &got)
		dot4x2Go(a, b0, b1, &want)
		if got != want {
			t.Fatalf("k=%d: %v, want %v (HaveAsm=%v)", k, got, want, HaveAsm)
		}
	}
}

// TestDotInt8: the platform's int8 inner loops equal their Go definitions.
func TestDotInt8(t *testing.T) {
	r := rand.New(rand.NewPCG(35, 36))
	for _, n := range []int{0, 1, 3, 25, 54, 216, 433} {
		a := randI8(r, 4*n)
		w := PackPairs(a, 4, n)
		b0, b1 := randU8(r, n), randU8(r, n)
		got, want := dotPair4x2u(w, b0, b1), dotPair4x2Go(w, b0, b1)
		if got != want {
			t.Fatalf("dotPair4x2 n=%d: %v, want %v", n, got, want)
		}
		if n == 0 {
			continue
		}
		s := randU8(r, 2000)
		off := make([]int32, n)
		for i := range off {
			off[i] = int32(r.IntN(len(s) - 4))
		}
		taps := MakeTaps8(a[:2*n], off, 2)
		got, want = dotTaps8u(taps, s), dotTaps8Go(taps, s)
		if got != want {
			t.Fatalf("dotTaps8 n=%d: %v, want %v", n, got, want)
		}
	}
}
