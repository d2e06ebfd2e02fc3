// Hand-written WebAssembly for the inner loops of the direct convolution and
// the packed products, float32 and int8 (two int32 lanes per int64,
// gemm8.go). The same loops compiled by Go's wasm backend run at ~0.85
// GMAC/s: every iteration goes through the function's block dispatcher,
// addresses are computed in i64 and wrapped per load, and the bounds checks
// stay. Written directly they run at ~2 GMAC/s in node. References:
// dot2x4Go, dot4x2Go, dotTaps8Go, dotPair4x2Go (dot.go); kern's TestDot*
// check them bit for bit. The macros below are the steps the four loops
// share (go tool asm -S shows what they expand to).

#include "textflag.h"

// Scalar steps on the operand stack. The loads and stores address p's low
// 32 bits (Go's wasm pointers are i64).
#define LOADF(p, off, r) Get p; I32WrapI64; F32Load $off; Set r
#define LOADI(p, off, r) Get p; I32WrapI64; I64Load $off; Set r
#define LOADU8(p, off, r) Get p; I32WrapI64; I64Load8U $off; Set r
#define STOREF(p, off, r) Get p; I32WrapI64; Get r; F32Store $off
#define STOREI(p, off, r) Get p; I32WrapI64; Get r; I64Store $off
#define ADDI(r, n) Get r; I64Const $n; I64Add; Set r

// acc += a*b: one multiply, then one add (no fused multiply-add in
// WebAssembly, so the float32 sums are those of the Go loops).
#define MACF(acc, a, b) Get acc; Get a; Get b; F32Mul; F32Add; Set acc
#define MACI(acc, a, b) Get acc; Get a; Get b; I64Mul; I64Add; Set acc

// acc += a*p[off] for a uint8 p[off] read in place.
#define MACU8(acc, a, p, off) Get acc; Get a; Get p; I32WrapI64; I64Load8U $off; I64Mul; I64Add; Set acc

// The accumulators: F0..F7 (float32 kernels) or R4..R7 (int64 kernels),
// zeroed at the start and stored to acc at the end.
#define ZERO8F F32Const $(0.0); Set F0; F32Const $(0.0); Set F1; F32Const $(0.0); Set F2; F32Const $(0.0); Set F3; F32Const $(0.0); Set F4; F32Const $(0.0); Set F5; F32Const $(0.0); Set F6; F32Const $(0.0); Set F7
#define STORE8F(p) STOREF(p, 0, F0); STOREF(p, 4, F1); STOREF(p, 8, F2); STOREF(p, 12, F3); STOREF(p, 16, F4); STOREF(p, 20, F5); STOREF(p, 24, F6); STOREF(p, 28, F7)
#define ZERO4I I64Const $0; Set R4; I64Const $0; Set R5; I64Const $0; Set R6; I64Const $0; Set R7
#define STORE4I(p) STOREI(p, 0, R4); STOREI(p, 8, R5); STOREI(p, 16, R6); STOREI(p, 24, R7)

// The return: acc (the argument at off, held in register p) gets the
// accumulators.
#define RETURN8F(off, p) MOVD acc+off(FP), p; STORE8F(p); RET
#define RETURN4I(off, p) MOVD acc+off(FP), p; STORE4I(p); RET

// The arguments: the packed products' (a or w, b0, b1, k) in R0..R3, the
// taps kernels' (taps, n, s) in R0..R2.
#define PRODARGS(a) MOVD a+0(FP), R0; MOVD b0+8(FP), R1; MOVD b1+16(FP), R2; MOVD k+24(FP), R3
#define TAPARGS MOVD taps+0(FP), R0; MOVD n+8(FP), R1; MOVD s+16(FP), R2

// LOOP(n) ... NEXT(n): the body runs n times (n counts down to 0).
#define LOOP(n) Block; Loop; Get n; I64Eqz; BrIf $1
#define NEXT(n) Get n; I64Const $1; I64Sub; Set n; Br $0; End; End

// func dot2x4asm(taps *TapF, n int, s *float32, acc *[8]float32)
//
//	acc[r*4+c] = sum_{i<n} taps[i].W[r] * s[taps[i].Off + c]   (r < 2, c < 4)
//
// in the order of dot2x4Go. The caller guarantees that every s[Off+c] is
// inside its slice. A tap is 12 bytes: Off (int32), W[0], W[1].
TEXT ·dot2x4asm(SB), NOSPLIT, $0-32
	TAPARGS
	ZERO8F
	LOOP(R1)
		// R3 = s + 4*off
		Get R0; I32WrapI64; I64Load32S $0; I64Const $2; I64Shl; Get R2; I64Add; Set R3
		LOADF(R0, 4, F8)
		LOADF(R0, 8, F9)
		LOADF(R3, 0, F10); LOADF(R3, 4, F11); LOADF(R3, 8, F12); LOADF(R3, 12, F13)
		MACF(F0, F8, F10); MACF(F1, F8, F11); MACF(F2, F8, F12); MACF(F3, F8, F13)
		MACF(F4, F9, F10); MACF(F5, F9, F11); MACF(F6, F9, F12); MACF(F7, F9, F13)
		ADDI(R0, 12)
	NEXT(R1)
	RETURN8F(24, R4)

// func dot4x2asm(a *[4]float32, b0, b1 *float32, k int, acc *[8]float32)
//
//	acc[r*2+c] = sum_{i<k} a[i][r] * b_c[i]   (r < 4, c < 2)
//
// the inner loop of GemmP in the order of dot4x2Go. The caller guarantees
// that a has k rows and b0, b1 k values.
TEXT ·dot4x2asm(SB), NOSPLIT, $0-40
	PRODARGS(a)
	ZERO8F
	LOOP(R3)
		LOADF(R0, 0, F8); LOADF(R0, 4, F9); LOADF(R0, 8, F10); LOADF(R0, 12, F11)
		LOADF(R1, 0, F12)
		LOADF(R2, 0, F13)
		MACF(F0, F8, F12); MACF(F1, F8, F13); MACF(F2, F9, F12); MACF(F3, F9, F13)
		MACF(F4, F10, F12); MACF(F5, F10, F13); MACF(F6, F11, F12); MACF(F7, F11, F13)
		ADDI(R0, 16); ADDI(R1, 4); ADDI(R2, 4)
	NEXT(R3)
	RETURN8F(32, R4)

// func dotTaps8asm(taps *Tap8, n int, s *uint8, acc *[4]int64)
//
//	acc[c] = sum_{i<n} taps[i].W * int64(s[taps[i].Off + c])   (c < 4)
//
// the inner loop of ConvTaps8 for uint8 activations, as dotTaps8Go. The
// caller guarantees the reads are in bounds. A tap is 16 bytes: Off, W.
TEXT ·dotTaps8asm(SB), NOSPLIT, $0-32
	TAPARGS
	ZERO4I
	LOOP(R1)
		// R3 = s + off
		Get R0; I32WrapI64; I64Load $0; Get R2; I64Add; Set R3
		LOADI(R0, 8, R8)
		MACU8(R4, R8, R3, 0); MACU8(R5, R8, R3, 1); MACU8(R6, R8, R3, 2); MACU8(R7, R8, R3, 3)
		ADDI(R0, 16)
	NEXT(R1)
	RETURN4I(24, R9)

// func dotPair4x2asm(w *[2]int64, b0, b1 *uint8, k int, acc *[4]int64)
//
//	acc[j*2+c] = sum_{i<k} w[i][j] * int64(b_c[i])   (j, c < 2)
//
// the inner loop of GemmPair for uint8 activations, as dotPair4x2Go.
TEXT ·dotPair4x2asm(SB), NOSPLIT, $0-40
	PRODARGS(w)
	ZERO4I
	LOOP(R3)
		LOADI(R0, 0, R8); LOADI(R0, 8, R9)
		LOADU8(R1, 0, R10)
		LOADU8(R2, 0, R11)
		MACI(R4, R8, R10); MACI(R5, R8, R11); MACI(R6, R9, R10); MACI(R7, R9, R11)
		ADDI(R0, 16); ADDI(R1, 1); ADDI(R2, 1)
	NEXT(R3)
	RETURN4I(32, R12)
