package dataset

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
)

// Demo set sizes and file.
const (
	DemoPairs = 500 // test pairs in weights/demo
	DemoWaves = 100 // of which this many (the first ones) carry the noisy waveform
	DemoFile  = "avmnist-tts-demo.bin"
	DemoSeed  = 4242
	demoMagic = "AVMDEMO1"
)

// ExportDemo writes dir/avmnist-tts-demo.bin: n test pairs (n/10 per digit, seeded choice, digits
// interleaved 0,1,...,9,0,1,...) of which the first nWave also carry the noisy 1 s waveform at 16 kHz
// as G.711 mu-law. wave(clip) returns a clip's noisy window (16000 float32 samples).
// The format is described in weights/demo/README.md.
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
	var pick []int
	for k := 0; k < n/10; k++ {
		for d := 0; d < 10; d++ {
			if k >= len(byDigit[d]) {
				return fmt.Errorf("dataset: ExportDemo: only %d test samples of digit %d", len(byDigit[d]), d)
			}
			pick = append(pick, byDigit[d][k])
		}
	}
	vidx := map[string]uint16{}
	var vnames []string
	for _, i := range pick {
		if _, ok := vidx[test.Voices[i]]; !ok {
			vidx[test.Voices[i]] = uint16(len(vnames))
			vnames = append(vnames, test.Voices[i])
		}
	}
	var w bytes.Buffer
	le := binary.LittleEndian
	w.WriteString(demoMagic)
	for _, v := range []uint32{uint32(n), uint32(nWave), 16000, 16000} {
		binary.Write(&w, le, v)
	}
	binary.Write(&w, le, uint16(len(vnames)))
	for _, s := range vnames {
		binary.Write(&w, le, uint16(len(s)))
		w.WriteString(s)
	}
	for k, i := range pick {
		w.WriteByte(test.Labels[i])
		if k < nWave {
			w.WriteByte(1)
		} else {
			w.WriteByte(0)
		}
		binary.Write(&w, le, vidx[test.Voices[i]])
		binary.Write(&w, le, uint32(test.MNISTIndex[i]))
		binary.Write(&w, le, uint32(test.Clips[i]))
	}
	for _, i := range pick {
		w.Write(test.Images[i*ImageSize : (i+1)*ImageSize])
	}
	for _, i := range pick {
		w.Write(test.Audio[i*AudioSize : (i+1)*AudioSize])
	}
	for _, i := range pick[:nWave] {
		x, err := wave(int(test.Clips[i]))
		if err != nil {
			return err
		}
		if len(x) != 16000 {
			return fmt.Errorf("dataset: ExportDemo: wave of clip %d has %d samples", test.Clips[i], len(x))
		}
		for _, v := range x {
			w.WriteByte(MuLawEncode(v))
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, DemoFile), w.Bytes(), 0o644)
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
