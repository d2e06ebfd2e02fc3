//go:build js && wasm

// Command app is the modality-swap lab's wasm: it mounts the ui package's Root component on the
// page's #app element and renders it after every event, at most once per animation frame. It renders
// with ui/internal/domsync rather than Vugu's domrender (whose helper script needs eval, which a
// strict Content-Security-Policy forbids, and which rewrites the whole page on every render).
// Inference is not linked in: the page's boot.js loads the JS module (wasm/i2m2.mjs) and hands its
// model over.
package main

import (
	"github.com/i2m2-wasm/i2m2/ui"
	"github.com/i2m2-wasm/i2m2/ui/internal/domsync"
	"github.com/vugu/vugu"
)

func main() {
	renderer := domsync.New("#app")
	defer renderer.Release()
	env, err := vugu.NewBuildEnv(renderer.EventEnv())
	if err != nil {
		panic(err)
	}
	lab := &ui.Lab{Env: renderer.EventEnv()}
	root := &ui.Root{Lab: lab}
	lab.Env.Lock()
	lab.Boot()
	lab.Env.UnlockRender()
	for ok := true; ok; ok = renderer.EventWait() {
		if err := renderer.Render(env.RunBuild(root)); err != nil {
			panic(err)
		}
	}
}
