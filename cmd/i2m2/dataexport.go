package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"

	"github.com/i2m2-wasm/i2m2/dataset"
)

// exportWAV writes the named FSDD recordings (their decoded mu-law samples, exactly, at 8 kHz) as
// {digit}_{speaker}_{index}.wav.
func exportWAV(root, dir, names string) error {
	fs, err := fsdd(root)
	if err != nil {
		return err
	}
	want := map[string]bool{}
	for _, n := range strings.Split(names, ",") {
		if n = strings.TrimSuffix(strings.TrimSpace(n), ".wav"); n != "" {
			want[n+".wav"] = true
		}
	}
	if len(want) == 0 {
		return fmt.Errorf("--clips: name the recordings (e.g. 3_theo_7) or say test")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	n := 0
	for i := 0; i < fs.N; i++ {
		name := fs.Name(i)
		if want[name] || want["test.wav"] && fs.Split(i) == dataset.ClipTest {
			if err := os.WriteFile(filepath.Join(dir, name), dataset.EncodeWAV16(fs.PCM(i), dataset.FSDDRate), 0o644); err != nil {
				return err
			}
			delete(want, name)
			n++
		}
	}
	delete(want, "test.wav")
	for name := range want {
		return fmt.Errorf("no FSDD recording %s", name)
	}
	fmt.Fprintf(os.Stderr, "wrote %d recordings to %s\n", n, dir)
	return nil
}

// printStrokes prints [{"index", "label", "strokes": [[x0, y0, x1, y1, ...], ...]}, ...] in pad
// pixels for the first n MNIST test digits; with pngDir, it also writes each digit as the pad
// would show it (dataset.PaintStrokes with the pad's pen) to pngDir/{label}_mnist{index}.png.
func printStrokes(n int, pngDir string) error {
	te, err := mnistTest()
	if err != nil {
		return err
	}
	type digit struct {
		Index   int         `json:"index"`
		Label   int         `json:"label"`
		Strokes [][]float64 `json:"strokes"`
	}
	var out []digit
	for i := 0; i < min(n, te.N); i++ {
		d := digit{Index: i, Label: int(te.Labels[i])}
		st := dataset.Strokes(te.Images[i*784 : (i+1)*784])
		if pngDir != "" {
			img := &image.NRGBA{Pix: dataset.PaintStrokes(st, dataset.PadStroke), Stride: 4 * dataset.PadSide,
				Rect: image.Rect(0, 0, dataset.PadSide, dataset.PadSide)}
			var b bytes.Buffer
			if err := png.Encode(&b, img); err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(pngDir, fmt.Sprintf("%d_mnist%d.png", d.Label, i)), b.Bytes(), 0o644); err != nil {
				return err
			}
		}
		for _, s := range st {
			var xy []float64
			for _, p := range s {
				xy = append(xy, p.X, p.Y)
			}
			d.Strokes = append(d.Strokes, xy)
		}
		out = append(out, d)
	}
	return json.NewEncoder(os.Stdout).Encode(out)
}
