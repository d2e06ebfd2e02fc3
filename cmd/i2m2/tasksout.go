package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/i2m2-wasm/i2m2/manifest"
	"github.com/i2m2-wasm/i2m2/task"
)

// tasksReport is weights/results/tasks/results.json.
type tasksReport struct {
	Tasks map[string]*taskReport `json:"tasks"` // key: task.Key()
	Dial  []dialPoint            `json:"dial"`  // digit-or-mismatch by m
	Note  string                 `json:"note"`
}

// taskReport is one task (at one dial point).
type taskReport struct {
	Task        task.Task         `json:"task"`
	Results     *taskResults      `json:"results"`
	ShippedSeed uint64            `json:"shipped_seed"`
	Files       []manifest.Entry  `json:"files,omitempty"`
	Shuffle     *manifest.Shuffle `json:"shuffle,omitempty"`
}

// dialPoint is I2M2's standing at one m: its lead over the better conventional model.
type dialPoint struct {
	key     string
	M       float64                  `json:"m"`
	Acc     map[string]manifest.Stat `json:"acc"`
	Best    string                   `json:"best_conventional"` // intra_only or inter_only, the higher mean
	Lead    float64                  `json:"i2m2_lead"`         // i2m2 mean - best conventional mean (points)
	LeadStd float64                  `json:"i2m2_lead_std"`     // std over seeds of the per-seed lead
	AtLeast bool                     `json:"i2m2_at_least_best"`
}

// modelOrder is the tables' and the plot's row order.
var modelOrder = []string{"image_only", "audio_only", "intra_only", "inter_only", "i2m2", "i2m2_int8"}

func (rep *tasksReport) dial() {
	rep.Dial = nil
	for _, tr := range rep.Tasks {
		if tr.Task.Name != "digit-or-mismatch" {
			continue
		}
		res := tr.Results
		dp := dialPoint{key: tr.Task.Key(), M: tr.Task.Mismatch, Acc: res.byModel(), Best: "intra_only"}
		if res.InterOnly.Mean > res.IntraOnly.Mean {
			dp.Best = "inter_only"
		}
		best := res.byModel()[dp.Best]
		var leads []float64
		for i := range res.I2M2.Runs {
			leads = append(leads, res.I2M2.Runs[i]-best.Runs[i])
		}
		ls := manifest.NewStat(leads)
		dp.Lead, dp.LeadStd, dp.AtLeast = ls.Mean, ls.Std, ls.Mean >= 0
		rep.Dial = append(rep.Dial, dp)
	}
	sort.Slice(rep.Dial, func(i, j int) bool { return rep.Dial[i].M < rep.Dial[j].M })
}

func pm(s manifest.Stat) string {
	if len(s.Runs) < 2 {
		return fmt.Sprintf("%.2f (1 seed)", s.Mean)
	}
	return fmt.Sprintf("%.2f ± %.2f", s.Mean, s.Std)
}

// sortedKeys orders tasks as the lab does (task.All), dial points by m.
func (rep *tasksReport) sortedKeys() []string {
	var ks []string
	for k := range rep.Tasks {
		ks = append(ks, k)
	}
	rank := map[string]int{"digit": 0, "same": 1, "digit-or-mismatch": 2}
	sort.Slice(ks, func(i, j int) bool {
		a, b := rep.Tasks[ks[i]].Task, rep.Tasks[ks[j]].Task
		if rank[a.Name] != rank[b.Name] {
			return rank[a.Name] < rank[b.Name]
		}
		return a.Mismatch < b.Mismatch
	})
	return ks
}

// write writes results.json, tasks.md and accuracy-vs-m.svg into dir.
func (rep *tasksReport) write(dir string) error {
	rep.dial()
	rep.Note = "Each task re-pairs the real-input bank (package task): train and validation from MNIST train + FSDD george, jackson, yweweler and synthetic voices; test from MNIST t10k + held-out FSDD lucas, theo (clean). " +
		"Except digit (the real-input model, trained end to end), every model keeps the shipped digit model's encoders (frozen) and trains new heads with the paper's stages and optimiser; selection on validation only."
	if err := writeJSON(filepath.Join(dir, "results.json"), rep); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "tasks.md"), []byte(rep.markdown()), 0o644); err != nil {
		return err
	}
	svg, err := dialSVG(rep)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "accuracy-vs-m.svg"), []byte(svg), 0o644); err != nil {
		return err
	}
	if svg, err = tasksSVG(rep); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "tasks.svg"), []byte(svg), 0o644)
}

func (rep *tasksReport) markdown() string {
	var sb strings.Builder
	sb.WriteString("# Dependency regimes: results\n\nTest accuracy in percent (mean ± sample std over seeds) on each task's test pairs: clean MNIST test digits with the held-out real speakers (FSDD lucas, theo), re-paired per task (package task, seed task.TestSeed). Chance: always answering the most frequent test label. Written by `i2m2 tasks-report` (scripts/train-tasks.sh).\n\n")
	for _, k := range rep.sortedKeys() {
		tr := rep.Tasks[k]
		r := tr.Results
		fmt.Fprintf(&sb, "## %s (%s)\n\n%s Classes: %s. Dependency: %s. %d test pairs, chance %.2f%%, seeds %v, shipped seed %d (best I2M2 validation accuracy).\n\n",
			k, tr.Task.Title, tr.Task.Question, strings.Join(tr.Task.Classes, ", "), tr.Task.Dependency, r.NTest, r.Chance, r.Seeds, tr.ShippedSeed)
		sb.WriteString("| model | test accuracy % | per seed | best validation % |\n| --- | --- | --- | --- |\n")
		val := map[string]string{"image_only": "image", "audio_only": "audio", "intra_only": "intra", "inter_only": "inter", "i2m2": "i2m2"}
		for _, m := range modelOrder {
			s := r.byModel()[m]
			v := "-"
			if st, ok := r.Val[val[m]]; ok {
				v = pm(st)
			}
			fmt.Fprintf(&sb, "| %s | %s | %s | %s |\n", m, pm(s), fmtRuns(s.Runs), v)
		}
		for _, e := range []string{"image", "audio", "inter"} {
			fmt.Fprintf(&sb, "| I2M2's %s expert alone | %s | %s | - |\n", e, pm(r.Experts[e]), fmtRuns(r.Experts[e].Runs))
		}
		if tr.Shuffle != nil {
			fmt.Fprintf(&sb, "\nShuffle test of the shipped int8 files on the page's kernels (`i2m2 eval --task %s --shuffle image|audio`; %.1f%% of the shuffled partners have the same label): accuracy / mean confidence %%.\n\n| model | none | image shuffled | audio shuffled |\n| --- | --- | --- | --- |\n", tr.Task.Name, tr.Shuffle.SameLabel)
			rows := tr.Shuffle.Rows
			for i := 0; i+2 < len(rows); {
				// rows come per model as none, image, audio (I2M2's experts interleaved per shuffle)
				k := 1
				for i+k < len(rows) && rows[i+k].Shuffle == "none" {
					k++
				}
				for j := 0; j < k && i+2*k+j < len(rows); j++ {
					a, b, c := rows[i+j], rows[i+k+j], rows[i+2*k+j]
					fmt.Fprintf(&sb, "| %s | %.2f / %.1f | %.2f / %.1f | %.2f / %.1f |\n", a.Model, a.Acc, a.Conf, b.Acc, b.Conf, c.Acc, c.Conf)
				}
				i += 3 * k
			}
		}
		sb.WriteString("\n")
	}
	if len(rep.Dial) > 0 {
		sb.WriteString("## Accuracy vs m (digit-or-mismatch)\n\n![accuracy vs m](accuracy-vs-m.svg)\n\n| m | " + strings.Join(modelOrder, " | ") + " | I2M2 - best of intra/inter (points) | I2M2 >= best? |\n|" + strings.Repeat(" --- |", len(modelOrder)+3) + "\n")
		for _, dp := range rep.Dial {
			fmt.Fprintf(&sb, "| %g |", dp.M)
			for _, m := range modelOrder {
				fmt.Fprintf(&sb, " %s |", pm(dp.Acc[m]))
			}
			yes := "yes"
			if !dp.AtLeast {
				yes = "no"
			}
			fmt.Fprintf(&sb, " %+.2f ± %.2f (vs %s) | %s |\n", dp.Lead, dp.LeadStd, dp.Best, yes)
		}
	}
	return sb.String()
}

func fmtRuns(v []float64) string {
	var s []string
	for _, x := range v {
		s = append(s, fmt.Sprintf("%.2f", x))
	}
	return strings.Join(s, ", ")
}

// writeTasksManifest sets manifest.json's "tasks" (every other member kept as it is): per shipped
// task its title, classes, int8 files (the I2M2 one the default), results shaped like the
// top-level "results", the shuffle test and, for digit-or-mismatch, the results at every dial point.
func writeTasksManifest(wdir string, rep *tasksReport) error {
	path := filepath.Join(wdir, "manifest.json")
	man, err := manifest.ReadFile(path)
	if err != nil {
		return err
	}
	if man.Tasks == nil {
		man.Tasks = map[string]*manifest.Task{}
	}
	for _, t := range task.All() {
		tr, ok := rep.Tasks[t.Key()]
		if !ok {
			return fmt.Errorf("tasks-report: no runs of shipped task %s", t.Key())
		}
		var dial []manifest.DialPoint
		if t.Name == "digit-or-mismatch" {
			for _, dp := range rep.Dial {
				dial = append(dial, manifest.DialPoint{M: dp.M, Results: rep.Tasks[dp.key].Results.manifestResults()})
			}
		}
		// The members package manifest does not type (question, default, plot, ...) are kept by
		// its decoder, so the task goes through JSON once.
		b, err := json.Marshal(map[string]any{"title": t.Title, "classes": t.Classes, "models": tr.Files,
			"results": tr.Results.manifestResults(), "shuffle": tr.Shuffle, "dial": dial,
			"question": t.Question, "dependency": t.Dependency, "mismatch": t.Mismatch, "default": taskFile(t, "i2m2"),
			"shipped_seed": tr.ShippedSeed, "plot": taskPlot(t), "results_json": "results/tasks/results.json",
			"demo": "demo/" + task.DemoFile})
		if err != nil {
			return err
		}
		mt := &manifest.Task{}
		if err := json.Unmarshal(b, mt); err != nil {
			return fmt.Errorf("tasks-report: task %s: %w", t.Name, err)
		}
		man.Tasks[t.Name] = mt
	}
	return man.WriteFile(path)
}

// taskPlot is the plot the lab shows for t: accuracy vs m for digit-or-mismatch, the tasks' bars
// otherwise (relative to weights/).
func taskPlot(t task.Task) string {
	if t.Name == "digit-or-mismatch" {
		return "results/tasks/accuracy-vs-m.svg"
	}
	return "results/tasks/tasks.svg"
}
