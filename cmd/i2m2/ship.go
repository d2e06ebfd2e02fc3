package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/i2m2-wasm/i2m2/dataset"
	"github.com/i2m2-wasm/i2m2/manifest"
	"github.com/i2m2-wasm/i2m2/model"
)

// The real-input model's files. It is the manifest's default: the lab loads it, because the pad
// and the microphone deliver clean digits and real voices, which the benchmark model never saw.
const (
	realInt8 = "avmnist-real-int8.i2m2"
	realF32  = "avmnist-real-f32.i2m2"
	realName = "avmnist-real"
)

func runShip(args []string) error {
	fs := newFlags("ship")
	root := rootFlag(fs)
	runs := fs.String("runs", "", "comma-separated run directories of `i2m2 train --data real`, one per seed")
	weights := weightsFlag(fs)
	n := fs.Int("n", 0, "test pairs per evaluation (0 = all 10,000)")
	if err := parseFlags(fs, args, "runs"); err != nil {
		return err
	}
	var ship *runInfo
	var seeds []uint64
	for _, d := range strings.Split(*runs, ",") {
		ri, err := readHistory(d)
		if err != nil {
			return err
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
	fb, q, _, err := quantizedCopy(m)
	if err != nil {
		return err
	}
	qb, err := q.MarshalBinary()
	if err != nil {
		return err
	}
	scores := map[string]manifest.RealColumn{}
	var accF, accQ float64
	for _, c := range append([]dataset.EvalSet{{Name: "benchmark", Split: nil}}, sets...) {
		d := te
		if c.Split != nil {
			d = toData(c.Split)
		}
		ef, err := evalModel(m, model.Fast, d)
		if err != nil {
			return err
		}
		eq, err := evalModel(q, model.Quantized, d)
		if err != nil {
			return err
		}
		ex := map[string]float64{}
		for e, s := range ef.Experts {
			ex[e] = s.Acc
		}
		scores[c.Name] = manifest.RealColumn{I2M2: ef.Product.Acc, I2M2Int8: eq.Product.Acc, Experts: ex, N: d.N}
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
	real := &manifest.Real{
		ShippedSeed: ship.Seed, Seeds: seeds, ValAcc: ship.valAcc("i2m2"),
		Test: scores, Matrix: "results/real/matrix.md", Model: realName,
		Note:  "test_acc of the avmnist-real entries: clean MNIST test digits paired with held-out real speakers (FSDD lucas, theo), clean; the lab loads this model",
		Units: "accuracy in percent; experts: each expert of the shipped I2M2 alone",
	}
	return mergeManifest(*weights, func(m *manifest.Manifest) { m.Real = real }, []manifest.Entry{e8, e32}, false)
}
