package features

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

type golden struct {
	Name   string `json:"name"`
	SHA256 string `json:"sha256"`
	Levels string `json:"levels_hex,omitempty"`
}

func checkGolden(t *testing.T, file string, got []golden) {
	t.Helper()
	p := filepath.Join("testdata", file)
	if *update {
		b, _ := json.MarshalIndent(got, "", " ")
		if err := os.WriteFile(p, append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run go test -update to create)", err)
	}
	var want []golden
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatal(err)
	}
	if len(want) != len(got) {
		t.Fatalf("%s: %d cases, want %d", file, len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("%s: case %s: sha256 %s, want %s", file, got[i].Name, got[i].SHA256, want[i].SHA256)
		}
	}
}

func sum(b []uint8) string { h := sha256.Sum256(b); return hex.EncodeToString(h[:]) }

func TestAudioGolden(t *testing.T) {
	var l lcg = 77
	noise := make([]float32, 24000)
	for i := range noise {
		noise[i] = float32(0.2 * l.next())
	}
	cases := []struct {
		name string
		pcm  []float32
		rate int
		full bool
	}{
		{"chirp-22050", chirp(22050, 200, 6000, 0.8), 22050, true},
		{"burst-8000", toneBurst(8000, 523, 0.3, 0.35, 0.5, 11), 8000, false},
		{"burst-48000-long", toneBurst(48000, 2500, 0.2, 1.4, 0.1, 12), 48000, false},
		{"noise-16000", noise, 16000, false},
		{"chirp-44100", chirp(44100, 3000, 300, 0.5), 44100, false},
	}
	var got []golden
	for _, c := range cases {
		q, err := AudioLevels(c.pcm, c.rate)
		if err != nil {
			t.Fatal(err)
		}
		g := golden{Name: c.name, SHA256: sum(q)}
		if c.full {
			g.Levels = hex.EncodeToString(q)
		}
		got = append(got, g)
	}
	checkGolden(t, "audio_golden.json", got)
}

func TestImageGolden(t *testing.T) {
	var got []golden
	for _, c := range []struct {
		w, h  int
		style string
	}{{280, 280, "dark-on-white"}, {64, 128, "alpha"}, {300, 150, "light-on-black"}, {9, 9, "dark-on-white"}} {
		q, err := ImageLevels(canvas(c.w, c.h, c.style), c.w, c.h)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, golden{Name: c.style, SHA256: sum(q), Levels: hex.EncodeToString(q)})
	}
	checkGolden(t, "image_golden.json", got)
}
