//go:build js && wasm

package ui

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"syscall/js"
)

// JSEngine runs the model through the JS module's model object (wasm/i2m2.mjs: load(...)), which
// does the inference in a Web Worker.
type JSEngine struct {
	M    js.Value  // the object load() resolved to
	Desc ModelDesc // its model.info
}

// Dispose frees the model (its worker).
func (e *JSEngine) Dispose() {
	if e.M.Type() == js.TypeObject {
		e.M.Call("dispose")
	}
}

// Await blocks the calling goroutine until p settles. Never call it from an event handler or a
// js.Func callback: the Promise cannot settle while the JS event loop waits for Go.
func Await(p js.Value) (js.Value, error) {
	type res struct {
		v   js.Value
		err error
	}
	ch := make(chan res, 1)
	ok := js.FuncOf(func(_ js.Value, a []js.Value) any {
		ch <- res{v: arg0(a)}
		return nil
	})
	bad := js.FuncOf(func(_ js.Value, a []js.Value) any {
		ch <- res{err: JSError(arg0(a))}
		return nil
	})
	js.Global().Get("Promise").Call("resolve", p).Call("then", ok, bad)
	r := <-ch
	ok.Release()
	bad.Release()
	return r.v, r.err
}

func arg0(a []js.Value) js.Value {
	if len(a) == 0 {
		return js.Undefined()
	}
	return a[0]
}

// JSError turns a rejection reason into a Go error with its message.
func JSError(v js.Value) error {
	if v.Type() == js.TypeObject {
		if m := v.Get("message"); m.Type() == js.TypeString && m.String() != "" {
			return errors.New(m.String())
		}
	}
	if v.Type() == js.TypeString {
		return errors.New(v.String())
	}
	return fmt.Errorf("%v", js.Global().Get("String").Invoke(v).String())
}

// call calls method name of the model (or of model.features) and awaits it, turning a
// synchronous throw into an error too.
func call(obj js.Value, name string, args ...any) (v js.Value, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%s: %v", name, r)
		}
	}()
	return Await(obj.Call(name, args...))
}

// Float32Array copies x into a new JS Float32Array.
func Float32Array(x []float32) js.Value {
	b := make([]byte, 4*len(x))
	for i, v := range x {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(v))
	}
	u := js.Global().Get("Uint8Array").New(len(b))
	js.CopyBytesToJS(u, b)
	return js.Global().Get("Float32Array").New(u.Get("buffer"))
}

// GoFloat32s copies a JS Float32Array (or array of numbers) into Go.
func GoFloat32s(v js.Value) []float32 {
	if v.InstanceOf(js.Global().Get("Float32Array")) {
		n := v.Length()
		u := js.Global().Get("Uint8Array").New(v.Get("buffer"), v.Get("byteOffset"), 4*n)
		b := make([]byte, 4*n)
		js.CopyBytesToGo(b, u)
		out := make([]float32, n)
		for i := range out {
			out[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
		}
		return out
	}
	n := v.Length()
	out := make([]float32, n)
	for i := range out {
		out[i] = float32(v.Index(i).Float())
	}
	return out
}

func inputsObject(in Inputs) js.Value {
	o := js.Global().Get("Object").New()
	for name, x := range in {
		if x != nil {
			o.Set(name, Float32Array(x))
		}
	}
	return o
}

// PredictBatch implements Engine with model.predict (one sample) or model.predictBatch.
func (e *JSEngine) PredictBatch(in []Inputs) ([]Prediction, error) {
	if len(in) == 1 {
		r, err := call(e.M, "predict", inputsObject(in[0]))
		if err != nil {
			return nil, err
		}
		p, err := e.toPrediction(r)
		return []Prediction{p}, err
	}
	arr := js.Global().Get("Array").New()
	for _, x := range in {
		arr.Call("push", inputsObject(x))
	}
	r, err := call(e.M, "predictBatch", arr)
	if err != nil {
		return nil, err
	}
	if r.Length() != len(in) {
		return nil, fmt.Errorf("predictBatch returned %d results for %d inputs", r.Length(), len(in))
	}
	out := make([]Prediction, len(in))
	for i := range out {
		if out[i], err = e.toPrediction(r.Index(i)); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// toPrediction reads a result of the JS module for the model described by e.Desc.
func (e *JSEngine) toPrediction(r js.Value) (p Prediction, err error) {
	if r.Type() != js.TypeObject {
		return p, fmt.Errorf("the engine returned %s instead of a result", r.Type())
	}
	n := len(e.Desc.Classes)
	if p.Final, err = toDist(r, n); err != nil {
		return p, err
	}
	ex := r.Get("experts")
	p.Experts = make([]*Dist, len(e.Desc.Experts))
	for i, x := range e.Desc.Experts {
		v := js.Undefined()
		if ex.Type() == js.TypeObject {
			v = ex.Get(x.Name)
		}
		if v.Type() != js.TypeObject || (v.Get("used").Type() == js.TypeBoolean && !v.Get("used").Bool()) {
			continue
		}
		d, err := toDist(v, n)
		if err != nil {
			return p, fmt.Errorf("%s expert: %v", x.Name, err)
		}
		p.Experts[i] = &d
	}
	if io := r.Get("intraOnly"); io.Type() == js.TypeObject {
		d, err := toDist(io, n)
		if err != nil {
			return p, fmt.Errorf("intra-only: %v", err)
		}
		p.IntraOnly = &d
	}
	return p, nil
}

func toDist(v js.Value, n int) (d Dist, err error) {
	pr := v.Get("probs")
	if pr.Type() != js.TypeObject || pr.Length() != n {
		return d, fmt.Errorf("probs is not %d numbers", n)
	}
	d.Probs = make([]float64, n)
	for i := range d.Probs {
		d.Probs[i] = pr.Index(i).Float()
		if d.Probs[i] > d.Probs[d.Label] {
			d.Label = i
		}
	}
	if l := v.Get("label"); l.Type() == js.TypeNumber && l.Int() >= 0 && l.Int() < n {
		d.Label = l.Int()
	}
	return d, nil
}

// ImageFromRGBA implements Engine with model.features.imageFromRGBA.
func (e *JSEngine) ImageFromRGBA(rgba []byte, w, h int) ([]float32, error) {
	u := js.Global().Get("Uint8ClampedArray").New(len(rgba))
	js.CopyBytesToJS(u, rgba)
	r, err := call(e.M.Get("features"), "imageFromRGBA", u, w, h)
	if err != nil {
		return nil, err
	}
	return GoFloat32s(r), nil
}

// AudioFromPCM implements Engine with model.features.audioFromPCM.
func (e *JSEngine) AudioFromPCM(pcm []float32, rate int) ([]float32, error) {
	r, err := call(e.M.Get("features"), "audioFromPCM", Float32Array(pcm), rate)
	if err != nil {
		return nil, err
	}
	return GoFloat32s(r), nil
}
