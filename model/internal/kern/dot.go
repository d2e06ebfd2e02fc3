package kern

// TapF is one receptive-field element of the float32 direct convolution for
// a pair of output channels: its input offset and the two channels' weights
// (12 bytes; the layout dot_wasm.s reads).
type TapF struct {
	Off int32
	W   [2]float32
}

// MakeTapsF2 returns, for every pair of rows of the M x K matrix a, the K
// taps (off[k], a[m][k], a[m+1][k]); a row beyond M is zero:
//
//	taps[(m/2)*K + k] = TapF{off[k], {a[m][k], a[m+1][k]}}
func MakeTapsF2(a []float32, off []int32, M int) []TapF {
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
	var r0, r1 quad
	for i := range taps {
		v := (*[4]float32)(s[taps[i].Off:])
		r0, r1 = r0.axpy(taps[i].W[0], v), r1.axpy(taps[i].W[1], v)
	}
	r0.store(acc[:4])
	r1.store(acc[4:])
}

// ConvTapsF is ConvDirect reading taps made by MakeTapsF: the channel
// quads through convRowsF4, the pairs left through convRowsF (SIMD bodies
// in the SIMD build; dot2x4, hand-written WebAssembly under GOOS=js or
// dot2x4Go elsewhere, for the pairs otherwise):
//
//	dst[m][y][x] = bias[m] + sum_k a[m][k] * src[off[k] + y*wp + x]   (then max(0, .) if relu)
//
// It checks once that every read stays inside src (the SIMD and assembly
// bodies do not).
func ConvTapsF(dst []float32, taps TapsF, src []float32, bias []float32, M, K, oh, ow, wp int, relu bool) {
	dst = dst[:M*oh*ow]
	bias = bias[:M]
	if K == 0 || oh == 0 || ow == 0 {
		return
	}
	checkTaps(taps, len(src), oh, ow, wp)
	pix := oh * ow
	nq := len(taps.Quad) / K
	for q := 0; q < nq; q++ {
		m := 4 * q
		nc := min(4, M-m)
		convRowsF4(dst[m*pix:][:nc*pix], pix, nc, taps.Quad[q*K:][:K], src, quadBias(bias, m, nc), oh, ow, wp, relu)
	}
	pairs := taps.Pair[:(M-4*nq+1)/2*K]
	for m := 4 * nq; m < M; m += 2 {
		var d1 []float32
		b := [2]float32{bias[m], bias[m]}
		if m+1 < M {
			d1 = dst[(m+1)*pix:][:pix]
			b[1] = bias[m+1]
		}
		convRowsF(dst[m*pix:][:pix], d1, pairs[((m-4*nq)/2)*K:][:K], src, b, oh, ow, wp, relu)
	}
}

// checkTaps panics unless every read of an oh x ow direct convolution with
// taps stays inside an input of n elements: the WebAssembly bodies do not
// check.
func checkTaps(taps TapsF, n, oh, ow, wp int) {
	// The last tile starts at (oh-1)*wp + 4*((ow-1)/4) and reads 4 values.
	if need := (oh-1)*wp + 4*((ow-1)/4) + taps.MaxOff + 4; need > n {
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
			put(r0, acc[:4], b[0], relu)
			if len(d1) > 0 {
				put(d1[y*ow+x:][:len(r0)], acc[4:], b[1], relu)
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
	var q0, q1 quad // columns 0 and 1
	for k := range a {
		q0, q1 = q0.mac(&a[k], b0, k), q1.mac(&a[k], b1, k)
	}
	*acc = [8]float32{q0.c0, q1.c0, q0.c1, q1.c1, q0.c2, q1.c2, q0.c3, q1.c3}
}

// dotTaps8Go is the definition of dotTaps8 (the inner loop of ConvTaps8):
//
//	acc[c] = sum_i taps[i].W * int64(s[taps[i].Off + c])
func dotTaps8Go[T int8 | uint8](taps []Tap8, s []T) [4]int64 {
	var e quad64
	for i := range taps {
		e = tap8(e, &taps[i], s)
	}
	return e.array()
}

// dotPair4x2Go is the definition of dotPair4x2 (the inner loop of GemmPair):
//
//	acc[j*2+c] = sum_k w[k][j] * int64(b_c[k])
func dotPair4x2Go[T int8 | uint8](w [][2]int64, b0, b1 []T) [4]int64 {
	b0 = b0[:len(w)]
	b1 = b1[:len(w)]
	var e quad64
	for k := range w {
		e = pair2x2(e, &w[k], b0, b1, k)
	}
	return e.array()
}

// The steps of the kernels' inner loops. A quad is four accumulators (a
// row or a column of a tile); the compiler keeps a struct of up to four
// scalars in registers, so a loop of these inlined steps compiles as the
// same loop over named variables.
type (
	quad   struct{ c0, c1, c2, c3 float32 }
	quad64 struct{ e0, e1, e2, e3 int64 }
)

// axpy returns q + x*a, lane by lane: one tap of a direct convolution's
// tile row (weight x, inputs a).
func (q quad) axpy(x float32, a *[4]float32) quad {
	return quad{q.c0 + a[0]*x, q.c1 + a[1]*x, q.c2 + a[2]*x, q.c3 + a[3]*x}
}

// mac returns q + a*b[k], lane by lane: one k of a packed product's tile
// column (weights a, input b[k]). Loading b[k] here, not at the call, keeps
// the loads beside their multiply-adds: with the unrolled loops' loads
// hoisted, Go's amd64 register allocator spilled the accumulators.
func (q quad) mac(a *[4]float32, b []float32, k int) quad {
	x := b[k]
	return quad{q.c0 + a[0]*x, q.c1 + a[1]*x, q.c2 + a[2]*x, q.c3 + a[3]*x}
}

func (q quad) store(d []float32) { d[0], d[1], d[2], d[3] = q.c0, q.c1, q.c2, q.c3 }

func (q quad) array() [4]float32 { return [4]float32{q.c0, q.c1, q.c2, q.c3} }

func (e quad64) array() [4]int64 { return [4]int64{e.e0, e.e1, e.e2, e.e3} }

// put stores the first len(d) of v + b to d (then max(0, .) if relu): a
// tile's row in the direct convolutions.
func put(d, v []float32, b float32, relu bool) {
	v = v[:len(d)]
	for c := range d {
		x := v[c] + b
		if relu && x < 0 { // comparisons: the float max builtin is a runtime call in wasm
			x = 0
		}
		d[c] = x
	}
}

// tap8 adds tap t to four adjacent outputs: e_c += t.W * s[t.Off+c].
func tap8[T int8 | uint8](e quad64, t *Tap8, s []T) quad64 {
	v := (*[4]T)(s[t.Off:])
	w := t.W
	return quad64{e.e0 + w*int64(v[0]), e.e1 + w*int64(v[1]), e.e2 + w*int64(v[2]), e.e3 + w*int64(v[3])}
}

// pair2x2 adds one k to GemmPair's tile (two row pairs x two columns):
// e[j*2+c] += w[j] * x_c.
func pair2x2[T int8 | uint8](e quad64, w *[2]int64, b0, b1 []T, k int) quad64 {
	x0, x1 := int64(b0[k]), int64(b1[k])
	return quad64{e.e0 + w[0]*x0, e.e1 + w[0]*x1, e.e2 + w[1]*x0, e.e3 + w[1]*x1}
}
