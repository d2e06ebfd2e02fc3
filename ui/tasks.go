package ui

import (
	"fmt"
	"sort"
	"strings"

	"github.com/i2m2-wasm/i2m2/manifest"
)

// ManifestTask is one entry of the manifest's tasks (package manifest's Task): a task on the demo
// set's inputs with its own labels and models ("digit": which digit; "same": does the voice say the
// digit in the picture; "digit-or-mismatch": the digit, or "mismatch").
type ManifestTask struct{ *manifest.Task }

// ShuffleReference describes the trainer's shuffle test for the task shown (its own, else the
// manifest's) in one line, or "".
func (l *Lab) ShuffleReference() string {
	if l.Manifest == nil {
		return ""
	}
	t := l.Manifest.Tasks[l.Task]
	if t == nil {
		return l.Manifest.ShuffleReference()
	}
	if t.Shuffle == nil {
		return ""
	}
	acc := map[string]float64{}
	for _, r := range t.Shuffle.Rows {
		if r.Model == "i2m2" {
			acc[r.Shuffle] = r.Acc
		}
	}
	var parts []string
	for _, c := range []struct{ key, name string }{{"none", "intact"}, {"image", "with shuffled images"}, {"audio", "with shuffled clips"}} {
		if v, ok := acc[c.key]; ok {
			parts = append(parts, fmt.Sprintf("%.0f%% %s", v, c.name))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return fmt.Sprintf("For reference, the trainer's shuffle test of this task on %d test pairs: I2M2 %s.", t.Shuffle.N, strings.Join(parts, ", "))
}

// taskTitles are the switch's labels of the tasks the repository defines, when the manifest gives
// none.
var taskTitles = map[string]string{"digit": "Which digit?", "same": "Same digit?", "digit-or-mismatch": "Digit or mismatch?"}

// taskOrder puts those tasks first, in this order; other tasks follow by name.
var taskOrder = map[string]int{"digit": 1, "same": 2, "digit-or-mismatch": 3}

// TitleOf is the switch's label of task name.
func (m *Manifest) TitleOf(name string) string {
	if t := m.Tasks[name]; t != nil && t.Title != "" {
		return t.Title
	}
	if s, ok := taskTitles[name]; ok {
		return s
	}
	return name
}

// TaskNames lists the tasks in display order.
func (m *Manifest) TaskNames() []string {
	if m == nil {
		return nil
	}
	var out []string
	for k := range m.Tasks {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := taskOrder[out[i]], taskOrder[out[j]]
		if a == 0 {
			a = 1 << 20
		}
		if b == 0 {
			b = 1 << 20
		}
		return a < b || a == b && out[i] < out[j]
	})
	return out
}

// Model is the task's model the lab runs (package manifest's rule, Task.Model).
func (t *ManifestTask) Model() (ManifestModel, error) {
	e, err := t.Task.Model()
	return ManifestModel{e}, err
}

// checkTasks rejects tasks the lab could not run.
func (m *Manifest) checkTasks() error {
	for name, t := range m.Tasks {
		if t == nil {
			return fmt.Errorf("task %q is null", name)
		}
		f, err := t.Model()
		if err != nil {
			return fmt.Errorf("task %q: %v", name, err)
		}
		if f.File == "" || len(f.SHA256) != 64 {
			return fmt.Errorf("task %q: its model entry needs a file and a sha256", name)
		}
	}
	return nil
}

// taskDesc is what the manifest says of task name's model before it loads.
func (m *Manifest) taskDesc(name string) ModelDesc {
	t := m.Tasks[name]
	if t == nil {
		return ModelDesc{}
	}
	f, _ := t.Model()
	d := f.Desc()
	if len(d.Classes) == 0 {
		d.Classes = t.Classes
	}
	return d
}

// SwitchTask shows task name: its model is loaded (Lab.LoadTask) and replaces the current one;
// meanwhile the page keeps the pair and says what it waits for. Asking for the task shown (or
// loading) changes nothing: no load starts, the pairs stay (the start-up rule, ui/README.md). Lock
// held.
func (l *Lab) SwitchTask(name string) {
	if l.Manifest == nil || l.Manifest.Tasks[name] == nil {
		return
	}
	if name == l.Task && (l.Eng != nil || l.Stage != "") {
		return // shown or loading already (after a failed load, asking again retries)
	}
	if l.LoadTask == nil {
		l.Fail("This page cannot load another model.")
		return
	}
	l.Task, l.Chosen = name, true
	if l.OnTask != nil {
		l.OnTask(name)
	}
	l.modelGen++
	if l.Eng != nil {
		l.Eng.Dispose()
	}
	l.Eng, l.Now, l.Base = nil, nil, nil
	l.dropCompare()
	l.Scan, l.Shuffle = Scan{}, Shuffle{}
	l.useDemo()
	l.Stage = "Loading the model of “" + l.Manifest.TitleOf(name) + "”"
	l.Loaded, l.Total = 0, 0
	if d := l.Manifest.taskDesc(name); len(d.Modalities) > 0 {
		l.Desc = d
		l.Select(l.Cur)
	}
	g, load := l.modelGen, l.LoadTask
	l.Go(func() {
		e, d, info, err := load(name)
		l.Env.Lock()
		defer l.Env.UnlockRender()
		if g != l.modelGen { // another switch meanwhile
			if e != nil {
				e.Dispose()
			}
			return
		}
		if err != nil {
			l.Stage = ""
			l.Fail("Could not load the model of “%s”: %v", l.Manifest.TitleOf(name), err)
			return
		}
		l.SetModel(e, d, info)
		l.loadCompare(name)
		l.StartScan()
	})
}

// TaskQuestion is the current task's question, or "".
func (l *Lab) TaskQuestion() string {
	if l.Manifest == nil || l.Manifest.Tasks[l.Task] == nil {
		return ""
	}
	return l.Manifest.Tasks[l.Task].Question
}

// Results is the results table for the model shown: its task's results when the manifest has
// them, else the manifest's for the model (Manifest.ResultsFor).
func (l *Lab) Results() (Table, error) {
	if l.Manifest == nil {
		return Table{}, nil
	}
	if t := l.Manifest.Tasks[l.Task]; t != nil {
		if t.Results != nil {
			return ResultsTable(toJSON(t.Results))
		}
		if !l.Manifest.lists(l.Info.SHA256) { // a task model the manifest has no results for
			return Table{}, nil
		}
	}
	return l.Manifest.ResultsFor(l.Info.Name)
}

// TaskOf is the task shown when the page loaded task asked (boot.js's ?task=), else the task
// one of whose models has the file's sha256 (the default model is the digit task's), else "".
func (m *Manifest) TaskOf(asked, sha256 string) string {
	if m.Tasks[asked] != nil {
		return asked
	}
	for _, name := range m.TaskNames() {
		for _, f := range m.Tasks[name].Models {
			if f.SHA256 != "" && f.SHA256 == sha256 {
				return name
			}
		}
	}
	return ""
}

// StandIn reports whether the model shown has random stand-in weights.
func (l *Lab) StandIn() bool {
	if l.Manifest == nil {
		return false
	}
	if t := l.Manifest.Tasks[l.Task]; t != nil {
		return t.StandIn
	}
	return l.Manifest.StandIn
}

// TaskPlot is the URL of the current task's results plot (weights/<plot>), or "".
func (l *Lab) TaskPlot() string {
	if l.Manifest == nil || l.Manifest.Tasks[l.Task] == nil {
		return ""
	}
	p := l.Manifest.Tasks[l.Task].Plot
	if p == "" || strings.Contains(p, "..") || strings.Contains(p, ":") || strings.HasPrefix(p, "/") {
		return ""
	}
	return "weights/" + p
}

// lists reports whether sha256 is one of the manifest's top-level models.
func (m *Manifest) lists(sha256 string) bool {
	for _, x := range m.Models {
		if x.SHA256 != "" && x.SHA256 == sha256 {
			return true
		}
	}
	return false
}
