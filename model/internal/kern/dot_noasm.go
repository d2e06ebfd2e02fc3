//go:build !wasm

package kern

// HaveAsm reports whether dot2x4 is hand-written assembly on this platform.
const HaveAsm = false

// SIMD reports whether the kernels run WebAssembly SIMD bodies (wasm only).
func SIMD() bool { return false }

func dot2x4(taps []TapF, s []float32, acc *[8]float32) { dot2x4Go(taps, s, acc) }

func dot4x2(a [][4]float32, b0, b1 []float32, acc *[8]float32) { dot4x2Go(a, b0, b1, acc) }

func dotTaps8u(taps []Tap8, s []uint8) [4]int64 { return dotTaps8Go(taps, s) }

func dotPair4x2u(w [][2]int64, b0, b1 []uint8) [4]int64 { return dotPair4x2Go(w, b0, b1) }
