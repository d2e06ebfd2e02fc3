// Package sha256 is SHA-256 (FIPS 180-4) in plain Go for the browser engine:
// crypto/sha256 goes through the FIPS 140 module, which links AES, SHA-3,
// HMAC, SHA-512 and a DRBG for its self-tests (~110 KB of the engine's wasm
// code; bench/README.md, "Size of the engine in wasm"). Tested against
// crypto/sha256.
package sha256

import (
	"encoding/binary"
	"math/bits"
)

// Size is the length of a digest in bytes.
const Size = 32

var k = [64]uint32{
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
}

// Sum256 returns the SHA-256 digest of data.
func Sum256(data []byte) [Size]byte {
	h := iv
	n := len(data) / 64 * 64
	blocks(&h, data[:n])
	return finish(h, data[n:], len(data))
}

// Sum256Prefix returns the SHA-256 digests of data[:n] and of data, in one
// pass over data (a model file's checksum covers all but its last 32 bytes,
// model/FORMAT.md "Layout"; its identity is the hash of the whole file).
func Sum256Prefix(data []byte, n int) (prefix, all [Size]byte) {
	h := iv
	m := n / 64 * 64
	blocks(&h, data[:m])
	prefix = finish(h, data[m:n], n)
	k := len(data) / 64 * 64
	blocks(&h, data[m:k])
	return prefix, finish(h, data[k:], len(data))
}

var iv = [8]uint32{0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19}

// finish returns the digest of a message of length n whose whole blocks
// before rest (fewer than 64 bytes) left the state h.
func finish(h [8]uint32, rest []byte, n int) [Size]byte {
	// The last one or two blocks: the rest, 0x80, zeros, the length in bits.
	var tail [128]byte
	r := copy(tail[:], rest)
	tail[r] = 0x80
	t := 64
	if r >= 56 {
		t = 128
	}
	binary.BigEndian.PutUint64(tail[t-8:], uint64(n)*8)
	blocks(&h, tail[:t])
	var out [Size]byte
	for i, v := range h {
		binary.BigEndian.PutUint32(out[4*i:], v)
	}
	return out
}

// blocks runs the compression function over p (whole 64-byte blocks).
func blocks(hp *[8]uint32, p []byte) {
	var w [64]uint32
	h0, h1, h2, h3, h4, h5, h6, h7 := hp[0], hp[1], hp[2], hp[3], hp[4], hp[5], hp[6], hp[7]
	for len(p) >= 64 {
		a, b, c, d, e, f, g, h := h0, h1, h2, h3, h4, h5, h6, h7
		for i := range 64 {
			if i < 16 {
				j := 4 * i
				w[i] = uint32(p[j])<<24 | uint32(p[j+1])<<16 | uint32(p[j+2])<<8 | uint32(p[j+3])
			} else {
				v1, v2 := w[i-2], w[i-15]
				s1 := bits.RotateLeft32(v1, -17) ^ bits.RotateLeft32(v1, -19) ^ v1>>10
				s0 := bits.RotateLeft32(v2, -7) ^ bits.RotateLeft32(v2, -18) ^ v2>>3
				w[i] = s1 + w[i-7] + s0 + w[i-16]
			}
			t1 := h + (bits.RotateLeft32(e, -6) ^ bits.RotateLeft32(e, -11) ^ bits.RotateLeft32(e, -25)) + (e&f ^ ^e&g) + k[i] + w[i]
			t2 := (bits.RotateLeft32(a, -2) ^ bits.RotateLeft32(a, -13) ^ bits.RotateLeft32(a, -22)) + (a&b ^ a&c ^ b&c)
			h = g
			g = f
			f = e
			e = d + t1
			d = c
			c = b
			b = a
			a = t1 + t2
		}
		h0 += a
		h1 += b
		h2 += c
		h3 += d
		h4 += e
		h5 += f
		h6 += g
		h7 += h
		p = p[64:]
	}
	*hp = [8]uint32{h0, h1, h2, h3, h4, h5, h6, h7}
}
