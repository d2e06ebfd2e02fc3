package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/i2m2-wasm/i2m2/model"
	"github.com/i2m2-wasm/i2m2/onnx"
)

func TestExportONNXCommand(t *testing.T) {
	dir := t.TempDir()
	in, out := filepath.Join(dir, "m.i2m2"), filepath.Join(dir, "m.onnx")
	b := writeRandomModel(t, in, 3)
	if err := runExportONNX([]string{"--model", in, "--out", out}); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	rm, err := model.Read(b) // as the command reads it (with its digest)
	if err != nil {
		t.Fatal(err)
	}
	want, err := onnx.Export(rm)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("export-onnx wrote %d bytes, onnx.Export gives %d", len(got), len(want))
	}

	// Bad invocations and files fail with an error, never a crash.
	bad := filepath.Join(dir, "bad.i2m2")
	if err := os.WriteFile(bad, b[:100], 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"--model", in},                     // no --out
		{"--model", bad, "--out", out},      // truncated model
		{"--model", in + "x", "--out", out}, // missing file
	} {
		if err := runExportONNX(args); err == nil {
			t.Errorf("export-onnx %v: no error", args)
		}
	}
}
