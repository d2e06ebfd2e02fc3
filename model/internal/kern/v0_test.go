package kern

// The first-version kernels (v0 in bench/README.md's step table): im2col into
// a transposed column matrix, a 4-row GEMM, and their int8 twins with
// per-tensor symmetric activations. The model no longer runs them; they stay
// here, beside the tests and benchmarks that use them, as a second baseline
// (and as the im2col reference for Im2colP).

// Im2colT lays out the receptive field of every output position contiguously:
//
//	dst[(y*ow+x)*K + (c*kh+i)*kw+j] = src[c][y*s+i-p][x*s+j-p] (0 outside)
//
// with K = c*kh*kw, so that a convolution becomes dot products of weight rows
// with rows of dst (GemmNT).
func Im2colT(dst, src []float32, c, h, w, kh, kw, s, p, oh, ow int) {
	im2colT(dst, src, c, h, w, kh, kw, s, p, oh, ow)
}

func im2colT[T float32 | int8](dst, src []T, c, h, w, kh, kw, s, p, oh, ow int) {
	k := c * kh * kw
	dst = dst[:oh*ow*k]
	for y := 0; y < oh; y++ {
		for x := 0; x < ow; x++ {
			row := dst[(y*ow+x)*k : (y*ow+x+1)*k]
			n := 0
			for ci := 0; ci < c; ci++ {
				plane := src[ci*h*w : (ci+1)*h*w]
				for i := 0; i < kh; i++ {
					iy := y*s + i - p
					if iy < 0 || iy >= h {
						for j := 0; j < kw; j++ {
							row[n+j] = 0
						}
						n += kw
						continue
					}
					line := plane[iy*w : (iy+1)*w]
					for j := 0; j < kw; j++ {
						ix := x*s + j - p
						if ix < 0 || ix >= w {
							row[n] = 0
						} else {
							row[n] = line[ix]
						}
						n++
					}
				}
			}
		}
	}
}

// GemmNT computes dst[m][n] = bias[m] + sum_k a[m][k] * bt[n][k] for an
// M x K matrix a and an N x K matrix bt (b transposed), dst M x N. It is the
// fast path of Conv2D (a = weights, bt = Im2colT) and Dense (N = 1).
// Reference: DenseRef applied per column.
func GemmNT(dst, a, bt, bias []float32, M, N, K int) {
	dst, bias = dst[:M*N], bias[:M]
	gemmNT(a, bt, M, N, K, func(m, n int, s float32) { dst[m*N+n] = s + bias[m] })
}

// gemmNT is the loop of GemmNT and GemmNT8: four rows of a at a time,
// accumulators (of type A) in locals, bounds checks hoisted out of the
// inner loop; out(m, n, sum) stores each output.
func gemmNT[T float32 | int8, A float32 | int32](a, bt []T, M, N, K int, out func(m, n int, s A)) {
	a = a[:M*K]
	bt = bt[:N*K]
	m := 0
	for ; m+4 <= M; m += 4 {
		a0 := a[m*K : m*K+K]
		a1 := a[(m+1)*K : (m+1)*K+K]
		a2 := a[(m+2)*K : (m+2)*K+K]
		a3 := a[(m+3)*K : (m+3)*K+K]
		for n := 0; n < N; n++ {
			b := bt[n*K : n*K+K]
			b = b[:len(a0)]
			a1 := a1[:len(a0)]
			a2 := a2[:len(a0)]
			a3 := a3[:len(a0)]
			var s0, s1, s2, s3 A
			for k, bv := range b {
				x := A(bv)
				s0 += A(a0[k]) * x
				s1 += A(a1[k]) * x
				s2 += A(a2[k]) * x
				s3 += A(a3[k]) * x
			}
			out(m, n, s0)
			out(m+1, n, s1)
			out(m+2, n, s2)
			out(m+3, n, s3)
		}
	}
	for ; m < M; m++ {
		a0 := a[m*K : m*K+K]
		for n := 0; n < N; n++ {
			b := bt[n*K : n*K+K]
			b = b[:len(a0)]
			var s0 A
			for k, bv := range b {
				s0 += A(a0[k]) * A(bv)
			}
			out(m, n, s0)
		}
	}
}

// QuantizeSym quantises x symmetrically to int8 with one scale for the whole
// tensor (activations are quantised on the fly, per sample):
//
//	scale = max|x| / 127, dst[i] = round(x[i] / scale)
//
// It returns the scale (0 when x is all zeros, and then dst is all zeros).
func QuantizeSym(dst []int8, x []float32) float32 {
	dst = dst[:len(x)]
	var amax float32
	for _, v := range x {
		if v < 0 {
			v = -v
		}
		if v > amax {
			amax = v
		}
	}
	if amax == 0 {
		for i := range dst {
			dst[i] = 0
		}
		return 0
	}
	inv := 127 / amax
	for i, v := range x {
		dst[i] = int8(roundHalfAway(v * inv))
	}
	return amax / 127
}

// Im2colT8 is Im2colT for int8 data (padding is the int8 zero, which is the
// real zero under symmetric quantisation).
func Im2colT8(dst, src []int8, c, h, w, kh, kw, s, p, oh, ow int) {
	im2colT(dst, src, c, h, w, kh, kw, s, p, oh, ow)
}

// GemmNT8 is the fast GemmNT8Ref: four output rows at a time, accumulators in
// locals, bounds checks hoisted out of the inner loop. Exact (integer sums),
// so it must equal GemmNT8Ref bit for bit.
func GemmNT8(dst []float32, a []int8, sa []float32, bt []int8, sb float32, bias []float32, M, N, K int) {
	dst, bias, sa = dst[:M*N], bias[:M], sa[:M]
	gemmNT(a, bt, M, N, K, func(m, n int, c int32) { dst[m*N+n] = bias[m] + sa[m]*sb*float32(c) })
}
