package ui

import (
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/i2m2-wasm/i2m2/model"
)

func digitNames(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprint(i)
	}
	return out
}

// TestOtherShapes runs the lab on stand-in models of other shapes: two classes (the "same" task),
// eleven ("digit-or-mismatch") and a third modality the demo set does not have.
func TestOtherShapes(t *testing.T) {
	for _, tc := range []struct {
		name        string
		m           *model.Model
		experts     int // rows: the experts, the intra-only product, I2M2
		mods, conds int
	}{
		{"2 classes", standInShaped(t, []string{"no", "yes"}), 5, 2, 3},
		{"11 classes", standInShaped(t, append(digitNames(10), "mismatch")), 5, 2, 3},
		{"3 modalities", standInShaped(t, digitNames(10), model.Modality{Name: "depth", Shape: model.Shape{1, 16, 16}}), 6, 3, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := newLabWith(t, tc.m, 20)
			classes := len(tc.m.Classes)
			do(l, func() { l.Select(2) })
			if l.Now == nil || len(l.Now.Final.Probs) != classes {
				t.Fatalf("no prediction over %d classes: %+v", classes, l.Now)
			}
			h := render(t, l)
			rows := len(l.Desc.Rows())
			if rows != tc.experts {
				t.Fatalf("%d rows, want %d", rows, tc.experts)
			}
			if n := count(h, `class="bar `); n != rows*classes {
				t.Errorf("%d bars, want %d rows of %d classes", n, rows, classes)
			}
			if n := count(h, `id="mod-`); n != tc.mods {
				t.Errorf("%d modality cards, want %d", n, tc.mods)
			}
			for _, c := range tc.m.Classes {
				if !strings.Contains(h, `<span class="digit-label">`+c+`</span>`) {
					t.Errorf("class %q not shown", c)
				}
			}
			// swap every modality in turn: the reading talks in the model's classes
			for k := range l.Desc.Modalities {
				do(l, func() { l.SwapNoise(k) })
				if l.Now == nil || !l.Swapped(k) || l.Reading == "" {
					t.Fatalf("swapping modality %d: reading %q", k, l.Reading)
				}
			}
			do(l, func() { l.Restore() })
			do(l, func() { l.StartScan() })
			do(l, func() { l.StartShuffle() })
			if !l.Shuffle.Complete || len(l.Shuffle.Stats) != tc.conds {
				t.Fatalf("shuffle: complete %v, %d conditions", l.Shuffle.Complete, len(l.Shuffle.Stats))
			}
			h = render(t, l)
			if n := count(h, `class="cbar `); n != 2*rows*tc.conds {
				t.Errorf("%d chart bars, want %d", n, 2*rows*tc.conds)
			}
			if len(l.Errors) > 0 {
				t.Errorf("errors: %q", l.Errors)
			}
		})
	}
}

// TestTaskSwitchRenders: no switch without tasks; with tasks, a button per task in the lab's
// order, the current one pressed.
func TestTaskSwitchRenders(t *testing.T) {
	l := newTestLab(t, 10)
	if h := render(t, l); strings.Contains(h, `id="task-h"`) {
		t.Error("a manifest without tasks must show no task switch")
	}
	man, err := ParseManifest([]byte(`{"models":[{"file":"a.i2m2","sha256":"` + strings.Repeat("a", 64) + `"}],"tasks":{
"same":{"title":"Same digit?","classes":["no","yes"],"models":[{"file":"s.i2m2","sha256":"` + strings.Repeat("b", 64) + `","kind":"i2m2"}]},
"digit":{"models":[{"file":"a.i2m2","sha256":"` + strings.Repeat("a", 64) + `"}]},
"zeta":{"models":[{"file":"z.i2m2","sha256":"` + strings.Repeat("c", 64) + `"}]}}}`))
	if err != nil {
		t.Fatal(err)
	}
	l.Manifest, l.Task = man, man.TaskOf("", strings.Repeat("a", 64))
	h := render(t, l)
	i, j, k := strings.Index(h, `id="task-digit"`), strings.Index(h, `id="task-same"`), strings.Index(h, `id="task-zeta"`)
	if i < 0 || j < i || k < j || !strings.Contains(h, ">Which digit?</button>") || !strings.Contains(h, ">Same digit?</button>") {
		t.Fatalf("switch: %d %d %d", i, j, k)
	}
	if l.Task != "digit" || count(h, `aria-pressed="true"`) != 1 || !regexp.MustCompile(`aria-pressed="true"[^>]*id="task-digit"|id="task-digit"[^>]*aria-pressed="true"`).MatchString(h) {
		t.Errorf("task %q; the digit button must be the pressed one", l.Task)
	}
	for _, bad := range []string{`{"models":[{"file":"a"}],"tasks":{"x":{}}}`, `{"models":[{"file":"a"}],"tasks":{"x":{"models":[{"file":"f"}]}}}`,
		`{"models":[{"file":"a"}],"tasks":{"x":{"default":"g","models":[{"file":"f","sha256":"` + strings.Repeat("a", 64) + `"}]}}}`} {
		if _, err := ParseManifest([]byte(bad)); err == nil {
			t.Errorf("ParseManifest accepted %s", bad)
		}
	}
}

// TestSwitchTask: the switch loads the task's model (LoadTask) and shows it; a failed load says
// so; of two quick switches the last one wins.
func TestSwitchTask(t *testing.T) {
	l := newTestLab(t, 20)
	man, err := ParseManifest([]byte(`{"models":[{"file":"a.i2m2","sha256":"` + strings.Repeat("a", 64) + `"}],"tasks":{
"same":{"classes":["no","yes"],"models":[{"file":"s.i2m2","sha256":"` + strings.Repeat("b", 64) + `"}]},
"digit-or-mismatch":{"models":[{"file":"m.i2m2","sha256":"` + strings.Repeat("c", 64) + `"}]},
"broken":{"models":[{"file":"x.i2m2","sha256":"` + strings.Repeat("d", 64) + `"}]}}}`))
	if err != nil {
		t.Fatal(err)
	}
	models := map[string]*model.Model{"same": standInShaped(t, []string{"no", "yes"}), "digit-or-mismatch": standInShaped(t, append(digitNames(10), "mismatch"))}
	l.Manifest = man
	l.LoadTask = func(name string) (Engine, ModelDesc, ModelInfo, error) {
		m := models[name]
		if m == nil {
			return nil, ModelDesc{}, ModelInfo{}, fmt.Errorf("integrity check failed for %s", name)
		}
		e := goEngine{m: m, path: model.Quantized}
		return e, e.desc(t), ModelInfo{Name: m.Name}, nil
	}
	do(l, func() { l.SwitchTask("same") })
	if l.Task != "same" || len(l.Desc.Classes) != 2 || l.Eng == nil || l.Now == nil || len(l.Now.Final.Probs) != 2 || l.Stage != "" {
		t.Fatalf("after the switch: task %q, classes %v, stage %q", l.Task, l.Desc.Classes, l.Stage)
	}
	if !l.Scan.Running && l.Scan.Done != len(l.Demo.Pairs) {
		t.Fatalf("the scan must run again for the new model: %+v", l.Scan)
	}
	// two switches before either load is done: the last one is shown
	l.Env.Lock()
	l.SwitchTask("digit-or-mismatch")
	l.SwitchTask("same")
	l.Env.UnlockOnly()
	l.Wait()
	if l.Task != "same" || len(l.Desc.Classes) != 2 {
		t.Fatalf("after two quick switches: task %q with %d classes", l.Task, len(l.Desc.Classes))
	}
	do(l, func() { l.SwitchTask("broken") })
	if l.Eng != nil || len(l.Errors) != 1 || !strings.Contains(l.Errors[0], "Could not load the model of “broken”: integrity check failed") {
		t.Fatalf("a failed load: engine %v, errors %q", l.Eng, l.Errors)
	}
	do(l, func() { l.SwitchTask("nope") })
	if l.Task != "broken" {
		t.Error("an unknown task must change nothing")
	}
}

// TestStartUpTask: the start-up rule (ui/README.md). The page opened on the default model, which
// is the digit task's own file, is in that task (its button pressed) without being asked;
// pressing that task again loads nothing and keeps the pairs (also while the model still
// loads), however often; another task loads, and coming back loads again with the task's pairs.
func TestStartUpTask(t *testing.T) {
	l := newTestLab(t, 20)
	sha := strings.Repeat("a", 64)
	man, err := ParseManifest([]byte(`{"models":[{"file":"a.i2m2","sha256":"` + sha + `","default":true}],"tasks":{
"digit":{"default":"a.i2m2","demo":"demo/tasks.json","models":[{"file":"a.i2m2","sha256":"` + sha + `"}]},
"same":{"classes":["no","yes"],"models":[{"file":"s.i2m2","sha256":"` + strings.Repeat("b", 64) + `"}]}}}`))
	if err != nil {
		t.Fatal(err)
	}
	sets, err := ParseTaskDemo(taskDemoJSON(t, l.BaseDemo), l.BaseDemo)
	if err != nil {
		t.Fatal(err)
	}
	var loads []string
	l.LoadTask = func(name string) (Engine, ModelDesc, ModelInfo, error) {
		loads = append(loads, name)
		m := standInShaped(t, digitNames(10))
		if name == "same" {
			m = standInShaped(t, []string{"no", "yes"})
		}
		e := goEngine{m: m, path: model.Quantized}
		return e, e.desc(t), ModelInfo{Name: m.Name}, nil
	}
	do(l, func() {
		l.Manifest, l.TaskDemos = man, sets
		l.Task, l.Chosen = man.TaskOf("", man.Default().SHA256), false // as browser_js.go starts
		l.StartScan()
	})
	if h := render(t, l); l.Task != "digit" || count(h, `aria-pressed="true"`) != 1 || !regexp.MustCompile(`aria-pressed="true"[^>]*id="task-digit"|id="task-digit"[^>]*aria-pressed="true"`).MatchString(h) {
		t.Fatalf("task %q: the digit button must be the pressed one", l.Task)
	}
	eng, demo, scan := l.Eng, l.Demo, l.Scan.Total
	for range 3 {
		do(l, func() { l.SwitchTask("digit") })
	}
	if len(loads) != 0 || l.Eng != eng || l.Demo != demo || l.Demo != l.BaseDemo || l.Scan.Total != scan || l.Stage != "" || l.Task != "digit" {
		t.Fatalf("pressing the task shown: loads %v, demo changed %v, stage %q", loads, l.Demo != demo, l.Stage)
	}
	do(l, func() { l.SwitchTask("same") })
	do(l, func() { l.SwitchTask("digit") })
	if strings.Join(loads, ",") != "same,digit" || l.Task != "digit" || l.Demo != sets["digit"] || l.Now == nil {
		t.Fatalf("away and back: loads %v, task %q, task's own pairs %v", loads, l.Task, l.Demo == sets["digit"])
	}
	// while a model loads (the boot's, before any engine), pressing its task waits for it
	do(l, func() { l.Eng, l.Stage = nil, "Downloading the model"; l.SwitchTask("digit") })
	if len(loads) != 2 || l.Stage != "Downloading the model" {
		t.Fatalf("pressing the task whose model loads: loads %v, stage %q", loads, l.Stage)
	}
}

func TestTaskShuffleReference(t *testing.T) {
	man, err := ParseManifest([]byte(`{"models":[{"file":"a.i2m2","sha256":"` + strings.Repeat("a", 64) + `"}],
"shuffle":{"n":10,"rows":[{"model":"i2m2","shuffle":"none","acc":90},{"model":"i2m2","shuffle":"image","acc":20},{"model":"i2m2","shuffle":"audio","acc":50}]},
"tasks":{"same":{"models":[{"file":"s.i2m2","sha256":"` + strings.Repeat("b", 64) + `"}],
"shuffle":{"n":8820,"rows":[{"model":"i2m2","shuffle":"none","acc":91.8},{"model":"intra_only","shuffle":"none","acc":49},{"model":"i2m2","shuffle":"audio","acc":50.4}]}},
"digit":{"models":[{"file":"a.i2m2","sha256":"` + strings.Repeat("a", 64) + `"}]}}}`))
	if err != nil {
		t.Fatal(err)
	}
	l := &Lab{Manifest: man, Task: "same"}
	if got, want := l.ShuffleReference(), "For reference, the trainer's shuffle test of this task on 8820 test pairs: I2M2 92% intact, 50% with shuffled clips."; got != want {
		t.Errorf("same: %q", got)
	}
	if l.Task = "digit"; l.ShuffleReference() != "" {
		t.Errorf("a task without a shuffle test: %q", l.ShuffleReference())
	}
	if l.Task = ""; !strings.HasPrefix(l.ShuffleReference(), "For reference, the trainer's run on 10 test pairs") {
		t.Errorf("no task: %q", l.ShuffleReference())
	}
}

// TestCompare: a task's conventional models (intra-only, inter-only) run beside I2M2 on what is
// shown, before and after a swap.
func TestCompare(t *testing.T) {
	l := newTestLab(t, 20)
	h := func(c string) string { return strings.Repeat(c, 64) }
	man, err := ParseManifest([]byte(`{"models":[{"file":"a.i2m2","sha256":"` + h("a") + `"}],"tasks":{
"same":{"classes":["no","yes"],"default":"s.i2m2","models":[{"file":"s.i2m2","sha256":"` + h("b") + `"},
{"file":"task-same-inter-only-int8.i2m2","name":"task-same-inter_only","sha256":"` + h("c") + `"},
{"file":"task-same-intra-only-int8.i2m2","name":"task-same-intra_only","sha256":"` + h("d") + `"}]}}}`))
	if err != nil {
		t.Fatal(err)
	}
	if c := man.Tasks["same"].Compare(); len(c) != 2 || c[0].kindOf() != "intra_only" || c[1].kindOf() != "inter_only" {
		t.Fatalf("compare %+v", c)
	}
	two := standInShaped(t, []string{"no", "yes"})
	l.Manifest = man
	l.LoadTask = func(name string) (Engine, ModelDesc, ModelInfo, error) {
		e := goEngine{m: two, path: model.Quantized}
		return e, e.desc(t), ModelInfo{}, nil
	}
	loaded := map[string]bool{}
	var mu sync.Mutex
	l.LoadFile = func(file string) (Engine, ModelDesc, error) {
		mu.Lock()
		loaded[file] = true
		mu.Unlock()
		e := goEngine{m: two, path: model.Quantized}
		return e, e.desc(t), nil
	}
	do(l, func() { l.SwitchTask("same") })
	l.Wait()
	if len(l.Compare) != 2 || !loaded["task-same-intra-only-int8.i2m2"] || !loaded["task-same-inter-only-int8.i2m2"] {
		t.Fatalf("compare: %d loaded (%v)", len(l.Compare), loaded)
	}
	do(l, func() { l.Select(3) })
	rows := l.CompareRows()
	if len(rows) != 2 || rows[0].Now == nil || rows[0].Before != nil || rows[0].ID != "compare-intra-only" || rows[1].Name != "Inter-only model" {
		t.Fatalf("rows %+v", rows)
	}
	do(l, func() { l.SwapNoise(l.Mod("image")) })
	if rows := l.CompareRows(); rows[1].Now == nil || rows[1].Before == nil {
		t.Fatalf("after a swap: %+v", rows[1])
	}
	h2 := render(t, l)
	if !strings.Contains(h2, `id="compare-intra-only"`) || !strings.Contains(h2, "Conventional models on the same inputs") {
		t.Error("the compared models are not shown")
	}
	// the shuffle experiment runs them too: two more rows, each counted under every condition
	do(l, func() { l.StartShuffle() })
	s := l.Shuffle
	if !s.Complete || len(s.Rows) != len(l.Desc.Rows())+2 || s.Rows[len(s.Rows)-1].Name != "Inter-only model" {
		t.Fatalf("shuffle rows %+v", s.Rows)
	}
	for c := range s.Stats {
		if st := s.Stats[c][len(s.Rows)-1]; st.N != len(l.Demo.Pairs) {
			t.Fatalf("condition %d: inter-only model counted %d of %d", c, st.N, len(l.Demo.Pairs))
		}
	}
	if sum := l.ShuffleSummary(); !strings.Contains(sum, "inter-only model ") {
		t.Errorf("summary %q", sum)
	}
}
