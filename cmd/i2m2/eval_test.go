package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/i2m2-wasm/i2m2/dataset"
	"github.com/i2m2-wasm/i2m2/manifest"
	"github.com/i2m2-wasm/i2m2/model"
	"github.com/i2m2-wasm/i2m2/train"
)

// checkManifest verifies that every file listed in dir/manifest.json has the
// listed size and sha256, reads as a model of the listed quantisation, and
// that exactly one model is the default (int8).
func checkManifest(t *testing.T, dir string) {
	t.Helper()
	mf, err := manifest.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	defaults := 0
	for _, f := range append(mf.Models, mf.Baselines...) {
		data, err := os.ReadFile(filepath.Join(dir, f.File))
		if err != nil {
			t.Fatal(err)
		}
		if e := manifest.NewEntry(f.File, data); e.Bytes != f.Bytes || e.SHA256 != f.SHA256 {
			t.Errorf("%s: %d bytes sha256 %s, manifest says %d bytes sha256 %s", f.File, e.Bytes, e.SHA256, f.Bytes, f.SHA256)
		}
		m, err := model.Read(data)
		if err != nil {
			t.Errorf("%s: %v", f.File, err)
			continue
		}
		if m.Quantization != f.Quantization {
			t.Errorf("%s: quantization %v, manifest says %s", f.File, m.Quantization, f.Quantization)
		}
		if f.Default {
			defaults++
			if f.Quantization != "int8" {
				t.Errorf("default model %s is %s, want int8", f.File, f.Quantization)
			}
		}
	}
	// the benchmark pair (avmnist-tts-{int8,f32}) and, once shipped, the real-input pair, which is
	// then the default (the lab's model)
	want := map[string]bool{shipInt8: true, shipF32: true}
	if len(mf.Models) == 4 {
		want[realInt8], want[realF32] = true, true
	}
	for _, f := range mf.Models {
		if !want[f.File] {
			t.Errorf("manifest lists %s", f.File)
		}
		if f.Default && f.File != map[bool]string{true: realInt8, false: shipInt8}[len(mf.Models) == 4] {
			t.Errorf("default model %s", f.File)
		}
	}
	if defaults != 1 || len(mf.Models) != 2 && len(mf.Models) != 4 {
		t.Errorf("%d models, %d defaults; want the benchmark pair (and the real-input pair), one int8 default", len(mf.Models), defaults)
	}
	if mf.Results == nil || len(mf.Results.Experts) != 3 {
		t.Fatalf("manifest results: %+v, want the three experts", mf.Results)
	}
	for _, k := range []string{"image_only", "audio_only", "intra_only", "inter_only", "i2m2", "i2m2_int8"} {
		if s, ok := mf.Results.Stats[k]; !ok || len(s.Runs) != len(mf.Results.Seeds) {
			t.Errorf("manifest results: %q is %+v over seeds %v", k, s, mf.Results.Seeds)
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

// TestRelease runs the release on two tiny synthetic runs and checks what it
// writes: the shipped files match the manifest, the tables exist, and the
// int8 model's test accuracy is reported beside the float32 one.
func TestRelease(t *testing.T) {
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
	if err := release(dirs, te, split, w, r, t.TempDir(), 0); err != nil {
		t.Fatal(err)
	}
	checkManifest(t, w)
	for _, f := range []string{"results.md", "shuffle.md", "quantization.md"} {
		if st, err := os.Stat(filepath.Join(r, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s: missing or empty (%v)", f, err)
		}
	}
}

// TestMergeManifest: shipping one recipe keeps the other's entries and sections, and the
// real-input int8 model is the default whenever it is listed.
func TestMergeManifest(t *testing.T) {
	dir := t.TempDir()
	e := func(file, q string) manifest.Entry { return manifest.Entry{File: file, Quantization: q} }
	read := func() (files []string, def string, m *manifest.Manifest) {
		m, err := manifest.ReadFile(filepath.Join(dir, "manifest.json"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range m.Models {
			files = append(files, f.File)
			if f.Default {
				def += f.File
			}
		}
		return files, def, m
	}
	setSeed := func(s uint64) func(*manifest.Manifest) { return func(m *manifest.Manifest) { m.ShippedSeed = s } }
	if err := mergeManifest(dir, setSeed(1), []manifest.Entry{e(shipInt8, "int8"), e(shipF32, "float32")}, true); err != nil {
		t.Fatal(err)
	}
	if files, def, _ := read(); len(files) != 2 || def != shipInt8 {
		t.Fatalf("benchmark only: %v, default %s", files, def)
	}
	setReal := func(m *manifest.Manifest) { m.Real = &manifest.Real{Model: realName} }
	if err := mergeManifest(dir, setReal, []manifest.Entry{e(realInt8, "int8"), e(realF32, "float32")}, false); err != nil {
		t.Fatal(err)
	}
	files, def, m := read()
	if len(files) != 4 || files[0] != realInt8 || def != realInt8 || m.ShippedSeed != 1 || m.Real == nil {
		t.Fatalf("after shipping the real-input model: %v, default %s, %+v", files, def, m)
	}
	// re-running the benchmark release keeps the real-input entries and their default
	if err := mergeManifest(dir, setSeed(3), []manifest.Entry{e(shipInt8, "int8"), e(shipF32, "float32")}, true); err != nil {
		t.Fatal(err)
	}
	if files, def, m := read(); len(files) != 4 || def != realInt8 || m.Real == nil || m.ShippedSeed != 3 {
		t.Fatalf("after the benchmark release: %v, default %s, %+v", files, def, m)
	}
	// a manifest that is not JSON is an error, not overwritten
	os.WriteFile(filepath.Join(dir, "manifest.json"), []byte("<html>"), 0o644)
	if err := mergeManifest(dir, setSeed(4), nil, true); err == nil {
		t.Fatal("merging into a broken manifest.json did not fail")
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "manifest.json")); string(b) != "<html>" {
		t.Fatalf("broken manifest.json overwritten: %q", b)
	}
}
