//go:build js && wasm

package domsync

import "syscall/js"

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
