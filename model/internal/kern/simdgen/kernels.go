package main

// The SIMD bodies of the assembly functions in model/internal/kern/dot_wasm.s,
// with the same Go ABI (arguments at SP+8 onwards, zero-size frame) and the
// same results: each 128-bit lane accumulates exactly the sums the scalar
// loop does, in the same order (one multiply, then one add, per term, no
// fused multiply-add in WebAssembly), so the float32 results are bit for bit
// those of dot2x4Go / dot4x2Go and the int64 ones those of dotTaps8Go /
// dotPair4x2Go (kern's TestDot* check that under this pass too).

// flagKernel is kern.SIMD's assembly function; the linker drops it from
// binaries that never ask.
const flagKernel = "simdAsm"

// kernels returns the bodies by Go symbol name (package-local).
func kernels() map[string][]byte {
	return map[string][]byte{
		flagKernel:      simdFlag(),
		"dot2x4asm":     dot2x4(),
		"dot4x2asm":     dot4x2(),
		"dotTaps8asm":   dotTaps8(),
		"dotPair4x2asm": dotPair4x2(),
		"convRowsF":     convRowsF(),
		"convRowsF4":    convRowsF4(),
		"convPoolF4":    convPoolF4(),
		"convPoolF3":    convPoolF3(),
		"convPoolF8":    convPoolF8(),
		"convPoolF2":    convPoolF2(),
		"padRowsF":      padRowsF(),
		"maxPoolRow":    maxPoolRow(),
		"dot4x1":        dot4x1(),
		"dot16x1":       dot16x1(),
	}
}

// simdFlag: func simdAsm() int returns 1 (the scalar body returns 0), so Go
// code can tell which kernels it runs.
func simdFlag() []byte {
	c := &code{}
	c.sp().op(0x42, 1).op(0x37).mem(3, 8) // i64.store [SP+8] = 1
	c.goReturn()
	return function(nil, c)
}

// dot2x4: func dot2x4asm(taps *TapF, n int, s *float32, acc *[8]float32)
//
//	acc[r*4+c] = sum_i taps[i].W[r] * s[taps[i].Off + c]
//
// One f32x4 load of s per tap feeds both rows (the scalar loop: 4 loads).
func dot2x4() []byte {
	const (
		p, n, s, acc0, acc1, v = 1, 2, 3, 4, 5, 6
	)
	c := &code{}
	c.args(0, 8, 16)
	c.v128zero().set(acc0)
	c.v128zero().set(acc1)
	c.countdown(n, func() {
		// v = s[Off : Off+4]
		c.get(s).get(p).i32load(0).i32c(2).op(opI32Shl).op(opI32Add).v128load(0).set(v)
		c.get(acc0).get(p).f32load(4).simd(simdF32x4Splat).get(v).simd(simdF32x4Mul).simd(simdF32x4Add).set(acc0)
		c.get(acc1).get(p).f32load(8).simd(simdF32x4Splat).get(v).simd(simdF32x4Mul).simd(simdF32x4Add).set(acc1)
		c.get(p).i32c(12).op(opI32Add).set(p)
	})
	c.arg(24).get(acc0).v128store(0)
	c.arg(24).get(acc1).v128store(16)
	c.goReturn()
	return function([]byte{i32, i32, i32, v128, v128, v128}, c)
}

// dot4x2: func dot4x2asm(a *[4]float32, b0, b1 *float32, k int, acc *[8]float32)
//
//	acc[r*2+c] = sum_i a[i][r] * b_c[i]
//
// Lane r of col0/col1 holds acc[r*2+0]/acc[r*2+1]; they are interleaved
// on the way out.
func dot4x2() []byte {
	const (
		a, b0, b1, k, col0, col1, va = 1, 2, 3, 4, 5, 6, 7
	)
	c := &code{}
	c.args(0, 8, 16, 24)
	c.v128zero().set(col0)
	c.v128zero().set(col1)
	c.countdown(k, func() {
		c.get(a).v128load(0).set(va)
		c.get(col0).get(va).get(b0).f32load(0).simd(simdF32x4Splat).simd(simdF32x4Mul).simd(simdF32x4Add).set(col0)
		c.get(col1).get(va).get(b1).f32load(0).simd(simdF32x4Splat).simd(simdF32x4Mul).simd(simdF32x4Add).set(col1)
		c.get(a).i32c(16).op(opI32Add).set(a)
		c.get(b0).i32c(4).op(opI32Add).set(b0)
		c.get(b1).i32c(4).op(opI32Add).set(b1)
	})
	c.arg(32).get(col0).get(col1).shuffle(lanes32(0, 4, 1, 5)).v128store(0)
	c.arg(32).get(col0).get(col1).shuffle(lanes32(2, 6, 3, 7)).v128store(16)
	c.goReturn()
	return function([]byte{i32, i32, i32, i32, v128, v128, v128}, c)
}

// lanes32 is the i8x16.shuffle selecting four 32-bit lanes of (x, y)
// (lanes 0-3 of x, 4-7 of y).
func lanes32(l0, l1, l2, l3 byte) [16]byte {
	var s [16]byte
	for i, l := range [4]byte{l0, l1, l2, l3} {
		for j := byte(0); j < 4; j++ {
			s[4*i+int(j)] = 4*l + j
		}
	}
	return s
}

// The int8 kernels keep two int8 rows packed in one int64 (kern/gemm8.go:
// w = a + b<<32) and accumulate int64 sums whose low 32-bit lane never
// overflows (K <= kern.MaxPairK). Here each row gets its own i32x4 lanes:
// lo = int32(w), hi = (w - lo) >> 32 recover a and b, four 32-bit
// multiply-adds run per instruction, and the packed int64 is rebuilt at the
// end as int64(lo) + hi<<32, equal to the scalar sum under that bound.

// packLanes pushes the i64x2 (int64(lo[i]) + int64(hi[i])<<32) of lanes i
// of lo and hi (high = false: lanes 0, 1; true: lanes 2, 3).
func packLanes(c *code, lo, hi uint64, high bool) {
	ext, extU := uint64(simdI64x2ExtLowS), uint64(simdI64x2ExtLowU)
	if high {
		ext, extU = simdI64x2ExtHighS, simdI64x2ExtHighU
	}
	c.get(lo).simd(ext)
	c.get(hi).simd(extU).i32c(32).simd(simdI64x2Shl)
	c.simd(simdI64x2Add)
}

// storePacked stores the four packed int64s of lo and hi (packLanes) to the
// [4]int64 whose address is the argument at frame offset off, and returns.
func storePacked(c *code, off, lo, hi uint64) {
	for i, high := range []bool{false, true} {
		c.arg(off)
		packLanes(c, lo, hi, high)
		c.v128store(uint64(16 * i))
	}
	c.goReturn()
}

// dotTaps8: func dotTaps8asm(taps *Tap8, n int, s *uint8, acc *[4]int64)
//
//	acc[c] = sum_i taps[i].W * int64(s[taps[i].Off + c])
func dotTaps8() []byte {
	const (
		p, n, s, wlo, accLo, accHi, v = 1, 2, 3, 4, 5, 6, 7
		w                             = 8 // i64
	)
	c := &code{}
	c.args(0, 8, 16)
	c.v128zero().set(accLo)
	c.v128zero().set(accHi)
	c.countdown(n, func() {
		// v = the 4 bytes s[Off:Off+4] as u32 lanes
		c.get(s).get(p).i32load(0).op(opI32Add).simd(simdV128Load32Zero).mem(0, 0)
		c.simd(simdI16x8ExtLowU).simd(simdI32x4ExtLowU).set(v)
		c.get(p).i64load(8).set(w)
		c.get(w).op(opI32Wrap).set(wlo)
		c.get(accLo).get(wlo).simd(simdI32x4Splat).get(v).simd(simdI32x4Mul).simd(simdI32x4Add).set(accLo)
		// hi = int32((w - int64(lo)) >> 32)
		c.get(accHi).get(w).get(wlo).op(opI64ExtendS).op(opI64Sub).op(0x42, 32).op(opI64ShrS).op(opI32Wrap)
		c.simd(simdI32x4Splat).get(v).simd(simdI32x4Mul).simd(simdI32x4Add).set(accHi)
		c.get(p).i32c(16).op(opI32Add).set(p)
	})
	storePacked(c, 24, accLo, accHi)
	return function([]byte{i32, i32, i32, i32, v128, v128, v128, i64}, c)
}

// dotPair4x2: func dotPair4x2asm(w *[2]int64, b0, b1 *uint8, k int, acc *[4]int64)
//
//	acc[j*2+c] = sum_i w[i][j] * int64(b_c[i])
//
// The 16 bytes of w[i] are the i32 lanes (a0, b0', a1, b1') with
// b' = b - (a < 0): adding back the sign of the lane below gives the four
// rows (a0, b0, a1, b1); col0 and col1 accumulate them times b_0[i], b_1[i].
func dotPair4x2() []byte {
	const (
		w, b0, b1, k, col0, col1, rows, zero = 1, 2, 3, 4, 5, 6, 7, 8
	)
	c := &code{}
	c.args(0, 8, 16, 24)
	c.v128zero().set(col0)
	c.v128zero().set(col1)
	c.v128zero().set(zero)
	c.countdown(k, func() {
		c.get(w).v128load(0).set(rows)
		// rows -= (0, a0>>31, 0, a1>>31)
		c.get(rows).get(rows).i32c(31).simd(simdI32x4ShrS).get(zero).shuffle(lanes32(4, 0, 4, 2)).simd(simdI32x4Sub).set(rows)
		c.get(col0).get(rows).get(b0).op(opI32Load8U).mem(0, 0).simd(simdI32x4Splat).simd(simdI32x4Mul).simd(simdI32x4Add).set(col0)
		c.get(col1).get(rows).get(b1).op(opI32Load8U).mem(0, 0).simd(simdI32x4Splat).simd(simdI32x4Mul).simd(simdI32x4Add).set(col1)
		c.get(w).i32c(16).op(opI32Add).set(w)
		c.get(b0).i32c(1).op(opI32Add).set(b0)
		c.get(b1).i32c(1).op(opI32Add).set(b1)
	})
	// lo = (col0[0], col1[0], col0[2], col1[2]), hi = the odd lanes: the
	// packed acc = (pair 0 col 0, pair 0 col 1, pair 1 col 0, pair 1 col 1).
	c.get(col0).get(col1).shuffle(lanes32(0, 4, 2, 6)).set(rows)
	c.get(col0).get(col1).shuffle(lanes32(1, 5, 3, 7)).set(zero)
	storePacked(c, 32, rows, zero)
	return function([]byte{i32, i32, i32, i32, v128, v128, v128, v128}, c)
}
