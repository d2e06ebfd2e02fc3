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
	"syscall/js"
)

func main() {
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
