package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/i2m2-wasm/i2m2/dataset"
	"github.com/i2m2-wasm/i2m2/manifest"
	"github.com/i2m2-wasm/i2m2/model"
	"github.com/i2m2-wasm/i2m2/model/quant"
	"github.com/i2m2-wasm/i2m2/task"
	"github.com/i2m2-wasm/i2m2/train"
)

// taskRun is one seed of one task: what `i2m2 tasks` wrote.
type taskRun struct {
	dir  string
	hist taskHistory
	eval train.RunEval
}

func (r *taskRun) valAcc(stage string) float64 {
	for _, h := range r.hist.Histories {
		if h.Name == stage {
			return h.BestValAcc
		}
	}
	return math.NaN()
}

// loadTaskRuns reads every complete seed (history.json and eval.json) under runs/<key>/.
func loadTaskRuns(runs string) (map[string][]*taskRun, error) {
	out := map[string][]*taskRun{}
	dirs, err := filepath.Glob(filepath.Join(runs, "*", "seed*"))
	if err != nil {
		return nil, err
	}
	sort.Strings(dirs)
	for _, d := range dirs {
		r := &taskRun{dir: d}
		hb, err1 := os.ReadFile(filepath.Join(d, "history.json"))
		eb, err2 := os.ReadFile(filepath.Join(d, "eval.json"))
		if err1 != nil || err2 != nil {
			continue // unfinished seed
		}
		if err := json.Unmarshal(hb, &r.hist); err != nil {
			return nil, fmt.Errorf("%s/history.json: %w", d, err)
		}
		if err := json.Unmarshal(eb, &r.eval); err != nil {
			return nil, fmt.Errorf("%s/eval.json: %w", d, err)
		}
		k := r.hist.Task.Key()
		out[k] = append(out[k], r)
	}
	for _, rs := range out {
		sort.Slice(rs, func(i, j int) bool { return rs[i].hist.Seed < rs[j].hist.Seed })
	}
	return out, nil
}

// taskResults is one task's results object, shaped like manifest.json's top-level "results".
type taskResults struct {
	Seeds     []uint64                 `json:"seeds"`
	ImageOnly manifest.Stat            `json:"image_only"`
	AudioOnly manifest.Stat            `json:"audio_only"`
	IntraOnly manifest.Stat            `json:"intra_only"`
	InterOnly manifest.Stat            `json:"inter_only"`
	I2M2      manifest.Stat            `json:"i2m2"`
	I2M2Int8  manifest.Stat            `json:"i2m2_int8"`
	Agreement manifest.Stat            `json:"int8_agreement"`
	Experts   map[string]manifest.Stat `json:"experts"` // each expert of I2M2 alone
	Val       map[string]manifest.Stat `json:"val"`     // best validation accuracy of each stage (selection)
	NTest     int                      `json:"n_test"`
	Chance    float64                  `json:"chance"` // accuracy of always answering the test set's most frequent class
	Units     string                   `json:"units"`
}

func (t *taskResults) byModel() map[string]manifest.Stat {
	return map[string]manifest.Stat{"image_only": t.ImageOnly, "audio_only": t.AudioOnly, "intra_only": t.IntraOnly,
		"inter_only": t.InterOnly, "i2m2": t.I2M2, "i2m2_int8": t.I2M2Int8}
}

// manifestResults is t in manifest.json's shape.
func (t *taskResults) manifestResults() *manifest.Results {
	st := t.byModel()
	st[manifest.StatInt8Agreement] = t.Agreement
	return &manifest.Results{Stats: st, Experts: t.Experts, Seeds: t.Seeds, Units: t.Units}
}

// aggregate is the mean and std over seeds of a task's runs.
func aggregate(rs []*taskRun, chance float64) *taskResults {
	col := func(f func(r *taskRun) float64) manifest.Stat {
		var v []float64
		for _, r := range rs {
			v = append(v, f(r))
		}
		return manifest.NewStat(v)
	}
	acc := func(n string) manifest.Stat {
		return col(func(r *taskRun) float64 { return r.eval.Evals[n].Product.Acc })
	}
	t := &taskResults{ImageOnly: acc("image_only"), AudioOnly: acc("audio_only"), IntraOnly: acc("intra_only"),
		InterOnly: acc("inter_only"), I2M2: acc("i2m2"), I2M2Int8: col(func(r *taskRun) float64 { return r.eval.Int8.Product.Acc }),
		Agreement: col(func(r *taskRun) float64 { return r.eval.Agreement }), Experts: map[string]manifest.Stat{}, Val: map[string]manifest.Stat{},
		NTest: rs[0].eval.Evals["i2m2"].N, Chance: chance,
		Units: "test accuracy in percent on the task's test pairs (clean MNIST test digits, held-out FSDD speakers lucas and theo): mean, sample std over seeds, per-seed runs in seed order"}
	for _, r := range rs {
		t.Seeds = append(t.Seeds, r.hist.Seed)
	}
	for _, e := range []string{"image", "audio", "inter"} {
		t.Experts[e] = col(func(r *taskRun) float64 { return r.eval.Evals["i2m2"].Experts[e].Acc })
	}
	for _, s := range []string{"image", "audio", "inter", "intra", "i2m2"} {
		t.Val[s] = col(func(r *taskRun) float64 { return r.valAcc(s) })
	}
	return t
}

// chanceOf is the share of the most frequent label of d (percent).
func chanceOf(d *train.Data) float64 {
	var c [256]int
	best := 0
	for _, y := range d.Labels {
		c[y]++
		best = max(best, c[y])
	}
	return 100 * float64(best) / float64(d.N)
}

func runTasksReport(args []string) error {
	fs := newFlags("tasks-report")
	root := rootFlag(fs)
	runs := fs.String("runs", "", "runs directory of `i2m2 tasks` (<runs>/<task>/seed<N>/)")
	n := fs.Int("n", 0, "test digits (0 = all 10,000), as the runs were evaluated")
	weights := weightsFlag(fs)
	results := fs.String("results", "weights/results/tasks", "results directory")
	if err := parseFlags(fs, args, "runs"); err != nil {
		return err
	}
	all, err := loadTaskRuns(*runs)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(*results, 0o755); err != nil {
		return err
	}
	clean, err := realClean(*root, *n)
	if err != nil {
		return err
	}
	rep := &tasksReport{Tasks: map[string]*taskReport{}}
	for key, rs := range all {
		t := rs[0].hist.Task
		te, err := taskTest(clean, t)
		if err != nil {
			return err
		}
		tr := &taskReport{Task: t, Results: aggregate(rs, chanceOf(te))}
		// ship the seed with the best I2M2 validation accuracy (selection on validation only)
		ship := rs[0]
		for _, r := range rs {
			if r.valAcc("i2m2") > ship.valAcc("i2m2") {
				ship = r
			}
		}
		tr.ShippedSeed = ship.hist.Seed
		if isShippedTask(t) {
			if tr.Files, err = shipTask(t, ship, *weights); err != nil {
				return err
			}
			if tr.Shuffle, err = shuffleTask(tr.Files, shipKinds(t), *weights, te, ship.hist.Seed); err != nil {
				return err
			}
		}
		rep.Tasks[key] = tr
		fmt.Fprintf(os.Stderr, "%s: %d seeds, i2m2 %.2f±%.2f, intra %.2f±%.2f, inter %.2f±%.2f (chance %.2f)\n", key, len(rs),
			tr.Results.I2M2.Mean, tr.Results.I2M2.Std, tr.Results.IntraOnly.Mean, tr.Results.IntraOnly.Std,
			tr.Results.InterOnly.Mean, tr.Results.InterOnly.Std, tr.Results.Chance)
	}
	if err := rep.write(*results); err != nil {
		return err
	}
	return writeTasksManifest(*weights, rep)
}

// isShippedTask says whether t is one of task.All() (the lab's tasks, at the shipped dial point).
func isShippedTask(t task.Task) bool {
	for _, s := range task.All() {
		if s.Key() == t.Key() {
			return true
		}
	}
	return false
}

// taskFile is the shipped int8 file of a task's model type (the digit task's I2M2 is the
// real-input model itself).
func taskFile(t task.Task, kind string) string {
	if t.Name == "digit" && kind == "i2m2" {
		return realInt8
	}
	return "task-" + t.Name + "-" + strings.ReplaceAll(kind, "_", "-") + "-int8.i2m2"
}

// shipKinds are the model types shipped per task: I2M2, and for same the two conventional models
// the lab compares it with.
func shipKinds(t task.Task) []string {
	if t.Name == "same" {
		return []string{"i2m2", "intra_only", "inter_only"}
	}
	return []string{"i2m2"}
}

// shipTask writes the int8 files of run (its I2M2 and, for same, intra-only and inter-only) into
// wdir and describes them. The digit task's I2M2 file is the shipped real-input model (not rewritten).
func shipTask(t task.Task, run *taskRun, wdir string) ([]manifest.Entry, error) {
	var out []manifest.Entry
	for _, kind := range shipKinds(t) {
		file := taskFile(t, kind)
		var b []byte
		var err error
		if t.Name == "digit" {
			if err := sameWeights(filepath.Join(wdir, realF32), filepath.Join(run.dir, kind+".i2m2")); err != nil {
				return nil, fmt.Errorf("digit: the runs are not the shipped real-input model's: %w", err)
			}
			if b, err = os.ReadFile(filepath.Join(wdir, file)); err != nil {
				return nil, err
			}
		} else {
			m, err := readModel(filepath.Join(run.dir, kind+".i2m2"))
			if err != nil {
				return nil, err
			}
			m.Name = "task-" + t.Name + "-" + kind
			if _, err := quant.Quantize(m); err != nil {
				return nil, err
			}
			if b, err = m.MarshalBinary(); err != nil {
				return nil, err
			}
		}
		acc := run.eval.Evals[kind].Product.Acc
		if kind == "i2m2" {
			acc = run.eval.Int8.Product.Acc
		}
		// the entry's name is the kind's model name; the I2M2 file is the task's default
		name := "task-" + t.Name + "-" + kind
		if t.Name == "digit" {
			name = realName
		}
		e, err := writeEntry(wdir, file, b, name, kind == "i2m2", run.hist.Seed, acc)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// shuffleTask is the shuffle test of a task's shipped files on its test pairs, on the page's
// kernels (model.DefaultPath): each model with nothing, the image or the audio replaced by another
// test pair's (the seeded permutation of `i2m2 eval --shuffle`); for I2M2 also each expert alone.
func shuffleTask(files []manifest.Entry, kinds []string, wdir string, te *train.Data, seed uint64) (*manifest.Shuffle, error) {
	perm := dataset.NewRNG(permSeed).Perm(te.N)
	same := 0
	for i, j := range perm {
		if te.Labels[i] == te.Labels[j] {
			same++
		}
	}
	sh := &manifest.Shuffle{N: te.N, PermSeed: permSeed, SeedModel: seed, SameLabel: 100 * float64(same) / float64(te.N),
		Units: "accuracy and mean confidence (mean probability of the predicted class) in percent on the task's test pairs, shipped int8 files on the page's kernels; shuffle names the modality replaced by pair perm[i]'s"}
	for fi, f := range files {
		m, err := readModel(filepath.Join(wdir, f.File))
		if err != nil {
			return nil, err
		}
		for _, mod := range []string{"", "image", "audio"} {
			ev, err := train.EvalModel(m, model.DefaultPath, te, mod, perm, 1)
			if err != nil {
				return nil, err
			}
			name := mod
			if name == "" {
				name = "none"
			}
			sh.Rows = append(sh.Rows, manifest.ShuffleRow{Model: kinds[fi], Shuffle: name, Acc: ev.Product.Acc, Conf: ev.Product.Conf})
			if kinds[fi] == "i2m2" {
				for _, e := range m.Experts {
					s := ev.Experts[e.Name]
					sh.Rows = append(sh.Rows, manifest.ShuffleRow{Model: "i2m2 expert " + e.Name, Shuffle: name, Acc: s.Acc, Conf: s.Conf})
				}
			}
		}
	}
	return sh, nil
}

// sameWeights checks that the model files a and b hold the same experts and weights (names may
// differ: the shipped real-input model is its run's I2M2 renamed).
func sameWeights(a, b string) error {
	ma, err := readModel(a)
	if err != nil {
		return err
	}
	mb, err := readModel(b)
	if err != nil {
		return err
	}
	if len(ma.Experts) != len(mb.Experts) {
		return fmt.Errorf("%s and %s: %d and %d experts", a, b, len(ma.Experts), len(mb.Experts))
	}
	for i := range ma.Experts {
		la := append(slices.Concat(ma.Experts[i].Branches...), ma.Experts[i].Head...)
		lb := append(slices.Concat(mb.Experts[i].Branches...), mb.Experts[i].Head...)
		if len(la) != len(lb) {
			return fmt.Errorf("%s and %s: expert %d differs", a, b, i)
		}
		for j := range la {
			if !slices.Equal(la[j].W, lb[j].W) || !slices.Equal(la[j].B, lb[j].B) {
				return fmt.Errorf("%s and %s: expert %s layer %d weights differ", a, b, ma.Experts[i].Name, j)
			}
		}
	}
	return nil
}
