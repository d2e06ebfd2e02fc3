package kern

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
