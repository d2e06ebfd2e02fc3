//go:build js && wasm

package domsync

import (
	"fmt"
	"syscall/js"

	"github.com/vugu/vugu"
)

// Events: one JS listener per element and event kind, which runs the handler of the latest render.

// The event fields copied into a vugu.DOMEvent's summary (DOMEvent.Prop and friends read them).
// domrender copies every primitive property by enumerating the event in JavaScript; this list is what
// handlers read in practice, and DOMEvent.JSEvent gives the whole event to the rest.
var (
	eventFields  = []string{"type", "key", "code", "repeat", "altKey", "ctrlKey", "metaKey", "shiftKey", "button", "buttons", "clientX", "clientY", "pointerType", "deltaX", "deltaY", "isTrusted", "timeStamp"}
	targetFields = []string{"id", "name", "type", "value", "checked", "selectedIndex", "tagName", "valueAsNumber"}
)

// summary copies ev's fields (and its target's) that hold a string, number or boolean.
func summary(ev js.Value) map[string]any {
	out := map[string]any{}
	if ev.Type() != js.TypeObject {
		return out
	}
	copyFields(out, ev, eventFields)
	if t := ev.Get("target"); t.Type() == js.TypeObject {
		tm := map[string]any{}
		copyFields(tm, t, targetFields)
		out["target"] = tm
	}
	return out
}

func copyFields(dst map[string]any, v js.Value, names []string) {
	for _, n := range names {
		switch f := v.Get(n); f.Type() {
		case js.TypeString:
			dst[n] = f.String()
		case js.TypeNumber:
			dst[n] = f.Float()
		case js.TypeBoolean:
			dst[n] = f.Bool()
		}
	}
}

type handler struct {
	fn   js.Func
	spec vugu.DOMEventHandlerSpec // replaced on every render: the Func closes over that render's state
}

func (r *Renderer) activeProp(name string) js.Value {
	if r.active.Type() != js.TypeObject {
		return js.Undefined()
	}
	return r.active.Get(name)
}

func (r *Renderer) activeCall(name string) {
	if r.active.Type() == js.TypeObject {
		r.active.Call(name)
	}
}

func eventKey(s vugu.DOMEventHandlerSpec) string {
	return fmt.Sprintf("%s|%t|%t", s.EventType, s.Capture, s.Passive)
}

func listenerOptions(s vugu.DOMEventHandlerSpec) map[string]any {
	return map[string]any{"capture": s.Capture, "passive": s.Passive}
}

// syncHandlers keeps one JS listener per event kind on the element and points it at this render's
// handler.
func (r *Renderer) syncHandlers(m *node, specs []vugu.DOMEventHandlerSpec) {
	if len(specs) == 0 && len(m.handlers) == 0 {
		return
	}
	keep := make(map[string]bool, len(specs))
	for _, s := range specs {
		k := eventKey(s)
		keep[k] = true
		if h := m.handlers[k]; h != nil {
			h.spec = s
			continue
		}
		if m.handlers == nil {
			m.handlers = map[string]*handler{}
		}
		h := &handler{spec: s}
		h.fn = js.FuncOf(func(_ js.Value, a []js.Value) any {
			r.dispatch(h, a)
			return nil
		})
		m.handlers[k] = h
		m.el.Call("addEventListener", s.EventType, h.fn, listenerOptions(s))
	}
	for k, h := range m.handlers {
		if !keep[k] {
			m.el.Call("removeEventListener", h.spec.EventType, h.fn, listenerOptions(h.spec))
			h.fn.Release()
			delete(m.handlers, k)
		}
	}
}

// dispatch runs a component's event handler with the state's lock held, then asks for a render.
// A handler that panics is reported on the console; the page goes on (a panic escaping a js.Func
// would end the Go program and the page with it).
func (r *Renderer) dispatch(h *handler, a []js.Value) {
	ev := js.Undefined()
	if len(a) > 0 {
		ev = a[0]
	}
	r.env.Lock()
	r.active = ev
	defer func() {
		r.active = js.Undefined()
		r.env.UnlockRender()
		if p := recover(); p != nil {
			js.Global().Get("console").Call("error", fmt.Sprintf("%s handler failed: %v", h.spec.EventType, p))
		}
	}()
	h.spec.Func(vugu.NewDOMEvent(r.env, summary(ev)))
}
