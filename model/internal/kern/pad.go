package kern

// padRowsF is padRowsFGo; the SIMD build (model/internal/kern/simdgen)
// replaces its body with one moving 4 floats per 128-bit load and store.
// Pad calls it once per channel: copy's call per row of a few values cost
// more than the moves (Pad was 5-9% of a batch in wasm). The caller checks
// the bounds: the replacement does not.
//
//go:noinline
func padRowsF(dst []float32, ds int, src []float32, w, n int) { padRowsFGo(dst, ds, src, w, n) }

// padRowsFGo copies n rows of w values from src (back to back) to dst, rows
// ds apart:
//
//	dst[i*ds + x] = src[i*w + x]   (i < n, x < w)
func padRowsFGo(dst []float32, ds int, src []float32, w, n int) {
	for i := 0; i < n; i++ {
		copy(dst[i*ds:][:w], src[i*w:][:w])
	}
}

// padF is Pad's interior for float32 (dst cleared): padRowsF per channel.
func padF(dst, src []float32, c, h, w, p int) {
	hp, wp := h+2*p, w+2*p
	if h == 0 || w == 0 {
		return
	}
	for ci := 0; ci < c; ci++ {
		padRowsF(dst[(ci*hp+p)*wp+p:][:(h-1)*wp+w], wp, src[ci*h*w:][:h*w], w, h)
	}
}
