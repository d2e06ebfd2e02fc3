//go:build js && wasm

// Command wasm is the GOOS=js bridge between the I2M2 engine (model/,
// features/) and JavaScript. It is not used directly: i2m2.core.mjs starts it
// with argv ["i2m2", key], where globalThis[key] is an object holding
// `schedule(fn)` and `ready(api)`; main calls ready with the API object
// (load, info, predict, predictBatch, audioFromPCM, imageFromRGBA, dispose:
// every function returns a Promise) and keeps running until dispose.
package main

import (
	"os"
	"runtime/debug"
	"syscall/js"
)

// gcPercent is the engine's GOGC. Go's default (100, a first collection at a
// 4 MB heap) collects two or three times while load reads a model (its float32
// weights and their packed copies are a few MB), and in a fresh instance that
// runs on V8's baseline code: tens of ms of the cold start (bench/README.md).
// At 400 the first collection comes at 16 MB, after the load; predictions
// allocate nothing (model/ zero-allocation tests), so the steady heap stays the
// model's.
const gcPercent = 400

func main() {
	debug.SetGCPercent(gcPercent)
	if len(os.Args) < 2 {
		println("i2m2: started without a registration key; load it through i2m2.mjs")
		return
	}
	hooks := js.Global().Get(os.Args[1])
	if hooks.Type() != js.TypeObject {
		println("i2m2: no registration object at globalThis." + os.Args[1])
		return
	}
	scheduler = hooks.Get("schedule")
	e := &engine{exit: make(chan struct{})}
	theEngine = e
	api, release := e.exports()
	hooks.Call("ready", api)
	<-e.exit
	release()
}
