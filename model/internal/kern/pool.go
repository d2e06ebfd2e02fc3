package kern

// MaxPool2x2 is MaxPoolRef for kh = kw = s = 2, the LeNet case.
func MaxPool2x2(dst, src []float32, c, h, w int) { rows2x2(dst, src, c, h, w, maxPoolRow) }

// rows2x2 runs a 2x2 stride-2 pooling of [c][h][w] row by row: row(o, r0,
// r1) writes output row o from input rows r0 and r1 (2*len(o) <= len(r0),
// len(r1): the slices bound the reads).
func rows2x2(dst, src []float32, c, h, w int, row func(o, r0, r1 []float32)) {
	oh, ow := h/2, w/2
	for ci := 0; ci < c; ci++ {
		plane := src[ci*h*w : (ci+1)*h*w]
		out := dst[ci*oh*ow : (ci+1)*oh*ow]
		for y := 0; y < oh; y++ {
			row(out[y*ow:y*ow+ow], plane[2*y*w:2*y*w+w], plane[(2*y+1)*w:(2*y+1)*w+w])
		}
	}
}

// maxPoolRow is maxPoolRowGo; the SIMD build (model/internal/kern/simdgen)
// replaces its body with one pooling four outputs per step (the same
// comparisons in the same order). The caller guarantees len(r0), len(r1) >=
// 2*len(o): the replacement does not check bounds.
//
//go:noinline
func maxPoolRow(o, r0, r1 []float32) { maxPoolRowGo(o, r0, r1) }

// maxPoolRowGo is one output row of MaxPool2x2: o[x] is the maximum of
// r0[2x], r0[2x+1], r1[2x], r1[2x+1], compared in that order (a NaN is kept
// only where it comes first).
func maxPoolRowGo(o, r0, r1 []float32) {
	r0 = r0[:2*len(o)]
	r1 = r1[:2*len(o)]
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
