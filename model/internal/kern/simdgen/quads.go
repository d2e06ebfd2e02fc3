package main

// The arguments the quad kernels (convRowsF4, convPoolF4, convPoolF8) begin
// with, (d []float32, cs, nc int, tp []TapF4, src []float32), are their i32
// locals 1 to 6 (tp's length in qN).
const qD, qCs, qNc, qTp, qN, qSrc = 1, 2, 3, 4, 5, 6

// quadArgs loads them.
func quadArgs(c *code) *code { return c.argsAt(qD, 0, 24, 32, 40, 48, 64) }

// convRowsF4: func convRowsF4(d []float32, cs, nc int, tp []TapF4,
// src []float32, b [4]float32, oh, ow, wp int, relu bool).
//
// Tiles of 4 channels x 8 outputs (eight f32x4 accumulators; per tap two
// f32x4 loads of inputs, its four weights each splatted straight from
// memory, 8 multiplies and 8 adds): 8 columns of a row, as many as fit;
// then the 1 to 7 columns left of two rows at once (4 columns of row y and
// the same 4 of row y+1, the last step storing only the columns left), so
// rows narrower than 8 (most of a small model's) fill the tile too; a last
// odd row's columns left 4 at a time. A tap's offset is in bytes
// (kern.TapF4), added to the address as it is. Channel r is stored at
// d + 4*r*cs if r < nc. Every output sums its taps in tap order, adds the
// bias and clears negatives like convRowsF4Go (-0 and NaN stay: only v < 0
// becomes +0).
//
// Measured in node (V8, x64): one tap per loop step. Two taps a step had
// TurboFan load both taps' inputs and weights first (the arithmetic floats
// to its uses), 20 live vectors, and spill half the accumulators (1.2-1.3x
// slower on most of the model's shapes). The biases are splatted from the arguments at
// each store and the ReLU is a branch around f32x4.pmax, so that nothing
// but the tile needs a vector register in the loop.
func convRowsF4() []byte { return tileKernel(4, false) }

// convPoolF4: func convPoolF4(d []float32, cs, nc int, tp []TapF4,
// src []float32, b [4]float32, ph, ow, wp int, relu bool).
//
// convRowsF4 over rows 0 .. 2*ph-1 followed by the 2x2 max-pooling into d
// (channel r at d + 4*r*cs, rows ow/2 wide), in registers: every tile is 4
// columns of two rows (2y, 2y+1), whose values (bias added, ReLU applied)
// pool to 2 outputs compared in maxPoolRowGo's order with f32x4.pmax; a
// last odd column is dropped (floor mode).
func convPoolF4() []byte { return tileKernel(4, true) }

// convPoolF2: func convPoolF2(d []float32, cs, nc int, tp []TapF,
// src []float32, b [2]float32, ph, ow, wp int, relu bool).
//
// convPoolF4 for a channel pair (kern.TapF: element offsets, 2 weights):
// tiles of 2 channels x 8 columns of two rows (8 accumulators, per tap four
// f32x4 loads and two weight splats), pooled to 4 outputs a channel; then
// convPoolF4's 4-column steps for the columns left.
func convPoolF2() []byte { return tileKernel(2, true) }

// convPoolF3: convPoolF4's arguments, for three channels (nc <= 3): tiles
// of 3 channels x 4 columns of two rows (six accumulators), so that a
// layer of three channels (the paper's intra-modality experts begin with
// one) computes no fourth channel.
func convPoolF3() []byte { return tileKernel(3, true) }

// tileKernel is the body of convRowsF4 (ch 4), convPoolF4 (ch 4, pool),
// convPoolF3 (ch 3, pool, quad taps) or convPoolF2 (ch 2, pool).
func tileKernel(ch int, pool bool) []byte {
	const d, cs, nc, tp, ntaps, src = qD, qCs, qNc, qTp, qN, qSrc
	lanes := 4 // weights per tap: kern.TapF4, or kern.TapF for ch 2
	if ch == 2 {
		lanes = 2
	}
	// b [lanes]float32 at 88, then oh, ow, wp, relu
	const argB = 88
	argOh := uint64(argB + 4*lanes)
	argOw, argWp, argRelu := argOh+8, argOh+16, argOh+24
	tapSize := int32(4 + 4*lanes)
	const ( // i32 locals after quadArgs'
		oh = src + 1 + iota
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
		relu
		nI32 = src + iota
	)
	const ( // v128 locals
		v0 = nI32 + 1 + iota
		v1
		v2
		v3
		w
		acc0  // 8 accumulators: channel r, half h at acc0 + (8/ch)*r + h
		nV128 = acc0 + 8 - nI32 - 1
	)
	acc := func(r, h int) uint64 { return uint64(acc0 + 8/ch*r + h) }
	c := &code{}
	quadArgs(c).argsAt(oh, argOh, argOw, argWp) // oh, ow, wp
	c.get(cs).i32c(2).op(opI32Shl).set(cs)      // in bytes from here
	c.get(wp).i32c(2).op(opI32Shl).set(wp)
	c.get(ow).i32c(2).op(opI32Shl).set(ow)
	c.sp().op(opI32Load8U).mem(0, 8+argRelu).set(relu)

	// The tile's halves, 4 columns each: column x of row y, then
	const (
		single      = iota // nothing else
		wide               // columns x+4.. of the same row
		twoRows            // columns x.. of row y+1
		wideTwoRows        // x+4.., then x.. and x+4.. of row y+1 (ch 2)
	)
	halves := func(mode int) int { return []int{1, 2, 2, 4}[mode] }
	// tile sums the taps for the halves at srow + 4*x.
	tile := func(mode int) {
		hs := halves(mode)
		for r := 0; r < ch; r++ {
			for h := 0; h < hs; h++ {
				c.v128zero().set(acc(r, h))
			}
		}
		c.get(tp).set(p)
		c.get(ntaps).set(n)
		c.get(srow).get(x).i32c(2).op(opI32Shl).op(opI32Add).set(q)
		c.countdown(n, func() {
			c.get(q).get(p).i32load(0)
			if ch == 2 { // kern.TapF's offset counts elements
				c.i32c(2).op(opI32Shl)
			}
			c.op(opI32Add).set(addr)
			c.get(addr).v128load(0).set(v0)
			switch mode {
			case wide:
				c.get(addr).v128load(16).set(v1)
			case twoRows:
				c.get(addr).get(wp).op(opI32Add).v128load(0).set(v1)
			case wideTwoRows:
				c.get(addr).v128load(16).set(v1)
				c.get(addr).get(wp).op(opI32Add).v128load(0).set(v2)
				c.get(addr).get(wp).op(opI32Add).v128load(16).set(v3)
			}
			for r := 0; r < ch; r++ {
				c.get(p).simd(simdV128Load32Splat).mem(2, 4+4*uint64(r)).set(w)
				for h := 0; h < hs; h++ {
					c.get(acc(r, h)).get(w).get([]uint64{v0, v1, v2, v3}[h]).simd(simdF32x4Mul).simd(simdF32x4Add).set(acc(r, h))
				}
			}
			c.get(p).i32c(tapSize).op(opI32Add).set(p)
		})
	}
	// value pushes acc a + the bias of channel r (splatted from the
	// argument), then if relu pmax(v, 0) = (v < 0 ? 0 : v), which keeps -0
	// and NaN (in v0).
	value := func(a uint64, r int) {
		c.get(a).sp().simd(simdV128Load32Splat).mem(2, uint64(8+argB+4*r)).simd(simdF32x4Add).set(v0)
		c.get(relu).op(0x04, 0x40)
		c.get(v0).v128zero().simd(simdF32x4PMax).set(v0)
		c.end()
		c.get(v0)
	}
	// ifChannel runs body for channel r if r < nc.
	ifChannel := func(r int, body func()) {
		if r > 0 {
			c.get(nc).i32c(int32(r)).op(opI32GtS).op(0x04, 0x40)
		}
		body()
		if r > 0 {
			c.end()
		}
	}
	// pooledAt pushes the address of output column x/2 of channel r's
	// pooled row y: drow + 2x + r*cs.
	pooledAt := func(r int) {
		c.get(drow).get(x).i32c(1).op(opI32Shl).op(opI32Add)
		if r > 0 {
			c.get(cs).i32c(int32(r)).op(opI32Mul).op(opI32Add)
		}
	}
	var storeChannel func(mode int, part bool, r int)
	// store stores the tile's halves (hs of them, mode as in tile) for the
	// channels r < nc; part: only lanes [0, ow-x) (1 to 3).
	store := func(mode int, part bool) {
		for r := 0; r < 4; r++ {
			ifChannel(r, func() { storeChannel(mode, part, r) })
		}
	}
	storeChannel = func(mode int, part bool, r int) {
		// addr: column x of the channel's row y
		c.get(drow).get(x).i32c(2).op(opI32Shl).op(opI32Add)
		if r > 0 {
			c.get(cs).i32c(int32(r)).op(opI32Mul).op(opI32Add)
		}
		c.set(addr)
		for h := 0; h < halves(mode); h++ {
			if h == 1 && mode == twoRows {
				c.get(addr).get(ow).op(opI32Add).set(addr)
			}
			if !part {
				c.get(addr)
				value(acc(r, h), r)
				c.v128store(uint64(16*h) * boolInt(mode == wide))
				continue
			}
			value(acc(r, h), r)
			c.set(v1)
			for lane := uint64(0); lane < 3; lane++ {
				if lane > 0 { // if ow - 4x > 4*lane (in bytes)
					c.get(ow).get(x).i32c(2).op(opI32Shl).op(opI32Sub).i32c(int32(4*lane)).op(opI32GtS).op(0x04, 0x40)
				}
				c.get(addr).get(v1).simd(simdV128Store32Lane).mem(2, 4*lane).op(byte(lane))
				if lane > 0 {
					c.end()
				}
			}
		}
	}
	// row points srow and drow at row y.
	row := func() {
		c.get(src).get(y).get(wp).op(opI32Mul).op(opI32Add).set(srow)
		c.get(d).get(y).get(ow).op(opI32Mul).op(opI32Add).set(drow)
	}
	// wideRow: the 8-column tiles of row y, leaving x after them.
	wideRow := func() {
		row()
		c.i32c(0).set(x)
		c.block().loop()
		c.get(x).i32c(8).op(opI32Add).i32c(2).op(opI32Shl).get(ow).op(opI32GtS).brIf(1)
		tile(wide)
		store(wide, false)
		c.get(x).i32c(8).op(opI32Add).set(x)
		c.br(0).end().end()
	}
	// rest: the columns left from x (of rows y and y+1 if mode is twoRows):
	// a 4-column step if 4 are left, then the last 1 to 3.
	rest := func(mode int) {
		c.get(x).i32c(4).op(opI32Add).i32c(2).op(opI32Shl).get(ow).op(opI32LeS).op(0x04, 0x40)
		tile(mode)
		store(mode, false)
		c.get(x).i32c(4).op(opI32Add).set(x)
		c.end()
		c.get(x).i32c(2).op(opI32Shl).get(ow).op(opI32LtS).op(0x04, 0x40)
		tile(mode)
		store(mode, true)
		c.end()
	}

	if pool {
		even, odd := lanes32(0, 2, 0, 2), lanes32(1, 3, 1, 3)
		// storePool stores the pooled outputs of a twoRows tile at column x
		// for channels r < nc: 2, or 1 if one is true.
		storePool := func(one bool) {
			for r := 0; r < ch; r++ {
				ifChannel(r, func() {
					value(acc(r, 0), r)
					c.set(w)
					value(acc(r, 1), r)
					c.set(v1)
					pooledAt(r)
					c.get(w).get(w).shuffle(even).get(w).get(w).shuffle(odd).simd(simdF32x4PMax)
					c.get(v1).get(v1).shuffle(even).simd(simdF32x4PMax)
					c.get(v1).get(v1).shuffle(odd).simd(simdF32x4PMax)
					if one {
						c.simd(simdV128Store32Lane).mem(2, 0).op(0)
					} else {
						c.simd(simdV128Store64Lane).mem(3, 0).op(0)
					}
				})
			}
		}
		// storePool4 stores the 4 pooled outputs of a wideTwoRows tile.
		storePool4 := func() {
			for r := 0; r < ch; r++ {
				ifChannel(r, func() {
					for h, t := range []uint64{v1, v2, v3, w} {
						value(acc(r, h), r)
						c.set(t)
					}
					pooledAt(r)
					c.get(v1).get(v2).shuffle(lanes32(0, 2, 4, 6)).get(v1).get(v2).shuffle(lanes32(1, 3, 5, 7)).simd(simdF32x4PMax)
					c.get(v3).get(w).shuffle(lanes32(0, 2, 4, 6)).simd(simdF32x4PMax)
					c.get(v3).get(w).shuffle(lanes32(1, 3, 5, 7)).simd(simdF32x4PMax)
					c.v128store(0)
				})
			}
		}
		// y counts pooled rows; srow is input row 2y, drow pooled row y.
		c.i32c(0).set(y)
		c.block().loop()
		c.get(y).get(oh).op(opI32GeS).brIf(1)
		c.get(src).get(y).i32c(1).op(opI32Shl).get(wp).op(opI32Mul).op(opI32Add).set(srow)
		// (ow is in bytes: 4*(ow/2) = (ow>>3)<<2)
		c.get(d).get(y).get(ow).i32c(3).op(opI32ShrU).i32c(2).op(opI32Shl).op(opI32Mul).op(opI32Add).set(drow)
		c.i32c(0).set(x)
		if ch == 2 { // 8 columns at a time
			c.block().loop()
			c.get(x).i32c(8).op(opI32Add).i32c(2).op(opI32Shl).get(ow).op(opI32GtS).brIf(1)
			tile(wideTwoRows)
			storePool4()
			c.get(x).i32c(8).op(opI32Add).set(x)
			c.br(0).end().end()
		}
		c.block().loop()
		c.get(x).i32c(4).op(opI32Add).i32c(2).op(opI32Shl).get(ow).op(opI32GtS).brIf(1)
		tile(twoRows)
		storePool(false)
		c.get(x).i32c(4).op(opI32Add).set(x)
		c.br(0).end().end()
		c.get(x).i32c(2).op(opI32Add).i32c(2).op(opI32Shl).get(ow).op(opI32LeS).op(0x04, 0x40)
		tile(twoRows)
		storePool(true)
		c.end()
		c.get(y).i32c(1).op(opI32Add).set(y)
		c.br(0).end().end()
	} else {
		c.i32c(0).set(y)
		c.block().loop()
		// rows y and y+1
		c.get(y).i32c(1).op(opI32Add).get(oh).op(opI32GeS).brIf(1)
		c.get(y).i32c(1).op(opI32Add).set(y)
		wideRow()
		c.get(y).i32c(1).op(opI32Sub).set(y)
		wideRow()
		rest(twoRows)
		c.get(y).i32c(2).op(opI32Add).set(y)
		c.br(0).end().end()
		// a last odd row
		c.get(y).get(oh).op(opI32LtS).op(0x04, 0x40)
		wideRow()
		rest(single)
		c.end()
	}
	c.goReturn()

	return functionI32V128(nI32, nV128, c)
}

func boolInt(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}
