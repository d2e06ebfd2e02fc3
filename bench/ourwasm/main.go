//go:build js && wasm

// Command ourwasm is the benchmark's minimal bridge to the engine, used while
// the project's JS module (wasm/) is not built: it registers, under the name
// given as its first argument, an object with two synchronous functions.
//
//	load(model Uint8Array, path "int8"|"float32"|"reference") -> {macs, quantization} or {error}
//	predict(image Uint8Array, audio Uint8Array, n, out Uint8Array) -> "" or an error message
//
// image and audio hold n float32 samples back to back (little-endian bytes of a
// Float32Array); out receives n x classes float32 log-probs of the I2M2 product.
// Samples run one after another through one model.Predictor (zero-alloc path).
package main

import (
	"fmt"
	"os"
	"syscall/js"
	"unsafe"

	"github.com/i2m2-wasm/i2m2/model"
)

type state struct {
	m        *model.Model
	p        *model.Predictor
	r        *model.Result
	img, aud []float32
	out      []float32
	in       map[string][]float32
}

var st state

func f32(b []byte) []float32 {
	if len(b) < 4 {
		return nil
	}
	return unsafe.Slice((*float32)(unsafe.Pointer(&b[0])), len(b)/4)
}

func bytesOf(v []float32) []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(&v[0])), 4*len(v))
}

func load(_ js.Value, args []js.Value) (res any) {
	defer func() {
		if r := recover(); r != nil {
			res = map[string]any{"error": fmt.Sprint(r)}
		}
	}()
	b := make([]byte, args[0].Get("length").Int())
	js.CopyBytesToGo(b, args[0])
	m, err := model.Read(b)
	if err != nil {
		return map[string]any{"error": err.Error()}
	}
	path, err := model.ParsePath(args[1].String())
	if err != nil {
		return map[string]any{"error": err.Error()}
	}
	p, err := m.NewPredictor(path)
	if err != nil {
		return map[string]any{"error": err.Error()}
	}
	st = state{m: m, p: p, r: m.NewResult(), in: map[string][]float32{}}
	return map[string]any{"macs": m.Describe(model.DefaultPath).MACs, "quantization": m.Quantization, "path": path.String()}
}

func grow(v []float32, n int) []float32 {
	if cap(v) < n {
		return make([]float32, n)
	}
	return v[:n]
}

func predict(_ js.Value, args []js.Value) (res any) {
	defer func() {
		if r := recover(); r != nil {
			res = fmt.Sprint(r)
		}
	}()
	if st.m == nil {
		return "no model loaded"
	}
	n := args[2].Int()
	ni, na := st.m.Modalities[0].Shape.Size(), st.m.Modalities[1].Shape.Size()
	k := len(st.m.Classes)
	st.img = grow(st.img, n*ni)
	st.aud = grow(st.aud, n*na)
	st.out = grow(st.out, n*k)
	js.CopyBytesToGo(bytesOf(st.img), args[0])
	js.CopyBytesToGo(bytesOf(st.aud), args[1])
	for i := 0; i < n; i++ {
		st.in[st.m.Modalities[0].Name] = st.img[i*ni : (i+1)*ni]
		st.in[st.m.Modalities[1].Name] = st.aud[i*na : (i+1)*na]
		if err := st.p.Predict(st.in, st.r); err != nil {
			return err.Error()
		}
		copy(st.out[i*k:], st.r.LogProbs)
	}
	js.CopyBytesToJS(args[3], bytesOf(st.out))
	return ""
}

func main() {
	name := "i2m2bench"
	if len(os.Args) > 1 {
		name = os.Args[1]
	}
	js.Global().Set(name, js.ValueOf(map[string]any{
		"load":    js.FuncOf(load),
		"predict": js.FuncOf(predict),
	}))
	select {}
}
