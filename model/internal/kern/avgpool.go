package kern

// AvgPoolRef is the reference average pooling (floor mode, zero padding p
// counted in the divisor, as PyTorch's AvgPool2d default count_include_pad
// and ONNX AveragePool count_include_pad=1):
//
//	dst[c][y][x] = (sum_{i<kh,j<kw} src[c][y*s+i-p][x*s+j-p]) / (kh*kw)
//
// with out-of-range positions read as 0.
func AvgPoolRef(dst, src []float32, c, h, w, kh, kw, s, p int) {
	oh := (h+2*p-kh)/s + 1
	ow := (w+2*p-kw)/s + 1
	n := float32(kh * kw)
	for ci := 0; ci < c; ci++ {
		for y := 0; y < oh; y++ {
			i0, i1 := inside(y*s-p, kh, h)
			for x := 0; x < ow; x++ {
				j0, j1 := inside(x*s-p, kw, w)
				var sum float32
				for i := i0; i < i1; i++ {
					for j := j0; j < j1; j++ {
						sum += src[(ci*h+y*s+i-p)*w+x*s+j-p]
					}
				}
				dst[(ci*oh+y)*ow+x] = sum / n
			}
		}
	}
}

// AvgPool2x2 is AvgPoolRef for kh = kw = s = 2 and p = 0, row slices instead
// of index arithmetic. The sum is taken in the reference's order, so the
// result is bit-identical.
func AvgPool2x2(dst, src []float32, c, h, w int) { rows2x2(dst, src, c, h, w, avgPoolRow) }

// avgPoolRow is one output row of AvgPool2x2.
func avgPoolRow(o, r0, r1 []float32) {
	for x := range o {
		o[x] = (r0[2*x] + r0[2*x+1] + r1[2*x] + r1[2*x+1]) / 4
	}
}

// GlobalAvgPoolRef is the reference global average pooling:
//
//	dst[c] = (sum_{y,x} src[c][y][x]) / (h*w)
func GlobalAvgPoolRef(dst, src []float32, c, h, w int) {
	n := h * w
	for ci := 0; ci < c; ci++ {
		var sum float32
		for i := 0; i < n; i++ {
			sum += src[ci*n+i]
		}
		dst[ci] = sum / float32(n)
	}
}

// GlobalAvgPool is GlobalAvgPoolRef with four independent accumulators (a
// different summation order: equal within a few ulps of sum |x|).
func GlobalAvgPool(dst, src []float32, c, h, w int) {
	n := h * w
	for ci := 0; ci < c; ci++ {
		plane := src[ci*n : (ci+1)*n]
		var s0, s1, s2, s3 float32
		i := 0
		for ; i+4 <= len(plane); i += 4 {
			q := plane[i : i+4 : i+4]
			s0 += q[0]
			s1 += q[1]
			s2 += q[2]
			s3 += q[3]
		}
		for ; i < len(plane); i++ {
			s0 += plane[i]
		}
		dst[ci] = ((s0 + s1) + (s2 + s3)) / float32(n)
	}
}
