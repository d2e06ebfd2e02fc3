package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/draw"
	_ "image/jpeg" // image.Decode of JPEG files
	_ "image/png"  // and PNG files
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/i2m2-wasm/i2m2/dataset"
	"github.com/i2m2-wasm/i2m2/features"
	"github.com/i2m2-wasm/i2m2/manifest"
	"github.com/i2m2-wasm/i2m2/model"
)

// maxInputBytes bounds one input file (a 30 s 192 kHz stereo float WAV is 46 MB).
const maxInputBytes = 64 << 20

func runPredict(args []string) error {
	fs := newFlags("predict")
	modelPath := fs.String("model", "", "model file (default: the manifest's default model in --weights)")
	weights := fs.String("weights", "weights", "weights directory (for the default model)")
	path := fs.String("path", model.DefaultPath.String(), "kernels: reference, float32 or int8")
	asJSON := fs.Bool("json", false, "one JSON line per input on stdout (accuracy lines go to stderr)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: i2m2 predict [flags] FILE|DIR ...  (WAV, PNG, JPEG; labels from {digit}_*.wav/png names)\n       i2m2 predict [flags] INPUT.json|-")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return fmt.Errorf("no inputs")
	}
	mp := *modelPath
	if mp == "" {
		var err error
		if mp, err = defaultModelFile(*weights); err != nil {
			return err
		}
	}
	m, err := readModel(mp)
	if err != nil {
		return err
	}
	p, err := model.ParsePath(*path)
	if err != nil {
		return err
	}
	if a := fs.Arg(0); fs.NArg() == 1 && (a == "-" || strings.HasSuffix(strings.ToLower(a), ".json")) {
		return predictJSON(m, p, a)
	}
	files, err := inputFiles(fs.Args())
	if err != nil {
		return err
	}
	pr, err := m.NewPredictor(p)
	if err != nil {
		return err
	}
	res := m.NewResult()
	tally := map[string][2]int{} // expert or "product" -> correct, labelled
	failed := 0
	for _, f := range files {
		in, err := readInput(f)
		if err == nil {
			err = pr.Predict(in, res)
		}
		if err != nil {
			failed++
			if *asJSON {
				b, _ := json.Marshal(map[string]string{"file": f, "error": err.Error()})
				fmt.Println(string(b))
			} else {
				fmt.Printf("%s: error: %v\n", f, err)
			}
			continue
		}
		truth := dataset.LabelFromName(f)
		count := func(name string, label int) {
			if truth >= 0 {
				t := tally[name]
				if label == truth {
					t[0]++
				}
				t[1]++
				tally[name] = t
			}
		}
		count("product", res.Label)
		experts := map[string]any{}
		for _, e := range res.Experts {
			if e.Used {
				experts[e.Name] = map[string]any{"label": e.Label, "probs": e.Probs}
				count(e.Name, e.Label)
			}
		}
		if *asJSON {
			line := map[string]any{"file": f, "classes": m.Classes, "experts": experts,
				"product": map[string]any{"label": res.Label, "probs": res.Probs}, "used": res.Used}
			if truth >= 0 {
				line["true_label"] = truth
			}
			b, err := json.Marshal(line)
			if err != nil {
				return err
			}
			fmt.Println(string(b))
			continue
		}
		var parts []string
		for _, e := range res.Experts {
			if e.Used {
				parts = append(parts, fmt.Sprintf("%s %s (p=%.3f)", e.Name, m.Classes[e.Label], e.Probs[e.Label]))
			}
		}
		mark := ""
		if truth >= 0 {
			mark = fmt.Sprintf("  [true %d]", truth)
		}
		fmt.Printf("%s: %s (p=%.3f) | %s%s\n", f, m.Classes[res.Label], res.Probs[res.Label], strings.Join(parts, ", "), mark)
	}
	out := os.Stdout
	if *asJSON {
		out = os.Stderr
	}
	for _, n := range slices.Sorted(maps.Keys(tally)) {
		t := tally[n]
		fmt.Fprintf(out, "accuracy %s: %d/%d = %.2f%%\n", n, t[0], t[1], 100*float64(t[0])/float64(t[1]))
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d inputs failed", failed, len(files))
	}
	return nil
}

// defaultModelFile is the manifest's default model (the one the lab loads).
func defaultModelFile(dir string) (string, error) {
	man, err := manifest.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		return "", err
	}
	e, ok := man.Default()
	if !ok {
		return "", fmt.Errorf("%s/manifest.json lists no models", dir)
	}
	return filepath.Join(dir, filepath.Base(e.File)), nil
}

// inputFiles expands folders (their WAV, PNG and JPEG files, sorted, not recursive).
func inputFiles(args []string) ([]string, error) {
	var out []string
	for _, a := range args {
		st, err := os.Stat(a)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			out = append(out, a)
			continue
		}
		ents, err := os.ReadDir(a)
		if err != nil {
			return nil, err
		}
		for _, e := range ents {
			if !e.IsDir() && inputKind(e.Name()) != "" {
				out = append(out, filepath.Join(a, e.Name()))
			}
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no WAV, PNG or JPEG files in %v", args)
	}
	return out, nil
}

func inputKind(name string) string {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".wav", ".wave":
		return "audio"
	case ".png", ".jpg", ".jpeg":
		return "image"
	}
	return ""
}

// readInput turns a file into the model's input exactly as the browser would: WAV through
// features.AudioFromPCM at the file's own rate, pictures through features.ImageFromRGBA.
func readInput(path string) (map[string][]float32, error) {
	kind := inputKind(path)
	if kind == "" {
		return nil, fmt.Errorf("unknown file type (want .wav, .png, .jpg)")
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxInputBytes+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxInputBytes {
		return nil, fmt.Errorf("larger than %d MB", maxInputBytes>>20)
	}
	if kind == "audio" {
		pcm, rate, err := dataset.DecodeWAV(b)
		if err != nil {
			return nil, err
		}
		x, err := features.AudioFromPCM(pcm, rate)
		if err != nil {
			return nil, err
		}
		return map[string][]float32{"audio": x}, nil
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	if cfg.Width > features.MaxImageSide || cfg.Height > features.MaxImageSide {
		return nil, fmt.Errorf("image %dx%d larger than %d pixels a side", cfg.Width, cfg.Height, features.MaxImageSide)
	}
	img, _, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	// non-premultiplied RGBA, as CanvasRenderingContext2D.getImageData returns
	bounds := img.Bounds()
	rgba := image.NewNRGBA(image.Rect(0, 0, bounds.Dx(), bounds.Dy()))
	draw.Draw(rgba, rgba.Bounds(), img, bounds.Min, draw.Src)
	x, err := features.ImageFromRGBA(rgba.Pix, bounds.Dx(), bounds.Dy())
	if err != nil {
		return nil, err
	}
	return map[string][]float32{"image": x}, nil
}

// predictJSON is the JSON-input form: {"image": [...], "audio": [...]} already as features.
func predictJSON(m *model.Model, p model.Path, name string) error {
	var raw []byte
	var err error
	if name == "-" {
		raw, err = io.ReadAll(io.LimitReader(os.Stdin, maxInputBytes))
	} else {
		raw, err = os.ReadFile(name)
	}
	if err != nil {
		return err
	}
	var in map[string][]float32
	if err := json.Unmarshal(raw, &in); err != nil {
		return fmt.Errorf("input JSON: %w", err)
	}
	r, err := m.Predict(p, in)
	if err != nil {
		return err
	}
	fmt.Printf("I2M2: %s (p=%.3f)  experts used: %v\n", m.Classes[r.Label], r.Probs[r.Label], r.Used)
	if r.HasIntraOnly {
		fmt.Printf("  intra-only product: %s (p=%.3f)\n", m.Classes[r.IntraOnly.Label], r.IntraOnly.Probs[r.IntraOnly.Label])
	}
	for _, e := range r.Experts {
		if e.Used {
			fmt.Printf("  expert %-6s: %s (p=%.3f)\n", e.Name, m.Classes[e.Label], e.Probs[e.Label])
		}
	}
	return nil
}
