package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/i2m2-wasm/i2m2/dataset"
)

// capture runs f with os.Stdout and os.Stderr redirected and returns what they got.
func capture(t *testing.T, f func() error) (stdout, stderr string, err error) {
	t.Helper()
	ro, wo, _ := os.Pipe()
	re, we, _ := os.Pipe()
	so, se := os.Stdout, os.Stderr
	os.Stdout, os.Stderr = wo, we
	var bo, be bytes.Buffer
	done := make(chan bool, 2)
	go func() { io.Copy(&bo, ro); done <- true }()
	go func() { io.Copy(&be, re); done <- true }()
	err = f()
	wo.Close()
	we.Close()
	<-done
	<-done
	os.Stdout, os.Stderr = so, se
	return bo.String(), be.String(), err
}

// TestPredictFiles runs `i2m2 predict --json` on a folder of real inputs in every supported form and
// checks the lines, the labels from the names and the per-expert accuracy lines.
func TestPredictFiles(t *testing.T) {
	dir := t.TempDir()
	fs, err := fsdd("")
	if err != nil {
		t.Fatal(err)
	}
	// a held-out recording as 8 kHz 16-bit mono (other WAV forms: dataset.TestDecodeWAVFormats)
	var clip int
	for clip = 0; fs.Split(clip) != dataset.ClipTest; clip++ {
	}
	pcm := fs.PCM(clip)
	os.WriteFile(filepath.Join(dir, fs.Name(clip)), dataset.EncodeWAV16(pcm, dataset.FSDDRate), 0o644)
	// a drawn digit as PNG (transparent canvas) and as JPEG (dark ink on white)
	te, err := mnistTest()
	if err != nil {
		t.Fatal(err)
	}
	rgba := dataset.PaintStrokes(dataset.Strokes(te.Images[:784]), dataset.PadStroke)
	img := &image.NRGBA{Pix: rgba, Stride: 4 * dataset.PadSide, Rect: image.Rect(0, 0, dataset.PadSide, dataset.PadSide)}
	var b bytes.Buffer
	png.Encode(&b, img)
	os.WriteFile(filepath.Join(dir, "7_drawn.png"), b.Bytes(), 0o644)
	white := image.NewRGBA(img.Rect)
	for y := 0; y < dataset.PadSide; y++ {
		for x := 0; x < dataset.PadSide; x++ {
			a := 255 - img.NRGBAAt(x, y).A
			white.Set(x, y, color.RGBA{a, a, a, 255})
		}
	}
	b.Reset()
	jpeg.Encode(&b, white, &jpeg.Options{Quality: 90})
	os.WriteFile(filepath.Join(dir, "7_drawn.jpg"), b.Bytes(), 0o644)
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("not an input"), 0o644)

	model := filepath.Join("..", "..", "weights", "avmnist-tts-int8.i2m2")
	out, errOut, err := capture(t, func() error { return runPredict([]string{"--json", "--model", model, dir}) })
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	var lines []map[string]any
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var l map[string]any
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("not a JSON line: %q", sc.Text())
		}
		lines = append(lines, l)
	}
	if len(lines) != 3 {
		t.Fatalf("%d lines, want 3 (wav, png, jpg; the .txt is skipped):\n%s", len(lines), out)
	}
	for _, l := range lines {
		ex := l["experts"].(map[string]any)
		want := "image"
		if strings.HasSuffix(l["file"].(string), ".wav") {
			want = "audio"
		}
		e, ok := ex[want].(map[string]any)
		if !ok || len(ex) != 1 || len(e["probs"].([]any)) != 10 || len(l["classes"].([]any)) != 10 {
			t.Errorf("%s: experts %v", l["file"], ex)
		}
		if _, ok := l["true_label"]; !ok {
			t.Errorf("%s: no true_label", l["file"])
		}
		if p := l["product"].(map[string]any); p["label"] != e["label"] {
			t.Errorf("%s: product %v, %s expert %v (one modality: the same)", l["file"], p["label"], want, e["label"])
		}
	}
	for _, w := range []string{"accuracy audio: ", "/1 = ", "accuracy image: ", "/2 = ", "accuracy product: ", "/3 = "} {
		if !strings.Contains(errOut, w) {
			t.Errorf("stderr lacks %q:\n%s", w, errOut)
		}
	}
	// a broken file: an error line, the others still predicted, a non-zero exit
	os.WriteFile(filepath.Join(dir, "3_broken.wav"), []byte("RIFF0000WAVEjunk"), 0o644)
	out, _, err = capture(t, func() error { return runPredict([]string{"--json", "--model", model, dir}) })
	if err == nil || !strings.Contains(out, `"error"`) || strings.Count(out, "\n") != 4 {
		t.Errorf("broken file: err %v, output\n%s", err, out)
	}
}
