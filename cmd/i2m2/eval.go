package main

import (
	"fmt"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/i2m2-wasm/i2m2/dataset"
	"github.com/i2m2-wasm/i2m2/model"
	"github.com/i2m2-wasm/i2m2/task"
	"github.com/i2m2-wasm/i2m2/train"
)

const (
	shipF32  = "avmnist-tts-f32.i2m2"
	shipInt8 = "avmnist-tts-int8.i2m2"
	permSeed = 20241210 // seed of the shuffling permutation
)

func baselineFile(name string) string {
	return "baseline-" + strings.ReplaceAll(name, "_", "-") + ".i2m2"
}

func runEval(args []string) error {
	fs := newFlags("eval")
	rf := releaseFlags(fs, "release mode (as `i2m2 release`): ")
	models := fs.String("model", "", "comma-separated model files (default: the shipped model and baselines in --weights)")
	shuffle := fs.String("shuffle", "", "replace this modality (image or audio) by another test sample's (seeded permutation)")
	pathFlag := fs.String("path", "", "kernels: reference, float32 or int8 (default: model.DefaultPath, float32, for every file, as the page and the worker run it)")
	taskName := fs.String("task", "", "evaluate on this task's test pairs (package task: digit, same, digit-or-mismatch[@m]; held-out real speakers); default model: the task's shipped files")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *rf.runs != "" {
		if *taskName != "" {
			return fmt.Errorf("--task and --runs: the tasks' report is `i2m2 tasks-report`")
		}
		return rf.release()
	}
	p, err := model.ParsePath(*pathFlag)
	if err != nil {
		return err
	}
	root, limit, weights := rf.root, rf.limit, rf.weights
	var te *train.Data
	var files []string
	if *taskName != "" {
		t, err := task.Lookup(*taskName)
		if err != nil {
			return err
		}
		clean, err := realClean(*root, *limit)
		if err != nil {
			return err
		}
		if te, err = taskTest(clean, t); err != nil {
			return err
		}
		for _, k := range shipKinds(t) {
			files = append(files, filepath.Join(*weights, taskFile(t, k)))
		}
	} else if _, _, te, _, err = loadData(*root, *limit); err != nil {
		return err
	}
	if *models != "" {
		files = strings.Split(*models, ",")
	} else if files == nil {
		files = []string{filepath.Join(*weights, shipInt8), filepath.Join(*weights, shipF32)}
		for _, n := range train.ModelNames[:4] {
			files = append(files, filepath.Join(*weights, baselineFile(n)))
		}
	}
	perm := dataset.NewRNG(permSeed).Perm(te.N)
	fmt.Printf("test set: %d samples; shuffle: %q (permutation seed %d)\n\n", te.N, *shuffle, permSeed)
	fmt.Println("| model | path | accuracy % | mean confidence % |")
	fmt.Println("| --- | --- | --- | --- |")
	for _, f := range files {
		m, err := readModel(f)
		if err != nil {
			return err
		}
		ev, err := train.EvalModel(m, p, te, *shuffle, perm, runtime.GOMAXPROCS(0))
		if err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		fmt.Printf("| %s (product) | %s | %.2f | %.2f |\n", filepath.Base(f), p, ev.Product.Acc, ev.Product.Conf)
		if ev.IntraOnly != nil {
			fmt.Printf("| %s (intra-only product) | %s | %.2f | %.2f |\n", filepath.Base(f), p, ev.IntraOnly.Acc, ev.IntraOnly.Conf)
		}
		if len(m.Experts) > 1 {
			for _, e := range m.Experts {
				s := ev.Experts[e.Name]
				fmt.Printf("| %s (expert %s alone) | %s | %.2f | %.2f |\n", filepath.Base(f), e.Name, p, s.Acc, s.Conf)
			}
		}
	}
	return nil
}
