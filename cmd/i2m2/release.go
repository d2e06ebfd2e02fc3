package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/i2m2-wasm/i2m2/dataset"
	"github.com/i2m2-wasm/i2m2/manifest"
	"github.com/i2m2-wasm/i2m2/train"
)

func runRelease(args []string) error {
	fs := newFlags("release")
	rf := releaseFlags(fs, "")
	if err := parseFlags(fs, args, "runs"); err != nil {
		return err
	}
	return rf.release()
}

// releaseOpts are the flags of i2m2 release, which i2m2 eval shares (eval --runs is release).
type releaseOpts struct {
	root, runs, weights, results *string
	limit                        *int
}

// releaseFlags defines the release flags on fs; mode prefixes the usage of the flags that only
// a release reads.
func releaseFlags(fs *flag.FlagSet, mode string) *releaseOpts {
	return &releaseOpts{
		root:    rootFlag(fs),
		runs:    fs.String("runs", "", mode+"comma-separated run directories of `i2m2 train`, one per seed"),
		limit:   fs.Int("limit", 0, "evaluate the first n test samples (0 = all)"),
		weights: weightsFlag(fs),
		results: fs.String("results", "weights/results", mode+"results directory"),
	}
}

// release loads the test split and releases the runs (release below).
func (o *releaseOpts) release() error {
	_, _, te, splits, err := loadData(*o.root, *o.limit)
	if err != nil {
		return err
	}
	return release(strings.Split(*o.runs, ","), te, splits[2], *o.weights, *o.results, *o.root, *o.limit)
}

// release evaluates every run's models on the test split, writes the shipped weights (the
// I2M2 model of the seed with the best validation accuracy, as float32 and int8, and that
// seed's baselines), weights/manifest.json and the tables in rdir. Each step is its own
// function; only this one knows their order.
func release(dirs []string, te *train.Data, teSplit *dataset.Split, wdir, rdir, root string, limit int) error {
	if err := os.MkdirAll(rdir, 0o755); err != nil {
		return err
	}
	runs, err := evaluateRuns(dirs, te, limit)
	if err != nil {
		return err
	}
	res := summarize(runs)
	ship := pickShipped(runs)
	sh, err := writeShipped(wdir, ship)
	if err != nil {
		return err
	}
	shuffle, err := shuffleShipped(wdir, te, ship)
	if err != nil {
		return err
	}
	set := func(m *manifest.Manifest) {
		m.Baselines, m.Results, m.Shuffle, m.ShippedSeed = sh.baselines, res, shuffle, ship.Seed
		m.Dataset, m.Training = datasetInfo(root, te, teSplit), trainingInfo(runs)
	}
	if err := mergeManifest(wdir, set, sh.models, true); err != nil { // keeps the real-input model's entries
		return err
	}
	return writeTables(rdir, te.N, runs, ship, res, shuffle, sh.quant)
}

// summarize is the manifest's results: each model's test accuracy over seeds, the shipped
// I2M2's experts alone and its intra part, int8 accuracy and agreement.
func summarize(runs []*runInfo) *manifest.Results {
	collect := func(f func(r *runInfo) float64) manifest.Stat {
		v := make([]float64, len(runs))
		for i, r := range runs {
			v[i] = f(r)
		}
		return manifest.NewStat(v)
	}
	res := &manifest.Results{Stats: map[string]manifest.Stat{}, Experts: map[string]manifest.Stat{}}
	for _, n := range train.ModelNames {
		res.Stats[n] = collect(func(r *runInfo) float64 { return r.evals[n].Product.Acc })
	}
	res.Stats[manifest.StatI2M2Int8] = collect(func(r *runInfo) float64 { return r.int8.Product.Acc })
	for _, e := range runs[0].models["i2m2"].Experts {
		res.Experts[e.Name] = collect(func(r *runInfo) float64 { return r.evals["i2m2"].Experts[e.Name].Acc })
	}
	res.Stats[manifest.StatIntraPart] = collect(func(r *runInfo) float64 { return r.evals["i2m2"].IntraOnly.Acc })
	res.Stats[manifest.StatInt8Agreement] = collect(func(r *runInfo) float64 { return r.agree })
	res.Units = "test accuracy in percent (mean, sample std over seeds, per-seed runs in seed order); int8_agreement: percent of test samples with the same top-1 as float32"
	for _, r := range runs {
		res.Seeds = append(res.Seeds, r.Seed)
	}
	return res
}

// pickShipped is the run whose I2M2 has the best validation accuracy (selection never looks
// at the test split).
func pickShipped(runs []*runInfo) *runInfo {
	ship := runs[0]
	for _, r := range runs[1:] {
		if r.valAcc("i2m2") > ship.valAcc("i2m2") {
			ship = r
		}
	}
	fmt.Fprintf(os.Stderr, "shipping seed %d (best I2M2 validation accuracy %.2f%%)\n", ship.Seed, ship.valAcc("i2m2"))
	return ship
}
