package ui

import (
	"encoding/json"
	"sync"
	"testing"

	"github.com/vugu/vugu"

	"github.com/i2m2-wasm/i2m2/features"
	"github.com/i2m2-wasm/i2m2/model"
	"github.com/i2m2-wasm/i2m2/model/arch"
	"github.com/i2m2-wasm/i2m2/model/quant"
)

// goEngine runs the real engine natively (the browser runs the same code as wasm through the JS
// module). Only the tests link it: the UI's wasm never does (see TestUIDoesNotLinkModel).
type goEngine struct {
	m    *model.Model
	path model.Path
}

func (e goEngine) PredictBatch(in []Inputs) ([]Prediction, error) {
	out := make([]Prediction, len(in))
	for i, x := range in {
		mi := map[string][]float32{}
		for k, v := range x {
			if v != nil {
				mi[k] = v
			}
		}
		r, err := e.m.Predict(e.path, mi)
		if err != nil {
			return nil, err
		}
		out[i].Final = fromModel(r.Dist)
		out[i].Experts = make([]*Dist, len(r.Experts))
		for k, ex := range r.Experts {
			if ex.Used {
				d := fromModel(ex.Dist)
				out[i].Experts[k] = &d
			}
		}
		if r.HasIntraOnly {
			d := fromModel(r.IntraOnly)
			out[i].IntraOnly = &d
		}
	}
	return out, nil
}

func (e goEngine) Dispose() {}

// desc is the model's description as the JS module gives it (model.Describe as JSON).
func (e goEngine) desc(t testing.TB) ModelDesc {
	b, err := json.Marshal(e.m.Describe(e.path))
	if err != nil {
		t.Fatal(err)
	}
	var d ModelDesc
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatal(err)
	}
	return d
}

func fromModel(d model.Dist) Dist {
	o := Dist{Label: d.Label, Probs: make([]float64, len(d.Probs))}
	for i, p := range d.Probs {
		o.Probs[i] = float64(p)
	}
	return o
}

func (e goEngine) ImageFromRGBA(rgba []byte, w, h int) ([]float32, error) {
	return features.ImageFromRGBA(rgba, w, h)
}

func (e goEngine) AudioFromPCM(pcm []float32, rate int) ([]float32, error) {
	return features.AudioFromPCM(pcm, rate)
}

// standIn is a random-weight model with the project's architecture (arch.AVMNIST(40, 40, 4)),
// quantised like the shipped one. It is not a trained model: tests check the UI's logic, not accuracy.
func standIn(t testing.TB) model.Model { return *randomModel(t, 7, nil) }

// standInShaped is a random-weight model of the project's architecture with other classes or
// another modality added: the lab must show and run it without knowing it.
func standInShaped(t testing.TB, classes []string, extra ...model.Modality) *model.Model {
	return randomModel(t, 11, classes, extra...)
}

// randomModel is arch.AVMNIST(40, 40, 4) with classes (nil: the digits) and the extra
// modalities (one block each), random weights from seed, quantised.
func randomModel(t testing.TB, seed uint64, classes []string, extra ...model.Modality) *model.Model {
	t.Helper()
	a := arch.AVMNIST(AudioSide, AudioSide, 4)
	if classes != nil {
		a.Classes = classes
	}
	for _, md := range extra {
		a.Modalities = append(a.Modalities, md)
		a.Blocks = append(a.Blocks, 1)
	}
	m, err := a.Build()
	if err == nil {
		err = arch.InitRandom(m, seed)
	}
	if err == nil {
		_, err = quant.Quantize(m)
	}
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// testDemo is a small demo set in the shipped format: digit-like bars as images and a level ramp
// whose position depends on the digit as spectrograms, with waves for the first pairs.
func testDemo(t testing.TB, n, nWave int) (*DemoSet, []byte) {
	t.Helper()
	b := writeDemo(n, nWave)
	d, err := ParseDemo(b)
	if err != nil {
		t.Fatal(err)
	}
	return d, b
}

// newTestLab returns a ready lab with the stand-in model and a render-less event environment.
func newTestLab(t testing.TB, n int) *Lab {
	t.Helper()
	m := standIn(t)
	return newLabWith(t, &m, n)
}

// newLabWith returns a ready lab running model m on a demo set of n pairs.
func newLabWith(t testing.TB, m *model.Model, n int) *Lab {
	t.Helper()
	d, _ := testDemo(t, n, n/5)
	l := &Lab{Env: vugu.NewEventEnvImpl(&sync.RWMutex{}, make(chan bool, 1))}
	man, err := ParseManifest([]byte(testManifest))
	if err != nil {
		t.Fatal(err)
	}
	l.Manifest = man
	eng := goEngine{m: m, path: model.Quantized}
	do(l, func() {
		l.SetDemo(d, ModelDesc{})
		l.SetModel(eng, eng.desc(t), ModelInfo{Name: "stand-in", Quantization: "int8", Bytes: 123456, MACs: int64(m.Describe(model.DefaultPath).MACs), Mode: "worker"})
	})
	return l
}

const testManifest = `{"models":[{"file":"avmnist-tts-int8.i2m2","bytes":123456,"sha256":"ab12","quantization":"int8","default":true},
{"file":"avmnist-tts-f32.i2m2","bytes":480000,"sha256":"cd34","quantization":"float32"}],
"results":{"i2m2":{"mean":61.93,"std":0,"runs":[61.93]},"experts":{"image":{"mean":42.5,"std":0,"runs":[42.5]}},
"units":"test accuracy in percent"},"standIn":true,"note":"INTERIM run"}`

// do runs f with the lock held, then waits for the background work it started.
func do(l *Lab, f func()) {
	l.Env.Lock()
	f()
	l.Env.UnlockOnly()
	l.Wait()
}
