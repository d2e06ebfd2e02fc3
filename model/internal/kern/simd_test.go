package kern

import (
	"os"
	"testing"
)

// TestKernelsAsRequested: the test binary runs the kernels its harness says
// (I2M2_KERNELS=simd or scalar, set by scripts/go-simd-exec), so a pass
// that silently left the scalar bodies in place fails here; the other tests
// of this package then check those kernels against their Go definitions.
func TestKernelsAsRequested(t *testing.T) {
	want := os.Getenv("I2M2_KERNELS")
	if want == "" {
		t.Skip("I2M2_KERNELS not set (run by scripts/go-simd-exec)")
	}
	if got := map[bool]string{true: "simd", false: "scalar"}[SIMD()]; got != want {
		t.Fatalf("kernels: %s, the harness asked for %s", got, want)
	}
}
