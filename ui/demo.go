package ui

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/i2m2-wasm/i2m2/internal/wavfile"
)

// DemoFile is the demo set's file name in weights/demo/ (format: weights/demo/README.md, written by
// dataset.ExportDemo).
const DemoFile = "avmnist-tts-demo.bin"

const demoMagic = "AVMDEMO1"

// The demo file's modalities (weights/demo/README.md): a 28x28 image and a 40x40 log-mel
// spectrogram, stored as uint8 levels.
const (
	ImageSide = 28
	ImageSize = ImageSide * ImageSide
	AudioSide = 40
	AudioSize = AudioSide * AudioSide
)

// demoDigits is the number of digits the demo set's pairs show.
const demoDigits = 10

// Pair is one test pair of the demo set.
type Pair struct {
	Index int
	Label int    // the digit the image shows (and, in the shipped demo file, the clip too)
	Voice string // who spoke the clip
	// Digits is the digit each modality shows when they differ (a task's pair, taskdemo.go); nil:
	// every modality shows Label.
	Digits map[string]int
	// Flip and Keep are clips to swap in (a task's pair, taskdemo.go): Flip changes the answer,
	// Keep does not (the same digit by another voice); nil when the demo set gives none.
	Flip, Keep *Clip
	// Mods holds each modality's levels by name (feature value = level/255): "image" (28x28) and
	// "audio" (40 mel bands x 40 frames).
	Mods map[string][]uint8
	Wave []uint8 // G.711 mu-law samples at DemoSet.Rate, or nil when the clip's audio is not shipped
}

// DemoSet is the decoded demo file.
type DemoSet struct {
	Pairs      []Pair
	Rate       int            // sample rate of the waves
	ByDigit    [][]int        // pair indices per digit
	Modalities []ModalityDesc // what the pairs hold
}

// DigitOf is the digit modality name of the pair shows.
func (p *Pair) DigitOf(name string) int {
	if d, ok := p.Digits[name]; ok {
		return d
	}
	return p.Label
}

// Showing lists the pairs whose modality name shows digit d.
func (d *DemoSet) Showing(name string, digit int) []int {
	var out []int
	for i := range d.Pairs {
		if d.Pairs[i].DigitOf(name) == digit {
			out = append(out, i)
		}
	}
	return out
}

// ErrDemo reports a malformed demo file.
var ErrDemo = errors.New("ui: bad demo file")

// ParseDemo decodes a demo file. The slices of the result alias b.
func ParseDemo(b []byte) (*DemoSet, error) {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: %s", ErrDemo, fmt.Sprintf(format, a...))
	}
	if len(b) < len(demoMagic)+18 || string(b[:len(demoMagic)]) != demoMagic {
		return nil, bad("not an %s file", demoMagic)
	}
	le := binary.LittleEndian
	p := len(demoMagic)
	n := int(le.Uint32(b[p:]))
	nWave := int(le.Uint32(b[p+4:]))
	rate := int(le.Uint32(b[p+8:]))
	waveLen := int(le.Uint32(b[p+12:]))
	nVoice := int(le.Uint16(b[p+16:]))
	p += 18
	const maxPairs, maxWave = 100000, 1 << 20
	if n < 1 || n > maxPairs || nWave < 0 || nWave > n || waveLen < 0 || waveLen > maxWave || rate < 1 || rate > 192000 {
		return nil, bad("header out of range: %d pairs, %d waves of %d samples at %d Hz", n, nWave, waveLen, rate)
	}
	voices := make([]string, nVoice)
	for i := range voices {
		if p+2 > len(b) {
			return nil, bad("truncated in the voice table")
		}
		l := int(le.Uint16(b[p:]))
		p += 2
		if p+l > len(b) {
			return nil, bad("truncated in the voice table")
		}
		voices[i] = string(b[p : p+l])
		p += l
	}
	want := p + n*(12+ImageSize+AudioSize) + nWave*waveLen
	if len(b) != want {
		return nil, bad("%d bytes, want %d for %d pairs and %d waves", len(b), want, n, nWave)
	}
	d := &DemoSet{Pairs: make([]Pair, n), Rate: rate, ByDigit: make([][]int, demoDigits),
		Modalities: []ModalityDesc{{Name: "image", Shape: []int{1, ImageSide, ImageSide}}, {Name: "audio", Shape: []int{1, AudioSide, AudioSide}}}}
	img := p + 12*n
	aud := img + ImageSize*n
	wav := aud + AudioSize*n
	w := 0
	for i := range d.Pairs {
		r := b[p+12*i : p+12*i+12]
		label, hasWave, voice := int(r[0]), r[1], int(le.Uint16(r[2:]))
		if label >= demoDigits || hasWave > 1 || voice >= nVoice {
			return nil, bad("pair %d: label %d, wave flag %d, voice %d of %d", i, label, hasWave, voice, nVoice)
		}
		pr := Pair{
			Index: i, Label: label, Voice: voices[voice],
			Mods: map[string][]uint8{
				"image": b[img+ImageSize*i : img+ImageSize*(i+1) : img+ImageSize*(i+1)],
				"audio": b[aud+AudioSize*i : aud+AudioSize*(i+1) : aud+AudioSize*(i+1)],
			},
		}
		if hasWave == 1 {
			if w >= nWave {
				return nil, bad("more pairs flag a wave than the %d stored", nWave)
			}
			pr.Wave = b[wav+waveLen*w : wav+waveLen*(w+1) : wav+waveLen*(w+1)]
			w++
		}
		d.Pairs[i] = pr
		d.ByDigit[label] = append(d.ByDigit[label], i)
	}
	if w != nWave {
		return nil, bad("%d pairs flag a wave, header says %d", w, nWave)
	}
	return d, nil
}

// Levels converts stored uint8 levels to feature values (level/255, as features.Level).
func Levels(q []uint8) []float32 {
	out := make([]float32, len(q))
	for i, v := range q {
		out[i] = float32(v) / 255
	}
	return out
}

// MuLaw decodes G.711 mu-law bytes to PCM in [-1, 1] (ITU-T G.711; the inverse of
// dataset.MuLawEncode).
func MuLaw(b []uint8) []float32 {
	out := make([]float32, len(b))
	for i, c := range b {
		c = ^c
		exp := int(c>>4) & 7
		s := ((int(c&0x0f) << 3) + 0x84) << exp
		s -= 0x84
		if c&0x80 != 0 {
			s = -s
		}
		out[i] = float32(s) / 32768
	}
	return out
}

// WAV encodes mono PCM in [-1, 1] as a 16-bit PCM RIFF/WAVE file, for the page's audio player
// (internal/wavfile, the writer of the exported clips too).
func WAV(pcm []float32, rate int) []byte { return wavfile.Encode16(pcm, rate) }
