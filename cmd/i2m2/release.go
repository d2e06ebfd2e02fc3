package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"

	"github.com/i2m2-wasm/i2m2/dataset"
	"github.com/i2m2-wasm/i2m2/manifest"
	"github.com/i2m2-wasm/i2m2/model"
	"github.com/i2m2-wasm/i2m2/model/quant"
	"github.com/i2m2-wasm/i2m2/train"
)

func init() {
	register("release", "evaluate the runs of `i2m2 train` (one per seed) on the test split and write the shipped weights, weights/manifest.json and the results tables", runRelease)
}

func runRelease(args []string) error {
	fs := flag.NewFlagSet("release", flag.ContinueOnError)
	root := fs.String("root", "", "repo root or weights/data directory (default: search upwards)")
	runs := fs.String("runs", "", "comma-separated run directories of `i2m2 train`, one per seed")
	limit := fs.Int("limit", 0, "evaluate the first n test samples (0 = all)")
	weights := fs.String("weights", "weights", "weights directory")
	results := fs.String("results", "weights/results", "results directory")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *runs == "" {
		return fmt.Errorf("--runs is required")
	}
	_, _, te, splits, err := loadData(*root, *limit)
	if err != nil {
		return err
	}
	return release(strings.Split(*runs, ","), te, splits[2], *weights, *results, *root, *limit)
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

// runInfo is one seed's run directory: its history.json and test evaluations.
type runInfo struct {
	Seed      uint64           `json:"seed"`
	Histories []*train.History `json:"histories"`
	Seconds   float64          `json:"seconds"`
	Recipe    train.Recipe     `json:"recipe"`
	Limit     int              `json:"limit"`
	dir       string
	models    map[string]*model.Model
	evals     map[string]*train.ModelEval
	int8      *train.ModelEval
	agree     float64
	quant     []quant.Stat
}

func (r *runInfo) valAcc(stage string) float64 {
	for _, h := range r.Histories {
		if h.Name == stage {
			return h.BestValAcc
		}
	}
	return math.NaN()
}

// readHistory reads dir/history.json.
func readHistory(dir string) (*runInfo, error) {
	b, err := os.ReadFile(filepath.Join(dir, "history.json"))
	if err != nil {
		return nil, err
	}
	ri := &runInfo{dir: dir, models: map[string]*model.Model{}, evals: map[string]*train.ModelEval{}}
	if err := json.Unmarshal(b, ri); err != nil {
		return nil, fmt.Errorf("%s/history.json: %w", dir, err)
	}
	return ri, nil
}

// evaluateRuns reads each run's models and their test evaluation (the run's eval.json when it
// was made on the same test samples, else a fresh evaluation), in seed order.
func evaluateRuns(dirs []string, te *train.Data, limit int) ([]*runInfo, error) {
	var runs []*runInfo
	for _, d := range dirs {
		ri, err := readHistory(d)
		if err != nil {
			return nil, err
		}
		for _, n := range train.ModelNames {
			m, err := readModel(filepath.Join(d, n+".i2m2"))
			if err != nil {
				return nil, err
			}
			ri.models[n] = m
		}
		var re *train.RunEval
		if eb, err := os.ReadFile(filepath.Join(d, "eval.json")); err == nil && ri.Limit == limit {
			re = &train.RunEval{}
			if err := json.Unmarshal(eb, re); err != nil {
				return nil, fmt.Errorf("%s/eval.json: %w", d, err)
			}
		} else {
			fmt.Fprintf(os.Stderr, "%s: evaluating on the test split\n", d)
			if re, err = train.EvaluateRun(ri.models, te, runtime.GOMAXPROCS(0)); err != nil {
				return nil, err
			}
		}
		ri.evals, ri.int8, ri.agree, ri.quant = re.Evals, re.Int8, re.Agreement, re.Quant
		fmt.Fprintf(os.Stderr, "seed %d: i2m2 %.2f%% (int8 %.2f%%, agreement %.2f%%), image %.2f, audio %.2f, intra %.2f, inter %.2f\n",
			ri.Seed, ri.evals["i2m2"].Product.Acc, ri.int8.Product.Acc, ri.agree, ri.evals["image_only"].Product.Acc,
			ri.evals["audio_only"].Product.Acc, ri.evals["intra_only"].Product.Acc, ri.evals["inter_only"].Product.Acc)
		runs = append(runs, ri)
	}
	sort.Slice(runs, func(i, j int) bool { return runs[i].Seed < runs[j].Seed })
	return runs, nil
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
