package kern

// TapF is one receptive-field element of the float32 direct convolution for
// a pair of output channels: its input offset and the two channels' weights
// (12 bytes; the layout dot_wasm.s reads).
type TapF struct {
	Off int32
	W   [2]float32
}

// MakeTapsF returns, for every pair of rows of the M x K matrix a, the K taps
// (off[k], a[m][k], a[m+1][k]); a row beyond M is zero:
//
//	taps[(m/2)*K + k] = TapF{off[k], {a[m][k], a[m+1][k]}}
func MakeTapsF(a []float32, off []int32, M int) []TapF {
	K := len(off)
	t := make([]TapF, (M+1)/2*K)
	for m := 0; m < M; m++ {
		for k := range off {
			t[(m/2)*K+k].Off = off[k]
			t[(m/2)*K+k].W[m%2] = a[m*K+k]
		}
	}
	return t
}

// dot2x4Go is the definition of dot2x4 (and its implementation where there
// is no assembly):
//
//	acc[r*4+c] = sum_i taps[i].W[r] * s[taps[i].Off + c]
func dot2x4Go(taps []TapF, s []float32, acc *[8]float32) {
	var c00, c01, c02, c03, c10, c11, c12, c13 float32
	for i := range taps {
		t := &taps[i]
		v := (*[4]float32)(s[t.Off:])
		a0, a1 := t.W[0], t.W[1]
		c00 += a0 * v[0]
		c01 += a0 * v[1]
		c02 += a0 * v[2]
		c03 += a0 * v[3]
		c10 += a1 * v[0]
		c11 += a1 * v[1]
		c12 += a1 * v[2]
		c13 += a1 * v[3]
	}
	*acc = [8]float32{c00, c01, c02, c03, c10, c11, c12, c13}
}

// ConvTapsF is ConvDirect reading taps made by MakeTapsF, with the inner
// loop in dot2x4 (hand-written WebAssembly under GOOS=js, dot2x4Go
// elsewhere):
//
//	dst[m][y][x] = bias[m] + sum_k a[m][k] * src[off[k] + y*wp + x]   (then max(0, .) if relu)
//
// It checks once that every read stays inside src (the assembly does not).
func ConvTapsF(dst []float32, taps []TapF, src []float32, bias []float32, M, K, oh, ow, wp int, relu bool) {
	dst = dst[:M*oh*ow]
	bias = bias[:M]
	taps = taps[:(M+1)/2*K]
	if K == 0 || oh == 0 || ow == 0 {
		return
	}
	checkTaps(taps[:K], len(src), oh, ow, wp)
	for m := 0; m < M; m += 2 {
		var d1 []float32
		b := [2]float32{bias[m], bias[m]}
		if m+1 < M {
			d1 = dst[(m+1)*oh*ow:][:oh*ow]
			b[1] = bias[m+1]
		}
		convRowsF(dst[m*oh*ow:][:oh*ow], d1, taps[(m/2)*K:][:K], src, b, oh, ow, wp, relu)
	}
}

// checkTaps panics unless every read of an oh x ow direct convolution with
// taps (one channel pair's) stays inside an input of n elements: the
// WebAssembly bodies do not check.
func checkTaps(taps []TapF, n, oh, ow, wp int) {
	maxOff := 0
	for _, t := range taps {
		if t.Off < 0 {
			panic("kern: negative tap offset")
		}
		maxOff = max(maxOff, int(t.Off))
	}
	// The last tile starts at (oh-1)*wp + 4*((ow-1)/4) and reads 4 values.
	if need := (oh-1)*wp + 4*((ow-1)/4) + maxOff + 4; need > n {
		panic("kern: ConvTapsF input too short")
	}
}

// convRowsF is convRowsFGo; the SIMD build (model/internal/kern/simdgen)
// replaces its body with one computing 2x8 tiles (same sums in the same
// order). Its caller has checked every read and write: the replacement does
// not check bounds.
//
//go:noinline
func convRowsF(d0, d1 []float32, tp []TapF, src []float32, b [2]float32, oh, ow, wp int, relu bool) {
	convRowsFGo(d0, d1, tp, src, b, oh, ow, wp, relu)
}

// convRowsFGo computes output channels m and m+1 of ConvTapsF (d1 empty
// when there is no m+1) with their taps tp and biases b, 2x4 tiles through
// dot2x4:
//
//	d_r[y*ow+x] = b[r] + sum_i tp[i].W[r] * src[tp[i].Off + y*wp + x]   (then max(0, .) if relu)
func convRowsFGo(d0, d1 []float32, tp []TapF, src []float32, b [2]float32, oh, ow, wp int, relu bool) {
	var acc [8]float32
	for y := 0; y < oh; y++ {
		for x := 0; x < ow; x += 4 {
			dot2x4(tp, src[y*wp+x:], &acc)
			r0 := d0[y*ow+x:][:min(4, ow-x)]
			for c := range r0 {
				v := acc[c] + b[0]
				if relu && v < 0 {
					v = 0
				}
				r0[c] = v
			}
			if len(d1) > 0 {
				r1 := d1[y*ow+x:][:len(r0)]
				for c := range r1 {
					v := acc[4+c] + b[1]
					if relu && v < 0 {
						v = 0
					}
					r1[c] = v
				}
			}
		}
	}
}

// dot4x2Go is the definition of dot4x2 (the inner loop of GemmP):
//
//	acc[r*2+c] = sum_k a[k][r] * b_c[k]   (b_0 = b0, b_1 = b1)
func dot4x2Go(a [][4]float32, b0, b1 []float32, acc *[8]float32) {
	b0 = b0[:len(a)]
	b1 = b1[:len(a)]
	var c00, c01, c10, c11, c20, c21, c30, c31 float32
	for k := range a {
		p := &a[k]
		x0, x1 := b0[k], b1[k]
		c00 += p[0] * x0
		c01 += p[0] * x1
		c10 += p[1] * x0
		c11 += p[1] * x1
		c20 += p[2] * x0
		c21 += p[2] * x1
		c30 += p[3] * x0
		c31 += p[3] * x1
	}
	*acc = [8]float32{c00, c01, c10, c11, c20, c21, c30, c31}
}

// dotTaps8Go is the definition of dotTaps8 (the inner loop of ConvTaps8):
//
//	acc[c] = sum_i taps[i].W * int64(s[taps[i].Off + c])
func dotTaps8Go[T int8 | uint8](taps []Tap8, s []T) [4]int64 {
	var e0, e1, e2, e3 int64
	for i := range taps {
		t := &taps[i]
		v := (*[4]T)(s[t.Off:])
		w := t.W
		e0 += w * int64(v[0])
		e1 += w * int64(v[1])
		e2 += w * int64(v[2])
		e3 += w * int64(v[3])
	}
	return [4]int64{e0, e1, e2, e3}
}

// dotPair4x2Go is the definition of dotPair4x2 (the inner loop of GemmPair):
//
//	acc[j*2+c] = sum_k w[k][j] * int64(b_c[k])
func dotPair4x2Go[T int8 | uint8](w [][2]int64, b0, b1 []T) [4]int64 {
	b0 = b0[:len(w)]
	b1 = b1[:len(w)]
	var e00, e01, e10, e11 int64
	for k := range w {
		p := &w[k]
		x0, x1 := int64(b0[k]), int64(b1[k])
		e00 += p[0] * x0
		e01 += p[0] * x1
		e10 += p[1] * x0
		e11 += p[1] * x1
	}
	return [4]int64{e00, e01, e10, e11}
}
