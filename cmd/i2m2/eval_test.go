package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/i2m2-wasm/i2m2/dataset"
	"github.com/i2m2-wasm/i2m2/model"
	"github.com/i2m2-wasm/i2m2/train"
)

type manifestFile struct {
	File         string `json:"file"`
	Bytes        int    `json:"bytes"`
	SHA256       string `json:"sha256"`
	Quantization string `json:"quantization"`
	Default      bool   `json:"default"`
}

// checkManifest verifies that every file listed in dir/manifest.json has the
// listed size and sha256, reads as a model of the listed quantisation, and
// that exactly one model is the default (int8).
func checkManifest(t *testing.T, dir string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var mf struct {
		Models    []manifestFile `json:"models"`
		Baselines []manifestFile `json:"baselines"`
		Results   map[string]any `json:"results"`
	}
	if err := json.Unmarshal(b, &mf); err != nil {
		t.Fatalf("manifest.json: %v", err)
	}
	defaults := 0
	for _, f := range append(mf.Models, mf.Baselines...) {
		data, err := os.ReadFile(filepath.Join(dir, f.File))
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(data)
		if len(data) != f.Bytes || hex.EncodeToString(sum[:]) != f.SHA256 {
			t.Errorf("%s: %d bytes sha256 %x, manifest says %d bytes sha256 %s", f.File, len(data), sum, f.Bytes, f.SHA256)
		}
		m, err := model.Read(data)
		if err != nil {
			t.Errorf("%s: %v", f.File, err)
			continue
		}
		if m.Quantization.String() != f.Quantization {
			t.Errorf("%s: quantization %v, manifest says %s", f.File, m.Quantization, f.Quantization)
		}
		if f.Default {
			defaults++
			if f.Quantization != "int8" {
				t.Errorf("default model %s is %s, want int8", f.File, f.Quantization)
			}
		}
	}
	if defaults != 1 || len(mf.Models) != 2 {
		t.Errorf("%d models, %d defaults; want 2 models (int8 default, float32)", len(mf.Models), defaults)
	}
	for _, k := range []string{"image_only", "audio_only", "intra_only", "inter_only", "i2m2", "i2m2_int8", "experts"} {
		if _, ok := mf.Results[k]; !ok {
			t.Errorf("manifest results: no %q", k)
		}
	}
}

// TestShippedManifest checks weights/manifest.json against the committed files.
func TestShippedManifest(t *testing.T) {
	if _, err := os.Stat("../../weights/manifest.json"); err != nil {
		t.Skip("no weights/manifest.json yet")
	}
	checkManifest(t, "../../weights")
}

// TestReport runs the report on two tiny synthetic runs and checks what it
// writes: the shipped files match the manifest, the tables exist, and the
// int8 model's test accuracy is reported beside the float32 one.
func TestReport(t *testing.T) {
	tmp := t.TempDir()
	tr, va, te := train.Synthetic(120, 1), train.Synthetic(60, 2), train.Synthetic(60, 3)
	var dirs []string
	for _, seed := range []uint64{1, 2} {
		run, err := train.Pipeline(tr, va, train.PaperRecipe(seed, 1, 1, 1), "synthetic")
		if err != nil {
			t.Fatal(err)
		}
		d := filepath.Join(tmp, fmt.Sprint("seed", seed))
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, n := range train.ModelNames {
			b, err := run.Models[n].MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(d, n+".i2m2"), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		h, err := json.Marshal(struct {
			*train.Run
			Recipe train.Recipe `json:"recipe"`
		}{run, train.PaperRecipe(seed, 1, 1, 1)})
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, "history.json"), h, 0o644); err != nil {
			t.Fatal(err)
		}
		dirs = append(dirs, d)
	}
	w, r := filepath.Join(tmp, "weights"), filepath.Join(tmp, "results")
	if err := os.MkdirAll(w, 0o755); err != nil {
		t.Fatal(err)
	}
	split := &dataset.Split{Name: "test", N: te.N, Voices: make([]string, te.N)}
	if err := report(dirs, te, split, w, r, t.TempDir(), 0); err != nil {
		t.Fatal(err)
	}
	checkManifest(t, w)
	for _, f := range []string{"results.md", "shuffle.md", "quantization.md"} {
		if st, err := os.Stat(filepath.Join(r, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s: missing or empty (%v)", f, err)
		}
	}
}
