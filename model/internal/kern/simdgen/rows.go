package main

// SIMD bodies for two Go functions of model/internal/kern (not assembly):
// convRowsF (dot.go) and maxPoolRow (pool.go). A Go function's arguments sit
// at SP+8 on entry in declaration order, each aligned to its type (ABI0, the
// only ABI of GOOS=js), so a body that calls nothing and uses no stack can
// take its place. Both are //go:noinline; their callers check the bounds.

// convRowsF: func convRowsF(d0, d1 []float32, tp []TapF, src []float32,
// b [2]float32, oh, ow, wp int, relu bool).
//
// Per output row: 2 channels x 8 columns per step (four f32x4 accumulators;
// each tap's two weights are splatted once for 8 columns), then a 2x4 step,
// then a 2x4 step that stores only the columns left. Every output sums its
// taps in tap order, adds the bias and clears negatives like convRowsFGo
// (-0 and NaN stay: only v < 0 becomes +0).
func convRowsF() []byte {
	const ( // argument offsets
		argD0, argD1, argD1Len, argTp, argN, argSrc = 0, 24, 32, 48, 56, 72
		argB0, argB1, argOh, argOw, argWp, argRelu  = 96, 100, 104, 112, 120, 128
	)
	const ( // i32 locals
		d0 = iota + 1
		d1
		tp
		ntaps
		src
		oh
		ow
		wp
		y
		x
		srow
		drow0
		drow1
		p
		n
		q
		addr
		has1
		nI32 = iota
	)
	const ( // v128 locals
		b0 = nI32 + 1 + iota
		b1
		relu
		a00
		a01
		a10
		a11
		v0
		v1
		w0
		w1
		nV128 = iota
	)
	c := &code{}
	c.args(argD0, argD1, argTp, argN, argSrc, argOh, argOw, argWp) // d0 ... wp
	c.arg(argD1Len).i32c(0).op(opI32Ne).set(has1)
	c.sp().f32load(8 + argB0).simd(simdF32x4Splat).set(b0)
	c.sp().f32load(8 + argB1).simd(simdF32x4Splat).set(b1)
	// relu: all ones if set, so (v < 0) & relu marks the lanes to clear.
	c.i32c(0).sp().op(opI32Load8U).mem(0, 8+argRelu).op(opI32Sub).simd(simdI32x4Splat).set(relu)

	// tile sums the taps for the 8 (wide) or 4 columns at srow + 4*x.
	tile := func(wide bool) {
		for _, a := range []uint64{a00, a01, a10, a11} {
			c.v128zero().set(a)
		}
		c.get(tp).set(p)
		c.get(ntaps).set(n)
		c.get(srow).get(x).i32c(2).op(opI32Shl).op(opI32Add).set(q)
		c.countdown(n, func() {
			c.get(p).f32load(4).simd(simdF32x4Splat).set(w0)
			c.get(p).f32load(8).simd(simdF32x4Splat).set(w1)
			c.get(q).get(p).i32load(0).i32c(2).op(opI32Shl).op(opI32Add).set(addr)
			c.get(addr).v128load(0).set(v0)
			c.get(a00).get(w0).get(v0).simd(simdF32x4Mul).simd(simdF32x4Add).set(a00)
			c.get(a10).get(w1).get(v0).simd(simdF32x4Mul).simd(simdF32x4Add).set(a10)
			if wide {
				c.get(addr).v128load(16).set(v1)
				c.get(a01).get(w0).get(v1).simd(simdF32x4Mul).simd(simdF32x4Add).set(a01)
				c.get(a11).get(w1).get(v1).simd(simdF32x4Mul).simd(simdF32x4Add).set(a11)
			}
			c.get(p).i32c(12).op(opI32Add).set(p)
		})
	}
	// value pushes acc + bias, negatives cleared if relu (via v0).
	value := func(acc, bias uint64) {
		c.get(acc).get(bias).simd(simdF32x4Add).set(v0)
		c.get(v0).get(v0).v128zero().simd(simdF32x4Lt).get(relu).simd(simdV128And).simd(simdV128AndNot)
	}
	// rowAddr pushes the address of column x of an output row.
	rowAddr := func(row uint64) { c.get(row).get(x).i32c(2).op(opI32Shl).op(opI32Add) }
	store := func(row, acc, bias uint64, off uint64) {
		rowAddr(row)
		value(acc, bias)
		c.v128store(off)
	}
	// storePart stores lanes [0, ow-x) (1 to 3) of the value.
	storePart := func(row, acc, bias uint64) {
		rowAddr(row)
		c.set(addr)
		value(acc, bias)
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
	}
	ifHas1 := func(body func()) {
		c.get(has1).op(0x04, 0x40)
		body()
		c.end()
	}

	c.i32c(0).set(y)
	c.block().loop()
	c.get(y).get(oh).op(opI32GeS).brIf(1)
	c.get(src).get(y).get(wp).op(opI32Mul).i32c(2).op(opI32Shl).op(opI32Add).set(srow)
	c.get(d0).get(y).get(ow).op(opI32Mul).i32c(2).op(opI32Shl).op(opI32Add).set(drow0)
	c.get(d1).get(y).get(ow).op(opI32Mul).i32c(2).op(opI32Shl).op(opI32Add).set(drow1)
	c.i32c(0).set(x)
	// 8 columns at a time
	c.block().loop()
	c.get(x).i32c(8).op(opI32Add).get(ow).op(opI32GtS).brIf(1)
	tile(true)
	store(drow0, a00, b0, 0)
	store(drow0, a01, b0, 16)
	ifHas1(func() {
		store(drow1, a10, b1, 0)
		store(drow1, a11, b1, 16)
	})
	c.get(x).i32c(8).op(opI32Add).set(x)
	c.br(0).end().end()
	// then 4
	c.get(x).i32c(4).op(opI32Add).get(ow).op(opI32LeS).op(0x04, 0x40)
	tile(false)
	store(drow0, a00, b0, 0)
	ifHas1(func() { store(drow1, a10, b1, 0) })
	c.get(x).i32c(4).op(opI32Add).set(x)
	c.end()
	// then the last 1 to 3
	c.get(x).get(ow).op(opI32LtS).op(0x04, 0x40)
	tile(false)
	storePart(drow0, a00, b0)
	ifHas1(func() { storePart(drow1, a10, b1) })
	c.end()
	c.get(y).i32c(1).op(opI32Add).set(y)
	c.br(0).end().end()
	c.goReturn()

	return functionI32V128(nI32, nV128, c)
}

// maxPoolRow: func maxPoolRow(o, r0, r1 []float32)
//
//	o[x] = max of r0[2x], r0[2x+1], r1[2x], r1[2x+1], in that order
//
// with f32x4.pmax (b > a ? b : a, the comparison of maxPoolRowGo), four
// outputs per step, then one at a time in lane 0.
func maxPoolRow() []byte {
	const argO, argN, argR0, argR1 = 0, 8, 24, 48
	const (
		o = iota + 1
		n
		r0
		r1
		x
		a // v128 from here
		b
		m
	)
	c := &code{}
	c.args(argO, argN, argR0, argR1)
	c.i32c(0).set(x)
	// in pushes the address of input pair x of row r (r + 8x).
	in := func(r uint64) { c.get(r).get(x).i32c(3).op(opI32Shl).op(opI32Add) }
	pmax := func() { c.simd(simdF32x4PMax) }
	c.block().loop()
	c.get(x).i32c(4).op(opI32Add).get(n).op(opI32GtS).brIf(1)
	in(r0)
	c.v128load(0).set(a)
	in(r0)
	c.v128load(16).set(b)
	c.get(a).get(b).shuffle(lanes32(0, 2, 4, 6))
	c.get(a).get(b).shuffle(lanes32(1, 3, 5, 7))
	pmax()
	c.set(m)
	in(r1)
	c.v128load(0).set(a)
	in(r1)
	c.v128load(16).set(b)
	c.get(m).get(a).get(b).shuffle(lanes32(0, 2, 4, 6))
	pmax()
	c.get(a).get(b).shuffle(lanes32(1, 3, 5, 7))
	pmax()
	c.set(m)
	c.get(o).get(x).i32c(2).op(opI32Shl).op(opI32Add).get(m).v128store(0)
	c.get(x).i32c(4).op(opI32Add).set(x)
	c.br(0).end().end()
	c.block().loop()
	c.get(x).get(n).op(opI32GeS).brIf(1)
	in(r0)
	c.simd(simdV128Load64Zero).mem(0, 0).set(a)
	in(r1)
	c.simd(simdV128Load64Zero).mem(0, 0).set(b)
	c.get(a).get(a).get(a).shuffle(lanes32(1, 1, 1, 1))
	pmax()
	c.get(b)
	pmax()
	c.get(b).get(b).shuffle(lanes32(1, 1, 1, 1))
	pmax()
	c.set(m)
	c.get(o).get(x).i32c(2).op(opI32Shl).op(opI32Add).get(m).simd(simdF32x4ExtractLane).op(0).op(opF32Store).mem(2, 0)
	c.get(x).i32c(1).op(opI32Add).set(x)
	c.br(0).end().end()
	c.goReturn()
	return function([]byte{i32, i32, i32, i32, i32, v128, v128, v128}, c)
}

// dot4x1: func dot4x1(p [][4]float32, b []float32, acc *[4]float32)
//
//	acc[r] = sum_k p[k][r] * b[k]
func dot4x1() []byte {
	const argP, argB, argN, argAcc = 0, 24, 32, 48
	const p, b, n, acc = 1, 2, 3, 4 // acc: v128
	c := &code{}
	c.args(argP, argB, argN)
	c.v128zero().set(acc)
	c.countdown(n, func() {
		c.get(acc).get(p).v128load(0).get(b).f32load(0).simd(simdF32x4Splat).simd(simdF32x4Mul).simd(simdF32x4Add).set(acc)
		c.get(p).i32c(16).op(opI32Add).set(p)
		c.get(b).i32c(4).op(opI32Add).set(b)
	})
	c.arg(argAcc).get(acc).v128store(0)
	c.goReturn()
	return function([]byte{i32, i32, i32, v128}, c)
}

// padRowsF: func padRowsF(dst []float32, ds int, src []float32, w, n int)
//
//	dst[i*ds + x] = src[i*w + x]   (i < n, x < w)
//
// four values per v128 load and store, then one at a time.
func padRowsF() []byte {
	const argD, argDs, argS, argW, argN = 0, 24, 32, 56, 64
	const d, ds, s, w, n, x = 1, 2, 3, 4, 5, 6
	c := &code{}
	c.args(argD, argDs, argS, argW, argN)
	c.get(ds).i32c(2).op(opI32Shl).set(ds)
	c.get(w).i32c(2).op(opI32Shl).set(w)
	c.countdown(n, func() {
		c.i32c(0).set(x)
		c.block().loop()
		c.get(x).i32c(16).op(opI32Add).get(w).op(opI32GtS).brIf(1)
		c.get(d).get(x).op(opI32Add).get(s).get(x).op(opI32Add).v128load(0).v128store(0)
		c.get(x).i32c(16).op(opI32Add).set(x)
		c.br(0).end().end()
		c.block().loop()
		c.get(x).get(w).op(opI32GeS).brIf(1)
		c.get(d).get(x).op(opI32Add).get(s).get(x).op(opI32Add).f32load(0).op(opF32Store).mem(2, 0)
		c.get(x).i32c(4).op(opI32Add).set(x)
		c.br(0).end().end()
		c.get(d).get(ds).op(opI32Add).set(d)
		c.get(s).get(w).op(opI32Add).set(s)
	})
	c.goReturn()
	return function([]byte{i32, i32, i32, i32, i32, i32}, c)
}

// dot16x1: func dot16x1(p [][4]float32, b []float32, acc *[16]float32)
//
//	acc[4j+r] = sum_k p[j*K+k][r] * b[k]   (K = len(b))
//
// dot4x1 for four row blocks at once: four accumulators, four chains.
func dot16x1() []byte {
	const argP, argB, argN, argAcc = 0, 24, 32, 48
	const p, b, n, stride, x = 1, 2, 3, 4, 5 // then 4 v128 accumulators
	const acc0 = 6
	c := &code{}
	c.args(argP, argB, argN)
	c.get(n).i32c(4).op(opI32Shl).set(stride) // 16*K bytes between blocks
	for j := 0; j < 4; j++ {
		c.v128zero().set(uint64(acc0 + j))
	}
	c.countdown(n, func() {
		c.get(b).simd(simdV128Load32Splat).mem(2, 0).set(x)
		for j := 0; j < 4; j++ {
			a := uint64(acc0 + j)
			c.get(a).get(p)
			if j > 0 {
				c.get(stride).i32c(int32(j)).op(opI32Mul).op(opI32Add)
			}
			c.v128load(0).get(x).simd(simdF32x4Mul).simd(simdF32x4Add).set(a)
		}
		c.get(p).i32c(16).op(opI32Add).set(p)
		c.get(b).i32c(4).op(opI32Add).set(b)
	})
	for j := 0; j < 4; j++ {
		c.arg(argAcc).get(uint64(acc0 + j)).v128store(uint64(16 * j))
	}
	c.goReturn()
	return function([]byte{i32, i32, i32, i32, v128, v128, v128, v128, v128}, c)
}
