// Package kern holds the numeric kernels of the inference engine: plain
// reference loops (whose doc comments define the operation) and the fast
// float32 and int8 kernels that are tested against them.
//
// Kernels trust their arguments: sizes are checked once, when a model is
// validated, and the Predictor only passes buffers of the planned sizes.
package kern

// Conv2DRef is the reference convolution (cross-correlation, NCHW, one sample):
//
//	dst[o][y][x] = b[o] + sum_{c,i,j} w[o][c][i][j] * src[c][y*s+i-p][x*s+j-p]
//
// with zero padding p and stride s; dst is [oc][oh][ow].
func Conv2DRef(dst, src []float32, c, h, w int, wt, b []float32, oc, kh, kw, s, p int) {
	oh := (h+2*p-kh)/s + 1
	ow := (w+2*p-kw)/s + 1
	for o := 0; o < oc; o++ {
		for y := 0; y < oh; y++ {
			i0, i1 := inside(y*s-p, kh, h)
			for x := 0; x < ow; x++ {
				j0, j1 := inside(x*s-p, kw, w)
				sum := b[o]
				for ci := 0; ci < c; ci++ {
					for i := i0; i < i1; i++ {
						for j := j0; j < j1; j++ {
							sum += wt[((o*c+ci)*kh+i)*kw+j] * src[(ci*h+y*s+i-p)*w+x*s+j-p]
						}
					}
				}
				dst[(o*oh+y)*ow+x] = sum
			}
		}
	}
}

// inside returns the offsets [lo, hi) of a window k long starting at start
// that fall inside [0, n): the rest of the window reads the zero padding.
func inside(start, k, n int) (lo, hi int) { return max(0, -start), min(k, n-start) }

// DenseRef is the reference fully connected layer:
//
//	dst[o] = b[o] + sum_i w[o][i] * src[i]
func DenseRef(dst, src, wt, b []float32, in, out int) {
	for o := 0; o < out; o++ {
		sum := b[o]
		for i := 0; i < in; i++ {
			sum += wt[o*in+i] * src[i]
		}
		dst[o] = sum
	}
}

// ReLU sets dst[i] = max(0, dst[i]) in place.
func ReLU(x []float32) {
	for i, v := range x {
		if v < 0 {
			x[i] = 0
		}
	}
}

// MaxPoolRef is the reference max pooling (floor mode, no padding):
//
//	dst[c][y][x] = max_{i<kh,j<kw} src[c][y*s+i][x*s+j]
func MaxPoolRef(dst, src []float32, c, h, w, kh, kw, s int) {
	oh := (h-kh)/s + 1
	ow := (w-kw)/s + 1
	for ci := 0; ci < c; ci++ {
		for y := 0; y < oh; y++ {
			for x := 0; x < ow; x++ {
				m := src[(ci*h+y*s)*w+x*s]
				for i := 0; i < kh; i++ {
					for j := 0; j < kw; j++ {
						if v := src[(ci*h+y*s+i)*w+x*s+j]; v > m {
							m = v
						}
					}
				}
				dst[(ci*oh+y)*ow+x] = m
			}
		}
	}
}
