package main

// convPoolF8: func convPoolF8(d []float32, cs, nc int, tp []TapF4,
// src []float32, b [8]float32, ph, ow, wp int, relu bool).
//
// convPoolF4 for two quads at once, one pooled output at a time, so that no
// column is computed that the pooling drops: where the pooled rows are odd
// in length (ow/2), convPoolF4's 4-column tiles compute two columns more
// than the 2*(ow/2) it pools. The channels are in the lanes: the eight
// accumulators are quad A's and quad B's four channels at the window's four
// positions (2y, 2x), (2y, 2x+1), (2y+1, 2x), (2y+1, 2x+1); per tap the two
// quads' weights are one load each (kern.TapF4: quad A's K taps then quad
// B's, the same offsets) and the four inputs are splatted straight from
// memory: 16 multiplies and adds, no shuffle. Channel r < nc of pooled row y is
// stored at d + 4*r*cs + 4*(y*(ow/2) + x). Each lane sums its taps in tap
// order like convPoolF4Go; the window's four values (bias added, ReLU
// applied) are compared in maxPoolRowGo's order with f32x4.pmax.
func convPoolF8() []byte {
	const d, cs, nc, tp, ntaps, src = qD, qCs, qNc, qTp, qN, qSrc
	const argB, argOh, argOw, argWp, argRelu = 88, 120, 128, 136, 144
	const tapSize = 20
	const ( // i32 locals after quadArgs'
		ph = src + 1 + iota
		pw // bytes of a pooled row, 4*(ow/2)
		wp
		y
		x    // the pooled column, in bytes
		srow // the window's top left before the tap offset: src + 2y*wp + 2x
		drow // pooled row y: d + y*pw
		p
		n
		addr
		quadB // bytes from a tap of quad A to the same tap of quad B
		relu
		nI32 = src + iota
	)
	const ( // v128 locals
		wA = nI32 + 1 + iota
		wB
		v
		acc0  // quad q, window position k at acc0 + 4q + k
		nV128 = acc0 + 8 - nI32 - 1
	)
	acc := func(q, k int) uint64 { return uint64(acc0 + 4*q + k) }
	c := &code{}
	quadArgs(c).argsAt(ph, argOh)
	c.arg(argOw).i32c(1).op(opI32ShrU).i32c(2).op(opI32Shl).set(pw)
	c.arg(argWp).i32c(2).op(opI32Shl).set(wp)
	c.get(cs).i32c(2).op(opI32Shl).set(cs)
	c.get(ntaps).i32c(1).op(opI32ShrU).set(ntaps) // K
	c.get(ntaps).i32c(tapSize).op(opI32Mul).set(quadB)
	c.sp().op(opI32Load8U).mem(0, 8+argRelu).set(relu)

	c.i32c(0).set(y)
	c.block().loop()
	c.get(y).get(ph).op(opI32GeS).brIf(1)
	c.get(d).get(y).get(pw).op(opI32Mul).op(opI32Add).set(drow)
	c.i32c(0).set(x)
	c.block().loop()
	c.get(x).get(pw).op(opI32GeS).brIf(1)
	for i := 0; i < 8; i++ {
		c.v128zero().set(uint64(acc0 + i))
	}
	c.get(tp).set(p)
	c.get(ntaps).set(n)
	c.get(src).get(y).i32c(1).op(opI32Shl).get(wp).op(opI32Mul).op(opI32Add).get(x).i32c(1).op(opI32Shl).op(opI32Add).set(srow)
	c.countdown(n, func() {
		c.get(srow).get(p).i32load(0).op(opI32Add).set(addr)
		c.get(p).v128load(4).set(wA)
		c.get(p).get(quadB).op(opI32Add).v128load(4).set(wB)
		for k := 0; k < 4; k++ {
			c.get(addr)
			if k >= 2 {
				c.get(wp).op(opI32Add)
			}
			c.simd(simdV128Load32Splat).mem(2, uint64(4*(k%2))).set(v)
			for q, w := range []uint64{wA, wB} {
				c.get(acc(q, k)).get(w).get(v).simd(simdF32x4Mul).simd(simdF32x4Add).set(acc(q, k))
			}
		}
		c.get(p).i32c(tapSize).op(opI32Add).set(p)
	})
	for q := 0; q < 2; q++ {
		// v = the pooled value of quad q's four channels: window position
		// k's acc + bias, ReLU'd if relu, folded with f32x4.pmax in order
		for k := 0; k < 4; k++ {
			c.get(acc(q, k)).sp().v128load(uint64(8 + argB + 16*q)).simd(simdF32x4Add)
			c.set(wA)
			c.get(relu).op(0x04, 0x40)
			c.get(wA).v128zero().simd(simdF32x4PMax).set(wA)
			c.end()
			if k == 0 {
				c.get(wA).set(v)
			} else {
				c.get(v).get(wA).simd(simdF32x4PMax).set(v)
			}
		}
		for lane := 0; lane < 4; lane++ {
			r := 4*q + lane
			if r > 0 {
				c.get(nc).i32c(int32(r)).op(opI32GtS).op(0x04, 0x40)
			}
			// channel r's output: drow + x + r*cs
			c.get(drow).get(x).op(opI32Add)
			if r > 0 {
				c.get(cs).i32c(int32(r)).op(opI32Mul).op(opI32Add)
			}
			c.get(v).simd(simdV128Store32Lane).mem(2, 0).op(byte(lane))
			if r > 0 {
				c.end()
			}
		}
	}
	c.get(x).i32c(4).op(opI32Add).set(x)
	c.br(0).end().end()
	c.get(y).i32c(1).op(opI32Add).set(y)
	c.br(0).end().end()
	c.goReturn()

	return functionI32V128(nI32, nV128, c)
}
