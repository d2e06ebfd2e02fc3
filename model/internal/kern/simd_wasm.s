// kern.SIMD's flag (dot_asm.go).

#include "textflag.h"

// func simdAsm() int
//
// Returns 0: these are the scalar kernels. The SIMD pass
// (model/internal/kern/simdgen) replaces this body with one returning 1.
TEXT ·simdAsm(SB), NOSPLIT, $0-8
	MOVD $0, ret+0(FP)
	RET
