//go:build js && wasm

package main

import (
	"syscall/js"

	"github.com/i2m2-wasm/i2m2/internal/errfmt"
	"github.com/i2m2-wasm/i2m2/internal/limits"
	"github.com/i2m2-wasm/i2m2/internal/sha256"
	"github.com/i2m2-wasm/i2m2/model"
)

// readModel reads the model file b and returns it with the file's sha256
// (hex). sums, load's third argument, may hold that digest (file) and the
// sha256 of the file without its last 32 bytes (content: what its checksum
// covers, model/FORMAT.md "Layout"), both as hex: i2m2.load.mjs computes
// them natively with crypto.subtle, while a fresh engine runs its first
// calls on V8's baseline code, where hashing the file cost about as much as
// the rest of model.Read. Without both, the engine hashes the file and its
// content here, in one pass, and uses its own digests; either way the file is
// hashed once. A content digest that is not the content's hash fails as a
// corrupt file does (model.ReadWithBudget).
func readModel(b []byte, sums js.Value) (*model.Model, string, error) {
	digest, content := "", ""
	if sums.Type() == js.TypeObject {
		digest, content = hexField(sums, "file"), hexField(sums, "content")
	}
	if digest != "" && content != "" {
		m, err := model.ReadWithBudget(b, limits.BudgetOps, limits.BudgetBytes, unhex32(content)) // Read's budget
		return m, digest, err
	}
	if len(b) < sha256.Size {
		m, err := model.Read(b) // shorter than a checksum: Read says what is wrong
		return m, "", err
	}
	pre, all := sha256.Sum256Prefix(b, len(b)-sha256.Size)
	m, err := model.ReadWithBudget(b, limits.BudgetOps, limits.BudgetBytes, pre)
	return m, errfmt.Hex(all[:]), err
}

// hexField returns v[key] when it is 64 hex digits (a sha256), else "".
func hexField(v js.Value, key string) string {
	f := v.Get(key)
	if f.Type() != js.TypeString {
		return ""
	}
	s := f.String()
	if len(s) != 2*sha256.Size {
		return ""
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9') && !(c|0x20 >= 'a' && c|0x20 <= 'f') {
			return ""
		}
	}
	return s
}

// unhex32 decodes the 64 hex digits hexField accepted.
func unhex32(s string) [sha256.Size]byte {
	var out [sha256.Size]byte
	for i := range out {
		out[i] = nibble(s[2*i])<<4 | nibble(s[2*i+1])
	}
	return out
}

func nibble(c byte) byte {
	if c <= '9' {
		return c - '0'
	}
	return c | 0x20 - 'a' + 10
}
