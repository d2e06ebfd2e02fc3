package kern

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestConvPoolFused: ConvTapsFPool and ConvDirectPool equal the direct
// kernel followed by MaxPool2x2 bit for bit (the same sums and comparisons
// in the same order), with NaN and -0 among the inputs, odd heights and
// widths (floor mode) and odd channel counts; the output is not overrun.
func TestConvPoolFused(t *testing.T) {
	r := rand.New(rand.NewPCG(41, 42))
	type tc struct{ c, h, w, oc, k, p int }
	var cases []tc
	for _, oc := range []int{1, 3, 4, 6, 7, 9} {
		for _, hw := range [][2]int{{2, 2}, {3, 5}, {5, 3}, {7, 7}, {10, 10}, {9, 17}, {28, 28}} {
			cases = append(cases, tc{2, hw[0], hw[1], oc, 3, 1}, tc{1, hw[0], hw[1], oc, 5, 2})
		}
	}
	for _, cc := range cases {
		hp, wp := cc.h+2*cc.p, cc.w+2*cc.p
		oh, ow := hp-cc.k+1, wp-cc.k+1
		K := cc.c * cc.k * cc.k
		src := randF(r, cc.c*cc.h*cc.w, -1, 1)
		src[0], src[len(src)/2] = float32(math.NaN()), float32(math.Copysign(0, -1))
		wt, b := randF(r, cc.oc*K, -1, 1), randF(r, cc.oc, -1, 1)
		padded := make([]float32, cc.c*hp*wp+DirectSlack)
		Pad(padded, src, cc.c, cc.h, cc.w, cc.p)
		off := Offsets(cc.c, hp, wp, cc.k, cc.k)
		a2 := PackA2(wt, cc.oc, K)
		rows := make([]float32, PoolRowsScratch(ow))
		for i, relu := range []bool{false, true, false, true} {
			taps := MakeTapsF(wt, off, cc.oc, i >= 2)
			conv := make([]float32, cc.oc*oh*ow)
			want := make([]float32, cc.oc*(oh/2)*(ow/2))
			n := len(want)
			ConvTapsF(conv, taps, padded, b, cc.oc, K, oh, ow, wp, relu)
			MaxPool2x2(want, conv, cc.oc, oh, ow)
			buf, dst := guarded(n)
			ConvTapsFPool(dst, taps, padded, b, cc.oc, K, oh, ow, wp, relu, rows)
			checkGuards(t, "ConvTapsFPool", buf, n)
			sameBits(t, "ConvTapsFPool", cc, relu, dst, want)
			ConvDirect(conv, a2, padded, off, b, cc.oc, oh, ow, wp, relu)
			MaxPool2x2(want, conv, cc.oc, oh, ow)
			buf, dst = guarded(n)
			ConvDirectPool(dst, a2, padded, off, b, cc.oc, oh, ow, wp, relu, rows)
			checkGuards(t, "ConvDirectPool", buf, n)
			sameBits(t, "ConvDirectPool", cc, relu, dst, want)
		}
	}
}

func sameBits(t *testing.T, what string, cc any, relu bool, got, want []float32) {
	t.Helper()
	for i := range want {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			t.Fatalf("%s %v relu=%v: [%d] = %g, unfused %g", what, cc, relu, i, got[i], want[i])
		}
	}
}

// TestGemmPSOneColumn: one column (a Dense layer at batch 1, dot16x1 for
// 16 rows at a time, dot4x1 for the rest) gives each row dot4x1Go's sum
// plus the bias, ReLU'd, bit for bit.
func TestGemmPSOneColumn(t *testing.T) {
	r := rand.New(rand.NewPCG(53, 54))
	for _, M := range []int{1, 15, 16, 17, 33, 100} {
		for _, K := range []int{1, 7, 54} {
			a, b, bias := randF(r, M*K, -1, 1), randF(r, K, -1, 1), randF(r, M, -1, 1)
			ap := PackA4(a, M, K)
			buf, dst := guarded(M)
			GemmPS(dst, ap, b, bias, M, 1, K, 1, true)
			checkGuards(t, "GemmPS", buf, M)
			for m := 0; m < M; m++ {
				var c [4]float32
				dot4x1Go(ap[(m/4)*K:][:K], b, &c)
				w := c[m%4] + bias[m]
				if w < 0 {
					w = 0
				}
				if math.Float32bits(dst[m]) != math.Float32bits(w) {
					t.Fatalf("M=%d K=%d: row %d = %g, want %g", M, K, m, dst[m], w)
				}
			}
		}
	}
}

// TestGemmPS: a GEMM over batch x positions stores each sample's output on
// its own ([sample][m][pos]) and computes the same values as GemmP, bit for
// bit (only the store differs).
func TestGemmPS(t *testing.T) {
	r := rand.New(rand.NewPCG(43, 44))
	for _, M := range []int{1, 3, 4, 10, 17} {
		for _, pix := range []int{1, 2, 3, 4, 9} {
			for _, ns := range []int{1, 2, 5} {
				for _, K := range []int{1, 7, 54} {
					N := ns * pix
					a, bt, bias := randF(r, M*K, -1, 1), randF(r, N*K, -1, 1), randF(r, M, -1, 1)
					ap := PackA4(a, M, K)
					want := make([]float32, M*N)
					GemmP(want, ap, bt, bias, M, N, K, true)
					buf, dst := guarded(M * N)
					GemmPS(dst, ap, bt, bias, M, N, K, pix, true)
					checkGuards(t, "GemmPS", buf, M*N)
					for n := 0; n < N; n++ {
						for m := 0; m < M; m++ {
							g, w := dst[(n/pix)*M*pix+m*pix+n%pix], want[m*N+n]
							if math.Float32bits(g) != math.Float32bits(w) {
								t.Fatalf("M=%d pix=%d samples=%d K=%d: (m=%d, n=%d) = %g, GemmP %g", M, pix, ns, K, m, n, g, w)
							}
						}
					}
				}
			}
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("GemmPS accepted columns that are not whole samples")
		}
	}()
	GemmPS(make([]float32, 10), PackA4(make([]float32, 2), 2, 1), make([]float32, 5), make([]float32, 2), 2, 5, 1, 2, false)
}

// TestIm2colT: Im2colK is the transpose of Im2colP, placed at its columns,
// and ConvTapsF over it with StridedOffsets computes the direct
// convolution's outputs bit for bit.
func TestIm2colT(t *testing.T) {
	r := rand.New(rand.NewPCG(45, 46))
	for _, cc := range []struct{ c, h, w, oc, k, p int }{{2, 3, 3, 5, 3, 1}, {3, 5, 5, 4, 3, 1}, {1, 7, 9, 3, 5, 2}, {4, 2, 2, 6, 3, 1}, {2, 2, 2, 12, 3, 1}} {
		hp, wp := cc.h+2*cc.p, cc.w+2*cc.p
		oh, ow := hp-cc.k+1, wp-cc.k+1
		K, pix := cc.c*cc.k*cc.k, oh*ow
		const samples = 3
		S := (samples*pix+3)/4*4 + 4
		colT := make([]float32, K*S)
		wt, b := randF(r, cc.oc*K, -1, 1), randF(r, cc.oc, -1, 1)
		off := Offsets(cc.c, hp, wp, cc.k, cc.k)
		want := make([][]float32, samples)
		for s := 0; s < samples; s++ {
			src := randF(r, cc.c*cc.h*cc.w, -1, 1)
			padded := make([]float32, cc.c*hp*wp+DirectSlack)
			Pad(padded, src, cc.c, cc.h, cc.w, cc.p)
			Im2colK(colT, S, s*pix, padded, cc.c, hp, wp, cc.k, cc.k, oh, ow)
			col := make([]float32, pix*K)
			Im2colP(col, padded, cc.c, hp, wp, cc.k, cc.k, 1, oh, ow)
			for q := 0; q < pix; q++ {
				for k := 0; k < K; k++ {
					if colT[k*S+s*pix+q] != col[q*K+k] {
						t.Fatalf("%v sample %d: colT[%d][%d] != col[%d][%d]", cc, s, k, s*pix+q, q, k)
					}
				}
			}
			want[s] = make([]float32, cc.oc*pix)
			ConvTapsF(want[s], MakeTapsF(wt, off, cc.oc, false), padded, b, cc.oc, K, oh, ow, wp, true)
		}
		got := make([]float32, cc.oc*samples*pix)
		ConvTapsF(got, MakeTapsF(wt, StridedOffsets(K, S), cc.oc, true), colT, b, cc.oc, K, 1, samples*pix, S, true)
		for s := 0; s < samples; s++ {
			for m := 0; m < cc.oc; m++ {
				for q := 0; q < pix; q++ {
					g, w := got[m*samples*pix+s*pix+q], want[s][m*pix+q]
					if math.Float32bits(g) != math.Float32bits(w) {
						t.Fatalf("%v sample %d (m=%d, q=%d): batched %g, direct %g", cc, s, m, q, g, w)
					}
				}
			}
		}
	}
}

func TestUnbatch(t *testing.T) {
	const M, n, q = 3, 4, 2
	src := make([]float32, M*n*q)
	for i := range src {
		src[i] = float32(i)
	}
	buf, dst := guarded(M * n * q)
	Unbatch(dst, src, M, n, q)
	checkGuards(t, "Unbatch", buf, M*n*q)
	for m := 0; m < M; m++ {
		for j := 0; j < n; j++ {
			for i := 0; i < q; i++ {
				if g, w := dst[(j*M+m)*q+i], src[(m*n+j)*q+i]; g != w {
					t.Fatalf("(m=%d, sample %d, %d): %g, want %g", m, j, i, g, w)
				}
			}
		}
	}
}
