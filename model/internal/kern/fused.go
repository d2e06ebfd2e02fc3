package kern

// Convolution, ReLU and 2x2 max-pooling in one pass: a quad of channels
// (quad.go) is pooled in registers (convPoolF4, convPoolF3 for a quad of
// three; two quads by convPoolF8 where the pooled rows are odd in length,
// which convPoolF4's 4-column tiles would overrun by a third to a sixth); a
// pair computes its two output rows into a small scratch and pools them
// straight into the output. Either way the full-size convolution output is
// never written and read back. Each output is the same sums and comparisons
// in the same order as the direct kernel followed by MaxPool2x2 (tested bit
// for bit against them).

// PoolRowsScratch is the scratch ConvTapsFPool and ConvDirectPool need for a
// convolution output ow wide: two rows of two channels (the quads pool in
// registers, convPoolF4).
func PoolRowsScratch(ow int) int { return 4 * ow }

// ConvTapsFPool is ConvTapsF (oh x ow output) followed by MaxPool2x2 into
// dst [M][oh/2][ow/2]; rows holds PoolRowsScratch(ow) floats. Floor mode:
// a last odd row is not computed.
func ConvTapsFPool(dst []float32, taps TapsF, src []float32, bias []float32, M, K, oh, ow, wp int, relu bool, rows []float32) {
	ph, pw := oh/2, ow/2
	dst = dst[:M*ph*pw]
	bias = bias[:M]
	if K == 0 || ph == 0 || pw == 0 {
		return
	}
	checkTaps(taps, len(src), 2*ph, ow, wp)
	nq := len(taps.Quad) / K
	q := 0
	if pw%2 == 1 { // two quads at a time, one pooled output at a time
		for ; q+1 < nq; q += 2 {
			m := 4 * q
			nc := min(8, M-m)
			convPoolF8(dst[m*ph*pw:][:nc*ph*pw], ph*pw, nc, taps.Quad[q*K:][:2*K], src, octBias(bias, m, nc), ph, ow, wp, relu)
		}
	}
	for ; q < nq; q++ {
		m := 4 * q
		nc := min(4, M-m)
		pool := convPoolF4
		if nc == 3 {
			pool = convPoolF3
		}
		pool(dst[m*ph*pw:][:nc*ph*pw], ph*pw, nc, taps.Quad[q*K:][:K], src, quadBias(bias, m, nc), ph, ow, wp, relu)
	}
	// The pairs: in registers (convPoolF2) with the SIMD bodies, else two
	// conv rows of the pair into rows, then pooled.
	r := rows[:4*ow]
	pairs := taps.Pair[:(M-4*nq+1)/2*K]
	for m := 4 * nq; m < M; m += 2 {
		if SIMD() {
			nc := min(2, M-m)
			var b [2]float32
			copy(b[:nc], bias[m:m+nc])
			convPoolF2(dst[m*ph*pw:][:nc*ph*pw], ph*pw, nc, pairs[((m-4*nq)/2)*K:][:K], src, b, ph, ow, wp, relu)
			continue
		}
		var r1 []float32
		b := [2]float32{bias[m], bias[m]}
		if m+1 < M {
			r1 = r[2*ow:][:2*ow]
			b[1] = bias[m+1]
		}
		tp := pairs[((m-4*nq)/2)*K:][:K]
		for py := 0; py < ph; py++ {
			convRowsF(r[:2*ow], r1, tp, src[2*py*wp:], b, 2, ow, wp, relu)
			maxPoolRow(dst[(m*ph+py)*pw:][:pw], r[:ow], r[ow:2*ow])
			if r1 != nil {
				maxPoolRow(dst[((m+1)*ph+py)*pw:][:pw], r1[:ow], r1[ow:2*ow])
			}
		}
	}
}

// ConvDirectPool is ConvDirect (oh x ow output) followed by MaxPool2x2 into
// dst [M][oh/2][ow/2]; rows holds PoolRowsScratch(ow) floats.
func ConvDirectPool(dst []float32, ap [][2]float32, src []float32, off []int32, bias []float32, M, oh, ow, wp int, relu bool, rows []float32) {
	ph, pw := oh/2, ow/2
	dst = dst[:M*ph*pw]
	K := len(off)
	r := rows[:4*ow]
	for m := 0; m < M; m += 2 {
		n := min(2, M-m)
		for py := 0; py < ph; py++ {
			ConvDirect(r, ap[(m/2)*K:], src[2*py*wp:], off, bias[m:m+n], n, 2, ow, wp, relu)
			for c := 0; c < n; c++ {
				maxPoolRow(dst[((m+c)*ph+py)*pw:][:pw], r[2*c*ow:][:ow], r[(2*c+1)*ow:][:ow])
			}
		}
	}
}

// A batch of narrow convolutions as one product over batch x positions: the
// receptive fields of every sample's outputs are laid out k-major (Im2colK),
// row k holding element k of every output column of the batch, and
// ConvTapsF runs over that matrix as a one-row "image" whose taps are the
// rows (StridedOffsets): its 4x8 tiles then span the columns of all the
// samples instead of a 2- or 5-wide output row. Each output sums its taps in
// the same order as the direct kernel on one sample (same bits).

// StridedOffsets returns the tap offsets of a k-major K x S matrix: k*S.
//
// Not inlined: its loop belongs in a leaf (model/leaf.go says why).
//
//go:noinline
func StridedOffsets(K, S int) []int32 {
	off := make([]int32, K)
	for k := range off {
		off[k] = int32(k * S)
	}
	return off
}

// Im2colK writes the receptive fields of a stride-1 kh x kw convolution of
// the padded input src [c][hp][wp] (output oh x ow) as columns col0 ..
// col0+oh*ow-1 of the k-major matrix dst with rows of S:
//
//	dst[k*S + col0 + y*ow + x] = src[ci][y+i][x+j],  k = (ci*kh+i)*kw+j
//
// It is the transpose of Im2colP (tested against it).
func Im2colK(dst []float32, S, col0 int, src []float32, c, hp, wp, kh, kw, oh, ow int) {
	k := 0
	for ci := 0; ci < c; ci++ {
		for i := 0; i < kh; i++ {
			for j := 0; j < kw; j++ {
				row := dst[k*S+col0:][:oh*ow]
				for y := 0; y < oh; y++ {
					// Element by element: the rows are a few values long,
					// where copy's call costs more than the moves.
					d, s := row[y*ow:(y+1)*ow], src[(ci*hp+y+i)*wp+j:][:ow]
					for x := range d {
						d[x] = s[x]
					}
				}
				k++
			}
		}
	}
}

// Unbatch moves the output of a batched layer, [m][sample][q], to each
// sample's own block, [sample][m][q] (n samples, M channels).
func Unbatch(dst, src []float32, M, n, q int) {
	dst, src = dst[:M*n*q], src[:M*n*q]
	for m := 0; m < M; m++ {
		for j := 0; j < n; j++ {
			d, s := dst[(j*M+m)*q:][:q], src[(m*n+j)*q:][:q]
			for i := range d {
				d[i] = s[i]
			}
		}
	}
}
