package ui

import (
	"fmt"
	"sync"

	"github.com/vugu/vugu"
)

// SourceKind says where a modality's input comes from.
type SourceKind int

const (
	FromPair  SourceKind = iota // a demo pair's image or clip
	Blank                       // all-zero image, or silence (the features of a silent recording)
	Noise                       // uniform noise image, or white noise through the audio features
	Drawing                     // the person's drawing (features.ImageFromRGBA)
	Voice                       // the person's recording (features.AudioFromPCM)
	SoundFile                   // a sound file the person picked (features.AudioFromPCM)
)

// Source is the input currently shown for one modality.
type Source struct {
	Kind  SourceKind
	Pair  int       // FromPair: the demo pair
	Label int       // FromPair: its digit
	Data  []float32 // the feature values fed to the model
	WAV   []byte    // audio that can be played, or nil
	Pic   string    // Data drawn as a data: URL (made once, not on every render)
}

// withPic fills in s.Pic for the image (audio false) or the clip.
func (s Source) withPic(audio bool) Source {
	if s.Pic == "" {
		if audio {
			s.Pic = SpectrogramPicture(s.Data)
		} else {
			s.Pic = ImagePicture(s.Data)
		}
	}
	return s
}

// Describe names the source in a few words ("pair #12", "silence").
func (s Source) Describe() string {
	switch s.Kind {
	case FromPair:
		return fmt.Sprintf("pair #%d", s.Pair)
	case Blank:
		if len(s.Data) == AudioSize {
			return "silence"
		}
		return "a blank image"
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

// Lab is the state of the page. Its fields are guarded by Env's lock: event handlers run with it
// held; background work (inference through the Engine) runs in goroutines that take it to publish
// results and then ask for a render (Env.UnlockRender).
type Lab struct {
	Env vugu.EventEnv
	Eng Engine // nil until the model has loaded

	Demo     *DemoSet
	Manifest *Manifest
	Info     ModelInfo

	Loaded, Total int64  // model download progress (Total 0 when unknown)
	Stage         string // what the page is waiting for, "" once ready
	Errors        []string

	Cur        int    // the chosen pair
	Image      Source // what the image expert sees now
	Audio      Source // what the audio expert sees now
	undo       [][2]Source
	Base, Now  *Prediction // prediction for the intact pair, and for what is shown now
	Busy       int         // predictions in flight
	gen        int         // drops stale results
	Reading    string
	DigitIndex [Digits]int // next pair per digit for "another d"

	Scan    Scan
	Shuffle Shuffle

	// OnShown, if set, is called (lock held) when the first prediction arrives (the page uses it to
	// timestamp time to interactive).
	OnShown func()
	shown   bool

	Yours YourFile // the person's own .i2m2 file (yourmodel.go)

	Drawing   bool // the drawing pad is open
	Sketching int  // typed digits being drawn on the pad (their strokes are still coming)
	Recording bool // the microphone is recording
	noise     uint64

	wg sync.WaitGroup
}

// ModelInfo is what the page shows about the loaded model (from model.info and the manifest).
type ModelInfo struct {
	Name         string
	Quantization string
	Bytes        int64
	SHA256       string
	MACs         int64
	Path         string // kernels the JS module uses: int8, float32 or reference
	Mode         string // "worker", or "main" when inference shares the page's thread (file://)
}

// batch is the number of samples per engine call in background work: small enough that a pick made
// meanwhile is not kept waiting long (and, on the page's own thread, that the page stays
// responsive), large enough to amortise the round trip to the worker.
func (l *Lab) batch() int {
	if l.Info.Mode == "main" {
		return 4
	}
	return 32
}

// unlockProgress releases the lock after a step of background work and asks for a render: the
// renderer (ui/internal/domsync) coalesces render requests to one per animation frame and writes
// only what changed, so progress shows as it happens without long frames.
func (l *Lab) unlockProgress() { l.Env.UnlockRender() }

// Ready reports whether the demo set is loaded: the lab shows from then on, and predicts once the
// model is loaded too (Eng != nil).
func (l *Lab) Ready() bool { return l.Demo != nil }

// SetEngine installs the loaded model and predicts what is shown. Lock held.
func (l *Lab) SetEngine(e Engine) {
	l.Eng = e
	l.Stage = ""
	if l.Demo != nil {
		l.refresh()
	}
}

// SetDemo installs the demo set and shows its first pair. Lock held.
func (l *Lab) SetDemo(d *DemoSet) {
	l.Demo = d
	l.Select(0)
}

// Fail shows an error in the page. Lock held.
func (l *Lab) Fail(format string, a ...any) {
	msg := fmt.Sprintf(format, a...)
	for _, e := range l.Errors {
		if e == msg {
			return
		}
	}
	l.Errors = append(l.Errors, msg)
	if len(l.Errors) > 5 {
		l.Errors = l.Errors[len(l.Errors)-5:]
	}
}

// Dismiss removes error i. Lock held.
func (l *Lab) Dismiss(i int) {
	if i >= 0 && i < len(l.Errors) {
		l.Errors = append(l.Errors[:i:i], l.Errors[i+1:]...)
	}
}

// Go runs f in the background; f takes the lock itself.
func (l *Lab) Go(f func()) {
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
		f()
	}()
}

// Wait waits for background work started with Go (for tests and the shuffle runner).
func (l *Lab) Wait() { l.wg.Wait() }

// PairSource returns pair i's image (audio false) or clip (audio true) as a Source.
func (l *Lab) PairSource(i int, audio bool) Source {
	p := &l.Demo.Pairs[i]
	s := Source{Kind: FromPair, Pair: i, Label: p.Label}
	if audio {
		s.Data = Levels(p.Audio)
		if p.Wave != nil {
			s.WAV = WAV(MuLaw(p.Wave), l.Demo.Rate)
		}
	} else {
		s.Data = Levels(p.Image)
	}
	return s.withPic(audio)
}

// Select makes pair i current, with both modalities intact. Lock held.
func (l *Lab) Select(i int) {
	if l.Demo == nil || len(l.Demo.Pairs) == 0 {
		return
	}
	n := len(l.Demo.Pairs)
	i = ((i % n) + n) % n
	l.Cur = i
	l.Image, l.Audio = l.PairSource(i, false), l.PairSource(i, true)
	l.undo = l.undo[:0]
	l.Base, l.Now = nil, nil
	if i < len(l.Scan.Preds) && l.Scan.Have[i] {
		p := l.Scan.Preds[i]
		l.Base, l.Now = &p, &p
		l.Reading = Reading(l.Base, l.Now, l.Cur, l.label(), l.Image, l.Audio)
		l.gen++
		return
	}
	l.refresh()
}

// SelectDigit makes the next pair of digit d current (cycling through that digit's pairs).
func (l *Lab) SelectDigit(d int) {
	if l.Demo == nil || d < 0 || d >= Digits || len(l.Demo.ByDigit[d]) == 0 {
		return
	}
	l.Select(l.nextOf(d, l.Cur))
}

// nextOf returns a pair of digit d other than skip, cycling.
func (l *Lab) nextOf(d, skip int) int {
	ps := l.Demo.ByDigit[d]
	for range ps {
		k := ps[l.DigitIndex[d]%len(ps)]
		l.DigitIndex[d]++
		if k != skip || len(ps) == 1 {
			return k
		}
	}
	return ps[0]
}

// Swapped reports whether the image (audio false) or the clip differs from the chosen pair's.
func (l *Lab) Swapped(audio bool) bool {
	s := l.Image
	if audio {
		s = l.Audio
	}
	return s.Kind != FromPair || s.Pair != l.Cur
}

// CanUndo reports whether there is a swap to undo.
func (l *Lab) CanUndo() bool { return len(l.undo) > 0 }

// Swap replaces the image or the clip by src and predicts again. Lock held.
func (l *Lab) Swap(audio bool, src Source) {
	want := ImageSize
	if audio {
		want = AudioSize
	}
	if len(src.Data) != want {
		l.Fail("Cannot use %s: %d values, the model needs %d.", src.Describe(), len(src.Data), want)
		return
	}
	l.undo = append(l.undo, [2]Source{l.Image, l.Audio})
	src = src.withPic(audio)
	if audio {
		l.Audio = src
	} else {
		l.Image = src
	}
	l.refresh()
}

// SwapDigit swaps in the image or clip of another demo pair showing digit d.
func (l *Lab) SwapDigit(audio bool, d int) {
	if l.Demo == nil || d < 0 || d >= Digits || len(l.Demo.ByDigit[d]) == 0 {
		return
	}
	l.Swap(audio, l.PairSource(l.nextOf(d, l.Cur), audio))
}

// SwapPair swaps in the image or clip of pair i.
func (l *Lab) SwapPair(audio bool, i int) {
	if l.Demo == nil || i < 0 || i >= len(l.Demo.Pairs) {
		l.Fail("There is no pair #%d: the demo set has pairs #0 to #%d.", i, len(l.Demo.Pairs)-1)
		return
	}
	l.Swap(audio, l.PairSource(i, audio))
}

// Undo reverts the last swap. Lock held.
func (l *Lab) Undo() {
	if len(l.undo) == 0 {
		return
	}
	s := l.undo[len(l.undo)-1]
	l.undo = l.undo[:len(l.undo)-1]
	l.Image, l.Audio = s[0], s[1]
	l.refresh()
}

// Restore undoes every swap.
func (l *Lab) Restore() {
	if len(l.undo) == 0 {
		return
	}
	l.undo = l.undo[:1]
	l.Undo()
}

func (l *Lab) label() int { return l.Demo.Pairs[l.Cur].Label }

// refresh predicts for what is shown (and for the intact pair if not known yet). Lock held.
func (l *Lab) refresh() {
	if l.Eng == nil {
		return
	}
	l.gen++
	g, eng := l.gen, l.Eng
	in := []Inputs{{Image: l.Image.Data, Audio: l.Audio.Data}}
	needBase := l.Base == nil && (l.Swapped(false) || l.Swapped(true))
	if needBase {
		in = append(in, Inputs{Image: Levels(l.Demo.Pairs[l.Cur].Image), Audio: Levels(l.Demo.Pairs[l.Cur].Audio)})
	}
	l.Busy++
	l.Go(func() {
		r, err := eng.PredictBatch(in)
		l.Env.Lock()
		defer l.Env.UnlockRender()
		l.Busy--
		if g != l.gen {
			return
		}
		if err != nil {
			l.Fail("Prediction failed: %v", err)
			return
		}
		now := r[0]
		l.Now = &now
		if needBase {
			base := r[1]
			l.Base = &base
		} else if l.Base == nil {
			l.Base = &now
		}
		l.Reading = Reading(l.Base, l.Now, l.Cur, l.label(), l.Image, l.Audio)
		if !l.shown {
			l.shown = true
			if l.OnShown != nil {
				l.OnShown()
			}
		}
	})
}

// SwapDrawing shows the person's drawing (already through features.ImageFromRGBA). A new drawing
// replaces a previous one instead of stacking undo steps. Lock held.
func (l *Lab) SwapDrawing(x []float32) {
	if l.Image.Kind == Drawing && len(l.undo) > 0 {
		l.undo = l.undo[:len(l.undo)-1]
	}
	l.Swap(false, Source{Kind: Drawing, Data: x})
}

// SwapBlank swaps in a blank image (all zeros) or silence (the audio features of 1 s of zeros,
// computed by the engine like any recording). Lock held.
func (l *Lab) SwapBlank(audio bool) {
	if !audio {
		l.Swap(false, Source{Kind: Blank, Data: make([]float32, ImageSize)})
		return
	}
	l.swapPCM(Blank, make([]float32, 16000), 16000)
}

// SwapNoise swaps in uniform noise as the image, or 1 s of white noise through the audio
// features. Lock held.
func (l *Lab) SwapNoise(audio bool) {
	l.noise++
	r := l.noise * 0x9e3779b97f4a7c15
	next := func() float32 { // xorshift64*, uniform in [0, 1)
		r ^= r >> 12
		r ^= r << 25
		r ^= r >> 27
		return float32((r*2685821657736338717)>>40) / (1 << 24)
	}
	if !audio {
		x := make([]float32, ImageSize)
		for i := range x {
			x[i] = float32(int(next()*256)) / 255
		}
		l.Swap(false, Source{Kind: Noise, Data: x})
		return
	}
	pcm := make([]float32, 16000)
	for i := range pcm {
		pcm[i] = 0.5 * (2*next() - 1)
	}
	l.swapPCM(Noise, pcm, 16000)
}

// swapPCM turns PCM into the audio modality with the engine's features, then swaps it in.
func (l *Lab) swapPCM(kind SourceKind, pcm []float32, rate int) {
	if l.Eng == nil {
		l.Fail("The model is still loading; silence and noise go through its audio features, so try again in a moment.")
		return
	}
	eng := l.Eng
	l.Busy++
	l.Go(func() {
		x, err := eng.AudioFromPCM(pcm, rate)
		l.Env.Lock()
		defer l.Env.UnlockRender()
		l.Busy--
		if err != nil {
			l.Fail("Could not compute the audio features: %v", err)
			return
		}
		var wav []byte
		if kind != Blank {
			wav = WAV(pcm, rate)
		}
		l.Swap(true, Source{Kind: kind, Data: x, WAV: wav})
	})
}

// RecordSeconds is how long a voice recording lasts.
const RecordSeconds = 1.5

// PadSide is the drawing canvas's size in pixels (its width and height attributes).
const PadSide = 280
