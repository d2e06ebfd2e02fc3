// Command golden writes the expectations of the module tests: it runs the
// native Go engine on the demo samples (weights/demo, or deterministic
// generated inputs when there is no demo set) with each model of a manifest,
// and runs the features functions on a waveform and a canvas, and writes the
// inputs and the exact float32 outputs as JSON (and as a classic script
// setting globalThis.I2M2_GOLDEN, for the file:// test page).
//
//	go run ./e2e/module/golden -weights dist/weights -demo weights/demo -o dist/module-test-golden
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"

	"github.com/i2m2-wasm/i2m2/dataset"
	"github.com/i2m2-wasm/i2m2/features"
	"github.com/i2m2-wasm/i2m2/manifest"
	"github.com/i2m2-wasm/i2m2/model"
	"github.com/i2m2-wasm/i2m2/worker/api"
)

// Samples taken from the demo set (or generated).
const nSamples = 12

// result is the JS API's predict() result; its parts are the HTTP API's,
// which has the same shape (worker/api/result.go).
type result struct {
	api.Dist
	Used      []string                 `json:"used"`
	IntraOnly *api.Dist                `json:"intraOnly"`
	Experts   map[string]api.ExpertOut `json:"experts"`
}

type modelGolden struct {
	File    string   `json:"file"`
	SHA256  string   `json:"sha256"`
	Path    string   `json:"path"`
	Results []result `json:"results"`
}

type sample struct {
	Image []float32 `json:"image"`
	Audio []float32 `json:"audio"`
	Label int       `json:"label"` // true digit, -1 when generated
}

type golden struct {
	Source  string        `json:"source"` // "demo" or "generated"
	Samples []sample      `json:"samples"`
	Models  []modelGolden `json:"models"`
	Audio   struct {
		PCM  []float32 `json:"pcm"`
		Rate int       `json:"rate"`
		Want []float32 `json:"want"`
	} `json:"audio"`
	Image struct {
		Width  int       `json:"width"`
		Height int       `json:"height"`
		RGBA   []byte    `json:"rgba"` // base64 in JSON
		Want   []float32 `json:"want"`
	} `json:"image"`
}

func main() {
	weights := flag.String("weights", "dist/weights", "folder with manifest.json and the model files")
	demo := flag.String("demo", "weights/demo", "demo set folder (generated inputs when absent)")
	out := flag.String("o", "dist/module-test-golden", "output path without extension (.json and .js are written)")
	flag.Parse()
	if err := run(*weights, *demo, *out); err != nil {
		fmt.Fprintln(os.Stderr, "golden:", err)
		os.Exit(1)
	}
}

func run(weights, demo, out string) error {
	var g golden
	var waves []float32
	if b, err := os.ReadFile(filepath.Join(demo, dataset.DemoFile)); err == nil {
		d, err := dataset.ParseDemo(b)
		if err != nil {
			return err
		}
		g.Source = "demo"
		for i := 0; i < nSamples && i < d.N; i++ {
			s := sample{Image: levels(d.Images[i*784 : (i+1)*784]), Audio: levels(d.Audio[i*1600 : (i+1)*1600]), Label: int(d.Labels[i])}
			g.Samples = append(g.Samples, s)
		}
		if d.NWave > 0 {
			waves = make([]float32, d.WaveLen)
			for i := range waves {
				waves[i] = dataset.MuLawDecode(d.Waves[i])
			}
			g.Audio.Rate = d.WaveRate
		}
	} else {
		g.Source = "generated"
		for i := 0; i < nSamples; i++ {
			g.Samples = append(g.Samples, sample{Image: generated(784, i, 0), Audio: generated(1600, i, 1), Label: -1})
		}
	}
	// Missing modalities: sample 0 without audio, sample 1 without image.
	g.Samples = append(g.Samples, sample{Image: g.Samples[0].Image, Label: g.Samples[0].Label}, sample{Audio: g.Samples[1].Audio, Label: g.Samples[1].Label})

	if waves == nil { // a 22.05 kHz tone burst (exercises resampling)
		g.Audio.Rate = 22050
		waves = make([]float32, 22050*3/4)
		for i := range waves {
			t := float64(i) / 22050
			env := math.Sin(math.Pi * float64(i) / float64(len(waves)))
			waves[i] = float32(0.3 * env * (math.Sin(2*math.Pi*440*t) + 0.5*math.Sin(2*math.Pi*1250*t)))
		}
	}
	g.Audio.PCM = waves
	var err error
	if g.Audio.Want, err = features.AudioFromPCM(waves, g.Audio.Rate); err != nil {
		return err
	}
	g.Image.Width, g.Image.Height, g.Image.RGBA = canvas(120, 90)
	if g.Image.Want, err = features.ImageFromRGBA(g.Image.RGBA, g.Image.Width, g.Image.Height); err != nil {
		return err
	}

	man, err := manifest.ReadFile(filepath.Join(weights, "manifest.json"))
	if err != nil {
		return err
	}
	for _, e := range man.Models {
		b, err := os.ReadFile(filepath.Join(weights, e.File))
		if err != nil {
			return err
		}
		m, err := model.Read(b)
		if err != nil {
			return fmt.Errorf("%s: %w", e.File, err)
		}
		path := model.DefaultPath
		mg := modelGolden{File: e.File, SHA256: e.SHA256, Path: path.String()}
		for i, s := range g.Samples {
			in := map[string][]float32{}
			if s.Image != nil {
				in["image"] = s.Image
			}
			if s.Audio != nil {
				in["audio"] = s.Audio
			}
			r, err := m.Predict(path, in)
			if err != nil {
				return fmt.Errorf("%s sample %d: %w", e.File, i, err)
			}
			mg.Results = append(mg.Results, resultOf(r))
		}
		g.Models = append(g.Models, mg)
	}
	j, err := json.Marshal(g)
	if err != nil {
		return err
	}
	if err := os.WriteFile(out+".json", j, 0o644); err != nil {
		return err
	}
	return os.WriteFile(out+".js", append(append([]byte("globalThis.I2M2_GOLDEN = "), j...), ";\n"...), 0o644)
}

func resultOf(r *model.Result) result {
	cp := func(x []float32) []float32 { return append([]float32(nil), x...) }
	d := func(x *model.Dist) api.Dist {
		return api.Dist{Label: x.Label, Probs: cp(x.Probs), LogProbs: cp(x.LogProbs)}
	}
	out := result{Dist: d(&r.Dist), Used: append([]string{}, r.Used...), Experts: map[string]api.ExpertOut{}}
	if r.HasIntraOnly {
		io := d(&r.IntraOnly)
		out.IntraOnly = &io
	}
	for _, e := range r.Experts {
		if e.Used {
			out.Experts[e.Name] = api.ExpertOut{Dist: d(&e.Dist), Logits: cp(e.Logits), Used: true}
		} else {
			out.Experts[e.Name] = api.ExpertOut{Dist: api.Dist{Label: -1}}
		}
	}
	return out
}

func levels(q []uint8) []float32 {
	x := make([]float32, len(q))
	for i, v := range q {
		x[i] = features.Level(v)
	}
	return x
}

// generated returns deterministic inputs in [0,1] (multiples of 1/255, like
// real features).
func generated(n, sample, modality int) []float32 {
	x := make([]float32, n)
	s := uint32(2654435761*uint32(sample+1) + 40503*uint32(modality+1))
	for i := range x {
		s ^= s << 13
		s ^= s >> 17
		s ^= s << 5
		x[i] = features.Level(uint8(s >> 24))
	}
	return x
}

// canvas draws a dark "7"-like stroke on a white canvas (RGBA bytes).
func canvas(w, h int) (int, int, []byte) {
	b := make([]byte, 4*w*h)
	for i := range b {
		b[i] = 255
	}
	dot := func(x, y int) {
		for dy := -3; dy <= 3; dy++ {
			for dx := -3; dx <= 3; dx++ {
				px, py := x+dx, y+dy
				if px >= 0 && py >= 0 && px < w && py < h && dx*dx+dy*dy <= 9 {
					o := 4 * (py*w + px)
					b[o], b[o+1], b[o+2] = 20, 20, 30
				}
			}
		}
	}
	for x := 35; x < 85; x++ {
		dot(x, 20)
	}
	for t := 0; t < 60; t++ {
		dot(85-t/2, 20+t)
	}
	return w, h, b
}
