package sha256

import (
	std "crypto/sha256"
	"math/rand/v2"
	"testing"
)

// TestLikeCrypto: the same digest as crypto/sha256 for every length up to
// 300 bytes (all the padding cases) and a few large inputs.
func TestLikeCrypto(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for n := 0; n <= 300; n++ {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		if Sum256(b) != std.Sum256(b) {
			t.Fatalf("length %d differs", n)
		}
	}
	for _, n := range []int{4096, 123360, 1 << 20} {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		if Sum256(b) != std.Sum256(b) {
			t.Fatalf("length %d differs", n)
		}
	}
}

func FuzzSum256(f *testing.F) {
	f.Add([]byte("abc"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if Sum256(b) != std.Sum256(b) {
			t.Fatalf("%x differs", b)
		}
	})
}
