//go:build !(js && wasm)

package ui

import (
	"github.com/vugu/vugu"
	vjs "github.com/vugu/vugu/js"
)

// The browser-only actions need syscall/js; natively (static rendering in tests) they say so.

const errNoBrowser = "This needs a browser."

// Boot needs the page's boot object.
func (l *Lab) Boot() { l.Fail(errNoBrowser) }

// Play needs an audio element.
func (l *Lab) Play(wav []byte) { l.Fail(errNoBrowser) }

// Record needs a microphone.
func (l *Lab) Record() { l.Fail(errNoBrowser) }

// AttachPad needs a canvas.
func (l *Lab) AttachPad(v vjs.Value) {}

// ClearPad needs a canvas.
func (l *Lab) ClearPad() {}

// RedrawPad needs a canvas.
func (l *Lab) RedrawPad() {}

// UseSoundFile needs a file input.
func (l *Lab) UseSoundFile(ev vugu.DOMEvent) { l.Fail(errNoBrowser) }
