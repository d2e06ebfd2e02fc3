//go:build !(js && wasm)

package ui

import "github.com/vugu/vugu"

// PickYourFile needs a browser's File.
func (l *Lab) PickYourFile(event vugu.DOMEvent) { l.Fail(errNoBrowser) }

// DropYourFile needs a browser's File.
func (l *Lab) DropYourFile(event vugu.DOMEvent) { l.Fail(errNoBrowser) }

// RunYours needs the JS module.
func (l *Lab) RunYours() {}
