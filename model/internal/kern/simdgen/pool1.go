package main

// convPoolF8: func convPoolF8(d []float32, cs, nc int, tp []TapF4,
// src []float32, b [8]float32, ph, ow, wp int, relu bool).
//
// convPoolF4 for two quads at once where the pooled rows are one output
// wide (ow 2 or 3): convPoolF4's 4x2 tiles would compute 4 columns for the
// 2 it pools. Here a tap's input vector is the pooling window itself,
// (2y, 0), (2y, 1), (2y+1, 0), (2y+1, 1) (two 64-bit loads), and the eight
// accumulators are eight channels: tp holds quad A's K taps then quad B's
// (the same offsets), channel r < nc stored at d + 4*r*cs. Each lane sums
// its taps in tap order like convPoolF4Go; the window's four values (bias
// added, ReLU applied) are compared in maxPoolRowGo's order with
// f32x4.pmax.
func convPoolF8() []byte {
	const d, cs, nc, tp, ntaps, src = qD, qCs, qNc, qTp, qN, qSrc
	const argB, argOh, argWp, argRelu = 88, 120, 136, 144
	const tapSize = 20
	const ( // i32 locals after quadArgs'
		ph = src + 1 + iota
		wp
		y
		srow
		p
		n
		addr
		quadB // bytes from a tap of quad A to the same tap of quad B
		relu
		nI32 = src + iota
	)
	const ( // v128 locals
		v = nI32 + 1 + iota
		w
		wB
		acc0  // channel r at acc0 + r
		nV128 = acc0 + 8 - nI32 - 1
	)
	c := &code{}
	quadArgs(c).argsAt(ph, argOh)
	c.arg(argWp).i32c(2).op(opI32Shl).set(wp)
	c.get(cs).i32c(2).op(opI32Shl).set(cs)
	c.get(ntaps).i32c(1).op(opI32ShrU).set(ntaps) // K
	c.get(ntaps).i32c(tapSize).op(opI32Mul).set(quadB)
	c.sp().op(opI32Load8U).mem(0, 8+argRelu).set(relu)

	c.i32c(0).set(y)
	c.block().loop()
	c.get(y).get(ph).op(opI32GeS).brIf(1)
	for r := 0; r < 8; r++ {
		c.v128zero().set(uint64(acc0 + r))
	}
	c.get(tp).set(p)
	c.get(ntaps).set(n)
	c.get(src).get(y).i32c(1).op(opI32Shl).get(wp).op(opI32Mul).op(opI32Add).set(srow)
	c.countdown(n, func() {
		// addr: the window's top left, src + 2y*wp + Off
		c.get(srow).get(p).i32load(0).op(opI32Add).set(addr)
		c.get(addr).simd(simdV128Load64Zero).mem(0, 0).set(v)
		c.get(addr).get(wp).op(opI32Add).get(v).simd(simdV128Load64Lane).mem(0, 0).op(1).set(v)
		// Quad A's weights splatted from memory, quad B's loaded at once
		// and splatted by shuffles: eight splat loads had TurboFan load
		// them all first (17 live vectors) and spill.
		c.get(p).get(quadB).op(opI32Add).v128load(4).set(wB)
		for r := 0; r < 8; r++ {
			if r < 4 {
				c.get(p).simd(simdV128Load32Splat).mem(2, uint64(4+4*r)).set(w)
			} else {
				l := byte(r - 4)
				c.get(wB).get(wB).shuffle(lanes32(l, l, l, l)).set(w)
			}
			a := uint64(acc0 + r)
			c.get(a).get(w).get(v).simd(simdF32x4Mul).simd(simdF32x4Add).set(a)
		}
		c.get(p).i32c(tapSize).op(opI32Add).set(p)
	})
	for r := 0; r < 8; r++ {
		if r > 0 {
			c.get(nc).i32c(int32(r)).op(opI32GtS).op(0x04, 0x40)
		}
		// v = acc + bias, then pmax(v, 0) if relu
		c.get(uint64(acc0+r)).sp().simd(simdV128Load32Splat).mem(2, uint64(8+argB+4*r)).simd(simdF32x4Add).set(v)
		c.get(relu).op(0x04, 0x40)
		c.get(v).v128zero().simd(simdF32x4PMax).set(v)
		c.end()
		// output row y of channel r: d + r*cs + 4y
		c.get(d).get(y).i32c(2).op(opI32Shl).op(opI32Add)
		if r > 0 {
			c.get(cs).i32c(int32(r)).op(opI32Mul).op(opI32Add)
		}
		c.get(v)
		for lane := byte(1); lane < 4; lane++ {
			c.get(v).get(v).shuffle(lanes32(lane, lane, lane, lane)).simd(simdF32x4PMax)
		}
		c.simd(simdV128Store32Lane).mem(2, 0).op(0)
		if r > 0 {
			c.end()
		}
	}
	c.get(y).i32c(1).op(opI32Add).set(y)
	c.br(0).end().end()
	c.goReturn()

	return functionI32V128(nI32, nV128, c)
}
