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
			for x := 0; x < ow; x++ {
				var sum float32
				for i := 0; i < kh; i++ {
					iy := y*s + i - p
					if iy < 0 || iy >= h {
						continue
					}
					for j := 0; j < kw; j++ {
						ix := x*s + j - p
						if ix < 0 || ix >= w {
							continue
						}
						sum += src[(ci*h+iy)*w+ix]
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
func AvgPool2x2(dst, src []float32, c, h, w int) {
	oh, ow := h/2, w/2
	for ci := 0; ci < c; ci++ {
		plane := src[ci*h*w : (ci+1)*h*w]
		out := dst[ci*oh*ow : (ci+1)*oh*ow]
		for y := 0; y < oh; y++ {
			r0 := plane[2*y*w : 2*y*w+w]
			r1 := plane[(2*y+1)*w : (2*y+1)*w+w]
			o := out[y*ow : y*ow+ow]
			for x := range o {
				o[x] = (r0[2*x] + r0[2*x+1] + r1[2*x] + r1[2*x+1]) / 4
			}
		}
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
