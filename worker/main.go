//go:build js && wasm

// Command worker is the I2M2 Cloudflare Worker: the worker/api handler served
// by github.com/syumai/workers, with the model file embedded in the wasm
// (worker/assets/, filled by scripts/build-30-worker.sh). worker/README.md
// explains how to build, run (workerd, wrangler) and deploy it.
package main

import (
	"embed"
	"path"
	"runtime/debug"
	"strings"
	"syscall/js"

	"github.com/i2m2-wasm/i2m2/worker/api"
	"github.com/syumai/workers"
)

//go:embed assets
var assets embed.FS

func main() {
	// The Go heap here is a few MB (model, run state, one request); Go's
	// default GOGC=100 collects every few requests, and a collection in wasm
	// costs tens of ms (stop-the-world, one thread). Trade memory for CPU.
	debug.SetGCPercent(400)
	b, _ := assets.ReadFile("assets/model.i2m2")     // nil if the build put none there: every endpoint but /healthz says so
	mf, _ := assets.ReadFile("assets/manifest.json") // its entry vouches for the model (fail closed)
	srv := api.New(b, api.Options{Manifest: mf, Name: api.EntryName(mf, b)})
	// The manifest tasks' models (assets/tasks/<task>.i2m2, or <task>.alias when the task runs
	// the default model), served as POST /predict?model=<task>.
	tasks, _ := assets.ReadDir("assets/tasks")
	for _, f := range tasks {
		name, ext := path.Base(f.Name()), path.Ext(f.Name())
		name = strings.TrimSuffix(name, ext)
		tb := b
		if ext == ".i2m2" {
			tb, _ = assets.ReadFile("assets/tasks/" + f.Name())
		} else if ext != ".alias" {
			continue
		}
		if err := srv.AddModel(name, tb); err != nil {
			println("i2m2 worker:", err.Error())
		}
	}
	workers.ServeNonBlock(srv)
	workers.Ready()
	// worker/js/worker.mjs keeps one Go instance per isolate (replacing it
	// every so many requests) and sets context.i2m2KeepAlive: stay up for the
	// next requests. syumai's stock worker.mjs starts an instance per
	// request: exit once it is answered.
	if js.Global().Get("context").Get("i2m2KeepAlive").Truthy() {
		select {}
	}
	<-workers.Done()
}
