package main

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/i2m2-wasm/i2m2/manifest"
	"github.com/i2m2-wasm/i2m2/model"
	"github.com/i2m2-wasm/i2m2/model/quant"
)

// quantizedCopy returns the file of m (float32) and an int8 copy of m (m is not modified) with
// the quantiser's per-tensor report: the two files a model ships as.
func quantizedCopy(m *model.Model) (fb []byte, q *model.Model, st []quant.Stat, err error) {
	if fb, err = m.MarshalBinary(); err != nil {
		return nil, nil, nil, err
	}
	if q, err = model.Read(fb); err != nil {
		return nil, nil, nil, err
	}
	if st, err = quant.Quantize(q); err != nil {
		return nil, nil, nil, err
	}
	return fb, q, st, nil
}

// writeEntry writes b to wdir/file, checks that it reads back, and describes it.
func writeEntry(wdir, file string, b []byte, name string, def bool, seed uint64, acc float64) (manifest.Entry, error) {
	if err := os.WriteFile(filepath.Join(wdir, file), b, 0o644); err != nil {
		return manifest.Entry{}, err
	}
	back, err := model.Read(b) // what ships must read back
	if err != nil {
		return manifest.Entry{}, err
	}
	return describeFile(file, b, back, name, def, seed, acc), nil
}

// describeFile is the manifest entry of the model file b (read as m).
func describeFile(file string, b []byte, m *model.Model, name string, def bool, seed uint64, acc float64) manifest.Entry {
	d := m.Describe(model.DefaultPath)
	e := manifest.NewEntry(file, b)
	e.Quantization, e.Default, e.Name, e.Classes, e.MACs, e.Seed, e.TestAcc = d.Quantization, def, name, d.Classes, int64(d.MACs), seed, acc
	for _, x := range m.Modalities {
		e.Modalities = append(e.Modalities, manifest.Modality{Name: x.Name, Shape: append([]int(nil), x.Shape[:]...)})
	}
	for _, x := range d.Experts {
		e.Experts = append(e.Experts, x.Name)
	}
	return e
}

// isReal tells the real-input model's manifest entries from the benchmark's.
func isReal(e manifest.Entry) bool { return strings.HasPrefix(e.File, "avmnist-real-") }

// mergeManifest updates wdir/manifest.json: set changes the sections a recipe owns, and the
// "models" list keeps the existing entries of the other recipe (keepReal says which recipe's
// entries models does not replace). The default flag stays on the real-input int8 model
// whenever it is listed, and the real-input entries lead the list.
func mergeManifest(wdir string, set func(*manifest.Manifest), models []manifest.Entry, keepReal bool) error {
	path := filepath.Join(wdir, "manifest.json")
	man, err := manifest.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		man, err = &manifest.Manifest{}, nil
	}
	if err != nil {
		return err
	}
	set(man)
	var list []manifest.Entry
	for _, e := range man.Models {
		if isReal(e) == keepReal {
			list = append(list, e)
		}
	}
	list = append(list, models...)
	hasReal := false
	for _, e := range list {
		hasReal = hasReal || e.File == realInt8
	}
	var r, o []manifest.Entry
	for _, e := range list {
		e.Default = e.File == realInt8 || !hasReal && e.File == shipInt8
		if isReal(e) {
			r = append(r, e)
		} else {
			o = append(o, e)
		}
	}
	man.Models = append(r, o...)
	return man.WriteFile(path)
}
