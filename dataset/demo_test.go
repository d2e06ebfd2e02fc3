package dataset

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// The first pair alone (the lab's first answer, ui/web/first.js) decodes to the shipped demo set's
// pair 0: its digit, voice, MNIST index, clip, image and spectrogram, without a waveform.
func TestDemoFirstPair(t *testing.T) {
	d, err := shippedDemo(t)
	if err != nil {
		t.Skip(err)
	}
	f, err := ParseDemo(d.FirstPair().Encode())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		what      string
		got, want any
	}{
		{"pairs", f.N, 1},
		{"waveforms", f.NWave, 0},
		{"wave rate", f.WaveRate, d.WaveRate},
		{"voice", f.Voices[f.Voice[0]], d.Voices[d.Voice[0]]},
		{"digit", f.Labels[0], d.Labels[0]},
		{"has a wave", f.HasWave[0], false},
		{"MNIST index", f.MNISTIndex[0], d.MNISTIndex[0]},
		{"clip", f.Clip[0], d.Clip[0]},
		{"image", bytes.Equal(f.Images, d.Images[:ImageSize]), true},
		{"spectrogram", bytes.Equal(f.Audio, d.Audio[:AudioSize]), true},
	} {
		if c.got != c.want {
			t.Errorf("%s: %v, want %v", c.what, c.got, c.want)
		}
	}
	// Write and Encode are one format: the shipped file re-encodes to its own bytes.
	if b, err := os.ReadFile(filepath.Join("..", "weights", "demo", DemoFile)); err != nil {
		t.Fatal(err)
	} else if !bytes.Equal(d.Encode(), b) {
		t.Error("the shipped demo file does not re-encode to its own bytes")
	}
}
