package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/i2m2-wasm/i2m2/dataset"
	"github.com/i2m2-wasm/i2m2/model"
	"github.com/i2m2-wasm/i2m2/task"
	"github.com/i2m2-wasm/i2m2/train"
)

// trunkFile is the model whose encoders the tasks' experts keep (the digit task's shipped model).
const trunkFile = "avmnist-real-f32.i2m2"

// realClean is the tasks' test split before re-pairing: clean MNIST test digits (n, 0 = all)
// with recordings of their digit by the held-out real speakers (FSDD lucas, theo), clean
// (dataset.RealTest's real_clean column).
func realClean(root string, n int) (*dataset.Split, error) {
	sets, err := dataset.RealTest(root, n)
	if err != nil {
		return nil, err
	}
	for _, s := range sets {
		if s.Name == "real_clean" {
			return s.Split, nil
		}
	}
	return nil, fmt.Errorf("tasks: no real_clean test column")
}

// taskTest is the test set of t: realClean re-paired under t (seed task.TestSeed).
func taskTest(clean *dataset.Split, t task.Task) (*train.Data, error) {
	o, _, err := t.Apply(clean, task.TestSeed)
	if err != nil {
		return nil, err
	}
	return toData(o), nil
}

func parseSeeds(s string) ([]uint64, error) {
	var out []uint64
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		v, err := strconv.ParseUint(f, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("seeds %q: %w", s, err)
		}
		out = append(out, v)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("seeds %q: none", s)
	}
	return out, nil
}

// taskRunDir is where seed's run of the task with key lives under out.
func taskRunDir(out, key string, seed uint64) string {
	return filepath.Join(out, key, fmt.Sprintf("seed%d", seed))
}

func runTasks(args []string) error {
	fs := newFlags("tasks")
	root := rootFlag(fs)
	trunkPath := fs.String("trunk", filepath.Join("weights", trunkFile), "float32 model whose encoders every expert keeps")
	names := fs.String("tasks", "same,digit-or-mismatch@0.1,digit-or-mismatch@0.5,digit-or-mismatch@0.9", "tasks (package task names, digit-or-mismatch@m for a dial point)")
	seeds := fs.String("seeds", "1,2,3", "training seeds")
	digitRuns := fs.String("digit-runs", "", "comma-separated run directories of the digit task (`i2m2 train --data real`, one per seed): evaluated, not retrained")
	uni := fs.Int("uni", 10, "epochs of the image and audio heads")
	inter := fs.Int("inter", 10, "epochs of the inter head")
	fine := fs.Int("fine", 5, "epochs of joint fine-tuning (intra-only, I2M2)")
	size := fs.Int("size", 0, "pairs per epoch of every stage, a fresh random subset each epoch (0 = all)")
	limit := fs.Int("limit", 0, "keep the first n samples of the training and validation splits (0 = all)")
	n := fs.Int("n", 0, "test digits (0 = all 10,000) before re-pairing")
	out := fs.String("out", "", "runs directory: <out>/<task>/seed<N>/ (models, history.json, eval.json)")
	if err := parseFlags(fs, args, "out"); err != nil {
		return err
	}
	list, err := parseSeeds(*seeds)
	if err != nil {
		return err
	}
	var tasks []task.Task
	for _, nm := range strings.Split(*names, ",") {
		if nm = strings.TrimSpace(nm); nm == "" {
			continue
		}
		t, err := task.Lookup(nm)
		if err != nil {
			return err
		}
		if t.Name == "digit" {
			return fmt.Errorf("--tasks: digit is the real-input model's task: pass its runs with --digit-runs")
		}
		tasks = append(tasks, t)
	}
	workers := runtime.GOMAXPROCS(0)
	t0 := time.Now()
	logf := func(format string, a ...any) {
		fmt.Fprintf(os.Stderr, "[%s +%.1f min] %s\n", time.Now().UTC().Format("15:04:05"), time.Since(t0).Minutes(), fmt.Sprintf(format, a...))
	}
	clean, err := realClean(*root, *n)
	if err != nil {
		return err
	}
	if *digitRuns != "" {
		te, err := taskTest(clean, task.Digit)
		if err != nil {
			return err
		}
		for _, d := range strings.Split(*digitRuns, ",") {
			if err := evalDigitRun(d, *out, te, workers, logf); err != nil {
				return err
			}
		}
	}
	if len(tasks) == 0 {
		return nil
	}
	trunk, err := readModel(*trunkPath)
	if err != nil {
		return err
	}
	opt, err := realOptions(*root, *limit, 0, "")
	if err != nil {
		return err
	}
	tr, va, err := loadReal(opt)
	if err != nil {
		return err
	}
	logf("data: %d train, %d val", tr.N, va.N)
	etr, err := train.Encode(trunk, tr, workers)
	if err != nil {
		return err
	}
	eva, err := train.Encode(trunk, va, workers)
	if err != nil {
		return err
	}
	logf("encoded with %s's encoders", trunk.Name)
	desc := realDescription(opt)
	for _, t := range tasks {
		te, err := taskTest(clean, t)
		if err != nil {
			return err
		}
		ptr, err := t.Pair(tr.Labels, task.TrainSeed)
		if err != nil {
			return err
		}
		pva, err := t.Pair(va.Labels, task.ValSeed)
		if err != nil {
			return err
		}
		ctr := &train.Paired{Enc: etr, Image: ptr.Image, Audio: ptr.Audio, Labels: ptr.Labels}
		cva := &train.Paired{Enc: eva, Image: pva.Image, Audio: pva.Audio, Labels: pva.Labels}
		logf("%s: %d train, %d val, %d test pairs", t.Key(), ctr.N(), cva.N(), te.N)
		for _, sd := range list {
			rc := train.PaperRecipe(sd, *uni, *inter, *fine)
			rc.UniSize, rc.InterSize, rc.FineSize = *size, *size, *size
			rc.NamePrefix = "task-" + t.Name + "-"
			rc.Log = func(format string, a ...any) { logf("%s seed %d: %s", t.Key(), sd, fmt.Sprintf(format, a...)) }
			run, err := train.HeadPipeline(ctr, cva, rc, t.Classes, fmt.Sprintf("task %s (m = %g): %s", t.Name, t.Mismatch, desc))
			if err != nil {
				return err
			}
			dir := taskRunDir(*out, t.Key(), sd)
			if err := writeTaskRun(dir, taskHistory{Run: run, Task: t, Recipe: rc, Limit: *limit, Trunk: filepath.Base(*trunkPath)}); err != nil {
				return err
			}
			if err := evalTaskRun(dir, run.Models, te, workers, logf); err != nil {
				return err
			}
		}
	}
	logf("done: %s", *out)
	return nil
}

// taskHistory is a task run's history.json.
type taskHistory struct {
	*train.Run
	Task   task.Task    `json:"task"`
	Recipe train.Recipe `json:"recipe"`
	Limit  int          `json:"limit"`
	Trunk  string       `json:"trunk,omitempty"`
}

func writeTaskRun(dir string, h taskHistory) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := writeModels(dir, h.Models); err != nil {
		return err
	}
	return writeRunJSON(dir, "history.json", h)
}

// evalTaskRun evaluates a run's five models and the int8 I2M2 on the task's test pairs (never
// used for selection) into dir/eval.json.
func evalTaskRun(dir string, models map[string]*model.Model, te *train.Data, workers int, logf func(string, ...any)) error {
	t1 := time.Now()
	re, err := train.EvaluateRun(models, te, workers)
	if err != nil {
		return err
	}
	if err := writeRunJSON(dir, "eval.json", re); err != nil {
		return err
	}
	logf("%s: test (%d pairs, %.0fs): i2m2 %.2f%% (int8 %.2f%%), image %.2f%%, audio %.2f%%, intra %.2f%%, inter %.2f%%", dir, te.N,
		time.Since(t1).Seconds(), re.Evals["i2m2"].Product.Acc, re.Int8.Product.Acc, re.Evals["image_only"].Product.Acc,
		re.Evals["audio_only"].Product.Acc, re.Evals["intra_only"].Product.Acc, re.Evals["inter_only"].Product.Acc)
	return nil
}

// evalDigitRun evaluates one seed of the digit task's existing runs (the real-input model) into
// <out>/digit/seed<N>/: eval.json and a history.json pointing at the models.
func evalDigitRun(src, out string, te *train.Data, workers int, logf func(string, ...any)) error {
	h := runHistory{Run: &train.Run{}}
	if err := readRunJSON(src, "history.json", &h); err != nil {
		return err
	}
	models, err := readModels(src)
	if err != nil {
		return err
	}
	h.Models = models
	dir := taskRunDir(out, task.Digit.Key(), h.Seed)
	if err := writeTaskRun(dir, taskHistory{Run: h.Run, Task: task.Digit, Recipe: h.Recipe, Limit: h.Limit, Trunk: "(trained end to end: " + src + ")"}); err != nil {
		return err
	}
	return evalTaskRun(dir, models, te, workers, logf)
}
