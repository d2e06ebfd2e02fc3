package dataset

import (
	"bytes"
	"encoding/binary"
	"math"
	"strings"
	"testing"

	"github.com/i2m2-wasm/i2m2/features"
)

func smallFSDD() *FSDD {
	f := &FSDD{Start: []int{0}}
	for i := 0; i < 6; i++ {
		for k := 0; k < 100+i; k++ {
			f.MuLaw = append(f.MuLaw, MuLawEncode(float32(math.Sin(float64(k*(i+1))/7))*0.5))
		}
		f.Labels = append(f.Labels, uint8(i%10))
		f.Speaker = append(f.Speaker, uint8(i%len(FSDDSpeakers)))
		f.Index = append(f.Index, uint8(i))
		f.Start = append(f.Start, len(f.MuLaw))
		f.N++
	}
	return f
}

func TestFSDDRoundTripAndCorruption(t *testing.T) {
	f := smallFSDD()
	b, err := f.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	g, err := UnmarshalFSDD(b)
	if err != nil {
		t.Fatal(err)
	}
	if g.N != f.N || !bytes.Equal(g.MuLaw, f.MuLaw) || !bytes.Equal(g.Labels, f.Labels) || g.Name(3) != "3_theo_3.wav" {
		t.Fatalf("round trip differs: %+v", g)
	}
	if g.Split(3) != ClipTest || g.Split(0) != ClipVal {
		t.Errorf("splits: theo %d, george recording 0 %d", g.Split(3), g.Split(0))
	}
	raw, _ := gunzipBytes(b)
	bad := map[string][]byte{"magic": append([]byte("XXXXXXXX"), raw[8:]...), "truncated": raw[:len(raw)-1],
		"trailing": append(append([]byte{}, raw...), 0), "huge count": append(append([]byte{}, raw[:8]...), 0xff, 0xff, 0xff, 0x7f)}
	lab := append([]byte{}, raw...)
	lab[12] = 10 // label of clip 0
	bad["label"] = lab
	for name, r := range bad {
		z, _ := gzipBytes(r)
		if _, err := UnmarshalFSDD(z); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := UnmarshalFSDD([]byte("not gzip")); err == nil {
		t.Error("not gzip: no error")
	}
}

func FuzzUnmarshalFSDD(f *testing.F) {
	b, _ := smallFSDD().MarshalBinary()
	raw, _ := gunzipBytes(b)
	f.Add(raw)
	f.Fuzz(func(t *testing.T, raw []byte) {
		z, _ := gzipLevel(raw, 1)
		if g, err := UnmarshalFSDD(z); err == nil {
			for i := 0; i < g.N; i++ {
				g.PCM(i) // must not panic
			}
		}
	})
}

// The committed recordings: verified by sha256 (LoadFSDD), split by speaker.
func TestCommittedFSDD(t *testing.T) {
	f, err := LoadFSDD(dataDir(t))
	if err != nil {
		t.Fatal(err)
	}
	n := map[uint8]int{}
	for i := 0; i < f.N; i++ {
		n[f.Split(i)]++
		if LabelFromName(f.Name(i)) != int(f.Labels[i]) {
			t.Fatalf("clip %d: name %s, label %d", i, f.Name(i), f.Labels[i])
		}
	}
	if f.N != 2500 || n[ClipTrain] != 1350 || n[ClipVal] != 150 || n[ClipTest] != 1000 {
		t.Errorf("%d clips, splits %v", f.N, n)
	}
}

// What a person hears is what the model saw: every stored waveform of the demo set gives exactly
// its stored spectrogram, and the real-voice pairs are held-out speakers saying their digit.
func TestDemoWavesReproduceSpectrograms(t *testing.T) {
	d, err := shippedDemo(t)
	if err != nil {
		t.Fatal(err)
	}
	real := 0
	for k := 0; k < d.NWave; k++ {
		q, err := features.AudioLevels(d.Wave(k), d.WaveRate)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(q, d.Audio[k*AudioSize:(k+1)*AudioSize]) {
			t.Fatalf("pair %d: spectrogram of the stored wave differs from the stored spectrogram", k)
		}
		if v := d.Voices[d.Voice[k]]; strings.HasPrefix(v, "fsdd:") {
			real++
			if !FSDDTestSpeakers[strings.TrimPrefix(v, "fsdd:")] {
				t.Errorf("pair %d: %s is a training speaker", k, v)
			}
		}
	}
	if real != DemoReal {
		t.Errorf("%d real-voice pairs, want %d", real, DemoReal)
	}
}

func TestAugmentationDeterministic(t *testing.T) {
	pcm := make([]float32, 4000)
	for i := range pcm {
		pcm[i] = float32(0.3 * math.Sin(float64(i)*0.3) * math.Sin(float64(i)*math.Pi/4000))
	}
	for s := uint64(0); s < 20; s++ {
		a := AllAudioAug.Apply(pcm, FSDDRate, NewRNG(s))
		b := AllAudioAug.Apply(pcm, FSDDRate, NewRNG(s))
		if len(a) != len(b) {
			t.Fatal("same seed, different lengths")
		}
		for i := range a {
			if a[i] != b[i] || a[i] < -1 || a[i] > 1 || a[i] != a[i] {
				t.Fatalf("seed %d sample %d: %v vs %v", s, i, a[i], b[i])
			}
		}
		if _, err := features.AudioLevels(a, features.SampleRate); err != nil {
			t.Fatal(err)
		}
	}
	if x, y := AllAudioAug.Apply(pcm, FSDDRate, NewRNG(1)), AllAudioAug.Apply(pcm, FSDDRate, NewRNG(2)); len(x) == len(y) && x[len(x)/2] == y[len(y)/2] {
		t.Error("different seeds gave the same clip")
	}
	// NoisyShare 0 is the default 0.75; a share of 1e-9 leaves (almost) every clip noise-free.
	explicit, quiet := AllAudioAug, AllAudioAug
	explicit.NoisyShare, quiet.NoisyShare = 0.75, 1e-9
	quiet.Noise = true
	differs := 0
	for s := uint64(0); s < 20; s++ {
		a, b := AllAudioAug.Apply(pcm, FSDDRate, NewRNG(s)), explicit.Apply(pcm, FSDDRate, NewRNG(s))
		if len(a) != len(b) || a[len(a)/2] != b[len(b)/2] {
			t.Fatalf("seed %d: NoisyShare 0 and 0.75 differ", s)
		}
		if c := quiet.Apply(pcm, FSDDRate, NewRNG(s)); len(c) != len(a) || c[len(c)/3] != a[len(a)/3] {
			differs++
		}
	}
	if differs == 0 {
		t.Error("NoisyShare changed no clip")
	}
	// Nothing on: the clip resampled to 16 kHz, level-normalised, unchanged otherwise.
	plain := AudioAug{}.Apply(pcm, FSDDRate, NewRNG(1))
	if len(plain) != 8000 {
		t.Errorf("no augmentation: %d samples, want 8000", len(plain))
	}
}

func TestDrawnDigits(t *testing.T) {
	mtr, _ := mnist(t)
	blank := make([]uint8, 784)
	if len(Strokes(blank)) != 0 || !bytes.Equal(Drawn(blank), blank) {
		t.Error("a blank digit gives strokes or ink")
	}
	r := NewRNG(3)
	for i := 0; i < 50; i++ {
		raw := mtr.Images[i*784 : (i+1)*784]
		st := Strokes(raw)
		pts := 0
		for _, s := range st {
			pts += len(s)
			for _, p := range s {
				if p.X < 0 || p.X > PadSide || p.Y < 0 || p.Y > PadSide {
					t.Fatalf("digit %d: point %v off the pad", i, p)
				}
			}
		}
		skel := 0
		for _, b := range thin(raw) {
			if b {
				skel++
			}
		}
		if pts != skel || len(st) == 0 {
			t.Fatalf("digit %d: %d stroke points for %d skeleton pixels", i, pts, skel)
		}
		// the drawn digit is centred and scaled like MNIST: ink inside the 20x20 box around the centre
		for _, q := range [][]uint8{Drawn(raw), AllImageAug.Apply(raw, raw, r)} {
			ink := 0
			for _, v := range q {
				ink += int(v)
			}
			if ink == 0 {
				t.Fatalf("digit %d: no ink", i)
			}
		}
	}
}

func wavFile(format, channels, bits, rate int, frames [][]float64) []byte {
	var data bytes.Buffer
	le := binary.LittleEndian
	for _, fr := range frames {
		for _, v := range fr {
			switch {
			case format == 3 && bits == 32:
				binary.Write(&data, le, float32(v))
			case format == 3:
				binary.Write(&data, le, v)
			case bits == 16:
				binary.Write(&data, le, int16(v*32768))
			case bits == 24:
				x := int32(v * (1 << 23))
				data.Write([]byte{byte(x), byte(x >> 8), byte(x >> 16)})
			case bits == 32:
				binary.Write(&data, le, int32(v*(1<<31)))
			default:
				data.WriteByte(byte(v*128 + 128))
			}
		}
	}
	var w bytes.Buffer
	w.WriteString("RIFF")
	binary.Write(&w, le, uint32(36+data.Len()))
	w.WriteString("WAVEfmt ")
	binary.Write(&w, le, uint32(16))
	binary.Write(&w, le, uint16(format))
	binary.Write(&w, le, uint16(channels))
	binary.Write(&w, le, uint32(rate))
	binary.Write(&w, le, uint32(rate*channels*bits/8))
	binary.Write(&w, le, uint16(channels*bits/8))
	binary.Write(&w, le, uint16(bits))
	w.WriteString("data")
	binary.Write(&w, le, uint32(data.Len()))
	w.Write(data.Bytes())
	return w.Bytes()
}

func TestDecodeWAVFormats(t *testing.T) {
	frames := [][]float64{{0.5, -0.25}, {-0.5, 0.25}, {0.75, 0.25}}
	want := []float64{0.125, -0.125, 0.5} // channel mean
	for _, c := range []struct{ format, bits int }{{1, 8}, {1, 16}, {1, 24}, {1, 32}, {3, 32}, {3, 64}} {
		pcm, rate, err := DecodeWAV(wavFile(c.format, 2, c.bits, 44100, frames))
		if err != nil || rate != 44100 || len(pcm) != 3 {
			t.Fatalf("format %d/%d bits: %v rate %d, %d samples", c.format, c.bits, err, rate, len(pcm))
		}
		for i, v := range pcm {
			if math.Abs(float64(v)-want[i]) > 1.0/64 {
				t.Errorf("format %d/%d bits: sample %d = %v, want %v", c.format, c.bits, i, v, want[i])
			}
		}
	}
	for name, b := range map[string][]byte{
		"12-bit":   wavFile(1, 1, 12, 8000, nil),
		"float16":  wavFile(3, 1, 16, 8000, nil),
		"a-law":    wavFile(6, 1, 8, 8000, nil),
		"0 chans":  wavFile(1, 0, 16, 8000, nil),
		"not riff": []byte("RIFX0000WAVE"),
	} {
		if _, _, err := DecodeWAV(b); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
