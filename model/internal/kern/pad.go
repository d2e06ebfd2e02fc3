package kern

// padRowsF is padRowsGo for float32; the SIMD build
// (model/internal/kern/simdgen) replaces its body with one moving 4 floats
// per 128-bit load and store. Pad calls it once per channel: copy's call per
// row of a few values cost more than the moves (Pad was 5-9% of a batch in
// wasm). The caller checks the bounds: the replacement does not.
//
//go:noinline
func padRowsF(dst []float32, ds int, src []float32, w, n int) { padRowsGo(dst, ds, src, w, n) }

// padRowsGo copies n rows of w values from src (back to back) to dst, rows
// ds apart:
//
//	dst[i*ds + x] = src[i*w + x]   (i < n, x < w)
func padRowsGo[T float32 | int8 | uint8](dst []T, ds int, src []T, w, n int) {
	for i := 0; i < n; i++ {
		copy(dst[i*ds:][:w], src[i*w:][:w])
	}
}
