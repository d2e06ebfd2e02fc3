package ui

import (
	"fmt"
	"sync"

	"github.com/vugu/vugu"
)

// Lab is the state of the page. Its fields are guarded by Env's lock: event handlers run with it
// held; background work (inference through the Engine) runs in goroutines that take it to publish
// results and then ask for a render (Env.UnlockRender).
type Lab struct {
	Env vugu.EventEnv
	Eng Engine // nil until the model has loaded

	Demo     *DemoSet // the pairs shown: the current task's (TaskDemos), else BaseDemo
	BaseDemo *DemoSet // the shipped demo file
	// TaskDemos are the tasks' own demo pairs by task (weights/demo/tasks.json: taskdemo.go).
	TaskDemos map[string]*DemoSet
	Manifest  *Manifest
	Info      ModelInfo
	// Desc describes the model: its modalities, classes and experts (model.info once it has
	// loaded; until then the manifest's entry, which lists no experts). Every card is drawn from it.
	Desc ModelDesc

	// Task is the task shown (a key of the manifest's tasks), "" when the manifest lists none.
	Task string
	// Chosen is set when the person chose the task (the switch, or ?task=): its own demo pairs
	// (TaskDemos) show then; the page opened on the default model shows the demo file's pairs.
	Chosen bool
	// LoadTask loads the model of a task (the browser's asks the JS module: load({task})); nil
	// when the page cannot switch.
	LoadTask func(task string) (Engine, ModelDesc, ModelInfo, error)
	OnTask   func(task string) // if set, told of a switch (the page puts ?task= in its address)
	// LoadFile loads a model file of the manifest (verified against it), for Compare; nil: none.
	LoadFile func(file string) (Engine, ModelDesc, error)
	Compare  []Compared // the task's conventional models, run beside I2M2 (compare.go)
	modelGen int        // counts model and pair-set changes: drops the results of earlier background work

	Loaded, Total int64  // model download progress (Total 0 when unknown)
	Stage         string // what the page is waiting for, "" once ready
	Errors        []string

	Cur        int      // the chosen pair
	Inputs     []Source // what the experts see now, one per modality of Desc
	undo       [][]Source
	Base, Now  *Prediction // prediction for the intact pair, and for what is shown now
	Busy       int         // predictions in flight
	gen        int         // drops stale results
	Reading    string
	DigitIndex []int // next pair per digit for "another d"

	Scan    Scan
	Shuffle Shuffle

	// OnShown, if set, is called (lock held) when the first prediction arrives (the page uses it to
	// timestamp time to interactive).
	OnShown func()
	shown   bool

	Yours YourFile // the person's own .i2m2 file (yourmodel.go)

	Drawing   bool // the drawing pad is open
	Sketching int  // typed digits being drawn on the pad (their strokes are still coming)
	Recording bool // the microphone is recording
	noise     uint64

	wg sync.WaitGroup
}

// ModelInfo is what the page shows about the loaded model (from model.info and the manifest).
type ModelInfo struct {
	Name         string
	File         string
	Quantization string
	Bytes        int64
	SHA256       string
	MACs         int64
	Path         string // kernels the JS module uses: int8, float32 or reference
	Mode         string // "worker", or "main" when inference shares the page's thread (file://)
	Verified     bool   // the JS module checked the file's sha256
}

// batch is the number of samples per engine call in background work: small enough that a pick made
// meanwhile is not kept waiting long (and, on the page's own thread, that the page stays
// responsive), large enough to amortise the round trip to the worker.
func (l *Lab) batch() int {
	if l.Info.Mode == "main" {
		return 4
	}
	return 32
}

// unlockProgress releases the lock after a step of background work and asks for a render: the
// renderer (ui/internal/domsync) coalesces render requests to one per animation frame and writes
// only what changed, so progress shows as it happens without long frames.
func (l *Lab) unlockProgress() { l.Env.UnlockRender() }

// Ready reports whether the demo set is loaded: the lab shows from then on, and predicts once the
// model is loaded too (Eng != nil).
func (l *Lab) Ready() bool { return l.Demo != nil && len(l.Desc.Modalities) > 0 }

// SetModel installs a loaded model, its description and facts, and predicts what is shown. Lock
// held.
func (l *Lab) SetModel(e Engine, d ModelDesc, info ModelInfo) {
	if err := d.Check(); err != nil {
		l.Fail("Cannot show this model: %v.", err)
		return
	}
	l.modelGen++
	if l.Eng != nil && l.Eng != e {
		l.Eng.Dispose()
	}
	l.dropCompare()
	l.Eng, l.Desc, l.Info = e, d, info
	l.Stage = ""
	l.Scan, l.Shuffle = Scan{}, Shuffle{}
	l.useDemo()
	l.Yours.Rows = nil
	if l.Demo != nil {
		l.Select(l.Cur)
	}
}

// SetDemo installs the demo set and shows its first pair; until a model describes itself, the
// modalities are those of desc (a manifest entry), else the demo set's. Lock held.
func (l *Lab) SetDemo(d *DemoSet, desc ModelDesc) {
	l.BaseDemo, l.Demo = d, d
	l.DigitIndex = make([]int, len(d.ByDigit))
	if len(l.Desc.Modalities) == 0 {
		if len(desc.Modalities) == 0 {
			desc.Modalities = d.Modalities
		}
		l.Desc = desc
	}
	l.useDemo()
	l.Select(0)
}

// useDemo shows the demo pairs of the current task (its own, else the shipped demo set), from the
// first pair. Lock held.
func (l *Lab) useDemo() {
	d := l.BaseDemo
	if td := l.TaskDemos[l.Task]; td != nil && l.Chosen {
		d = td
	}
	if d == nil || d == l.Demo {
		return
	}
	l.Demo, l.Cur = d, 0
	l.DigitIndex = make([]int, len(d.ByDigit))
	l.Scan, l.Shuffle = Scan{}, Shuffle{}
	l.modelGen++ // a scan or shuffle of the previous pairs must not write into these
}

// Fail shows an error in the page. Lock held.
func (l *Lab) Fail(format string, a ...any) {
	msg := fmt.Sprintf(format, a...)
	for _, e := range l.Errors {
		if e == msg {
			return
		}
	}
	l.Errors = append(l.Errors, msg)
	if len(l.Errors) > 5 {
		l.Errors = l.Errors[len(l.Errors)-5:]
	}
}

// Dismiss removes error i. Lock held.
func (l *Lab) Dismiss(i int) {
	if i >= 0 && i < len(l.Errors) {
		l.Errors = append(l.Errors[:i:i], l.Errors[i+1:]...)
	}
}

// Go runs f in the background; f takes the lock itself.
func (l *Lab) Go(f func()) {
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
		f()
	}()
}

// Wait waits for background work started with Go (for tests and the shuffle runner).
func (l *Lab) Wait() { l.wg.Wait() }

// Select makes pair i current, with every modality intact. Lock held.
func (l *Lab) Select(i int) {
	if l.Demo == nil || len(l.Demo.Pairs) == 0 || len(l.Desc.Modalities) == 0 {
		return
	}
	n := len(l.Demo.Pairs)
	i = ((i % n) + n) % n
	l.Cur = i
	l.Inputs = make([]Source, len(l.Desc.Modalities))
	for k := range l.Inputs {
		l.Inputs[k] = l.PairSource(i, k)
	}
	l.undo = l.undo[:0]
	l.Base, l.Now = nil, nil
	if i < len(l.Scan.Preds) && l.Scan.Have[i] && len(l.Compare) == 0 {
		p := l.Scan.Preds[i]
		l.Base, l.Now = &p, &p
		l.Reading = Reading(&l.Desc, l.Base, l.Now, l.Inputs, l.Truth())
		l.gen++
		return
	}
	l.refresh()
}

// SelectDigit makes the next pair of digit d current (cycling through that digit's pairs).
func (l *Lab) SelectDigit(d int) {
	if l.Demo == nil || d < 0 || d >= len(l.Demo.ByDigit) || len(l.Demo.ByDigit[d]) == 0 {
		return
	}
	ps := l.Demo.ByDigit[d]
	for range ps {
		k := ps[l.DigitIndex[d]%len(ps)]
		l.DigitIndex[d]++
		if k != l.Cur || len(ps) == 1 {
			l.Select(k)
			return
		}
	}
}

// CanUndo reports whether there is a swap to undo.
func (l *Lab) CanUndo() bool { return len(l.undo) > 0 }

// Undo reverts the last swap. Lock held.
func (l *Lab) Undo() {
	if len(l.undo) == 0 {
		return
	}
	l.Inputs = l.undo[len(l.undo)-1]
	l.undo = l.undo[:len(l.undo)-1]
	l.refresh()
}

// Restore undoes every swap.
func (l *Lab) Restore() {
	if len(l.undo) == 0 {
		return
	}
	l.undo = l.undo[:1]
	l.Undo()
}

// Label is the digit the chosen pair's image shows.
func (l *Lab) Label() int { return l.Demo.Pairs[l.Cur].Label }

// Truth is the class the model should give what is shown now, or -1 when that is not known
// (Expected over the digits the inputs show).
func (l *Lab) Truth() int { return Expected(l.Desc.Classes, digitsOf(l.Inputs), -1) }

// digitsOf lists the digit each source shows (-1 unknown, -2 for a modality the demo set lacks,
// which does not count).
func digitsOf(srcs []Source) []int {
	ds := make([]int, len(srcs))
	for k, s := range srcs {
		ds[k] = s.Digit
		if s.Intact && s.Kind == Blank {
			ds[k] = -2
		}
	}
	return ds
}

// inputsOf turns sources into engine inputs.
func (l *Lab) inputsOf(srcs []Source) Inputs {
	in := Inputs{}
	for k, s := range srcs {
		in[l.Desc.Modalities[k].Name] = s.Data
	}
	return in
}

// pairInputs is demo pair i intact, with modality k taken from pair j instead (k < 0: none), and
// the digits its modalities show (digitsOf); a modality the demo set lacks is zeros.
func (l *Lab) pairInputs(i, k, j int) (Inputs, []int) {
	in := Inputs{}
	for m, md := range l.Desc.Modalities {
		p := i
		if m == k {
			p = j
		}
		if q := l.Demo.Pairs[p].Mods[md.Name]; len(q) == md.Size() {
			in[md.Name] = Levels(q)
		} else {
			in[md.Name] = make([]float32, md.Size())
		}
	}
	return in, l.pairDigits(i, k, j)
}

// pairDigits is what pairInputs(i, k, j)'s modalities show.
func (l *Lab) pairDigits(i, k, j int) []int {
	ds := make([]int, len(l.Desc.Modalities))
	for m, md := range l.Desc.Modalities {
		p := i
		if m == k {
			p = j
		}
		ds[m] = l.Demo.Pairs[p].DigitOf(md.Name)
		if len(l.Demo.Pairs[p].Mods[md.Name]) != md.Size() {
			ds[m] = -2
		}
	}
	return ds
}

// refresh predicts for what is shown (and for the intact pair if not known yet), with I2M2 and
// the conventional models compared (Compare). Lock held.
func (l *Lab) refresh() {
	if l.Eng == nil {
		return
	}
	l.gen++
	g, eng := l.gen, l.Eng
	in := []Inputs{l.inputsOf(l.Inputs)}
	swapped := l.AnySwapped()
	intact, _ := l.pairInputs(l.Cur, -1, 0)
	needBase := l.Base == nil && swapped
	if needBase {
		in = append(in, intact)
	}
	comps := make([]Engine, len(l.Compare))
	for i, c := range l.Compare {
		comps[i] = c.Eng
	}
	cin := in[:1]
	if swapped {
		cin = []Inputs{in[0], intact}
	}
	l.Busy++
	l.Go(func() {
		r, err := eng.PredictBatch(in)
		cr := make([][]Prediction, len(comps))
		var cerr error
		for i, e := range comps {
			if cr[i], cerr = e.PredictBatch(cin); cerr != nil {
				break
			}
		}
		l.Env.Lock()
		defer l.Env.UnlockRender()
		l.Busy--
		if g != l.gen {
			return
		}
		if err == nil && cerr != nil {
			err = fmt.Errorf("a model compared: %v", cerr)
		}
		if err != nil {
			l.Fail("Prediction failed: %v", err)
			return
		}
		now := r[0]
		l.Now = &now
		if needBase {
			base := r[1]
			l.Base = &base
		} else if l.Base == nil {
			l.Base = &now
		}
		for i := range l.Compare {
			if i < len(cr) && l.Compare[i].Eng == comps[i] {
				c := &l.Compare[i]
				c.Now, c.Base = &cr[i][0].Final, &cr[i][0].Final
				if swapped {
					c.Base = &cr[i][1].Final
				}
			}
		}
		l.Reading = Reading(&l.Desc, l.Base, l.Now, l.Inputs, l.Truth())
		if !l.shown {
			l.shown = true
			if l.OnShown != nil {
				l.OnShown()
			}
		}
	})
}

// SwapDrawing shows the person's drawing (already through features.ImageFromRGBA) as the image. A
// new drawing replaces a previous one instead of stacking undo steps. Lock held.
func (l *Lab) SwapDrawing(x []float32) {
	k := l.Mod("image")
	if k < 0 {
		l.Fail("This model has no image input to draw.")
		return
	}
	if l.Inputs[k].Kind == Drawing && len(l.undo) > 0 {
		l.undo = l.undo[:len(l.undo)-1]
	}
	l.Swap(k, Source{Kind: Drawing, Data: x})
}

// RecordSeconds is how long a voice recording lasts.
const RecordSeconds = 1.5

// PadSide is the drawing canvas's size in pixels (its width and height attributes).
const PadSide = 280
