package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/i2m2-wasm/i2m2/dataset"
	"github.com/i2m2-wasm/i2m2/model"
	"github.com/i2m2-wasm/i2m2/train"
)

func init() {
	register("ship", "ship the real-input I2M2 (seed with the best validation accuracy) as weights/avmnist-real-{int8,f32}.i2m2, the manifest's default model", runShip)
}

// The real-input model's files. It is the manifest's default: the lab loads it, because the pad
// and the microphone deliver clean digits and real voices, which the benchmark model never saw.
const (
	realInt8 = "avmnist-real-int8.i2m2"
	realF32  = "avmnist-real-f32.i2m2"
	realName = "avmnist-real"
)

// fileEntry is one model file in weights/manifest.json.
type fileEntry struct {
	File         string           `json:"file"`
	Bytes        int              `json:"bytes"`
	SHA256       string           `json:"sha256"`
	Quantization string           `json:"quantization"`
	Default      bool             `json:"default"`
	Name         string           `json:"name"`
	Modalities   []model.Modality `json:"modalities"`
	Classes      []string         `json:"classes"`
	Experts      []string         `json:"experts"`
	MACs         int              `json:"macs"`
	Seed         uint64           `json:"seed"`
	TestAcc      float64          `json:"test_acc"`
}

// writeEntry writes b to wdir/file, checks that it reads back, and describes it.
func writeEntry(wdir, file string, b []byte, name string, def bool, seed uint64, acc float64) (fileEntry, error) {
	if err := os.WriteFile(filepath.Join(wdir, file), b, 0o644); err != nil {
		return fileEntry{}, err
	}
	back, err := model.Read(b) // what ships must read back
	if err != nil {
		return fileEntry{}, err
	}
	sum := sha256.Sum256(b)
	var ex []string
	for _, e := range back.Experts {
		ex = append(ex, e.Name)
	}
	return fileEntry{File: file, Bytes: len(b), SHA256: hex.EncodeToString(sum[:]), Quantization: back.Quantization.String(),
		Default: def, Name: name, Modalities: back.Modalities, Classes: back.Classes, Experts: ex, MACs: back.MACs(),
		Seed: seed, TestAcc: acc}, nil
}

// isReal tells the real-input model's manifest entries from the benchmark's.
func isReal(e fileEntry) bool { return strings.HasPrefix(e.File, "avmnist-real-") }

// mergeManifest writes wdir/manifest.json: top-level keys from upd over the existing file's, and
// the "models" list with the existing entries of the other recipe kept (keepReal says which
// recipe's entries upd does not replace). The default flag stays on the real-input int8 model
// whenever it is listed.
func mergeManifest(wdir string, upd map[string]any, models []fileEntry, keepReal bool) error {
	man := map[string]any{}
	var old struct {
		Models []fileEntry `json:"models"`
	}
	if b, err := os.ReadFile(filepath.Join(wdir, "manifest.json")); err == nil {
		if err := json.Unmarshal(b, &man); err != nil {
			return fmt.Errorf("manifest.json: %w", err)
		}
		if err := json.Unmarshal(b, &old); err != nil {
			return fmt.Errorf("manifest.json: %w", err)
		}
	}
	for k, v := range upd {
		man[k] = v
	}
	var list []fileEntry
	for _, e := range old.Models {
		if isReal(e) == keepReal {
			list = append(list, e)
		}
	}
	list = append(list, models...)
	hasReal := false
	for _, e := range list {
		hasReal = hasReal || e.File == realInt8
	}
	for i := range list {
		list[i].Default = list[i].File == realInt8 || !hasReal && list[i].File == shipInt8
	}
	// real-input entries first: the default model leads the list
	var r, o []fileEntry
	for _, e := range list {
		if isReal(e) {
			r = append(r, e)
		} else {
			o = append(o, e)
		}
	}
	list = append(r, o...)
	man["models"] = list
	b, err := json.MarshalIndent(man, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(wdir, "manifest.json"), append(b, '\n'), 0o644)
}

func runShip(args []string) error {
	fs := flag.NewFlagSet("ship", flag.ContinueOnError)
	root := fs.String("root", "", "repo root or weights/data directory (default: search upwards)")
	runs := fs.String("runs", "", "comma-separated run directories of `i2m2 train --data real`, one per seed")
	weights := fs.String("weights", "weights", "weights directory")
	n := fs.Int("n", 0, "test pairs per evaluation (0 = all 10,000)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *runs == "" {
		return fmt.Errorf("--runs is required")
	}
	var ship *runInfo
	var seeds []uint64
	for _, d := range strings.Split(*runs, ",") {
		b, err := os.ReadFile(filepath.Join(d, "history.json"))
		if err != nil {
			return err
		}
		ri := &runInfo{dir: d}
		if err := json.Unmarshal(b, ri); err != nil {
			return fmt.Errorf("%s/history.json: %w", d, err)
		}
		seeds = append(seeds, ri.Seed)
		// selection on validation only (the test speakers are never looked at)
		if ship == nil || ri.valAcc("i2m2") > ship.valAcc("i2m2") {
			ship = ri
		}
	}
	m, err := readModel(filepath.Join(ship.dir, "i2m2.i2m2"))
	if err != nil {
		return err
	}
	sets, err := dataset.RealTest(*root, *n)
	if err != nil {
		return err
	}
	_, _, te, _, err := loadData(*root, *n)
	if err != nil {
		return err
	}
	m.Name = realName
	fb, err := m.MarshalBinary()
	if err != nil {
		return err
	}
	q, err := model.Read(fb)
	if err != nil {
		return err
	}
	q.Quantize()
	qb, err := q.MarshalBinary()
	if err != nil {
		return err
	}
	scores := map[string]any{}
	var accF, accQ float64
	for _, c := range append([]dataset.EvalSet{{Name: "benchmark", Split: nil}}, sets...) {
		d := te
		if c.Split != nil {
			d = toData(c.Split)
		}
		ef, err := train.EvalModel(m, model.Fast, d, "", nil, runtime.GOMAXPROCS(0))
		if err != nil {
			return err
		}
		eq, err := train.EvalModel(q, model.Quantized, d, "", nil, runtime.GOMAXPROCS(0))
		if err != nil {
			return err
		}
		ex := map[string]float64{}
		for e, s := range ef.Experts {
			ex[e] = s.Acc
		}
		scores[c.Name] = map[string]any{"i2m2": ef.Product.Acc, "i2m2_int8": eq.Product.Acc, "experts": ex, "n": d.N}
		if c.Name == "real_clean" {
			accF, accQ = ef.Product.Acc, eq.Product.Acc
		}
		fmt.Fprintf(os.Stderr, "%s: i2m2 %.2f%% (int8 %.2f%%), experts %v\n", c.Name, ef.Product.Acc, eq.Product.Acc, ex)
	}
	e8, err := writeEntry(*weights, realInt8, qb, realName, true, ship.Seed, accQ)
	if err != nil {
		return err
	}
	e32, err := writeEntry(*weights, realF32, fb, realName, false, ship.Seed, accF)
	if err != nil {
		return err
	}
	real := map[string]any{
		"shipped_seed": ship.Seed, "seeds": seeds, "val_acc": ship.valAcc("i2m2"),
		"test": scores, "matrix": "results/real/matrix.md", "model": realName,
		"note":  "test_acc of the avmnist-real entries: clean MNIST test digits paired with held-out real speakers (FSDD lucas, theo), clean; the lab loads this model",
		"units": "accuracy in percent; experts: each expert of the shipped I2M2 alone",
	}
	return mergeManifest(*weights, map[string]any{"real": real}, []fileEntry{e8, e32}, false)
}
