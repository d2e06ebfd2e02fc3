//go:build js && wasm

package main

import (
	"errors"
	"strings"
	"sync"
	"syscall/js"

	"github.com/i2m2-wasm/i2m2/features"
	"github.com/i2m2-wasm/i2m2/internal/errfmt"
	"github.com/i2m2-wasm/i2m2/model"
)

// MaxBatch bounds one predictBatch call (the result alone is MaxBatch*stride
// float32s).
const MaxBatch = 1 << 16

var (
	errNotLoaded = errors.New("i2m2: no model loaded (call load first)")
	errDisposed  = errors.New("i2m2: the model was disposed")
)

// engine is one loaded model and the run state of its single caller (JS is
// single-threaded; the mutex orders the goroutines of overlapping calls).
type engine struct {
	mu       sync.Mutex
	m        *model.Model
	p        *model.Predictor
	r        *model.Result
	in       map[string][]float32 // reused: the present modalities of the current sample
	buf      [][]float32          // per modality, the copied input of the current sample
	stride   int                  // float32s per sample in a packed result
	out      []float32            // the packed result of predict (Stride values)
	info     string               // JSON
	fast     fastBufs             // the synchronous path's batch buffers (fast.go)
	disposed bool
	exit     chan struct{}
}

// exports returns the API object and a function releasing its callbacks.
func (e *engine) exports() (js.Value, func()) {
	fns := map[string]func(args []js.Value) (any, error){
		"load":          e.load,
		"info":          func([]js.Value) (any, error) { return e.infoJSON() },
		"predict":       e.predict,
		"predictBatch":  e.predictBatch,
		"audioFromPCM":  e.audioFromPCM,
		"imageFromRGBA": e.imageFromRGBA,
		"dispose":       e.dispose,
	}
	api := jsObject.New()
	var funcs []js.Func
	for name, fn := range fns {
		f := js.FuncOf(func(_ js.Value, args []js.Value) any {
			args = append([]js.Value(nil), args...) // args is only valid during the call
			return async(func() (any, error) {
				if e.disposed && name != "dispose" { // every call after dispose rejects
					return nil, errDisposed
				}
				return fn(args)
			})
		})
		funcs = append(funcs, f)
		api.Set(name, f)
	}
	return api, func() {
		for _, f := range funcs {
			f.Release()
		}
	}
}

// check returns the error for a call on a disposed or empty engine.
func (e *engine) check() error {
	if e.disposed {
		return errDisposed
	}
	if e.m == nil {
		return errNotLoaded
	}
	return nil
}

// load(bytes: Uint8Array|ArrayBuffer, path?: string, sums?: {file?: hex,
// content?: hex}) reads a model file and resolves with its info as JSON;
// sums are its sha256 digests when the caller has them (digest.go).
func (e *engine) load(args []js.Value) (any, error) {
	growStack(len(args))
	b, err := copyBytes(arg(args, 0), "the model")
	if err != nil {
		return nil, err
	}
	pathName := ""
	if v := arg(args, 1); v.Type() == js.TypeString {
		pathName = v.String()
	} else if !v.IsUndefined() && !v.IsNull() {
		return nil, errfmt.Errorf("%w: path must be a string, got %s", errType, describe(v))
	}
	m, digest, err := readModel(b, arg(args, 2))
	if err != nil {
		return nil, err
	}
	path, err := model.ParsePath(pathName) // "" is model.DefaultPath; an error wraps ErrInput (a TypeError in JS)
	if err != nil {
		return nil, err
	}
	p, err := m.NewPredictor(path)
	if err != nil {
		return nil, err
	}
	info, err := infoOf(m, path, digest, len(b))
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.m, e.p, e.r, e.info = m, p, m.NewResult(), info
	e.fast = fastBufs{}
	e.in = make(map[string][]float32, len(m.Modalities))
	e.buf = make([][]float32, len(m.Modalities))
	for i, md := range m.Modalities {
		e.buf[i] = make([]float32, md.Shape.Size())
	}
	k, ne := len(m.Classes), len(m.Experts)
	e.stride = Stride(k, ne)
	return info, nil
}

// growStack grows the calling goroutine's stack to 64 KiB in one step, while
// it is shallow. Each call runs in a goroutine of its own (async, bridge.go),
// which starts with Go's smallest stack, and a load's calls go deep (the header
// decoder's recursion): every doubling copies the stack and walks each frame's
// tables (runtime.pcvalue), enough calls for V8 to recompile that runtime code
// with its optimising compiler during a cold start (model/leaf.go).
//
//go:noinline
func growStack(i int) byte {
	var pad [32 << 10]byte
	return pad[i&(len(pad)-1)]
}

func (e *engine) infoJSON() (any, error) {
	if err := e.check(); err != nil {
		return nil, err
	}
	return e.info, nil
}

// sampleError is the error of sample Sample of a batch. JS receives it as an
// Error whose message is "i2m2: sample N: <reason>" and whose sample and
// reason properties hold N and <reason> (async, bridge.go), so the module
// renumbers a batch split over workers without reading the message.
type sampleError struct {
	sample int
	err    error
}

func (e *sampleError) reason() string { return strings.TrimPrefix(e.err.Error(), "i2m2: ") }
func (e *sampleError) Error() string {
	return errfmt.Sprintf("i2m2: sample %d: %s", e.sample, e.reason())
}
func (e *sampleError) Unwrap() error { return e.err }

// sample copies the JS sample object {modality: Float32Array|null} into e.in.
func (e *engine) sample(obj js.Value) error {
	if obj.Type() != js.TypeObject || obj.InstanceOf(jsArray) || obj.InstanceOf(jsFloat32Array) {
		return errfmt.Errorf("%w: inputs must be an object {modality: Float32Array}, got %s", errType, describe(obj))
	}
	m := e.m
	keys := jsObject.Call("keys", obj)
	for j, n := 0, keys.Length(); j < n; j++ {
		if k := keys.Index(j).String(); m.ModalityIndex(k) < 0 {
			return e.rejected(map[string][]float32{k: nil})
		}
	}
	for mi, md := range m.Modalities {
		v := obj.Get(md.Name)
		if v.IsUndefined() || v.IsNull() {
			delete(e.in, md.Name)
			continue
		}
		if v.Type() != js.TypeObject || !v.InstanceOf(jsFloat32Array) {
			return errfmt.Errorf("%w: modality %q must be a Float32Array, got %s", errType, md.Name, describe(v))
		}
		if n, want := v.Get("length").Int(), len(e.buf[mi]); n != want {
			return errfmt.Errorf("%w: modality %q has %d values, want %d (shape %v)", model.ErrInput, md.Name, n, want, md.Shape[:])
		}
		copyFloat32(e.buf[mi], v)
		e.in[md.Name] = e.buf[mi]
	}
	if len(e.in) == 0 {
		return e.rejected(e.in)
	}
	return nil
}

// rejected is the engine's error for inputs in that its checks reject (an
// unknown modality, none given), so the message is the engine's own. Only
// called on errors; e.mu is held.
func (e *engine) rejected(in map[string][]float32) error {
	if err := e.p.Predict(in, e.r); err != nil {
		return err
	}
	return errfmt.Errorf("%w: inputs rejected", model.ErrInput) // not reached: the callers pass inputs Predict rejects
}

// rejectedLocked is rejected for a caller not holding e.mu (a whole packed batch).
func (e *engine) rejectedLocked(in map[string][]float32) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.check(); err != nil {
		return err
	}
	return e.rejected(in)
}

// run predicts e.in into dst (Stride values).
func (e *engine) run(dst []float32) error {
	if err := e.p.Predict(e.in, e.r); err != nil {
		return err
	}
	pack(dst, e.r)
	return nil
}

// predict(sample) resolves with a packed Float32Array of Stride values.
func (e *engine) predict(args []js.Value) (any, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.check(); err != nil {
		return nil, err
	}
	if err := e.sample(arg(args, 0)); err != nil {
		return nil, err
	}
	if len(e.out) != e.stride {
		e.out = make([]float32, e.stride)
	}
	if err := e.run(e.out); err != nil {
		return nil, err
	}
	return toFloat32Array(e.out), nil
}

// predictBatch(samples) takes an Array of sample objects, or one packed object
// {modality: Float32Array of n*size values} (every present modality holding the
// same n), and resolves with a Float32Array of n*Stride values. It yields to
// the event loop between samples.
func (e *engine) predictBatch(args []js.Value) (any, error) {
	e.mu.Lock()
	err := e.check()
	e.mu.Unlock()
	if err != nil {
		return nil, err
	}
	v := arg(args, 0)
	if v.Type() == js.TypeObject && v.InstanceOf(jsArray) {
		n := v.Length()
		if n > MaxBatch {
			return nil, errfmt.Errorf("%w: batch of %d samples (max %d per call)", errType, n, MaxBatch)
		}
		out := make([]float32, n*e.stride)
		for i := 0; i < n; i++ {
			if i > 0 {
				yield()
			}
			if err := e.batchSample(out, i, v.Index(i)); err != nil {
				return nil, err
			}
		}
		return toFloat32Array(out), nil
	}
	return e.predictPacked(v)
}

func (e *engine) batchSample(out []float32, i int, s js.Value) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.check(); err != nil {
		return err
	}
	if err := e.sample(s); err != nil {
		return &sampleError{i, err}
	}
	if err := e.run(out[i*e.stride : (i+1)*e.stride]); err != nil {
		return &sampleError{i, err}
	}
	return nil
}

// predictPacked handles the packed batch form.
func (e *engine) predictPacked(obj js.Value) (any, error) {
	e.mu.Lock()
	m := e.m
	e.mu.Unlock()
	if obj.Type() != js.TypeObject || obj.InstanceOf(jsFloat32Array) {
		return nil, errfmt.Errorf("%w: a batch must be an Array of inputs or an object {modality: Float32Array of n*size values}, got %s", errType, describe(obj))
	}
	keys := jsObject.Call("keys", obj)
	for i, n := 0, keys.Length(); i < n; i++ {
		if k := keys.Index(i).String(); m.ModalityIndex(k) < 0 {
			return nil, e.rejectedLocked(map[string][]float32{k: nil})
		}
	}
	data := make([][]float32, len(m.Modalities))
	n, first := -1, ""
	for mi, md := range m.Modalities {
		v := obj.Get(md.Name)
		if v.IsUndefined() || v.IsNull() {
			continue
		}
		l, err := float32Len(v, errfmt.Sprintf("modality %q", md.Name))
		if err != nil {
			return nil, err
		}
		size := md.Shape.Size()
		if l%size != 0 {
			return nil, errfmt.Errorf("%w: batch size mismatch: modality %q has %d values, not a multiple of %d (shape %v)", model.ErrInput, md.Name, l, size, md.Shape[:])
		}
		if n >= 0 && l/size != n {
			return nil, errfmt.Errorf("%w: batch size mismatch: modality %q has %d samples, %q has %d", model.ErrInput, md.Name, l/size, first, n)
		}
		if n < 0 {
			n, first = l/size, md.Name
		}
		if n > MaxBatch {
			return nil, errfmt.Errorf("%w: batch of %d samples (max %d per call)", errType, n, MaxBatch)
		}
		data[mi] = make([]float32, l)
		copyFloat32(data[mi], v)
	}
	if n < 0 {
		return nil, e.rejectedLocked(nil)
	}
	out := make([]float32, n*e.stride)
	for i := 0; i < n; i++ {
		if i > 0 {
			yield()
		}
		if err := e.packedSample(out, i, data); err != nil {
			return nil, err
		}
	}
	return toFloat32Array(out), nil
}

func (e *engine) packedSample(out []float32, i int, data [][]float32) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.check(); err != nil {
		return err
	}
	for mi, md := range e.m.Modalities {
		if data[mi] == nil {
			delete(e.in, md.Name)
			continue
		}
		size := md.Shape.Size()
		e.in[md.Name] = data[mi][i*size : (i+1)*size]
	}
	if err := e.run(out[i*e.stride : (i+1)*e.stride]); err != nil {
		return &sampleError{i, err}
	}
	return nil
}

// audioFromPCM(pcm: Float32Array, sampleRate: number) resolves with the audio
// modality (features.AudioFromPCM).
func (e *engine) audioFromPCM(args []js.Value) (any, error) {
	n, err := float32Len(arg(args, 0), "pcm")
	if err != nil {
		return nil, err
	}
	rate, err := intArg(args, 1, "sampleRate")
	if err != nil {
		return nil, err
	}
	if err := features.CheckAudio(n, rate); err != nil {
		return nil, err
	}
	pcm := make([]float32, n)
	copyFloat32(pcm, args[0])
	x, err := features.AudioFromPCM(pcm, rate)
	if err != nil {
		return nil, err
	}
	return toFloat32Array(x), nil
}

// imageFromRGBA(rgba: Uint8ClampedArray|Uint8Array, width, height) resolves
// with the image modality (features.ImageFromRGBA).
func (e *engine) imageFromRGBA(args []js.Value) (any, error) {
	w, err := intArg(args, 1, "width")
	if err != nil {
		return nil, err
	}
	h, err := intArg(args, 2, "height")
	if err != nil {
		return nil, err
	}
	if err := features.CheckImageSize(w, h); err != nil {
		return nil, err
	}
	rgba, err := copyBytes(arg(args, 0), "rgba")
	if err != nil {
		return nil, err
	}
	x, err := features.ImageFromRGBA(rgba, w, h)
	if err != nil {
		return nil, err
	}
	return toFloat32Array(x), nil
}

// dispose() drops the model and ends the Go program; later calls reject.
func (e *engine) dispose([]js.Value) (any, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.disposed {
		e.disposed = true
		e.m, e.p, e.r = nil, nil, nil
		close(e.exit)
	}
	return nil, nil
}
