package main

// convRowsF4: func convRowsF4(d []float32, cs, nc int, tp []TapF4,
// src []float32, b [4]float32, oh, ow, wp int, relu bool).
//
// Per output row: 4 channels x 8 columns per step (eight f32x4
// accumulators: two loads of 4 input columns per tap feed the tap's four
// weights, each splatted straight from memory), then a 4x4 step, then a 4x4
// step that stores only the columns left. A tap's offset is in bytes
// (kern.TapF4), added to the row's address as it is; the taps run two per
// loop step. Channel r is stored at d + 4*r*cs if r < nc. Every output sums
// its taps in tap order, adds the bias and clears negatives like
// convRowsF4Go (-0 and NaN stay: only v < 0 becomes +0).
func convRowsF4() []byte {
	const ( // argument offsets
		argD, argCs, argNc, argTp, argN, argSrc = 0, 24, 32, 40, 48, 64
		argB, argOh, argOw, argWp, argRelu      = 88, 104, 112, 120, 128
	)
	const tapSize = 20
	const ( // i32 locals
		d = iota + 1
		cs
		nc
		tp
		ntaps
		src
		oh
		ow
		wp
		y
		x
		srow
		drow
		p
		n
		q
		addr
		nI32 = iota
	)
	const ( // v128 locals
		relu = nI32 + 1 + iota
		v0
		v1
		w
		bias0             // 4 biases
		acc0  = bias0 + 4 // 8 accumulators: channel r, columns 4h.. at acc0 + 2r + h
		nV128 = acc0 + 8 - nI32 - 1
	)
	acc := func(r, h int) uint64 { return uint64(acc0 + 2*r + h) }
	c := &code{}
	c.args(argD, argCs, argNc, argTp, argN, argSrc, argOh, argOw, argWp) // d ... wp
	c.get(cs).i32c(2).op(opI32Shl).set(cs)                               // in bytes from here
	for r := 0; r < 4; r++ {
		c.sp().simd(simdV128Load32Splat).mem(2, uint64(8+argB+4*r)).set(uint64(bias0 + r))
	}
	// relu: all ones if set, so (v < 0) & relu marks the lanes to clear.
	c.i32c(0).sp().op(opI32Load8U).mem(0, 8+argRelu).op(opI32Sub).simd(simdI32x4Splat).set(relu)

	// tile sums the taps for the 8 (wide) or 4 columns at srow + 4*x.
	tile := func(wide bool) {
		hs := 1
		if wide {
			hs = 2
		}
		for r := 0; r < 4; r++ {
			for h := 0; h < hs; h++ {
				c.v128zero().set(acc(r, h))
			}
		}
		// tap adds the tap at p + off.
		tap := func(off uint64) {
			c.get(q).get(p).i32load(off).op(opI32Add).set(addr)
			c.get(addr).v128load(0).set(v0)
			if wide {
				c.get(addr).v128load(16).set(v1)
			}
			for r := 0; r < 4; r++ {
				c.get(p).simd(simdV128Load32Splat).mem(2, off+4+4*uint64(r)).set(w)
				c.get(acc(r, 0)).get(w).get(v0).simd(simdF32x4Mul).simd(simdF32x4Add).set(acc(r, 0))
				if wide {
					c.get(acc(r, 1)).get(w).get(v1).simd(simdF32x4Mul).simd(simdF32x4Add).set(acc(r, 1))
				}
			}
		}
		c.get(tp).set(p)
		c.get(ntaps).set(n)
		c.get(srow).get(x).i32c(2).op(opI32Shl).op(opI32Add).set(q)
		// two taps a step while n >= 2, then the last one if n is odd
		c.block().loop()
		c.get(n).i32c(2).op(opI32LtS).brIf(1)
		tap(0)
		tap(tapSize)
		c.get(p).i32c(2 * tapSize).op(opI32Add).set(p)
		c.get(n).i32c(2).op(opI32Sub).set(n)
		c.br(0).end().end()
		c.get(n).op(0x04, 0x40)
		tap(0)
		c.end()
	}
	// value pushes acc + bias, negatives cleared if relu (via v0).
	value := func(a, bias uint64) {
		c.get(a).get(bias).simd(simdF32x4Add).set(v0)
		c.get(v0).get(v0).v128zero().simd(simdF32x4Lt).get(relu).simd(simdV128And).simd(simdV128AndNot)
	}
	// ifChannel runs body if channel r is stored (r < nc), with addr the
	// address of column x of its row.
	ifChannel := func(r int, body func()) {
		if r > 0 {
			c.get(nc).i32c(int32(r)).op(opI32GtS).op(0x04, 0x40)
		}
		c.get(drow).get(x).i32c(2).op(opI32Shl).op(opI32Add)
		if r > 0 {
			c.get(cs).i32c(int32(r)).op(opI32Mul).op(opI32Add)
		}
		c.set(addr)
		body()
		if r > 0 {
			c.end()
		}
	}
	storeWide := func() {
		for r := 0; r < 4; r++ {
			ifChannel(r, func() {
				for h := 0; h < 2; h++ {
					c.get(addr)
					value(acc(r, h), uint64(bias0+r))
					c.v128store(uint64(16 * h))
				}
			})
		}
	}
	store4 := func() {
		for r := 0; r < 4; r++ {
			ifChannel(r, func() {
				c.get(addr)
				value(acc(r, 0), uint64(bias0+r))
				c.v128store(0)
			})
		}
	}
	// storePart stores lanes [0, ow-x) (1 to 3) of each channel's value.
	storePart := func() {
		for r := 0; r < 4; r++ {
			ifChannel(r, func() {
				value(acc(r, 0), uint64(bias0+r))
				c.set(v1)
				for lane := uint64(0); lane < 3; lane++ {
					if lane > 0 { // if ow - x > lane
						c.get(ow).get(x).op(opI32Sub).i32c(int32(lane)).op(opI32GtS).op(0x04, 0x40)
					}
					c.get(addr).get(v1).simd(simdV128Store32Lane).mem(2, 4*lane).op(byte(lane))
					if lane > 0 {
						c.end()
					}
				}
			})
		}
	}

	c.i32c(0).set(y)
	c.block().loop()
	c.get(y).get(oh).op(opI32GeS).brIf(1)
	c.get(src).get(y).get(wp).op(opI32Mul).i32c(2).op(opI32Shl).op(opI32Add).set(srow)
	c.get(d).get(y).get(ow).op(opI32Mul).i32c(2).op(opI32Shl).op(opI32Add).set(drow)
	c.i32c(0).set(x)
	// 8 columns at a time
	c.block().loop()
	c.get(x).i32c(8).op(opI32Add).get(ow).op(opI32GtS).brIf(1)
	tile(true)
	storeWide()
	c.get(x).i32c(8).op(opI32Add).set(x)
	c.br(0).end().end()
	// then 4
	c.get(x).i32c(4).op(opI32Add).get(ow).op(opI32LeS).op(0x04, 0x40)
	tile(false)
	store4()
	c.get(x).i32c(4).op(opI32Add).set(x)
	c.end()
	// then the last 1 to 3
	c.get(x).get(ow).op(opI32LtS).op(0x04, 0x40)
	tile(false)
	storePart()
	c.end()
	c.get(y).i32c(1).op(opI32Add).set(y)
	c.br(0).end().end()
	c.goReturn()

	var locals []byte
	for i := 0; i < nI32; i++ {
		locals = append(locals, i32)
	}
	for i := 0; i < nV128; i++ {
		locals = append(locals, v128)
	}
	return function(locals, c)
}
