package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/i2m2-wasm/i2m2/dataset"
	"github.com/i2m2-wasm/i2m2/model"
	"github.com/i2m2-wasm/i2m2/task"
	"github.com/i2m2-wasm/i2m2/train"
)

func init() {
	register("eval", "test accuracy and confidence of models, optionally with one modality shuffled; --runs writes the shipped weights, manifest and results", runEval)
}

const (
	shipF32  = "avmnist-tts-f32.i2m2"
	shipInt8 = "avmnist-tts-int8.i2m2"
	permSeed = 20241210 // seed of the shuffling permutation
)

func baselineFile(name string) string {
	return "baseline-" + strings.ReplaceAll(name, "_", "-") + ".i2m2"
}

func runEval(args []string) error {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	root := fs.String("root", "", "repo root or weights/data directory (default: search upwards)")
	models := fs.String("model", "", "comma-separated model files (default: the shipped model and baselines in --weights)")
	shuffle := fs.String("shuffle", "", "replace this modality (image or audio) by another test sample's (seeded permutation)")
	pathFlag := fs.String("path", "", "kernels: reference, float32 or int8 (default: int8 for int8 files, float32 otherwise)")
	limit := fs.Int("limit", 0, "evaluate the first n test samples (0 = all)")
	runs := fs.String("runs", "", "report mode: comma-separated run directories of `i2m2 train`; writes shipped weights, manifest.json and results")
	weights := fs.String("weights", "weights", "weights directory")
	results := fs.String("results", "weights/results", "results directory (report mode)")
	taskName := fs.String("task", "", "evaluate on this task's test pairs (package task: digit, same, digit-or-mismatch[@m]; held-out real speakers); default model: the task's shipped files")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var te *train.Data
	var files []string
	if *taskName != "" {
		t, err := task.Lookup(*taskName)
		if err != nil {
			return err
		}
		if *runs != "" {
			return fmt.Errorf("--task and --runs: the tasks' report is `i2m2 tasks-report`")
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
	} else {
		_, _, tb, splits, err := loadData(*root, *limit)
		if err != nil {
			return err
		}
		if *runs != "" {
			return report(strings.Split(*runs, ","), tb, splits[2], *weights, *results, *root, *limit)
		}
		te = tb
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
		p := model.Fast
		if m.Quantization == model.Int8 {
			p = model.Quantized
		}
		if *pathFlag != "" {
			if p, err = parsePath(*pathFlag); err != nil {
				return err
			}
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
	quant     []model.QuantStat
}

func (r *runInfo) valAcc(stage string) float64 {
	for _, h := range r.Histories {
		if h.Name == stage {
			return h.BestValAcc
		}
	}
	return math.NaN()
}

// report evaluates every run's models on the test split, writes the shipped
// weights (the I2M2 model of the seed with the best validation accuracy, as
// float32 and int8, and that seed's baselines), weights/manifest.json and the
// tables in results.
func report(dirs []string, te *train.Data, teSplit *dataset.Split, wdir, rdir, root string, limit int) error {
	workers := runtime.GOMAXPROCS(0)
	if err := os.MkdirAll(rdir, 0o755); err != nil {
		return err
	}
	var runs []*runInfo
	for _, d := range dirs {
		b, err := os.ReadFile(filepath.Join(d, "history.json"))
		if err != nil {
			return err
		}
		ri := &runInfo{dir: d, models: map[string]*model.Model{}, evals: map[string]*train.ModelEval{}}
		if err := json.Unmarshal(b, ri); err != nil {
			return fmt.Errorf("%s/history.json: %w", d, err)
		}
		for _, n := range train.ModelNames {
			m, err := readModel(filepath.Join(d, n+".i2m2"))
			if err != nil {
				return err
			}
			ri.models[n] = m
		}
		var re *train.RunEval
		if eb, err := os.ReadFile(filepath.Join(d, "eval.json")); err == nil && ri.Limit == limit {
			re = &train.RunEval{}
			if err := json.Unmarshal(eb, re); err != nil {
				return fmt.Errorf("%s/eval.json: %w", d, err)
			}
		} else {
			fmt.Fprintf(os.Stderr, "%s: evaluating on the test split\n", d)
			if re, err = train.EvaluateRun(ri.models, te, workers); err != nil {
				return err
			}
		}
		ri.evals, ri.int8, ri.agree, ri.quant = re.Evals, re.Int8, re.Agreement, re.Quant
		fmt.Fprintf(os.Stderr, "seed %d: i2m2 %.2f%% (int8 %.2f%%, agreement %.2f%%), image %.2f, audio %.2f, intra %.2f, inter %.2f\n",
			ri.Seed, ri.evals["i2m2"].Product.Acc, ri.int8.Product.Acc, ri.agree, ri.evals["image_only"].Product.Acc,
			ri.evals["audio_only"].Product.Acc, ri.evals["intra_only"].Product.Acc, ri.evals["inter_only"].Product.Acc)
		runs = append(runs, ri)
	}
	sort.Slice(runs, func(i, j int) bool { return runs[i].Seed < runs[j].Seed })
	collect := func(f func(r *runInfo) float64) Stat {
		v := make([]float64, len(runs))
		for i, r := range runs {
			v[i] = f(r)
		}
		return stat(v)
	}
	res := map[string]any{}
	for _, n := range train.ModelNames {
		res[n] = collect(func(r *runInfo) float64 { return r.evals[n].Product.Acc })
	}
	res["i2m2_int8"] = collect(func(r *runInfo) float64 { return r.int8.Product.Acc })
	experts := map[string]Stat{}
	for _, e := range []string{"image", "audio", "inter"} {
		experts[e] = collect(func(r *runInfo) float64 { return r.evals["i2m2"].Experts[e].Acc })
	}
	res["experts"] = experts
	res["i2m2_intra_part"] = collect(func(r *runInfo) float64 { return r.evals["i2m2"].IntraOnly.Acc })
	res["int8_agreement"] = collect(func(r *runInfo) float64 { return r.agree })
	res["units"] = "test accuracy in percent (mean, sample std over seeds, per-seed runs in seed order); int8_agreement: percent of test samples with the same top-1 as float32"
	seeds := make([]uint64, len(runs))
	for i, r := range runs {
		seeds[i] = r.Seed
	}
	res["seeds"] = seeds

	// Ship the I2M2 model of the seed with the best validation accuracy (selection never looks at test).
	ship := runs[0]
	for _, r := range runs[1:] {
		if r.valAcc("i2m2") > ship.valAcc("i2m2") {
			ship = r
		}
	}
	fmt.Fprintf(os.Stderr, "shipping seed %d (best I2M2 validation accuracy %.2f%%)\n", ship.Seed, ship.valAcc("i2m2"))
	f32 := ship.models["i2m2"]
	f32.Name = "avmnist-tts"
	f32.Provenance.Metrics = map[string]float64{
		"val_acc": ship.valAcc("i2m2"), "test_acc": ship.evals["i2m2"].Product.Acc, "test_acc_int8": ship.int8.Product.Acc,
		"test_acc_image_expert": ship.evals["i2m2"].Experts["image"].Acc, "test_acc_audio_expert": ship.evals["i2m2"].Experts["audio"].Acc,
		"test_acc_inter_expert": ship.evals["i2m2"].Experts["inter"].Acc,
	}
	fb, err := f32.MarshalBinary()
	if err != nil {
		return err
	}
	q, err := model.Read(fb)
	if err != nil {
		return err
	}
	qstats := q.Quantize()
	qb, err := q.MarshalBinary()
	if err != nil {
		return err
	}
	entry := func(file string, b []byte, m *model.Model, def bool, acc float64) (fileEntry, error) {
		return writeEntry(wdir, file, b, m.Name, def, ship.Seed, acc)
	}
	var files, baselines []fileEntry
	e8, err := entry(shipInt8, qb, q, true, ship.int8.Product.Acc)
	if err != nil {
		return err
	}
	e32, err := entry(shipF32, fb, f32, false, ship.evals["i2m2"].Product.Acc)
	if err != nil {
		return err
	}
	files = append(files, e8, e32)
	for _, n := range train.ModelNames[:4] {
		m := ship.models[n]
		b, err := m.MarshalBinary()
		if err != nil {
			return err
		}
		e, err := entry(baselineFile(n), b, m, false, ship.evals[n].Product.Acc)
		if err != nil {
			return err
		}
		baselines = append(baselines, e)
	}

	// Shuffle analysis on the shipped files, read back from disk.
	perm := dataset.NewRNG(permSeed).Perm(te.N)
	sameLabel := 0
	for i, j := range perm {
		if te.Labels[i] == te.Labels[j] {
			sameLabel++
		}
	}
	type shuffleRow struct {
		Model   string  `json:"model"`
		Shuffle string  `json:"shuffle"`
		Acc     float64 `json:"acc"`
		Conf    float64 `json:"conf"`
	}
	var rows []shuffleRow
	shipFiles := []struct{ label, file, run string }{
		{"image_only", baselineFile("image_only"), "image_only"}, {"audio_only", baselineFile("audio_only"), "audio_only"},
		{"intra_only", baselineFile("intra_only"), "intra_only"}, {"inter_only", baselineFile("inter_only"), "inter_only"},
		{"i2m2", shipF32, "i2m2"},
	}
	// Every (model, shuffle) evaluation runs in its own goroutine: on a shared
	// machine the wall time is what matters; results are assembled in order.
	shuffles := []string{"image", "audio"}
	shEvals := make([][]*train.ModelEval, len(shipFiles))
	shErrs := make([]error, len(shipFiles)*len(shuffles))
	var wg sync.WaitGroup
	for i, sf := range shipFiles {
		m, err := readModel(filepath.Join(wdir, sf.file))
		if err != nil {
			return err
		}
		shEvals[i] = make([]*train.ModelEval, len(shuffles))
		for j, sh := range shuffles {
			wg.Add(1)
			go func() {
				defer wg.Done()
				shEvals[i][j], shErrs[i*len(shuffles)+j] = train.EvalModel(m, model.Fast, te, sh, perm, 1)
			}()
		}
	}
	wg.Wait()
	for _, err := range shErrs {
		if err != nil {
			return err
		}
	}
	for i, sf := range shipFiles {
		for j, sh := range append([]string{""}, shuffles...) {
			ev := ship.evals[sf.run] // unshuffled: already evaluated (same weights)
			if sh != "" {
				ev = shEvals[i][j-1]
			}
			name := sh
			if name == "" {
				name = "none"
			}
			rows = append(rows, shuffleRow{sf.label, name, ev.Product.Acc, ev.Product.Conf})
			if sf.label == "i2m2" {
				for _, e := range []string{"image", "audio", "inter"} {
					rows = append(rows, shuffleRow{"i2m2 expert " + e, name, ev.Experts[e].Acc, ev.Experts[e].Conf})
				}
				rows = append(rows, shuffleRow{"i2m2 intra part (image x audio experts)", name, ev.IntraOnly.Acc, ev.IntraOnly.Conf})
			}
		}
	}
	shuffleInfo := map[string]any{
		"seed_model": ship.Seed, "perm_seed": permSeed, "n": te.N,
		"same_label_after_permutation": 100 * float64(sameLabel) / float64(te.N),
		"rows":                         rows,
		"units":                        "accuracy and mean confidence (mean probability of the predicted class) in percent on the test split; shuffle names the modality replaced by sample perm[i]'s",
	}

	// Dataset description.
	dsInfo := map[string]any{"name": "AV-MNIST-TTS", "train": dataset.NumTrain, "val": dataset.NumVal, "test": dataset.NumTest,
		"pairing_seed": pairSeed, "description": dataDescription(root)}
	if te.N != dataset.NumTest {
		dsInfo["test_evaluated"] = te.N
	}
	voices := map[string]int{}
	for _, v := range teSplit.Voices {
		voices[v]++
	}
	dsInfo["test_voices"] = voices
	if dir, err := dataset.DataDir(root); err == nil {
		if ix, err := dataset.ReadIndex(dir); err == nil {
			dsInfo["snr_db"] = ix.Audio.SNRdB
			dsInfo["audio_features"] = ix.Audio.Features
			dsInfo["pca"] = ix.PCA
			if fe, ok := ix.Files[dataset.BankFile]; ok {
				dsInfo["bank_sha256"] = fe.SHA256
			}
		}
	}
	training := map[string]any{"recipe": runs[0].Recipe, "limit": runs[0].Limit}
	per := []map[string]any{}
	for _, r := range runs {
		st := map[string]any{"seed": r.Seed, "minutes": r.Seconds / 60}
		for _, h := range r.Histories {
			st[h.Name] = map[string]any{"seconds": h.Seconds, "epochs": len(h.Epochs), "best_epoch": h.BestEpoch, "best_val_acc": h.BestValAcc}
		}
		per = append(per, st)
	}
	training["runs"] = per
	manifest := map[string]any{"baselines": baselines, "results": res, "dataset": dsInfo,
		"shuffle": shuffleInfo, "training": training, "shipped_seed": ship.Seed}
	if err := mergeManifest(wdir, manifest, files, true); err != nil { // keeps the real-input model's entries
		return err
	}

	// Tables.
	var rb strings.Builder
	fmt.Fprintf(&rb, "# AV-MNIST-TTS results\n\nTest accuracy (%%) on the %d test pairs (held-out voices), mean ± sample std over seeds %v, computed with the Go inference engine on the exported files (float32 fast path; int8 path for i2m2_int8).\n\n", te.N, seeds)
	fmt.Fprintln(&rb, "| model | mean ± std | per seed |")
	fmt.Fprintln(&rb, "| --- | --- | --- |")
	row := func(name string, s Stat) {
		var ps []string
		for _, v := range s.Runs {
			ps = append(ps, fmt.Sprintf("%.2f", v))
		}
		fmt.Fprintf(&rb, "| %s | %.2f ± %.2f | %s |\n", name, s.Mean, s.Std, strings.Join(ps, ", "))
	}
	for _, n := range []string{"image_only", "audio_only", "intra_only", "inter_only", "i2m2", "i2m2_int8"} {
		row(n, res[n].(Stat))
	}
	for _, e := range []string{"image", "audio", "inter"} {
		row("i2m2 expert "+e+" alone", experts[e])
	}
	row("i2m2 intra part (its image x audio experts)", res["i2m2_intra_part"].(Stat))
	row("int8 vs float32 top-1 agreement", res["int8_agreement"].(Stat))
	fmt.Fprintf(&rb, "\nShipped: seed %d (best I2M2 validation accuracy, %.2f%%).\n\n## Training\n\n", ship.Seed, ship.valAcc("i2m2"))
	rc := runs[0].Recipe
	size := func(n int) string {
		if n == 0 {
			return "all 55,000"
		}
		return fmt.Sprint(n)
	}
	fmt.Fprintf(&rb, "Recipe: SGD momentum 0.9, weight decay 1e-4, batch %d, gradient-norm clip 8; image/audio experts %d epoch(s) of %s samples at lr %g, inter expert %d epoch(s) of %s samples at lr %g, joint fine-tuning (I2M2 and intra-only) %d epoch(s) of %s samples at lr %g (each epoch a fresh random subset); model selection on validation accuracy after each epoch. Minutes are wall time of one process (one Go thread; the seeds ran concurrently).\n\n",
		rc.Batch, rc.UniEpochs, size(rc.UniSize), rc.UniLR, rc.InterEpoch, size(rc.InterSize), rc.InterLR, rc.FineEpochs, size(rc.FineSize), rc.FineLR)
	fmt.Fprintln(&rb, "| seed | stage | epochs | best epoch | best val acc % | minutes |")
	fmt.Fprintln(&rb, "| --- | --- | --- | --- | --- | --- |")
	for _, r := range runs {
		for _, h := range r.Histories {
			fmt.Fprintf(&rb, "| %d | %s | %d | %d | %.2f | %.1f |\n", r.Seed, h.Name, len(h.Epochs), h.BestEpoch, h.BestValAcc, h.Seconds/60)
		}
		fmt.Fprintf(&rb, "| %d | total | | | | %.1f |\n", r.Seed, r.Seconds/60)
	}
	if err := os.WriteFile(filepath.Join(rdir, "results.md"), []byte(rb.String()), 0o644); err != nil {
		return err
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "# Modality shuffling\n\nShipped models (seed %d) on the %d test pairs; \"shuffle image\" gives sample i the image of sample perm[i] (seeded permutation, seed %d), breaking the pairing; the label stays sample i's. %.1f%% of the shuffled partners happen to have the same label. Accuracy / mean confidence (mean probability of the predicted class), percent.\n\n",
		ship.Seed, te.N, permSeed, 100*float64(sameLabel)/float64(te.N))
	fmt.Fprintln(&sb, "| model | none | shuffle image | shuffle audio |")
	fmt.Fprintln(&sb, "| --- | --- | --- | --- |")
	var order []string
	cells := map[string]map[string]shuffleRow{}
	for _, r := range rows {
		if cells[r.Model] == nil {
			order = append(order, r.Model)
			cells[r.Model] = map[string]shuffleRow{}
		}
		cells[r.Model][r.Shuffle] = r
	}
	for _, name := range order {
		c := cells[name]
		fmt.Fprintf(&sb, "| %s | %.2f / %.2f | %.2f / %.2f | %.2f / %.2f |\n", name, c["none"].Acc, c["none"].Conf,
			c["image"].Acc, c["image"].Conf, c["audio"].Acc, c["audio"].Conf)
	}
	if err := os.WriteFile(filepath.Join(rdir, "shuffle.md"), []byte(sb.String()), 0o644); err != nil {
		return err
	}
	qf, err := os.Create(filepath.Join(rdir, "quantization.md"))
	if err != nil {
		return err
	}
	writeQuantStats(qf, shipF32, qstats)
	fmt.Fprintf(qf, "\nint8 vs float32 on the test split (same trained model, seed %d): accuracy %.2f%% vs %.2f%%, top-1 agreement %.2f%%.\n",
		ship.Seed, ship.int8.Product.Acc, ship.evals["i2m2"].Product.Acc, ship.agree)
	if err := qf.Close(); err != nil {
		return err
	}
	io.WriteString(os.Stdout, rb.String()+"\n"+sb.String())
	return nil
}
