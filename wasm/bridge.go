//go:build js && wasm

package main

import (
	"errors"
	"syscall/js"
	"unsafe"

	"github.com/i2m2-wasm/i2m2/internal/errfmt"
	"github.com/i2m2-wasm/i2m2/model"
)

// JS constructors, looked up once.
var (
	jsPromise      = js.Global().Get("Promise")
	jsError        = js.Global().Get("Error")
	jsUint8Array   = js.Global().Get("Uint8Array")
	jsFloat32Array = js.Global().Get("Float32Array")
	jsObject       = js.Global().Get("Object")
	jsArray        = js.Global().Get("Array")
)

// scheduler is the JS function that runs a callback later (a macrotask on the
// page's main thread, a microtask in a worker). Every exported call first
// waits on it, so the call returns its Promise to JS before any work is done.
var scheduler js.Value

// async returns a Promise that runs work in a goroutine after yielding to the
// JS scheduler, resolves with its value, or rejects with an Error carrying its
// error message (and, for one sample of a batch, its sample and reason). A panic in work (a bug, or a JS exception raised by
// syscall/js on a hostile argument) is recovered and becomes a rejection, so a
// bad call never kills the instance (docs/code-conventions.md, rule 12).
func async(work func() (any, error)) js.Value {
	executor := js.FuncOf(func(_ js.Value, args []js.Value) any {
		resolve, reject := args[0], args[1]
		go func() {
			var (
				v   any
				err error
			)
			func() {
				defer func() {
					if r := recover(); r != nil {
						err = panicError(r)
					}
				}()
				yield()
				v, err = work()
			}()
			if err != nil {
				je := jsError.New(err.Error())
				var se *sampleError
				if errors.As(err, &se) {
					je.Set("sample", se.sample)
					je.Set("reason", se.reason())
				}
				reject.Invoke(je)
				return
			}
			resolve.Invoke(v)
		}()
		return nil
	})
	p := jsPromise.New(executor) // the executor runs synchronously inside New
	executor.Release()
	return p
}

// panicError turns a recovered panic value into an error that names it.
func panicError(r any) error {
	switch e := r.(type) {
	case js.Error:
		return errfmt.Errorf("i2m2: JavaScript exception: %s", e.Value.Get("message").String())
	case error:
		return errfmt.Errorf("i2m2: internal error: %w", e)
	default:
		return errfmt.Errorf("i2m2: internal error: %v", e)
	}
}

// yield blocks the calling goroutine until the JS scheduler calls back. While
// every goroutine is blocked the Go runtime returns control to JS, so the
// event loop runs (and the caller gets its Promise) before the work starts.
func yield() {
	if scheduler.Type() != js.TypeFunction {
		return
	}
	done := make(chan struct{})
	var f js.Func
	f = js.FuncOf(func(js.Value, []js.Value) any {
		f.Release()
		close(done)
		return nil
	})
	scheduler.Invoke(f)
	<-done
}

// bytesOf views a float32 slice as its bytes (wasm and JS typed arrays are both
// little-endian).
func bytesOf(f []float32) []byte {
	if len(f) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&f[0])), len(f)*4)
}

// errType wraps the errors about argument types and values ("i2m2: bad input").
var errType = model.ErrInput

// describe names the JS type of v for error messages ("Array", "Float64Array",
// "number", "undefined").
func describe(v js.Value) string {
	if v.Type() != js.TypeObject {
		return v.Type().String()
	}
	c := v.Get("constructor")
	if c.Type() == js.TypeFunction {
		if n := c.Get("name"); n.Type() == js.TypeString && n.String() != "" {
			return n.String()
		}
	}
	return "object"
}

// float32Len returns the length of a Float32Array, or an error naming what v is.
func float32Len(v js.Value, what string) (int, error) {
	if v.Type() != js.TypeObject || !v.InstanceOf(jsFloat32Array) {
		return 0, errfmt.Errorf("%w: %s must be a Float32Array, got %s", errType, what, describe(v))
	}
	return v.Get("length").Int(), nil
}

// copyFloat32 copies the Float32Array v (of length len(dst)) into dst through a
// Uint8Array view of its buffer: one bulk copy, no per-element JS calls.
func copyFloat32(dst []float32, v js.Value) {
	if len(dst) == 0 {
		return
	}
	u8 := jsUint8Array.New(v.Get("buffer"), v.Get("byteOffset"), len(dst)*4)
	js.CopyBytesToGo(bytesOf(dst), u8)
}

// toFloat32Array returns a new Float32Array holding src (one bulk copy).
func toFloat32Array(src []float32) js.Value {
	u8 := jsUint8Array.New(len(src) * 4)
	js.CopyBytesToJS(u8, bytesOf(src))
	return jsFloat32Array.New(u8.Get("buffer"))
}

// copyBytes copies a Uint8Array or Uint8ClampedArray (or an ArrayBuffer) into a
// new Go slice.
func copyBytes(v js.Value, what string) ([]byte, error) {
	if v.Type() == js.TypeObject && v.InstanceOf(js.Global().Get("ArrayBuffer")) {
		v = jsUint8Array.New(v)
	}
	if v.Type() != js.TypeObject || !(v.InstanceOf(jsUint8Array) || v.InstanceOf(js.Global().Get("Uint8ClampedArray"))) {
		return nil, errfmt.Errorf("%w: %s must be a Uint8Array, Uint8ClampedArray or ArrayBuffer, got %s", errType, what, describe(v))
	}
	if !v.InstanceOf(jsUint8Array) { // CopyBytesToGo takes Uint8Array only
		v = jsUint8Array.New(v.Get("buffer"), v.Get("byteOffset"), v.Get("byteLength"))
	}
	b := make([]byte, v.Get("length").Int())
	js.CopyBytesToGo(b, v)
	return b, nil
}

// intArg returns args[i] as an integer, or an error naming what it should be.
func intArg(args []js.Value, i int, what string) (int, error) {
	if i >= len(args) || args[i].Type() != js.TypeNumber {
		got := "nothing"
		if i < len(args) {
			got = describe(args[i])
		}
		return 0, errfmt.Errorf("%w: %s must be a number, got %s", errType, what, got)
	}
	f := args[i].Float()
	if f != float64(int(f)) {
		return 0, errfmt.Errorf("%w: %s must be an integer, got %v", errType, what, f)
	}
	return int(f), nil
}

// arg returns args[i], or undefined.
func arg(args []js.Value, i int) js.Value {
	if i < len(args) {
		return args[i]
	}
	return js.Undefined()
}
