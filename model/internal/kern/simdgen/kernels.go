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
	c.arg(0).set(p)
	c.arg(8).set(n)
	c.arg(16).set(s)
	c.v128zero().set(acc0)
	c.v128zero().set(acc1)
	c.block().loop()
	c.get(n).op(opI32Eqz).brIf(1)
	// v = s[Off : Off+4]
	c.get(s).get(p).i32load(0).i32c(2).op(opI32Shl).op(opI32Add).v128load(0).set(v)
	c.get(acc0).get(p).f32load(4).simd(simdF32x4Splat).get(v).simd(simdF32x4Mul).simd(simdF32x4Add).set(acc0)
	c.get(acc1).get(p).f32load(8).simd(simdF32x4Splat).get(v).simd(simdF32x4Mul).simd(simdF32x4Add).set(acc1)
	c.get(p).i32c(12).op(opI32Add).set(p)
	c.get(n).i32c(1).op(opI32Sub).set(n)
	c.br(0).end().end()
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
	c.arg(0).set(a)
	c.arg(8).set(b0)
	c.arg(16).set(b1)
	c.arg(24).set(k)
	c.v128zero().set(col0)
	c.v128zero().set(col1)
	c.block().loop()
	c.get(k).op(opI32Eqz).brIf(1)
	c.get(a).v128load(0).set(va)
	c.get(col0).get(va).get(b0).f32load(0).simd(simdF32x4Splat).simd(simdF32x4Mul).simd(simdF32x4Add).set(col0)
	c.get(col1).get(va).get(b1).f32load(0).simd(simdF32x4Splat).simd(simdF32x4Mul).simd(simdF32x4Add).set(col1)
	c.get(a).i32c(16).op(opI32Add).set(a)
	c.get(b0).i32c(4).op(opI32Add).set(b0)
	c.get(b1).i32c(4).op(opI32Add).set(b1)
	c.get(k).i32c(1).op(opI32Sub).set(k)
	c.br(0).end().end()
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

// widen4 turns the 4 bytes at the address on the stack into two i64x2
// vectors (bytes 0,1 and 2,3, zero-extended), stored in lo and hi.
func widen4(c *code, lo, hi uint64) {
	c.simd(simdV128Load32Zero).mem(0, 0)
	c.simd(simdI16x8ExtLowU).simd(simdI32x4ExtLowU).set(hi)
	c.get(hi).simd(simdI64x2ExtLowU).set(lo)
	c.get(hi).simd(simdI64x2ExtHighU).set(hi)
}

// dotTaps8: func dotTaps8asm(taps *Tap8, n int, s *uint8, acc *[4]int64)
//
//	acc[c] = sum_i taps[i].W * int64(s[taps[i].Off + c])   (wrapping int64)
func dotTaps8() []byte {
	const (
		p, n, s, acc01, acc23, lo, hi, w = 1, 2, 3, 4, 5, 6, 7, 8
	)
	c := &code{}
	c.arg(0).set(p)
	c.arg(8).set(n)
	c.arg(16).set(s)
	c.v128zero().set(acc01)
	c.v128zero().set(acc23)
	c.block().loop()
	c.get(n).op(opI32Eqz).brIf(1)
	c.get(s).get(p).i32load(0).op(opI32Add)
	widen4(c, lo, hi)
	c.get(p).i64load(8).simd(simdI64x2Splat).set(w)
	c.get(acc01).get(w).get(lo).simd(simdI64x2Mul).simd(simdI64x2Add).set(acc01)
	c.get(acc23).get(w).get(hi).simd(simdI64x2Mul).simd(simdI64x2Add).set(acc23)
	c.get(p).i32c(16).op(opI32Add).set(p)
	c.get(n).i32c(1).op(opI32Sub).set(n)
	c.br(0).end().end()
	c.arg(24).get(acc01).v128store(0)
	c.arg(24).get(acc23).v128store(16)
	c.goReturn()
	return function([]byte{i32, i32, i32, v128, v128, v128, v128, v128}, c)
}

// dotPair4x2: func dotPair4x2asm(w *[2]int64, b0, b1 *uint8, k int, acc *[4]int64)
//
//	acc[j*2+c] = sum_i w[i][j] * int64(b_c[i])
//
// Per step: x = (b0[i], b1[i]) as i64x2; acc[0:2] += w[i][0]*x, acc[2:4] += w[i][1]*x.
func dotPair4x2() []byte {
	const (
		w, b0, b1, k, acc0, acc1, x = 1, 2, 3, 4, 5, 6, 7
	)
	c := &code{}
	c.arg(0).set(w)
	c.arg(8).set(b0)
	c.arg(16).set(b1)
	c.arg(24).set(k)
	c.v128zero().set(acc0)
	c.v128zero().set(acc1)
	c.block().loop()
	c.get(k).op(opI32Eqz).brIf(1)
	// x = i64x2(b0[i], b1[i]): splat b0[i], then replace lane 1 with b1[i].
	c.get(b0).op(0x31).mem(0, 0).simd(simdI64x2Splat) // i64.load8_u
	c.get(b1).op(0x31).mem(0, 0).simd(simdI64x2ReplaceLane).op(1).set(x)
	c.get(acc0).get(w).i64load(0).simd(simdI64x2Splat).get(x).simd(simdI64x2Mul).simd(simdI64x2Add).set(acc0)
	c.get(acc1).get(w).i64load(8).simd(simdI64x2Splat).get(x).simd(simdI64x2Mul).simd(simdI64x2Add).set(acc1)
	c.get(w).i32c(16).op(opI32Add).set(w)
	c.get(b0).i32c(1).op(opI32Add).set(b0)
	c.get(b1).i32c(1).op(opI32Add).set(b1)
	c.get(k).i32c(1).op(opI32Sub).set(k)
	c.br(0).end().end()
	c.arg(32).get(acc0).v128store(0)
	c.arg(32).get(acc1).v128store(16)
	c.goReturn()
	return function([]byte{i32, i32, i32, i32, v128, v128, v128}, c)
}
