//go:build js && wasm

package ui

import (
	"syscall/js"

	"github.com/vugu/vugu"
)

// MaxSoundFile bounds the sound files the page decodes (a minute of 16-bit stereo at 48 kHz is 11 MB).
const MaxSoundFile = 16 << 20

// UseSoundFile swaps in the clip of a sound file the person picked (the change event of an
// <input type="file">): the keyboard's and screen reader's way to "record". The browser decodes it
// (WAV, and whatever else it plays), the clip is checked as a recording is (CheckSoundFile), and
// the JS module computes its audio features. Lock held.
func (l *Lab) UseSoundFile(ev vugu.DOMEvent) {
	input := js.Value(ev.JSEventTarget())
	if input.Type() != js.TypeObject || input.Get("files").Type() != js.TypeObject || input.Get("files").Length() == 0 {
		return
	}
	f := input.Get("files").Index(0)
	input.Set("value", "") // so that picking the same file again is a change too
	name := f.Get("name").String()
	if l.Eng == nil {
		l.Fail("The model is still loading; a sound file goes through its audio features, so try again in a moment.")
		return
	}
	if size := int64(f.Get("size").Float()); size > MaxSoundFile {
		l.Fail("%s is %s; the page takes sound files up to %s.", name, HumanBytes(size), HumanBytes(MaxSoundFile))
		return
	}
	eng := l.Eng
	l.Busy++
	l.Go(func() {
		pcm, rate, err := decodeAudio(f)
		check := func(pcm []float32, rate int) (string, bool) { return CheckSoundFile(name, pcm, rate) }
		l.useClip(eng, SoundFile, pcm, rate, err, check, func() { l.Busy-- }, "Could not use "+name)
	})
}
