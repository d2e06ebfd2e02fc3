//go:build js && wasm

package main

import (
	"errors"
	"os"
	"syscall/js"
	"testing"

	"github.com/i2m2-wasm/i2m2/internal/errfmt"
	"github.com/i2m2-wasm/i2m2/internal/sha256"
	"github.com/i2m2-wasm/i2m2/model"
)

// TestReadModelSums: load's digests change who hashes, nothing else: with
// none, with both and with one the model and the file's digest are the
// same; a content digest that is not the content's hash fails as a corrupt
// file does; digests that are not 64 hex digits are ignored.
func TestReadModelSums(t *testing.T) {
	b, err := os.ReadFile("../model/testdata/tiny-int8.i2m2")
	if err != nil {
		t.Fatal(err)
	}
	all, content := sha256.Sum256(b), sha256.Sum256(b[:len(b)-sha256.Size])
	file, cont := errfmt.Hex(all[:]), errfmt.Hex(content[:])
	sums := func(kv ...string) js.Value {
		o := jsObject.New()
		for i := 0; i < len(kv); i += 2 {
			o.Set(kv[i], kv[i+1])
		}
		return o
	}
	want, err := model.Read(b)
	if err != nil {
		t.Fatal(err)
	}
	for what, s := range map[string]js.Value{
		"none": js.Undefined(), "both": sums("file", file, "content", cont), "file only": sums("file", file),
		"content only": sums("content", cont), "not hex": sums("file", "xyz", "content", cont[:63]+"g"),
		// Alone, a digest is not used: the engine hashes the file and reports its own.
		"a wrong file digest alone": sums("file", cont), "a wrong content digest alone": sums("content", file),
	} {
		m, digest, err := readModel(b, s)
		if err != nil || digest != file || m.Digest != want.Digest {
			t.Errorf("%s: %v, digest %s (want %s), model digest %s (want %s)", what, err, digest, file, m.Digest, want.Digest)
		}
	}
	bad := content
	bad[0] ^= 1
	if _, _, err := readModel(b, sums("file", file, "content", errfmt.Hex(bad[:]))); !errors.Is(err, model.ErrFormat) {
		t.Errorf("a wrong content digest: %v, want a format error", err)
	}
}
