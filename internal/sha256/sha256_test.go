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

// TestPrefixLikeCrypto: Sum256Prefix gives crypto/sha256's digests of the
// prefix and of the whole for every split of inputs up to 200 bytes (every
// position of the split within a block and across the padding cases) and at
// a model file's split (all but the last 32 bytes) of a large input.
func TestPrefixLikeCrypto(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	check := func(b []byte, n int) {
		t.Helper()
		p, a := Sum256Prefix(b, n)
		if p != std.Sum256(b[:n]) || a != std.Sum256(b) {
			t.Fatalf("length %d split at %d differs", len(b), n)
		}
	}
	for l := 0; l <= 200; l++ {
		b := make([]byte, l)
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		for n := 0; n <= l; n++ {
			check(b, n)
		}
	}
	b := make([]byte, 123360)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	check(b, len(b)-32)
}

func FuzzSum256(f *testing.F) {
	f.Add([]byte("abc"), uint16(1))
	f.Fuzz(func(t *testing.T, b []byte, split uint16) {
		if Sum256(b) != std.Sum256(b) {
			t.Fatalf("%x differs", b)
		}
		n := int(split) % (len(b) + 1)
		if p, a := Sum256Prefix(b, n); p != std.Sum256(b[:n]) || a != std.Sum256(b) {
			t.Fatalf("%x split at %d differs", b, n)
		}
	})
}
