package ui

import (
	"fmt"
	"strings"
)

// kind is what the lab knows how to make, show and say for a modality, looked up by the modality's
// name: the JS module's feature extractors are registered by name (features.imageFromRGBA makes
// "image", features.audioFromPCM makes "audio"). A modality of any other name still shows and
// runs: it is drawn from its values and can be blank, noise, or a demo pair's if the demo set has it.
type kind struct {
	Title string // "Image", "Clip": the card's heading
	Noun  string // "image", "clip": "swap the clip"
	Verb  string // "sees", "hears": "sees only the image"
	Blank string // the button for an input with nothing in it
	Draw  bool   // the drawing pad makes it (features.imageFromRGBA)
	Voice bool   // the microphone and sound files make it (features.audioFromPCM); blank is silence
}

var kinds = map[string]kind{
	"image": {Title: "Image", Noun: "image", Verb: "sees", Blank: "Blank", Draw: true},
	"audio": {Title: "Clip", Noun: "clip", Verb: "hears", Blank: "Silence", Voice: true},
}

// kindOf returns the kind of the modality named name.
func kindOf(name string) kind {
	if k, ok := kinds[name]; ok {
		return k
	}
	t := name
	if t != "" {
		t = strings.ToUpper(t[:1]) + t[1:]
	}
	return kind{Title: t, Noun: name, Verb: "reads", Blank: "Blank"}
}

// plane returns the height and width the values of a modality are drawn with: its last two axes
// (one row for a vector).
func plane(shape []int) (h, w int) {
	switch len(shape) {
	case 0:
		return 1, 1
	case 1:
		return 1, shape[0]
	}
	return shape[len(shape)-2], shape[len(shape)-1]
}

// picture draws values x of modality md (its first channel): an image as ink on paper, the audio
// spectrogram with low frequencies at the bottom, anything else in the spectrogram's palette.
func picture(md ModalityDesc, x []float32) string {
	h, w := plane(md.Shape)
	if len(x) < h*w {
		return ""
	}
	switch md.Name {
	case "image":
		return ImagePicture(x, w, h)
	case "audio":
		return SpectrogramPicture(x, h, w, true)
	}
	return SpectrogramPicture(x, h, w, false)
}

// SourceKind says where a modality's input comes from.
type SourceKind int

const (
	FromPair  SourceKind = iota // a demo pair's input
	Blank                       // all zeros, or silence (the features of a silent recording)
	Noise                       // uniform noise, or white noise through the audio features
	Drawing                     // the person's drawing (features.ImageFromRGBA)
	Voice                       // the person's recording (features.AudioFromPCM)
	SoundFile                   // a sound file the person picked (features.AudioFromPCM)
)

// Source is the input currently shown for one modality.
type Source struct {
	Kind   SourceKind
	Pair   int       // FromPair: the demo pair
	Digit  int       // the digit it shows (a demo pair's), or -1 when unknown
	Intact bool      // it is the chosen pair's own input
	Data   []float32 // the feature values fed to the model
	WAV    []byte    // audio that can be played, or nil
	Pic    string    // Data drawn as a data: URL (made once, not on every render)
	Voice  string    // FromPair: who spoke the clip, if it is one
}

// Describe names the source in a few words ("pair #12", "silence") for a modality of kind k.
func (s Source) Describe(k kind) string {
	switch s.Kind {
	case FromPair:
		if s.Pair < 0 { // a task's clip to swap in (Pair.Flip, Pair.Keep)
			return fmt.Sprintf("a %s of %d", k.Noun, s.Digit)
		}
		return fmt.Sprintf("pair #%d", s.Pair)
	case Blank:
		if k.Voice {
			return "silence"
		}
		return "a blank " + k.Noun
	case Noise:
		return "noise"
	case Drawing:
		return "your drawing"
	case Voice:
		return "your voice"
	case SoundFile:
		return "your sound file"
	}
	return "?"
}

// PairSource returns modality k of demo pair i as a Source: the demo set's values when it has the
// modality, else zeros (and no digit).
func (l *Lab) PairSource(i, k int) Source {
	md := l.Desc.Modalities[k]
	p := &l.Demo.Pairs[i]
	s := Source{Kind: FromPair, Pair: i, Digit: p.DigitOf(md.Name), Intact: i == l.Cur, Voice: p.Voice}
	q := p.Mods[md.Name]
	if len(q) != md.Size() {
		s.Kind, s.Digit, s.Data = Blank, -1, make([]float32, md.Size())
	} else {
		s.Data = Levels(q)
	}
	if md.Name == "audio" && p.Wave != nil && s.Kind == FromPair {
		s.WAV = WAV(MuLaw(p.Wave), l.Demo.Rate)
	}
	if md.Name != "audio" {
		s.Voice = ""
	}
	s.Pic = picture(md, s.Data)
	return s
}

// Mod returns the index of the modality named name in the model's description, or -1.
func (l *Lab) Mod(name string) int { return l.Desc.Modality(name) }

// Swapped reports whether modality k differs from the chosen pair's.
func (l *Lab) Swapped(k int) bool { return k >= 0 && k < len(l.Inputs) && !l.Inputs[k].Intact }

// AnySwapped reports whether any modality differs from the chosen pair's.
func (l *Lab) AnySwapped() bool {
	for k := range l.Inputs {
		if l.Swapped(k) {
			return true
		}
	}
	return false
}

// Swap replaces modality k's input by src and predicts again. Lock held.
func (l *Lab) Swap(k int, src Source) {
	if k < 0 || k >= len(l.Inputs) {
		l.Fail("The model has no such input.")
		return
	}
	md := l.Desc.Modalities[k]
	if len(src.Data) != md.Size() {
		l.Fail("Cannot use %s: %d values, the model needs %d.", src.Describe(kindOf(md.Name)), len(src.Data), md.Size())
		return
	}
	if src.Kind != FromPair {
		src.Digit = -1
	}
	src.Intact = src.Kind == FromPair && src.Pair == l.Cur
	if src.Pic == "" {
		src.Pic = picture(md, src.Data)
	}
	l.undo = append(l.undo, append([]Source(nil), l.Inputs...))
	l.Inputs[k] = src
	l.refresh()
}

// SwapDigit swaps in modality k of another demo pair whose modality k shows digit d; for a spoken
// modality, one spoken by another voice than the clip shown now when the demo set has one.
func (l *Lab) SwapDigit(k, d int) {
	if l.Demo == nil || k < 0 || k >= len(l.Inputs) {
		return
	}
	name := l.Desc.Modalities[k].Name
	ps := l.Demo.Showing(name, d)
	if len(ps) == 0 {
		return
	}
	// cycle through them (l.DigitIndex[d]), skipping the chosen pair and, for a voice, the voice shown
	pick := -1
	for range ps {
		i := ps[l.DigitIndex[d%len(l.DigitIndex)]%len(ps)]
		l.DigitIndex[d%len(l.DigitIndex)]++
		if i == l.Cur && len(ps) > 1 {
			continue
		}
		if pick < 0 {
			pick = i
		}
		if !kindOf(name).Voice || l.Demo.Pairs[i].Voice != l.Inputs[k].Voice {
			pick = i
			break
		}
	}
	l.Swap(k, l.PairSource(pick, k))
}

// SwapClip swaps the chosen pair's flip clip (flip) or keep clip into the audio modality (a task's
// demo pair: taskdemo.go).
func (l *Lab) SwapClip(flip bool) {
	k := l.Mod("audio")
	if l.Demo == nil || k < 0 {
		return
	}
	p := &l.Demo.Pairs[l.Cur]
	c := p.Keep
	if flip {
		c = p.Flip
	}
	if c == nil || len(c.Audio) != l.Desc.Modalities[k].Size() {
		return
	}
	s := Source{Kind: FromPair, Pair: -1, Digit: c.Digit, Voice: c.Voice, Data: Levels(c.Audio)}
	if c.Wave != nil {
		s.WAV = WAV(MuLaw(c.Wave), l.Demo.Rate)
	}
	l.Swap(k, s)
}

// SwapPair swaps in modality k of pair i.
func (l *Lab) SwapPair(k, i int) {
	if l.Demo == nil || i < 0 || i >= len(l.Demo.Pairs) {
		l.Fail("There is no pair #%d: the demo set has pairs #0 to #%d.", i, len(l.Demo.Pairs)-1)
		return
	}
	l.Swap(k, l.PairSource(i, k))
}

// SwapBlank swaps in a blank input (zeros) or, for audio, silence (the audio features of 1 s of
// zeros, computed by the engine like any recording). Lock held.
func (l *Lab) SwapBlank(k int) {
	if k < 0 || k >= len(l.Inputs) {
		return
	}
	md := l.Desc.Modalities[k]
	if kindOf(md.Name).Voice {
		l.swapPCM(k, Blank, make([]float32, 16000), 16000)
		return
	}
	l.Swap(k, Source{Kind: Blank, Data: make([]float32, md.Size())})
}

// SwapNoise swaps in uniform noise or, for audio, 1 s of white noise through the audio features.
// Lock held.
func (l *Lab) SwapNoise(k int) {
	if k < 0 || k >= len(l.Inputs) {
		return
	}
	l.noise++
	r := l.noise * 0x9e3779b97f4a7c15
	next := func() float32 { // xorshift64*, uniform in [0, 1)
		r ^= r >> 12
		r ^= r << 25
		r ^= r >> 27
		return float32((r*2685821657736338717)>>40) / (1 << 24)
	}
	md := l.Desc.Modalities[k]
	if kindOf(md.Name).Voice {
		pcm := make([]float32, 16000)
		for i := range pcm {
			pcm[i] = 0.5 * (2*next() - 1)
		}
		l.swapPCM(k, Noise, pcm, 16000)
		return
	}
	x := make([]float32, md.Size())
	for i := range x {
		x[i] = float32(int(next()*256)) / 255
	}
	l.Swap(k, Source{Kind: Noise, Data: x})
}

// swapPCM turns PCM into modality k with the engine's audio features, then swaps it in.
func (l *Lab) swapPCM(k int, sk SourceKind, pcm []float32, rate int) {
	if l.Eng == nil {
		l.Fail("The model is still loading; silence and noise go through its audio features, so try again in a moment.")
		return
	}
	eng, g := l.Eng, l.modelGen
	l.Busy++
	l.Go(func() {
		x, err := eng.AudioFromPCM(pcm, rate)
		l.Env.Lock()
		defer l.Env.UnlockRender()
		l.Busy--
		if g != l.modelGen {
			return
		}
		if err != nil {
			l.Fail("Could not compute the audio features: %v", err)
			return
		}
		var wav []byte
		if sk != Blank {
			wav = WAV(pcm, rate)
		}
		l.Swap(k, Source{Kind: sk, Data: x, WAV: wav})
	})
}

// useClip swaps in a clip the person gave (kind: a recording or a sound file) once it has arrived
// (pcm at rate, or err): check says what is wrong with it and whether it is usable anyway, eng
// computes its audio features. An error shows as "<fail>: <error>". done runs first under the lock.
// Called without the lock (from the goroutine that waited for the clip).
func (l *Lab) useClip(eng Engine, kind SourceKind, pcm []float32, rate int, err error, check func([]float32, int) (string, bool), done func(), fail string) {
	problem, usable := "", false
	if err == nil {
		problem, usable = check(pcm, rate)
	}
	var x []float32
	if err == nil && usable {
		x, err = eng.AudioFromPCM(pcm, rate)
	}
	l.Env.Lock()
	defer l.Env.UnlockRender()
	done()
	if err != nil {
		l.Fail("%s: %v", fail, err)
		return
	}
	if problem != "" {
		l.Fail("%s", problem)
	}
	if usable {
		l.Swap(l.Mod("audio"), Source{Kind: kind, Data: x, WAV: WAV(pcm, rate)})
	}
}
