//go:build js && wasm

// Command wasm is the GOOS=js bridge between the I2M2 engine (model/,
// features/) and JavaScript. It is not used directly: i2m2.engine.mjs starts
// it with the environment variable I2M2_KEY set to a key, where
// globalThis[key] is an object holding `schedule(fn)` and `ready(api)`; main
// calls ready with the API object (load, info, predict, predictBatch,
// audioFromPCM, imageFromRGBA, dispose: every function returns a Promise) and
// keeps running until dispose.
//
// The key comes from the environment (package syscall), not from os.Args:
// package os links io/fs, time and internal/poll and initialises them at
// start, 263 KB raw / 64 KB gzip (9%) of the engine's stripped wasm that
// every cold start downloads, compiles and runs (bench/README.md, "Cold
// start").
package main

import (
	"syscall"
	"syscall/js"
)

func main() {
	key, _ := syscall.Getenv("I2M2_KEY")
	if key == "" {
		println("i2m2: started without a registration key (I2M2_KEY); load it through i2m2.mjs")
		return
	}
	hooks := js.Global().Get(key)
	if hooks.Type() != js.TypeObject {
		println("i2m2: no registration object at globalThis." + key)
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
