package kern

import (
	"math"
	"math/rand/v2"
	"os"
	"testing"
)

// TestKernelsAsRequested: the test binary runs the kernels its harness says
// (I2M2_KERNELS=simd or scalar, set by scripts/go-simd-exec), so a pass
// that silently left the scalar bodies in place fails here; the other tests
// of this package then check those kernels against their Go definitions.
func TestKernelsAsRequested(t *testing.T) {
	want := os.Getenv("I2M2_KERNELS")
	if want == "" {
		t.Skip("I2M2_KERNELS not set (run by scripts/go-simd-exec)")
	}
	if got := map[bool]string{true: "simd", false: "scalar"}[SIMD()]; got != want {
		t.Fatalf("kernels: %s, the harness asked for %s", got, want)
	}
}

// TestConvRowsF: convRowsF (a SIMD body in the SIMD build) equals
// convRowsFGo bit for bit, for row widths around its 8- and 4-column steps,
// with and without ReLU and a second channel; -0 and NaN pass like the Go loop.
func TestConvRowsF(t *testing.T) {
	r := rand.New(rand.NewPCG(41, 42))
	for _, ow := range []int{1, 2, 3, 4, 5, 7, 8, 9, 12, 13, 16, 17, 23} {
		for _, two := range []bool{true, false} {
			for _, relu := range []bool{true, false} {
				oh, wp, kh, kw := 3, ow+4, 3, 5
				src := randF(r, (oh+kh)*wp+8, -2, 2)
				src[r.IntN(len(src))] = float32(math.NaN())
				src[r.IntN(len(src))] = float32(math.Copysign(0, -1))
				off := Offsets(1, 0, wp, kh, kw)
				tp := MakeTapsF2(randF(r, 2*len(off), -1, 1), off, 2)
				b := [2]float32{r.Float32() - 0.5, r.Float32() - 0.5}
				got0, want0 := make([]float32, oh*ow), make([]float32, oh*ow)
				var got1, want1 []float32
				if two {
					got1, want1 = make([]float32, oh*ow), make([]float32, oh*ow)
				}
				convRowsF(got0, got1, tp, src, b, oh, ow, wp, relu)
				convRowsFGo(want0, want1, tp, src, b, oh, ow, wp, relu)
				for i := range want0 {
					if math.Float32bits(got0[i]) != math.Float32bits(want0[i]) || two && math.Float32bits(got1[i]) != math.Float32bits(want1[i]) {
						t.Fatalf("ow=%d two=%v relu=%v: output %d differs (SIMD=%v)", ow, two, relu, i, SIMD())
					}
				}
			}
		}
	}
}

// TestConvRowsF4: convRowsF4 (a SIMD body in the SIMD build) equals
// convRowsF4Go bit for bit, and both equal the pair kernel convRowsFGo on
// the same channels, for row widths around the 8- and 4-column steps, 3 and
// 4 channels (a channel's stride cs beyond its rows), 1 to 4 rows (the SIMD
// body pairs rows), with and without ReLU; -0 and NaN pass like the Go loop.
func TestConvRowsF4(t *testing.T) {
	r := rand.New(rand.NewPCG(47, 48))
	for _, ow := range []int{1, 2, 3, 4, 5, 7, 8, 9, 12, 13, 16, 17, 23} {
		for _, nc := range []int{3, 4} {
			for _, kw := range []int{4, 5} {
				for i, relu := range []bool{true, false, true} {
					oh, wp, kh := 1+i+kw%2, ow+4, 3
					src := randF(r, (oh+kh)*wp+8, -2, 2)
					src[r.IntN(len(src))] = float32(math.NaN())
					src[r.IntN(len(src))] = float32(math.Copysign(0, -1))
					off := Offsets(1, 0, wp, kh, kw)
					wt := randF(r, nc*len(off), -1, 1)
					bias := randF(r, nc, -0.5, 0.5)
					tp := MakeTapsF4(wt, off, nc)
					cs := oh*ow + 3
					got, want := make([]float32, 4*cs), make([]float32, 4*cs)
					for i := range got {
						got[i], want[i] = 7, 7
					}
					b := quadBias(bias, 0, nc)
					convRowsF4(got, cs, nc, tp, src, b, oh, ow, wp, relu)
					convRowsF4Go(want, cs, nc, tp, src, b, oh, ow, wp, relu)
					pairs := MakeTapsF2(wt, off, nc)
					K := len(off)
					for m := 0; m < nc; m += 2 {
						d0, d1 := make([]float32, oh*ow), []float32(nil)
						if m+1 < nc {
							d1 = make([]float32, oh*ow)
						}
						convRowsFGo(d0, d1, pairs[(m/2)*K:][:K], src, [2]float32{bias[m], bias[min(m+1, nc-1)]}, oh, ow, wp, relu)
						for i := range d0 {
							if math.Float32bits(d0[i]) != math.Float32bits(want[m*cs+i]) || d1 != nil && math.Float32bits(d1[i]) != math.Float32bits(want[(m+1)*cs+i]) {
								t.Fatalf("ow=%d nc=%d K=%d relu=%v: convRowsF4Go channel %d+ output %d differs from the pairs", ow, nc, K, relu, m, i)
							}
						}
					}
					for i := range want {
						if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
							t.Fatalf("ow=%d nc=%d K=%d relu=%v: [%d] = %v, want %v (SIMD=%v)", ow, nc, K, relu, i, got[i], want[i], SIMD())
						}
					}
				}
			}
		}
	}
}

// TestConvPoolF4: convPoolF2, convPoolF3, convPoolF4 and convPoolF8 (SIMD
// bodies in the SIMD build) equal their Go references bit for bit, and those
// equal convRowsF4Go followed by maxPoolRowGo, for even and odd widths and
// heights (floor mode), 1 to 8 channels, NaN and -0 among the inputs;
// nothing outside the outputs is written.
func TestConvPoolF4(t *testing.T) {
	r := rand.New(rand.NewPCG(49, 50))
	for _, ow := range []int{2, 3, 4, 5, 6, 7, 8, 9, 10, 13, 14, 20} {
		for _, nc := range []int{1, 2, 3, 4, 7, 8} {
			for _, relu := range []bool{true, false} {
				oh, wp, kh, kw := 4+ow%2, ow+4, 3, 3
				src := randF(r, (oh+kh)*wp+8, -2, 2)
				src[r.IntN(len(src))] = float32(math.NaN())
				src[r.IntN(len(src))] = float32(math.Copysign(0, -1))
				off := Offsets(1, 0, wp, kh, kw)
				wt, bias := randF(r, nc*len(off), -1, 1), randF(r, nc, -0.5, 0.5)
				tp := MakeTapsF4(wt, off, nc)
				ph, pw := oh/2, ow/2
				cs := ph*pw + 1
				got, want := make([]float32, 8*cs), make([]float32, 8*cs)
				for i := range got {
					got[i], want[i] = 7, 7
				}
				switch {
				case nc <= 2:
					b2 := [2]float32{bias[0], bias[nc-1]}
					convPoolF2(got, cs, nc, MakeTapsF2(wt, off, nc), src, b2, ph, ow, wp, relu)
					convPoolF2Go(want, cs, nc, MakeTapsF2(wt, off, nc), src, b2, ph, ow, wp, relu)
				case nc == 3:
					convPoolF3(got, cs, nc, tp, src, quadBias(bias, 0, nc), ph, ow, wp, relu)
					convPoolF4Go(want, cs, nc, tp, src, quadBias(bias, 0, nc), ph, ow, wp, relu)
				case nc > 4:
					convPoolF8(got, cs, nc, tp, src, octBias(bias, 0, nc), ph, ow, wp, relu)
					convPoolF8Go(want, cs, nc, tp, src, octBias(bias, 0, nc), ph, ow, wp, relu)
				default:
					convPoolF4(got, cs, nc, tp, src, quadBias(bias, 0, nc), ph, ow, wp, relu)
					convPoolF4Go(want, cs, nc, tp, src, quadBias(bias, 0, nc), ph, ow, wp, relu)
				}
				for c := 0; c < nc; c++ {
					conv := make([]float32, oh*ow)
					convRowsF4Go(conv, 0, 1, MakeTapsF4(wt[c*len(off):][:len(off)], off, 1), src, [4]float32{bias[c]}, oh, ow, wp, relu)
					pooled := make([]float32, ph*pw)
					MaxPool2x2(pooled, conv, 1, oh, ow)
					for i := range pooled {
						if math.Float32bits(pooled[i]) != math.Float32bits(want[c*cs+i]) {
							t.Fatalf("ow=%d nc=%d relu=%v: reference [%d][%d] differs from conv + pool", ow, nc, relu, c, i)
						}
					}
				}
				for i := range want {
					if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
						t.Fatalf("ow=%d nc=%d relu=%v: [%d] = %v, want %v (SIMD=%v)", ow, nc, relu, i, got[i], want[i], SIMD())
					}
				}
			}
		}
	}
}

// TestMaxPoolRow: maxPoolRow equals maxPoolRowGo bit for bit, NaN and -0
// included (a NaN wins only where it comes first, as with v > m).
func TestMaxPoolRow(t *testing.T) {
	r := rand.New(rand.NewPCG(43, 44))
	for _, n := range []int{1, 2, 3, 4, 5, 7, 8, 9, 14, 20} {
		r0, r1 := randF(r, 2*n+1, -1, 1), randF(r, 2*n+1, -1, 1)
		for _, s := range [][]float32{r0, r1} {
			s[r.IntN(len(s))] = float32(math.NaN())
			s[r.IntN(len(s))] = float32(math.Copysign(0, -1))
			s[r.IntN(len(s))] = 0
		}
		got, want := make([]float32, n), make([]float32, n)
		maxPoolRow(got, r0, r1)
		maxPoolRowGo(want, r0, r1)
		for i := range want {
			if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
				t.Fatalf("n=%d: output %d: %v, want %v (SIMD=%v)", n, i, got[i], want[i], SIMD())
			}
		}
	}
}

// TestDot4x1: dot4x1 equals dot4x1Go bit for bit, and dot16x1 equals
// dot16x1Go (four dot4x1Go side by side).
func TestDot4x1(t *testing.T) {
	r := rand.New(rand.NewPCG(45, 46))
	for _, k := range []int{0, 1, 2, 3, 7, 100, 144, 241} {
		p := PackA4(randF(r, 16*k, -1, 1), 16, k)
		b := randF(r, k, -1, 1)
		var got, want [4]float32
		dot4x1(p[:k], b, &got)
		dot4x1Go(p[:k], b, &want)
		if got != want {
			t.Fatalf("k=%d: %v, want %v (SIMD=%v)", k, got, want, SIMD())
		}
		var got16, want16 [16]float32
		dot16x1(p, b, &got16)
		dot16x1Go(p, b, &want16)
		if got16 != want16 {
			t.Fatalf("k=%d: dot16x1 %v, want %v (SIMD=%v)", k, got16, want16, SIMD())
		}
	}
}

// TestPadRowsF: padRowsF equals padRowsGo for row widths around its
// 4-value steps and leaves the gaps between the rows alone.
func TestPadRowsF(t *testing.T) {
	r := rand.New(rand.NewPCG(51, 52))
	for _, w := range []int{1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 40} {
		for _, n := range []int{1, 2, 5} {
			ds := w + 3
			src := randF(r, n*w, -1, 1)
			got, want := randF(r, n*ds, 5, 6), make([]float32, n*ds)
			copy(want, got)
			padRowsF(got, ds, src, w, n)
			padRowsGo(want, ds, src, w, n)
			for i := range want {
				if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
					t.Fatalf("w=%d n=%d: [%d] = %v, want %v (SIMD=%v)", w, n, i, got[i], want[i], SIMD())
				}
			}
		}
	}
}
