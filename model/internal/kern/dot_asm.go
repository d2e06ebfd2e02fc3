//go:build wasm

package kern

// HaveAsm reports whether dot2x4 is hand-written assembly on this platform.
const HaveAsm = true

func simdAsm() int

// SIMD reports whether the assembly kernels run 128-bit WebAssembly SIMD
// bodies: true in a binary rewritten by model/internal/kern/simdgen, which
// gives the functions of dot_wasm.s SIMD bodies with the same results.
func SIMD() bool { return simdAsm() != 0 }

//go:noescape
func dot2x4asm(taps *TapF, n int, s *float32, acc *[8]float32)

// dot2x4 is dot2x4Go in WebAssembly (dot_wasm.s). len(taps) >= 1 and the
// reads s[Off+c] must be in bounds (ConvTapsF checks).
func dot2x4(taps []TapF, s []float32, acc *[8]float32) {
	dot2x4asm(&taps[0], len(taps), &s[0], acc)
}

//go:noescape
func dot4x2asm(a *[4]float32, b0, b1 *float32, k int, acc *[8]float32)

// dot4x2 is dot4x2Go in WebAssembly (dot_wasm.s).
func dot4x2(a [][4]float32, b0, b1 []float32, acc *[8]float32) {
	if len(a) == 0 {
		*acc = [8]float32{}
		return
	}
	_ = b0[len(a)-1]
	_ = b1[len(a)-1]
	dot4x2asm(&a[0], &b0[0], &b1[0], len(a), acc)
}

//go:noescape
func dotTaps8asm(taps *Tap8, n int, s *uint8, acc *[4]int64)

//go:noescape
func dotPair4x2asm(w *[2]int64, b0, b1 *uint8, k int, acc *[4]int64)

// dotTaps8u is dotTaps8Go for uint8 activations, in WebAssembly. The reads
// must be in bounds (ConvTaps8 checks).
func dotTaps8u(taps []Tap8, s []uint8) [4]int64 {
	var acc [4]int64
	dotTaps8asm(&taps[0], len(taps), &s[0], &acc)
	return acc
}

// dotPair4x2u is dotPair4x2Go for uint8 activations, in WebAssembly.
func dotPair4x2u(w [][2]int64, b0, b1 []uint8) [4]int64 {
	var acc [4]int64
	if len(w) == 0 {
		return acc
	}
	_ = b0[len(w)-1]
	_ = b1[len(w)-1]
	dotPair4x2asm(&w[0], &b0[0], &b1[0], len(w), &acc)
	return acc
}
