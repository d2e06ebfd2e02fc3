package kern

// Convolution, ReLU and 2x2 max-pooling in one pass: the direct kernels
// compute two output rows of a pair of channels into a small scratch and
// pool them straight into the output, so the full-size convolution output is
// never written and read back. Each output is the same sums and comparisons
// in the same order as the direct kernel followed by MaxPool2x2 (tested bit
// for bit against them).

// PoolRowsScratch is the scratch ConvTapsFPool and ConvDirectPool need for a
// convolution output ow wide.
func PoolRowsScratch(ow int) int { return 4 * ow }

// ConvTapsFPool is ConvTapsF (oh x ow output) followed by MaxPool2x2 into
// dst [M][oh/2][ow/2]; rows holds PoolRowsScratch(ow) floats. Floor mode:
// a last odd row is not computed.
func ConvTapsFPool(dst []float32, taps []TapF, src []float32, bias []float32, M, K, oh, ow, wp int, relu bool, rows []float32) {
	ph, pw := oh/2, ow/2
	dst = dst[:M*ph*pw]
	bias = bias[:M]
	taps = taps[:(M+1)/2*K]
	if K == 0 || ph == 0 || pw == 0 {
		return
	}
	checkTaps(taps[:K], len(src), 2*ph, ow, wp)
	r := rows[:4*ow]
	for m := 0; m < M; m += 2 {
		var r1 []float32
		b := [2]float32{bias[m], bias[m]}
		if m+1 < M {
			r1 = r[2*ow:]
			b[1] = bias[m+1]
		}
		tp := taps[(m/2)*K:][:K]
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
