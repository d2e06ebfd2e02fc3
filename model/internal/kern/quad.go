package kern

// Quads of output channels for the SIMD direct convolution: a tap carries
// four channels' weights, so one load of 8 input columns feeds 8 f32x4
// accumulators (a 4x8 tile) instead of 4 (the pairs' 2x8), and the tap's
// offset is read once per 4 channels instead of 2. The quads are packed only
// where the SIMD bodies run (kern.SIMD): the scalar WebAssembly kernels keep
// the pairs and dot2x4.

// TapF4 is one receptive-field element for a quad of output channels: its
// input offset in bytes (4 times the element offset, so the SIMD body adds
// it to an address as it is) and the four channels' weights (20 bytes; the
// layout simdgen's convRowsF4 reads).
type TapF4 struct {
	Off int32
	W   [4]float32
}

// TapsF is a convolution's float32 taps for ConvTapsF: channels 4q .. 4q+3
// in the quads (a channel beyond M has zero weights and is not stored),
// then the channels left, in pairs. MaxOff is the largest element offset
// (every channel group has the same offsets), for the bounds check.
type TapsF struct {
	Quad   []TapF4 // (quads) x K
	Pair   []TapF  // ((M - 4*quads + 1)/2) x K
	MaxOff int
}

// quadCount is the number of quads of M channels: every 4, and a last 3
// (one pass of convPoolF3 where pooled, of a quad with a dead channel
// otherwise, where the pairs would run a pair and a single channel as two).
func quadCount(M int) int { return (M + 1) / 4 }

// MakeTapsF returns the taps of the M x K matrix a with input offsets off
// (none negative): channel quads (MakeTapsF4) if quads, and the rest in
// pairs (MakeTapsF2); without quads, all of them in pairs.
func MakeTapsF(a []float32, off []int32, M int, quads bool) TapsF {
	K := len(off)
	nq := 0
	if quads {
		nq = quadCount(M)
	}
	m0 := min(4*nq, M)
	maxOff := 0
	for _, o := range off {
		if o < 0 {
			panic("kern: negative tap offset")
		}
		maxOff = max(maxOff, int(o))
	}
	return TapsF{Quad: MakeTapsF4(a[:m0*K], off, m0), Pair: MakeTapsF2(a[m0*K:], off, M-m0), MaxOff: maxOff}
}

// TapsFBytes is the size of MakeTapsF(a, off, M, quads) for K offsets.
func TapsFBytes(M, K int, quads bool) int {
	m0 := 0
	if quads {
		m0 = min(4*quadCount(M), M)
	}
	return 20*((m0+3)/4)*K + 12*((M-m0+1)/2)*K
}

// MakeTapsF4 returns, for every quad of rows of the M x K matrix a, the K
// taps; a row beyond M is zero:
//
//	taps[(m/4)*K + k] = TapF4{4*off[k], {a[m][k], a[m+1][k], a[m+2][k], a[m+3][k]}}
func MakeTapsF4(a []float32, off []int32, M int) []TapF4 {
	K := len(off)
	t := make([]TapF4, (M+3)/4*K)
	for m := 0; m < M; m++ {
		for k := range off {
			t[(m/4)*K+k].Off = 4 * off[k]
			t[(m/4)*K+k].W[m%4] = a[m*K+k]
		}
	}
	return t
}

// convRowsF4 is convRowsF4Go; the SIMD build (model/internal/kern/simdgen)
// replaces its body with one computing 4x8 tiles (same sums in the same
// order). Its caller has checked every read and write: the replacement does
// not check bounds.
//
//go:noinline
func convRowsF4(d []float32, cs, nc int, tp []TapF4, src []float32, b [4]float32, oh, ow, wp int, relu bool) {
	convRowsF4Go(d, cs, nc, tp, src, b, oh, ow, wp, relu)
}

// convRowsF4Go computes the nc (<= 4) output channels of a quad of
// ConvTapsF, channel r at d[r*cs:], with their taps tp and biases b:
//
//	d[r*cs + y*ow+x] = b[r] + sum_i tp[i].W[r] * src[tp[i].Off/4 + y*wp + x]   (then max(0, .) if relu)
//
// each sum from 0 in tap order, a multiply then an add per tap, like
// dot2x4Go's lanes (the explicit conversion keeps the compiler from fusing
// them).
func convRowsF4Go(d []float32, cs, nc int, tp []TapF4, src []float32, b [4]float32, oh, ow, wp int, relu bool) {
	for r := 0; r < nc; r++ {
		dr := d[r*cs:][:oh*ow]
		for y := 0; y < oh; y++ {
			for x := 0; x < ow; x++ {
				dr[y*ow+x] = convAtF4(tp, src, r, y*wp+x, b[r], relu)
			}
		}
	}
}

// convAtF4 is one output of convRowsF4Go: channel r at input offset at.
func convAtF4(tp []TapF4, src []float32, r, at int, b float32, relu bool) float32 {
	var s float32
	for i := range tp {
		s += float32(tp[i].W[r] * src[int(tp[i].Off)/4+at])
	}
	v := s + b
	if relu && v < 0 {
		v = 0
	}
	return v
}

// convPoolF4 is convPoolF4Go; the SIMD build replaces its body with one
// pooling each 4x2 tile in registers (same sums and comparisons in the same
// order). Its caller has checked every read and write.
//
//go:noinline
func convPoolF4(d []float32, cs, nc int, tp []TapF4, src []float32, b [4]float32, ph, ow, wp int, relu bool) {
	convPoolF4Go(d, cs, nc, tp, src, b, ph, ow, wp, relu)
}

// convPoolF3 is convPoolF4Go for three channels or fewer; the SIMD build
// replaces its body with one pooling 3-channel x 4x2 tiles (convPoolF4's
// without the fourth channel: same sums and comparisons in the same
// order). Its caller has checked every read and write.
//
//go:noinline
func convPoolF3(d []float32, cs, nc int, tp []TapF4, src []float32, b [4]float32, ph, ow, wp int, relu bool) {
	convPoolF4Go(d, cs, min(nc, 3), tp, src, b, ph, ow, wp, relu)
}

// convPoolF4Go is convRowsF4Go over rows 0 .. 2*ph-1 followed by
// MaxPool2x2: channel r's ph x ow/2 outputs at d[r*cs:], each the maximum
// of its window's four values compared in maxPoolRowGo's order.
func convPoolF4Go(d []float32, cs, nc int, tp []TapF4, src []float32, b [4]float32, ph, ow, wp int, relu bool) {
	pw := ow / 2
	for r := 0; r < nc; r++ {
		dr := d[r*cs:][:ph*pw]
		for py := 0; py < ph; py++ {
			for px := 0; px < pw; px++ {
				at := 2*py*wp + 2*px
				m := convAtF4(tp, src, r, at, b[r], relu)
				for _, o := range [3]int{1, wp, wp + 1} {
					if v := convAtF4(tp, src, r, at+o, b[r], relu); v > m {
						m = v
					}
				}
				dr[py*pw+px] = m
			}
		}
	}
}

// convPoolF8 is convPoolF8Go; the SIMD build replaces its body with one
// computing one pooled output of eight channels at a time, the channels in
// the lanes, so that no column the pooling drops is computed (same sums and
// comparisons in the same order). Its caller has checked every read and
// write.
//
//go:noinline
func convPoolF8(d []float32, cs, nc int, tp []TapF4, src []float32, b [8]float32, ph, ow, wp int, relu bool) {
	convPoolF8Go(d, cs, nc, tp, src, b, ph, ow, wp, relu)
}

// convPoolF8Go is convPoolF4Go for two quads, tp their taps back to back
// (quad A's K, then quad B's), channels r < nc (5 to 8) at d[r*cs:].
func convPoolF8Go(d []float32, cs, nc int, tp []TapF4, src []float32, b [8]float32, ph, ow, wp int, relu bool) {
	K := len(tp) / 2
	convPoolF4Go(d, cs, 4, tp[:K], src, [4]float32(b[:4]), ph, ow, wp, relu)
	convPoolF4Go(d[4*cs:], cs, nc-4, tp[K:], src, [4]float32(b[4:]), ph, ow, wp, relu)
}

// convPoolF2 is convPoolF2Go; the SIMD build replaces its body with one
// pooling 2-channel x 8-column x 2-row tiles in registers (same sums and
// comparisons in the same order). Its caller has checked every read and
// write.
//
//go:noinline
func convPoolF2(d []float32, cs, nc int, tp []TapF, src []float32, b [2]float32, ph, ow, wp int, relu bool) {
	convPoolF2Go(d, cs, nc, tp, src, b, ph, ow, wp, relu)
}

// convPoolF2Go is convPoolF4Go for a channel pair (nc <= 2) with pair taps
// (the reference only: the SIMD build runs convPoolF2, the others
// ConvTapsFPool's scratch rows).
func convPoolF2Go(d []float32, cs, nc int, tp []TapF, src []float32, b [2]float32, ph, ow, wp int, relu bool) {
	t4 := make([]TapF4, len(tp))
	for i, t := range tp {
		t4[i] = TapF4{4 * t.Off, [4]float32{t.W[0], t.W[1]}}
	}
	convPoolF4Go(d, cs, nc, t4, src, [4]float32{b[0], b[1]}, ph, ow, wp, relu)
}

// quadBias returns the biases of channels m .. m+nc-1 (the rest zero).
func quadBias(bias []float32, m, nc int) [4]float32 {
	var b [4]float32
	copy(b[:nc], bias[m:m+nc])
	return b
}

// octBias returns the biases of channels m .. m+nc-1 (the rest zero).
func octBias(bias []float32, m, nc int) [8]float32 {
	var b [8]float32
	copy(b[:nc], bias[m:m+nc])
	return b
}
