// Hand-written WebAssembly for the inner loop of the float32 direct
// convolution (issue 7). The same loop compiled by Go's wasm backend runs at
// ~0.85 GMAC/s: every iteration goes through the function's block
// dispatcher, addresses are computed in i64 and wrapped per load, and the
// bounds checks stay. Written directly it runs at ~2 GMAC/s in node.
// Reference: dot2x4Go (dot.go); TestDot2x4 checks them bit for bit.

#include "textflag.h"

// func dot2x4(taps *TapF, n int, s *float32, acc *[8]float32)
//
//	acc[r*4+c] = sum_{i<n} taps[i].W[r] * s[taps[i].Off + c]   (r < 2, c < 4)
//
// in the order of dot2x4Go (one float32 multiply and add per term). The
// caller guarantees that every s[Off+c] is inside its slice.
TEXT ·dot2x4asm(SB), NOSPLIT, $0-32
	MOVD taps+0(FP), R0
	MOVD n+8(FP), R1
	MOVD s+16(FP), R2
	F32Const $(0.0)
	Set F0
	F32Const $(0.0)
	Set F1
	F32Const $(0.0)
	Set F2
	F32Const $(0.0)
	Set F3
	F32Const $(0.0)
	Set F4
	F32Const $(0.0)
	Set F5
	F32Const $(0.0)
	Set F6
	F32Const $(0.0)
	Set F7
	Block
	Loop
		Get R1
		I64Eqz
		BrIf $1

		// R3 = s + 4*off
		Get R0
		I32WrapI64
		I64Load32S $0
		I64Const $2
		I64Shl
		Get R2
		I64Add
		Set R3

		Get R0
		I32WrapI64
		F32Load $4
		Set F8
		Get R0
		I32WrapI64
		F32Load $8
		Set F9

		Get R3
		I32WrapI64
		F32Load $0
		Set F10
		Get R3
		I32WrapI64
		F32Load $4
		Set F11
		Get R3
		I32WrapI64
		F32Load $8
		Set F12
		Get R3
		I32WrapI64
		F32Load $12
		Set F13

		Get F0
		Get F8
		Get F10
		F32Mul
		F32Add
		Set F0
		Get F1
		Get F8
		Get F11
		F32Mul
		F32Add
		Set F1
		Get F2
		Get F8
		Get F12
		F32Mul
		F32Add
		Set F2
		Get F3
		Get F8
		Get F13
		F32Mul
		F32Add
		Set F3
		Get F4
		Get F9
		Get F10
		F32Mul
		F32Add
		Set F4
		Get F5
		Get F9
		Get F11
		F32Mul
		F32Add
		Set F5
		Get F6
		Get F9
		Get F12
		F32Mul
		F32Add
		Set F6
		Get F7
		Get F9
		Get F13
		F32Mul
		F32Add
		Set F7

		Get R0
		I64Const $12
		I64Add
		Set R0
		Get R1
		I64Const $1
		I64Sub
		Set R1
		Br $0
	End
	End

	MOVD acc+24(FP), R4
	Get R4
	I32WrapI64
	Get F0
	F32Store $0
	Get R4
	I32WrapI64
	Get F1
	F32Store $4
	Get R4
	I32WrapI64
	Get F2
	F32Store $8
	Get R4
	I32WrapI64
	Get F3
	F32Store $12
	Get R4
	I32WrapI64
	Get F4
	F32Store $16
	Get R4
	I32WrapI64
	Get F5
	F32Store $20
	Get R4
	I32WrapI64
	Get F6
	F32Store $24
	Get R4
	I32WrapI64
	Get F7
	F32Store $28
	RET

// func dot4x2asm(a *[4]float32, b0, b1 *float32, k int, acc *[8]float32)
//
//	acc[r*2+c] = sum_{i<k} a[i][r] * b_c[i]   (r < 4, c < 2)
//
// the inner loop of GemmP in the order of dot4x2Go. The caller guarantees
// that a has k rows and b0, b1 k values.
TEXT ·dot4x2asm(SB), NOSPLIT, $0-40
	MOVD a+0(FP), R0
	MOVD b0+8(FP), R1
	MOVD b1+16(FP), R2
	MOVD k+24(FP), R3
	F32Const $(0.0)
	Set F0
	F32Const $(0.0)
	Set F1
	F32Const $(0.0)
	Set F2
	F32Const $(0.0)
	Set F3
	F32Const $(0.0)
	Set F4
	F32Const $(0.0)
	Set F5
	F32Const $(0.0)
	Set F6
	F32Const $(0.0)
	Set F7
	Block
	Loop
		Get R3
		I64Eqz
		BrIf $1
		Get R0
		I32WrapI64
		F32Load $0
		Set F8
		Get R0
		I32WrapI64
		F32Load $4
		Set F9
		Get R0
		I32WrapI64
		F32Load $8
		Set F10
		Get R0
		I32WrapI64
		F32Load $12
		Set F11
		Get R1
		I32WrapI64
		F32Load $0
		Set F12
		Get R2
		I32WrapI64
		F32Load $0
		Set F13
		Get F0
		Get F8
		Get F12
		F32Mul
		F32Add
		Set F0
		Get F1
		Get F8
		Get F13
		F32Mul
		F32Add
		Set F1
		Get F2
		Get F9
		Get F12
		F32Mul
		F32Add
		Set F2
		Get F3
		Get F9
		Get F13
		F32Mul
		F32Add
		Set F3
		Get F4
		Get F10
		Get F12
		F32Mul
		F32Add
		Set F4
		Get F5
		Get F10
		Get F13
		F32Mul
		F32Add
		Set F5
		Get F6
		Get F11
		Get F12
		F32Mul
		F32Add
		Set F6
		Get F7
		Get F11
		Get F13
		F32Mul
		F32Add
		Set F7
		Get R0
		I64Const $16
		I64Add
		Set R0
		Get R1
		I64Const $4
		I64Add
		Set R1
		Get R2
		I64Const $4
		I64Add
		Set R2
		Get R3
		I64Const $1
		I64Sub
		Set R3
		Br $0
	End
	End
	MOVD acc+32(FP), R4
	Get R4
	I32WrapI64
	Get F0
	F32Store $0
	Get R4
	I32WrapI64
	Get F1
	F32Store $4
	Get R4
	I32WrapI64
	Get F2
	F32Store $8
	Get R4
	I32WrapI64
	Get F3
	F32Store $12
	Get R4
	I32WrapI64
	Get F4
	F32Store $16
	Get R4
	I32WrapI64
	Get F5
	F32Store $20
	Get R4
	I32WrapI64
	Get F6
	F32Store $24
	Get R4
	I32WrapI64
	Get F7
	F32Store $28
	RET

// func dotTaps8asm(taps *Tap8, n int, s *uint8, acc *[4]int64)
//
//	acc[c] = sum_{i<n} taps[i].W * int64(s[taps[i].Off + c])   (c < 4)
//
// the inner loop of ConvTaps8 for uint8 activations (two int32 lanes per
// int64, gemm8.go), as dotTaps8Go. The caller guarantees the reads are in
// bounds.
TEXT ·dotTaps8asm(SB), NOSPLIT, $0-32
	MOVD taps+0(FP), R0
	MOVD n+8(FP), R1
	MOVD s+16(FP), R2
	I64Const $0
	Set R4
	I64Const $0
	Set R5
	I64Const $0
	Set R6
	I64Const $0
	Set R7
	Block
	Loop
		Get R1
		I64Eqz
		BrIf $1
		Get R0
		I32WrapI64
		I64Load $0
		Get R2
		I64Add
		Set R3
		Get R0
		I32WrapI64
		I64Load $8
		Set R8
		Get R4
		Get R8
		Get R3
		I32WrapI64
		I64Load8U $0
		I64Mul
		I64Add
		Set R4
		Get R5
		Get R8
		Get R3
		I32WrapI64
		I64Load8U $1
		I64Mul
		I64Add
		Set R5
		Get R6
		Get R8
		Get R3
		I32WrapI64
		I64Load8U $2
		I64Mul
		I64Add
		Set R6
		Get R7
		Get R8
		Get R3
		I32WrapI64
		I64Load8U $3
		I64Mul
		I64Add
		Set R7
		Get R0
		I64Const $16
		I64Add
		Set R0
		Get R1
		I64Const $1
		I64Sub
		Set R1
		Br $0
	End
	End
	MOVD acc+24(FP), R9
	Get R9
	I32WrapI64
	Get R4
	I64Store $0
	Get R9
	I32WrapI64
	Get R5
	I64Store $8
	Get R9
	I32WrapI64
	Get R6
	I64Store $16
	Get R9
	I32WrapI64
	Get R7
	I64Store $24
	RET

// func dotPair4x2asm(w *[2]int64, b0, b1 *uint8, k int, acc *[4]int64)
//
//	acc[j*2+c] = sum_{i<k} w[i][j] * int64(b_c[i])   (j, c < 2)
//
// the inner loop of GemmPair for uint8 activations, as dotPair4x2Go.
TEXT ·dotPair4x2asm(SB), NOSPLIT, $0-40
	MOVD w+0(FP), R0
	MOVD b0+8(FP), R1
	MOVD b1+16(FP), R2
	MOVD k+24(FP), R3
	I64Const $0
	Set R4
	I64Const $0
	Set R5
	I64Const $0
	Set R6
	I64Const $0
	Set R7
	Block
	Loop
		Get R3
		I64Eqz
		BrIf $1
		Get R0
		I32WrapI64
		I64Load $0
		Set R8
		Get R0
		I32WrapI64
		I64Load $8
		Set R9
		Get R1
		I32WrapI64
		I64Load8U $0
		Set R10
		Get R2
		I32WrapI64
		I64Load8U $0
		Set R11
		Get R4
		Get R8
		Get R10
		I64Mul
		I64Add
		Set R4
		Get R5
		Get R8
		Get R11
		I64Mul
		I64Add
		Set R5
		Get R6
		Get R9
		Get R10
		I64Mul
		I64Add
		Set R6
		Get R7
		Get R9
		Get R11
		I64Mul
		I64Add
		Set R7
		Get R0
		I64Const $16
		I64Add
		Set R0
		Get R1
		I64Const $1
		I64Add
		Set R1
		Get R2
		I64Const $1
		I64Add
		Set R2
		Get R3
		I64Const $1
		I64Sub
		Set R3
		Br $0
	End
	End
	MOVD acc+32(FP), R12
	Get R12
	I32WrapI64
	Get R4
	I64Store $0
	Get R12
	I32WrapI64
	Get R5
	I64Store $8
	Get R12
	I32WrapI64
	Get R6
	I64Store $16
	Get R12
	I32WrapI64
	Get R7
	I64Store $24
	RET
