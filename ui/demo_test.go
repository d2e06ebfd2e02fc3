package ui

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/i2m2-wasm/i2m2/dataset"
)

// writeDemo writes a demo file with dataset.ExportDemo, the writer of the shipped file.
func writeDemo(n, nWave int) []byte {
	s := &dataset.Split{Name: "test", N: n}
	for i := 0; i < n; i++ {
		d := i % demoDigits
		img := make([]uint8, ImageSize)
		for y := 6; y < 22; y++ {
			for x := 8 + d; x < 11+d; x++ {
				img[y*ImageSide+x] = 255
			}
		}
		aud := make([]uint8, AudioSize)
		for k := range aud {
			aud[k] = uint8((k*7 + d*31 + i) % 256)
		}
		s.Images = append(s.Images, img...)
		s.Audio = append(s.Audio, aud...)
		s.Labels = append(s.Labels, uint8(d))
		s.Voices = append(s.Voices, []string{"flite:slt", "espeak-ng:en-us"}[i%2])
		s.Clips = append(s.Clips, int32(1000+i))
		s.MNISTIndex = append(s.MNISTIndex, int32(i))
	}
	dir, err := os.MkdirTemp("", "uidemo")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	wave := func(clip int) ([]float32, error) {
		x := make([]float32, 16000)
		for i := range x {
			x[i] = float32((i*clip)%2001-1000) / 1000
		}
		return x, nil
	}
	if err := dataset.ExportDemo(dir, s, n, nWave, wave); err != nil {
		panic(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, dataset.DemoFile))
	if err != nil {
		panic(err)
	}
	return b
}

// TestParseDemoMatchesDataset decodes a file written by dataset.ExportDemo and compares every field
// with dataset.ParseDemo (the reference reader).
func TestParseDemoMatchesDataset(t *testing.T) {
	b := writeDemo(40, 10)
	got, err := ParseDemo(b)
	if err != nil {
		t.Fatal(err)
	}
	want, err := dataset.ParseDemo(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Pairs) != want.N || got.Rate != want.WaveRate {
		t.Fatalf("%d pairs at %d Hz, want %d at %d", len(got.Pairs), got.Rate, want.N, want.WaveRate)
	}
	w := 0
	for i, p := range got.Pairs {
		if p.Label != int(want.Labels[i]) || p.Voice != want.Voices[want.Voice[i]] {
			t.Fatalf("pair %d: label %d voice %q, want %d %q", i, p.Label, p.Voice, want.Labels[i], want.Voices[want.Voice[i]])
		}
		if !bytes.Equal(p.Mods["image"], want.Images[i*ImageSize:(i+1)*ImageSize]) || !bytes.Equal(p.Mods["audio"], want.Audio[i*AudioSize:(i+1)*AudioSize]) {
			t.Fatalf("pair %d: image or spectrogram differs", i)
		}
		if (p.Wave != nil) != want.HasWave[i] {
			t.Fatalf("pair %d: wave %v, want %v", i, p.Wave != nil, want.HasWave[i])
		}
		if p.Wave != nil {
			if !bytes.Equal(p.Wave, want.Waves[w*want.WaveLen:(w+1)*want.WaveLen]) {
				t.Fatalf("pair %d: wave differs", i)
			}
			w++
		}
	}
	for d := range demoDigits {
		if len(got.ByDigit[d]) != 4 {
			t.Errorf("digit %d: %d pairs, want 4", d, len(got.ByDigit[d]))
		}
	}
}

func TestMuLawMatchesDataset(t *testing.T) {
	var all [256]uint8
	for i := range all {
		all[i] = uint8(i)
	}
	for i, v := range MuLaw(all[:]) {
		if want := dataset.MuLawDecode(uint8(i)); v != want {
			t.Errorf("MuLaw(%#x) = %v, want %v", i, v, want)
		}
	}
}

// TestParseDemoRejects feeds truncated and tampered files: each must give ErrDemo, never a panic.
func TestParseDemoRejects(t *testing.T) {
	good := writeDemo(20, 4)
	set := func(off int, v ...byte) []byte {
		b := bytes.Clone(good)
		copy(b[off:], v)
		return b
	}
	u32 := func(off int, v uint32) []byte {
		b := bytes.Clone(good)
		binary.LittleEndian.PutUint32(b[off:], v)
		return b
	}
	hdr := 8 + 16 + 2 + 2*2 + len("flite:slt") + len("espeak-ng:en-us") // start of the pair records
	for _, tc := range []struct {
		name string
		b    []byte
	}{
		{"empty", nil},
		{"magic", set(0, 'X')},
		{"truncated header", good[:20]},
		{"truncated body", good[:len(good)-1]},
		{"one byte more", append(bytes.Clone(good), 0)},
		{"zero pairs", u32(8, 0)},
		{"huge pair count", u32(8, 1<<30)},
		{"more waves than pairs", u32(12, 21)},
		{"huge wave", u32(20, 1<<30)},
		{"label 10", set(hdr, 10)},
		{"wave flag 2", set(hdr+1, 2)},
		{"voice out of range", set(hdr+2, 9, 0)},
		{"wave flag on a pair past the waves", set(hdr+12*10+1, 1)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := ParseDemo(tc.b); !errors.Is(err, ErrDemo) {
				t.Fatalf("err = %v, want ErrDemo", err)
			}
		})
	}
}

func FuzzParseDemo(f *testing.F) {
	f.Add(writeDemo(10, 2))
	f.Add([]byte(demoMagic))
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := ParseDemo(b)
		if err != nil {
			return
		}
		for _, p := range d.Pairs {
			if len(p.Mods["image"]) != ImageSize || len(p.Mods["audio"]) != AudioSize || p.Label >= demoDigits {
				t.Fatalf("accepted a bad pair: %d %d %d", len(p.Mods["image"]), len(p.Mods["audio"]), p.Label)
			}
		}
	})
}

func TestWAV(t *testing.T) {
	b := WAV([]float32{0, 1, -1, 2, 0.5}, 16000)
	if len(b) != 44+10 || string(b[:4]) != "RIFF" || string(b[8:16]) != "WAVEfmt " || string(b[36:40]) != "data" {
		t.Fatalf("bad header % x", b[:44])
	}
	le := binary.LittleEndian
	if le.Uint32(b[24:]) != 16000 || le.Uint32(b[4:]) != uint32(len(b)-8) || le.Uint32(b[40:]) != 10 {
		t.Fatal("bad sizes or rate")
	}
	want := []int16{0, 32767, -32768, 32767, 16384} // internal/wavfile: x*32768, saturating at 32767
	for i, w := range want {
		if got := int16(le.Uint16(b[44+2*i:])); got != w {
			t.Errorf("sample %d = %d, want %d", i, got, w)
		}
	}
}
