package main

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/i2m2-wasm/i2m2/internal/hostile"
	"github.com/i2m2-wasm/i2m2/model"
)

// TestPredictNonFinite: `i2m2 predict` on a model whose finite weights
// overflow float32 fails with ErrNonFinite naming the expert (it printed
// p=NaN before).
func TestPredictNonFinite(t *testing.T) {
	cs, err := hostile.Corpus(false)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "in.json")
	if err := os.WriteFile(in, []byte(`{"x":[`+strings.TrimSuffix(strings.Repeat("0.5,", 16), ",")+`]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range cs {
		if !c.NonFinite {
			continue
		}
		n++
		f := filepath.Join(dir, "m.i2m2")
		if err := os.WriteFile(f, c.File, 0o644); err != nil {
			t.Fatal(err)
		}
		for _, path := range []string{"reference", "float32"} {
			err := runPredict([]string{"-model", f, "-path", path, in})
			if !errors.Is(err, model.ErrNonFinite) || !strings.Contains(err.Error(), `expert "x"`) {
				t.Errorf("%s (%s): %v, want ErrNonFinite naming the expert", c.Name, path, err)
			}
		}
	}
	if n == 0 {
		t.Fatal("the corpus has no non-finite case")
	}
}

// TestServeIntegrity: `i2m2 serve` refuses at start a model that neither
// -sha256 nor the manifest vouches for.
func TestServeIntegrity(t *testing.T) {
	b, err := os.ReadFile("../../weights/avmnist-tts-int8.i2m2")
	if err != nil {
		t.Skip("no shipped model")
	}
	dir := t.TempDir()
	f := filepath.Join(dir, "m.i2m2")
	os.WriteFile(f, b, 0o644)
	os.WriteFile(filepath.Join(dir, "other.json"), []byte(`{"models":[]}`), 0o644)
	sum := sha256.Sum256(b)
	bad := strings.Repeat("0", 64)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-manifest", filepath.Join(dir, "missing.json")}, "cannot verify the model file"},
		{[]string{"-manifest", filepath.Join(dir, "other.json")}, "no entry"},
		{[]string{"-manifest", filepath.Join(dir, "missing.json"), "-sha256", bad}, "integrity check failed: the model file's sha256 is " + hex.EncodeToString(sum[:])},
	} {
		err := runServe(append([]string{"-model", f, "-addr", "127.0.0.1:0"}, c.args...))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("serve %v: %v, want %q", c.args, err, c.want)
		}
	}
}
