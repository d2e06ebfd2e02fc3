//go:build js && wasm

package main

import (
	"unsafe"

	"github.com/i2m2-wasm/i2m2/model"
)

// The synchronous path of predict and predictBatch (i2m2.fast.mjs). JS
// writes the inputs straight into buffers in this program's memory, calls one
// exported function with plain numbers, and reads the packed results (Stride
// float32s per sample, as pack writes them) from another buffer: no js.Value,
// Promise, goroutine or finalizer per call. Any failure returns a non-zero
// status and JS runs the call again through the async API (api.go), whose
// errors name the problem; so this path has no error messages of its own.

// Status codes of the exports.
const (
	fastOK       = 0
	fastFailed   = 1 // the inputs or the model failed: the async API says why
	fastBusy     = 2 // another call holds the engine
	fastNotReady = 3 // no model loaded, or disposed
)

// theEngine is the one engine of this instance (main.go).
var theEngine *engine

// fastBufs are the buffers of the synchronous path: the batch inputs per
// modality and the packed outputs. A single sample uses e.buf and e.out.
type fastBufs struct {
	in  [][]float32
	out []float32
	n   int // samples the buffers hold
	// A batch's samples as the engine takes them (one call of
	// Predictor.PredictBatch): views into in, and their results.
	ins []map[string][]float32
	rs  []*model.Result
}

// Buffer kinds of i2m2_buffer.
const (
	bufInput      = 0 // e.buf[i]: one sample of modality i
	bufOutput     = 1 // e.out: one packed result
	bufBatchInput = 2 // batch inputs of modality i (n samples back to back)
	bufBatchOut   = 3 // n packed results
)

func addr(f []float32) int32 {
	if len(f) == 0 {
		return 0
	}
	return int32(uintptr(unsafe.Pointer(&f[0])))
}

// exportBuffer returns the address of a buffer (kinds above; i the modality),
// 0 if there is none. Addresses stay valid until the next i2m2_reserve or load.
//
//go:wasmexport i2m2_buffer
func exportBuffer(kind, i int32) int32 {
	e := theEngine
	if e == nil || e.m == nil {
		return 0
	}
	if (kind == bufInput || kind == bufBatchInput) && (i < 0 || int(i) >= len(e.buf)) {
		return 0
	}
	switch kind {
	case bufInput:
		return addr(e.buf[i])
	case bufOutput:
		if len(e.out) != e.stride {
			e.out = make([]float32, e.stride)
		}
		return addr(e.out)
	case bufBatchInput:
		if e.fast.n > 0 {
			return addr(e.fast.in[i])
		}
	case bufBatchOut:
		return addr(e.fast.out)
	}
	return 0
}

// exportReserve makes the batch buffers hold n samples (they only grow).
//
//go:wasmexport i2m2_reserve
func exportReserve(n int32) int32 {
	e := theEngine
	if e == nil || e.m == nil || e.disposed {
		return fastNotReady
	}
	if n < 1 || n > MaxBatch {
		return fastFailed
	}
	if int(n) > e.fast.n {
		e.fast.in = make([][]float32, len(e.m.Modalities))
		for i, md := range e.m.Modalities {
			e.fast.in[i] = make([]float32, int(n)*md.Shape.Size())
		}
		e.fast.out = make([]float32, int(n)*e.stride)
		e.fast.n = int(n)
		e.fast.ins = make([]map[string][]float32, n)
		e.fast.rs = make([]*model.Result, n)
		for i := range e.fast.ins {
			e.fast.ins[i] = map[string][]float32{}
			e.fast.rs[i] = e.m.NewResult()
		}
	}
	return fastOK
}

// exportPredict predicts the sample in the input buffers (modality i present
// when bit i of mask is set) into the output buffer.
//
//go:wasmexport i2m2_predict
func exportPredict(mask int32) int32 {
	return theEngine.fastRun(-1, 1, mask)
}

// exportPredictBatch predicts samples [from, from+n) of the batch buffers.
//
//go:wasmexport i2m2_predict_batch
func exportPredictBatch(from, n, mask int32) int32 {
	return theEngine.fastRun(int(from), int(n), mask)
}

// fastRun predicts n samples from the batch buffers starting at from, or
// (from < 0) the single sample in e.buf.
func (e *engine) fastRun(from, n int, mask int32) (status int32) {
	if e == nil || !e.mu.TryLock() { // JS is single-threaded: only a parked call can hold it
		return fastBusy
	}
	defer e.mu.Unlock()
	// A panic (a bug) must not end the instance: the async API, which
	// recovers and reports it, runs the call again.
	defer func() {
		if recover() != nil {
			status = fastFailed
		}
	}()
	if e.check() != nil {
		return fastNotReady
	}
	if from < 0 {
		for mi, md := range e.m.Modalities {
			if mask&(1<<mi) == 0 {
				delete(e.in, md.Name)
			} else {
				e.in[md.Name] = e.buf[mi]
			}
		}
		if len(e.in) == 0 || len(e.out) != e.stride { // i2m2_buffer(bufOutput) was not asked
			return fastFailed
		}
		if err := e.p.Predict(e.in, e.r); err != nil {
			return fastFailed
		}
		pack(e.out, e.r)
		return fastOK
	}
	if n < 1 || from > e.fast.n-n || mask&(1<<len(e.m.Modalities)-1) == 0 {
		return fastFailed
	}
	ins, rs := e.fast.ins[:n], e.fast.rs[:n]
	for s, in := range ins {
		for mi, md := range e.m.Modalities {
			if mask&(1<<mi) == 0 {
				delete(in, md.Name)
			} else {
				size := len(e.buf[mi])
				in[md.Name] = e.fast.in[mi][(from+s)*size : (from+s+1)*size]
			}
		}
	}
	if err := e.p.PredictBatch(ins, rs); err != nil {
		return fastFailed
	}
	for s, r := range rs {
		pack(e.fast.out[(from+s)*e.stride:(from+s+1)*e.stride], r)
	}
	return fastOK
}
