//go:build js && wasm

package ui

import (
	"encoding/base64"
	"errors"
	"fmt"
	"syscall/js"
	"time"
)

// Boot wires the lab to the page's boot object (globalThis.i2m2Boot, set up by boot.js): it shows
// the model's download progress, then decodes the manifest and the demo set, waits for the model
// and selects the first pair. It returns at once; the work runs in the background.
func (l *Lab) Boot() {
	boot := js.Global().Get("i2m2Boot")
	if boot.Type() != js.TypeObject {
		l.Fail("The page did not start the loader (boot.js is missing), so there is no model to run.")
		return
	}
	l.Stage = "Downloading the model"
	// The UI shows its own progress from now on; a first answer the boot script showed (ui/web/first.js)
	// stays until the lab is ready (its own <main>, on the same pair; two would be two main landmarks).
	if !boot.Get("firstAnswerAt").Truthy() {
		hideBoot()
	}
	progress := js.FuncOf(func(_ js.Value, a []js.Value) any {
		if len(a) < 2 {
			return nil
		}
		l.Env.Lock()
		l.Loaded, l.Total = int64(a[0].Float()), int64(a[1].Float())
		l.Env.UnlockRender()
		return nil
	})
	boot.Set("onprogress", progress)
	if p := boot.Get("progress"); p.Type() == js.TypeObject {
		l.Loaded, l.Total = int64(p.Get("loaded").Float()), int64(p.Get("total").Float())
	}
	l.Go(func() {
		data, err := Await(boot.Get("data"))
		if err != nil {
			l.locked(func() { l.Fail("Could not load the demo set and model facts: %v", err) })
			return
		}
		man, err := ParseManifest([]byte(data.Get("manifest").String()))
		if err != nil {
			l.locked(func() { l.Fail("%v", err) })
			return
		}
		var demoBytes []byte
		if d := data.Get("demo"); d.Type() == js.TypeString { // base64, from the file:// bundle
			demoBytes, err = base64.StdEncoding.DecodeString(d.String())
		} else {
			demoBytes = make([]byte, d.Length())
			js.CopyBytesToGo(demoBytes, d)
		}
		var demo *DemoSet
		if err == nil {
			demo, err = ParseDemo(demoBytes)
		}
		if err != nil {
			l.locked(func() { l.Fail("Could not read the demo set: %v", err) })
			return
		}
		task := ""
		if t := boot.Get("task"); t.Type() == js.TypeString {
			task = t.String()
		}
		taskDemos, tdErr := readTaskDemos(data.Get("taskDemos"), man, demo)
		gen := 0 // l.modelGen when the lab shows: a switch before the model is in changes it
		l.locked(func() {
			l.Manifest = man
			def, desc := man.Default(), man.Default().Desc()
			if t := man.Tasks[task]; t != nil {
				def, _ = t.Model()
				desc = man.taskDesc(task)
			}
			l.Info = ModelInfo{Name: def.Name, File: def.File, Quantization: def.Quantization, Bytes: def.Bytes, SHA256: def.SHA256}
			l.TaskDemos = taskDemos
			if tdErr != nil {
				l.Fail("The tasks' demo pairs are unusable (the lab shows the demo set's pairs instead): %v", tdErr)
			}
			// the start-up rule (ui/README.md): the task asked for, else the one the default model
			// belongs to, shown selected from the first frame; only an asked task is "chosen"
			l.Task, l.Chosen = man.TaskOf(task, def.SHA256), man.Tasks[task] != nil
			l.SetDemo(demo, desc) // the lab shows now; predictions follow when the model is in
			l.wireBoot(boot)      // the switch works from now on, also while the model loads
			gen = l.modelGen
			boot.Set("labAt", js.Global().Get("performance").Call("now"))
		})
		m, err := Await(boot.Get("model"))
		var eng Engine
		var info ModelInfo
		var d ModelDesc
		if err == nil {
			eng, d, info, err = jsModel(m)
		}
		l.Env.Lock()
		defer l.Env.UnlockRender()
		hideBoot() // the lab shows the model, or why it has none, from here on
		progress.Release()
		boot.Set("onprogress", js.Null())
		if l.modelGen != gen { // the person switched tasks meanwhile: that switch shows its model
			if eng != nil {
				eng.Dispose()
			}
			return
		}
		if err != nil {
			l.Fail("Could not load the model: %v", err)
			return
		}
		l.Task = man.TaskOf(task, info.SHA256)
		boot.Set("readyAt", js.Global().Get("performance").Call("now"))
		js.Global().Get("document").Get("documentElement").Call("setAttribute", "data-ready", "1")
		l.SetModel(eng, d, info)
		if l.Task != "" {
			l.loadCompare(l.Task)
		}
	})
}

// hideBoot hides the page's boot message (#boot).
func hideBoot() {
	if b := js.Global().Get("document").Call("getElementById", "boot"); b.Truthy() {
		b.Set("hidden", true)
	}
}

// wireBoot gives the lab what it needs of the page: loading a task's model or a manifest file
// through the JS module, putting the task shown in the address, and telling the page when the
// first prediction is shown. Lock held.
func (l *Lab) wireBoot(boot js.Value) {
	l.OnShown = func() {
		boot.Set("shownAt", js.Global().Get("performance").Call("now"))
		js.Global().Get("document").Get("documentElement").Call("setAttribute", "data-ready", "1")
		l.StartScan() // after the first prediction, so that it does not wait behind the scan
	}
	l.LoadTask = func(name string) (Engine, ModelDesc, ModelInfo, error) { return loadTask(boot, name, l) }
	if !boot.Get("fileMode").Truthy() { // from file:// only the tasks' own models are inlined
		l.LoadFile = func(file string) (Engine, ModelDesc, error) { return loadFile(boot, file) }
	}
	l.OnTask = func(name string) { // a reload (or a shared link) opens the same task
		u := js.Global().Get("URL").New(js.Global().Get("location").Get("href"))
		u.Get("searchParams").Call("set", "task", name)
		js.Global().Get("history").Call("replaceState", js.Null(), "", u.Call("toString"))
	}
}

// loadFile loads the model file weights/<file> with the JS module, verified against
// weights/manifest.json.
func loadFile(boot js.Value, file string) (Engine, ModelDesc, error) {
	lib := boot.Get("lib")
	if !lib.Truthy() {
		return nil, ModelDesc{}, errors.New("the page did not load the JS module")
	}
	opts := js.Global().Get("Object").New()
	opts.Set("model", "weights/"+file)
	opts.Set("manifest", "weights/manifest.json")
	m, err := call(lib, "load", opts)
	if err != nil {
		return nil, ModelDesc{}, err
	}
	e, d, _, err := jsModel(m)
	return e, d, err
}

// readTaskDemos reads the tasks' demo files the page fetched (an object path -> text) into each
// task's demo pairs.
func readTaskDemos(v js.Value, man *Manifest, base *DemoSet) (map[string]*DemoSet, error) {
	if v.Type() != js.TypeObject {
		return nil, nil
	}
	out := map[string]*DemoSet{}
	for name, t := range man.Tasks {
		if t.Demo == "" {
			continue
		}
		text := v.Get(t.Demo)
		if text.Type() != js.TypeString {
			return nil, fmt.Errorf("%s was not loaded", t.Demo)
		}
		sets, err := ParseTaskDemo([]byte(text.String()), base)
		if err != nil {
			return nil, err
		}
		if sets[name] != nil {
			out[name] = sets[name]
		}
	}
	return out, nil
}

// jsModel wraps a model object of the JS module, described by its model.info.
func jsModel(m js.Value) (Engine, ModelDesc, ModelInfo, error) {
	info := m.Get("info")
	if info.Type() != js.TypeObject {
		return nil, ModelDesc{}, ModelInfo{}, errors.New("the JS module gave a model without info")
	}
	in, err := ParseYourInfo(js.Global().Get("JSON").Call("stringify", info).String())
	if err != nil {
		m.Call("dispose")
		return nil, ModelDesc{}, ModelInfo{}, err
	}
	mi := ModelInfo{Name: in.Name, Quantization: in.Quantization, Bytes: in.Bytes, SHA256: in.SHA256, MACs: in.MACs,
		Path: in.Path, Mode: in.Mode, Verified: in.Verified}
	return &JSEngine{M: m, Desc: in.ModelDesc}, in.ModelDesc, mi, nil
}

// loadTask loads the model of task name with the JS module (load({task}): the file and its sha256
// come from the manifest), reporting the download's progress in the page.
func loadTask(boot js.Value, name string, l *Lab) (Engine, ModelDesc, ModelInfo, error) {
	lib := boot.Get("lib")
	if !lib.Truthy() {
		return nil, ModelDesc{}, ModelInfo{}, errors.New("the page did not load the JS module")
	}
	progress := js.FuncOf(func(_ js.Value, a []js.Value) any {
		if len(a) > 0 && a[0].Type() == js.TypeObject {
			l.Env.Lock()
			l.Loaded, l.Total = int64(a[0].Get("loaded").Float()), int64(a[0].Get("total").Float())
			l.Env.UnlockRender()
		}
		return nil
	})
	defer progress.Release()
	opts := js.Global().Get("Object").New()
	opts.Set("task", name)
	opts.Set("onProgress", progress)
	m, err := call(lib, "load", opts)
	if err != nil {
		return nil, ModelDesc{}, ModelInfo{}, err
	}
	return jsModel(m)
}

func (l *Lab) locked(f func()) {
	l.Env.Lock()
	defer l.Env.UnlockRender()
	f()
}

// Play plays a WAV clip. Lock held (called from a click, so the browser allows sound).
func (l *Lab) Play(wav []byte) {
	if wav == nil {
		return
	}
	u := js.Global().Get("Uint8Array").New(len(wav))
	js.CopyBytesToJS(u, wav)
	opts := js.Global().Get("Object").New()
	opts.Set("type", "audio/wav")
	blob := js.Global().Get("Blob").New(js.Global().Get("Array").New(u), opts)
	url := js.Global().Get("URL").Call("createObjectURL", blob)
	a := js.Global().Get("Audio").New(url)
	p := a.Call("play")
	l.Go(func() {
		if _, err := Await(p); err != nil {
			l.locked(func() { l.Fail("The browser would not play the clip: %v", err) })
		}
		time.AfterFunc(30*time.Second, func() { js.Global().Get("URL").Call("revokeObjectURL", url) })
	})
}

// Record records the microphone for RecordSeconds, decodes it with the Web Audio API and turns it
// into the audio modality with features.AudioFromPCM (through the JS module, the same code the
// training used). Lock held.
func (l *Lab) Record() {
	if l.Recording {
		return
	}
	if l.Eng == nil {
		l.Fail("The model is still loading; a recording goes through its audio features, so try again in a moment.")
		return
	}
	md := js.Global().Get("navigator").Get("mediaDevices")
	if md.Type() != js.TypeObject || md.Get("getUserMedia").Type() != js.TypeFunction {
		l.Fail("This browser gives the page no microphone (it needs https:// or localhost, or a newer browser).")
		return
	}
	if js.Global().Get("MediaRecorder").Type() != js.TypeFunction {
		l.Fail("This browser cannot record audio (no MediaRecorder).")
		return
	}
	l.Recording = true
	eng := l.Eng
	l.Go(func() {
		pcm, rate, err := record(md)
		l.useClip(eng, Voice, pcm, rate, err, CheckRecording, func() { l.Recording = false }, "Recording failed")
	})
}

// pcmMime is the lossless recording format asked of MediaRecorder when supported.
const pcmMime = "audio/webm;codecs=pcm"

func record(md js.Value) (pcm []float32, rate int, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	// The raw microphone: the browser's echo cancellation, noise suppression and automatic gain
	// control would reshape the voice the model hears (and hide clipping); features.AudioFromPCM
	// normalises the level itself.
	c := js.ValueOf(map[string]any{"audio": map[string]any{
		"echoCancellation": false, "noiseSuppression": false, "autoGainControl": false}})
	stream, err := Await(md.Call("getUserMedia", c))
	if err != nil {
		return nil, 0, fmt.Errorf("no access to the microphone: %v", err)
	}
	defer func() {
		tr := stream.Call("getTracks")
		for i := 0; i < tr.Length(); i++ {
			tr.Index(i).Call("stop")
		}
	}()
	// Uncompressed PCM in WebM where the browser records it (Chromium does): no lossy codec between
	// the microphone and features.AudioFromPCM; otherwise the browser's default (Opus, at a high rate).
	opt := map[string]any{"audioBitsPerSecond": 256000}
	if mr := js.Global().Get("MediaRecorder"); mr.Get("isTypeSupported").Type() == js.TypeFunction && mr.Call("isTypeSupported", pcmMime).Bool() {
		opt["mimeType"] = pcmMime
	}
	rec := js.Global().Get("MediaRecorder").New(stream, js.ValueOf(opt))
	chunks := js.Global().Get("Array").New()
	stopped := make(chan struct{})
	onData := js.FuncOf(func(_ js.Value, a []js.Value) any {
		chunks.Call("push", a[0].Get("data"))
		return nil
	})
	onStop := js.FuncOf(func(_ js.Value, a []js.Value) any {
		close(stopped)
		return nil
	})
	defer onData.Release()
	defer onStop.Release()
	rec.Call("addEventListener", "dataavailable", onData)
	rec.Call("addEventListener", "stop", onStop)
	rec.Call("start")
	time.Sleep(time.Duration(RecordSeconds * float64(time.Second)))
	rec.Call("stop")
	<-stopped
	opts := js.Global().Get("Object").New()
	opts.Set("type", rec.Get("mimeType"))
	return decodeAudio(js.Global().Get("Blob").New(chunks, opts))
}

// decodeAudio decodes a Blob of encoded audio (a recording, a sound file) with the Web Audio API
// and returns its first channel.
func decodeAudio(blob js.Value) (pcm []float32, rate int, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	buf, err := Await(blob.Call("arrayBuffer"))
	if err != nil {
		return nil, 0, err
	}
	ctxClass := js.Global().Get("AudioContext")
	if ctxClass.Type() != js.TypeFunction {
		ctxClass = js.Global().Get("webkitAudioContext")
	}
	ac := ctxClass.New()
	defer ac.Call("close")
	ab, err := Await(ac.Call("decodeAudioData", buf))
	if err != nil {
		return nil, 0, fmt.Errorf("could not decode the audio: %v", err)
	}
	return GoFloat32s(ab.Call("getChannelData", 0)), ab.Get("sampleRate").Int(), nil
}
