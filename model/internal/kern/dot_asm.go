//go:build wasm

package kern

// HaveAsm reports whether dot2x4 is hand-written assembly on this platform.
const HaveAsm = true

//go:noescape
func dot2x4asm(taps *TapF, n int, s *float32, acc *[8]float32)

// dot2x4 is dot2x4Go in WebAssembly (dot_wasm.s). len(taps) >= 1 and the
// reads s[Off+c] must be in bounds (ConvTapsF checks).
func dot2x4(taps []TapF, s []float32, acc *[8]float32) {
	dot2x4asm(&taps[0], len(taps), &s[0], acc)
}
