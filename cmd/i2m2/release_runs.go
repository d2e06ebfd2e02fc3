package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"sort"

	"github.com/i2m2-wasm/i2m2/model"
	"github.com/i2m2-wasm/i2m2/model/quant"
	"github.com/i2m2-wasm/i2m2/train"
)

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
	ri := &runInfo{dir: dir, evals: map[string]*train.ModelEval{}}
	if err := readRunJSON(dir, "history.json", ri); err != nil {
		return nil, err
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
		if ri.models, err = readModels(d); err != nil {
			return nil, err
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
