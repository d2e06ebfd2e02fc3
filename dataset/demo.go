package dataset

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"

	"github.com/i2m2-wasm/i2m2/features"
)

// Demo set sizes and file.
const (
	DemoPairs = 500 // test pairs in weights/demo
	DemoWaves = 150 // of which this many (the first ones) carry their waveform
	DemoReal  = 50  // of those, the last DemoReal are real voices (FSDD test speakers), 5 per digit
	DemoFile  = "avmnist-tts-demo.bin"
	DemoSeed  = 4242
	demoMagic = "AVMDEMO1"
)

// ExportDemo writes dir/avmnist-tts-demo.bin: n test pairs (n/10 per digit, seeded choice, digits
// interleaved 0,1,...,9,0,1,...) of which the first nWave also carry the noisy 1 s waveform at 16 kHz
// as G.711 mu-law. wave(clip) returns a clip's noisy window (16000 float32 samples). The stored
// spectrogram of a pair with a waveform is computed from the decoded mu-law samples (Refeaturise),
// so what a person hears is what the model sees. The format is described in weights/demo/README.md.
func ExportDemo(dir string, test *Split, n, nWave int, wave func(clip int) ([]float32, error)) error {
	if n%10 != 0 || nWave > n {
		return fmt.Errorf("dataset: ExportDemo: n=%d must be a multiple of 10 and >= nWave=%d", n, nWave)
	}
	r := NewRNG(DemoSeed)
	var byDigit [10][]int
	for _, i := range r.Perm(test.N) {
		d := test.Labels[i]
		if len(byDigit[d]) < n/10 {
			byDigit[d] = append(byDigit[d], i)
		}
	}
	d := &Demo{N: n, NWave: nWave, WaveRate: features.SampleRate, WaveLen: features.WindowSamples}
	vidx := map[string]uint16{}
	for k := 0; k < n/10; k++ {
		for dg := 0; dg < 10; dg++ {
			if k >= len(byDigit[dg]) {
				return fmt.Errorf("dataset: ExportDemo: only %d test samples of digit %d", len(byDigit[dg]), dg)
			}
			i := byDigit[dg][k]
			v, ok := vidx[test.Voices[i]]
			if !ok {
				v = uint16(len(d.Voices))
				vidx[test.Voices[i]] = v
				d.Voices = append(d.Voices, test.Voices[i])
			}
			d.Labels = append(d.Labels, test.Labels[i])
			d.HasWave = append(d.HasWave, len(d.Labels) <= nWave)
			d.Voice = append(d.Voice, v)
			d.MNISTIndex = append(d.MNISTIndex, uint32(test.MNISTIndex[i]))
			d.Clip = append(d.Clip, uint32(test.Clips[i]))
			d.Images = append(d.Images, test.Images[i*ImageSize:(i+1)*ImageSize]...)
			d.Audio = append(d.Audio, test.Audio[i*AudioSize:(i+1)*AudioSize]...)
			if len(d.Labels) <= nWave {
				x, err := wave(int(test.Clips[i]))
				if err != nil {
					return err
				}
				if len(x) != d.WaveLen {
					return fmt.Errorf("dataset: ExportDemo: wave of clip %d has %d samples", test.Clips[i], len(x))
				}
				for _, v := range x {
					d.Waves = append(d.Waves, MuLawEncode(v))
				}
			}
		}
	}
	if err := d.Refeaturise(); err != nil {
		return err
	}
	return d.Write(dir)
}

// Refeaturise recomputes the spectrogram of every pair with a waveform from its decoded mu-law
// samples (features.AudioLevels at WaveRate).
func (d *Demo) Refeaturise() error {
	for k := 0; k < d.NWave; k++ {
		q, err := features.AudioLevels(d.Wave(k), d.WaveRate)
		if err != nil {
			return fmt.Errorf("dataset: demo pair %d: %w", k, err)
		}
		copy(d.Audio[k*AudioSize:], q)
	}
	return nil
}

// Wave decodes pair k's waveform (k < NWave).
func (d *Demo) Wave(k int) []float32 {
	out := make([]float32, d.WaveLen)
	for i, b := range d.Waves[k*d.WaveLen : (k+1)*d.WaveLen] {
		out[i] = MuLawDecode(b)
	}
	return out
}

// AddRealVoices gives pairs NWave..NWave+nReal-1 a recording of their digit by a held-out FSDD
// speaker (seeded choice, no recording twice) as their waveform: the recording's 1 s window
// (features.AudioWindow: 16 kHz, centred, level-normalised) in mu-law, its spectrogram recomputed
// from that. NWave grows by nReal.
func (d *Demo) AddRealVoices(fs *FSDD, nReal int) error {
	if d.NWave+nReal > d.N {
		return fmt.Errorf("dataset: demo: %d real voices after %d waves exceed %d pairs", nReal, d.NWave, d.N)
	}
	var by [10][]int
	for i := 0; i < fs.N; i++ {
		if fs.Split(i) == ClipTest {
			by[fs.Labels[i]] = append(by[fs.Labels[i]], i)
		}
	}
	r := NewRNG(DemoSeed + 1)
	for dg := range by {
		s := make([]int32, len(by[dg]))
		for j, c := range by[dg] {
			s[j] = int32(c)
		}
		r.Shuffle(s)
		for j := range s {
			by[dg][j] = int(s[j])
		}
	}
	vidx := map[string]uint16{}
	for i, v := range d.Voices {
		vidx[v] = uint16(i)
	}
	var used [10]int
	for k := d.NWave; k < d.NWave+nReal; k++ {
		dg := d.Labels[k]
		if used[dg] >= len(by[dg]) {
			return fmt.Errorf("dataset: demo: not enough held-out recordings of %d", dg)
		}
		c := by[dg][used[dg]]
		used[dg]++
		w, err := features.AudioWindow(fs.PCM(c), FSDDRate)
		if err != nil {
			return err
		}
		name := "fsdd:" + FSDDSpeakers[fs.Speaker[c]]
		if _, ok := vidx[name]; !ok {
			vidx[name] = uint16(len(d.Voices))
			d.Voices = append(d.Voices, name)
		}
		d.Voice[k], d.Clip[k], d.HasWave[k] = vidx[name], uint32(c), true
		for _, v := range w {
			d.Waves = append(d.Waves, MuLawEncode(float32(v)))
		}
	}
	d.NWave += nReal
	return d.Refeaturise()
}

// Write writes dir/DemoFile.
func (d *Demo) Write(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, DemoFile), d.Encode(), 0o644)
}

// FirstPair is the demo set of d's first pair alone, without its waveform, and with its voice as
// the only one (the lab's first answer before its UI, ui/web/first.js). d has at least one pair.
func (d *Demo) FirstPair() *Demo {
	return &Demo{
		N: 1, WaveRate: d.WaveRate, WaveLen: d.WaveLen,
		Voices:     []string{d.Voices[d.Voice[0]]},
		Labels:     d.Labels[:1],
		HasWave:    []bool{false},
		Voice:      []uint16{0},
		MNISTIndex: d.MNISTIndex[:1],
		Clip:       d.Clip[:1],
		Images:     d.Images[:ImageSize],
		Audio:      d.Audio[:AudioSize],
	}
}

// Encode is the demo file of d (the format of weights/demo/README.md).
func (d *Demo) Encode() []byte {
	var w bytes.Buffer
	le := binary.LittleEndian
	w.WriteString(demoMagic)
	for _, v := range []uint32{uint32(d.N), uint32(d.NWave), uint32(d.WaveRate), uint32(d.WaveLen)} {
		binary.Write(&w, le, v)
	}
	binary.Write(&w, le, uint16(len(d.Voices)))
	for _, s := range d.Voices {
		binary.Write(&w, le, uint16(len(s)))
		w.WriteString(s)
	}
	for k := 0; k < d.N; k++ {
		hw := byte(0)
		if d.HasWave[k] {
			hw = 1
		}
		w.Write([]byte{d.Labels[k], hw})
		binary.Write(&w, le, d.Voice[k])
		binary.Write(&w, le, d.MNISTIndex[k])
		binary.Write(&w, le, d.Clip[k])
	}
	w.Write(d.Images)
	w.Write(d.Audio)
	w.Write(d.Waves)
	return w.Bytes()
}

// MuLawEncode encodes a sample in [-1, 1] as G.711 mu-law (clipped).
func MuLawEncode(x float32) byte {
	const bias, clip = 0x84, 32635
	s := int(math.Round(float64(x) * 32768))
	sign := 0
	if s < 0 {
		s, sign = -s, 0x80
	}
	if s > clip {
		s = clip
	}
	s += bias
	exp := 7
	for mask := 0x4000; s&mask == 0 && exp > 0; mask >>= 1 {
		exp--
	}
	mant := (s >> (exp + 3)) & 0x0f
	return ^byte(sign | exp<<4 | mant)
}

// MuLawDecode decodes a G.711 mu-law byte to [-1, 1].
func MuLawDecode(b byte) float32 {
	b = ^b
	exp := int(b>>4) & 7
	mant := int(b & 0x0f)
	s := ((mant << 3) + 0x84) << exp
	s -= 0x84
	if b&0x80 != 0 {
		s = -s
	}
	return float32(s) / 32768
}

// Demo is a parsed demo file.
type Demo struct {
	N, NWave          int
	WaveRate, WaveLen int
	Voices            []string
	Labels            []uint8
	HasWave           []bool
	Voice             []uint16 // index into Voices
	MNISTIndex        []uint32 // index in MNIST t10k
	Clip              []uint32 // clip index in the bank
	Images            []uint8  // N*784
	Audio             []uint8  // N*1600
	Waves             []uint8  // NWave*WaveLen mu-law bytes (pairs 0..NWave-1)
}

// ParseDemo decodes a demo file written by ExportDemo.
func ParseDemo(b []byte) (*Demo, error) {
	r := bytes.NewReader(b)
	le := binary.LittleEndian
	bad := func(what string) (*Demo, error) { return nil, fmt.Errorf("dataset: demo file: %s", what) }
	magic := make([]byte, 8)
	if _, err := r.Read(magic); err != nil || string(magic) != demoMagic {
		return bad("bad magic")
	}
	var hdr [4]uint32
	if binary.Read(r, le, &hdr) != nil {
		return bad("truncated header")
	}
	d := &Demo{N: int(hdr[0]), NWave: int(hdr[1]), WaveRate: int(hdr[2]), WaveLen: int(hdr[3])}
	if d.N > 1<<20 || d.NWave > d.N || d.WaveLen > 1<<20 {
		return bad("bad header")
	}
	var nv uint16
	if binary.Read(r, le, &nv) != nil {
		return bad("truncated voices")
	}
	for i := 0; i < int(nv); i++ {
		var l uint16
		if binary.Read(r, le, &l) != nil {
			return bad("truncated voices")
		}
		s := make([]byte, l)
		if n, _ := r.Read(s); n != int(l) {
			return bad("truncated voices")
		}
		d.Voices = append(d.Voices, string(s))
	}
	for i := 0; i < d.N; i++ {
		var rec struct {
			Label, HasWave uint8
			Voice          uint16
			MNIST, Clip    uint32
		}
		if binary.Read(r, le, &rec) != nil {
			return bad("truncated pair table")
		}
		if int(rec.Voice) >= len(d.Voices) {
			return bad("voice index out of range")
		}
		d.Labels = append(d.Labels, rec.Label)
		d.HasWave = append(d.HasWave, rec.HasWave == 1)
		d.Voice = append(d.Voice, rec.Voice)
		d.MNISTIndex = append(d.MNISTIndex, rec.MNIST)
		d.Clip = append(d.Clip, rec.Clip)
	}
	rest := b[len(b)-r.Len():]
	want := d.N*ImageSize + d.N*AudioSize + d.NWave*d.WaveLen
	if len(rest) != want {
		return bad(fmt.Sprintf("%d data bytes, want %d", len(rest), want))
	}
	d.Images = rest[:d.N*ImageSize]
	d.Audio = rest[d.N*ImageSize : d.N*(ImageSize+AudioSize)]
	d.Waves = rest[d.N*(ImageSize+AudioSize):]
	return d, nil
}
