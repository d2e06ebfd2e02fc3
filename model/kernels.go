package model

import "github.com/i2m2-wasm/i2m2/model/internal/kern"

// kernels names the inner loops this binary runs (Description.Kernels): "simd"
// where the build's post-link pass (model/internal/kern/simdgen) gave them
// 128-bit WebAssembly SIMD bodies, else "scalar". Both compute the same sums in
// the same order.
func kernels() string {
	if kern.SIMD() {
		return "simd"
	}
	return "scalar"
}
