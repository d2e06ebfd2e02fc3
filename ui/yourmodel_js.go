//go:build js && wasm

package ui

import (
	"fmt"
	"syscall/js"

	"github.com/vugu/vugu"
)

// yours is the JS model object of the person's file (one at a time; the previous one is
// disposed when a new file loads).
var yours js.Value

// PickYourFile handles the card's file input. Lock held.
func (l *Lab) PickYourFile(event vugu.DOMEvent) {
	files := js.Value(event.JSEventTarget()).Get("files")
	if files.Truthy() && files.Length() > 0 {
		l.openYourFile(files.Index(0))
	}
}

// DropYourFile handles a file dropped on the card (dragover must call PreventDefault too for the
// browser to allow the drop). Lock held.
func (l *Lab) DropYourFile(event vugu.DOMEvent) {
	event.PreventDefault()
	dt := js.Value(event.JSEvent()).Get("dataTransfer")
	if !dt.Truthy() || dt.Get("files").Length() == 0 {
		l.Yours.Err = "Nothing to read: drop a file (an .i2m2 model)."
		return
	}
	l.openYourFile(dt.Get("files").Index(0))
}

// openYourFile reads file f and loads it with the JS module from its bytes. Lock held.
func (l *Lab) openYourFile(f js.Value) {
	y := &l.Yours
	g := y.gen + 1
	*y = YourFile{File: f.Get("name").String(), gen: g}
	if size := f.Get("size").Float(); size > MaxYourFile {
		y.Err = fmt.Sprintf("%s is %s; the lab reads model files up to %s.", y.File, HumanBytes(int64(size)), HumanBytes(MaxYourFile))
		return
	}
	lib := js.Global().Get("i2m2Boot").Get("lib")
	if !lib.Truthy() {
		y.Err = "The page did not load the JS module (boot.js), so it cannot read model files."
		return
	}
	name := y.File
	y.Status = "Reading " + name + "…"
	l.Go(func() {
		fail := func(format string, a ...any) {
			l.locked(func() {
				if g == l.Yours.gen {
					l.Yours.Status, l.Yours.Err = "", fmt.Sprintf(format, a...)
				}
			})
		}
		buf, err := Await(f.Call("arrayBuffer"))
		if err != nil {
			fail("Could not read %s: %v", name, err)
			return
		}
		l.locked(func() {
			if g == l.Yours.gen {
				l.Yours.Status = "Checking and loading " + name + "…"
			}
		})
		opts := js.Global().Get("Object").New()
		opts.Set("model", js.Global().Get("Uint8Array").New(buf))
		// The person chose this file: there is no manifest or pinned hash to check it against, so it
		// loads unverified (the JS module refuses that unless told) and the card says so.
		opts.Set("integrity", false)
		m, err := Await(lib.Call("load", opts))
		if err != nil {
			fail("%s is not a model this page can run: %v", name, err)
			return
		}
		info, err := ParseYourInfo(js.Global().Get("JSON").Call("stringify", m.Get("info")).String())
		if err != nil {
			m.Call("dispose")
			fail("%v", err)
			return
		}
		l.Env.Lock()
		defer l.Env.UnlockRender()
		if g != l.Yours.gen { // another file came meanwhile
			m.Call("dispose")
			return
		}
		if yours.Truthy() {
			yours.Call("dispose")
		}
		yours = m
		l.Yours.Info, l.Yours.Status = info, ""
		l.RunYours()
	})
}

// RunYours runs the person's model on the lab's current pair, when its modalities fit. Lock held.
func (l *Lab) RunYours() {
	y := &l.Yours
	if y.Info == nil || !yours.Truthy() {
		return
	}
	ok, note := y.Info.Runnable(l.Desc.Modalities)
	y.RunNote, y.Rows = note, nil
	if !ok {
		return
	}
	in := js.Global().Get("Object").New()
	for name, src := range y.Info.Feeds(l.Desc.Modalities) {
		if k := l.Mod(src); k >= 0 && k < len(l.Inputs) {
			in.Set(name, Float32Array(l.Inputs[k].Data))
		}
	}
	g, info, m := y.gen, y.Info, yours
	y.Status = "Running your model…"
	l.Go(func() {
		r, err := call(m, "predict", in)
		var rows []YourRow
		if err == nil {
			probs := func(v js.Value) []float64 {
				if v.Type() != js.TypeObject || v.Get("used").Type() == js.TypeBoolean && !v.Get("used").Bool() {
					return nil
				}
				f := GoFloat32s(v.Get("probs"))
				out := make([]float64, len(f))
				for i, x := range f {
					out[i] = float64(x)
				}
				return out
			}
			ex := make([][]float64, len(info.Experts))
			for i, e := range info.Experts {
				ex[i] = probs(r.Get("experts").Get(e.Name))
			}
			rows, err = YourRows(info, ex, probs(r))
		}
		l.Env.Lock()
		defer l.Env.UnlockRender()
		if g != l.Yours.gen {
			return
		}
		l.Yours.Status = ""
		if err != nil {
			l.Yours.Err = fmt.Sprintf("Your model failed on this pair: %v", err)
			return
		}
		l.Yours.Rows = rows
	})
}
