package kern

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
	a = a[:M*K]
	bt = bt[:N*K]
	dst = dst[:M*N]
	bias = bias[:M]
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
			var s0, s1, s2, s3 float32
			for k, bv := range b {
				s0 += a0[k] * bv
				s1 += a1[k] * bv
				s2 += a2[k] * bv
				s3 += a3[k] * bv
			}
			dst[m*N+n] = s0 + bias[m]
			dst[(m+1)*N+n] = s1 + bias[m+1]
			dst[(m+2)*N+n] = s2 + bias[m+2]
			dst[(m+3)*N+n] = s3 + bias[m+3]
		}
	}
	for ; m < M; m++ {
		a0 := a[m*K : m*K+K]
		for n := 0; n < N; n++ {
			b := bt[n*K : n*K+K]
			b = b[:len(a0)]
			var s0 float32
			for k, bv := range b {
				s0 += a0[k] * bv
			}
			dst[m*N+n] = s0 + bias[m]
		}
	}
}

// MaxPool2x2 is MaxPoolRef for kh = kw = s = 2, the LeNet case.
func MaxPool2x2(dst, src []float32, c, h, w int) {
	oh, ow := h/2, w/2
	for ci := 0; ci < c; ci++ {
		plane := src[ci*h*w : (ci+1)*h*w]
		out := dst[ci*oh*ow : (ci+1)*oh*ow]
		for y := 0; y < oh; y++ {
			r0 := plane[2*y*w : 2*y*w+w]
			r1 := plane[(2*y+1)*w : (2*y+1)*w+w]
			o := out[y*ow : y*ow+ow]
			for x := range o {
				m := r0[2*x]
				if v := r0[2*x+1]; v > m {
					m = v
				}
				if v := r1[2*x]; v > m {
					m = v
				}
				if v := r1[2*x+1]; v > m {
					m = v
				}
				o[x] = m
			}
		}
	}
}
