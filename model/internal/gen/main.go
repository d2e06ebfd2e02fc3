// Command gen writes model/testdata: a tiny fixed I2M2 model (two modalities
// with small, non-square shapes, two intra experts and an inter expert) as a
// float32 and an int8 .i2m2 file, golden inputs, and the golden outputs of
// every prediction path (every expert's logits and distribution, the
// intra-only product and the I2M2 product) as JSON.
//
// Run from the repository root:
//
//	go run ./model/internal/gen            # rewrite model/testdata
//	go run ./model/internal/gen -check     # fail if the files would change
//
// The output is deterministic (fixed seeds, no timestamps). Regenerate it only
// when the format or a kernel's arithmetic changes on purpose, and say so in
// the commit.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/i2m2-wasm/i2m2/model"
	"github.com/i2m2-wasm/i2m2/model/arch"
	"github.com/i2m2-wasm/i2m2/model/internal/golden"
	"github.com/i2m2-wasm/i2m2/model/quant"
)

func main() {
	out := flag.String("out", "model/testdata", "output directory")
	check := flag.Bool("check", false, "compare with the existing files instead of writing")
	flag.Parse()
	files, err := generate()
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	bad := false
	for _, f := range files {
		p := filepath.Join(*out, f.name)
		if *check {
			old, err := os.ReadFile(p)
			if err != nil || !bytes.Equal(old, f.data) {
				fmt.Fprintf(os.Stderr, "gen: %s differs from what the generator writes\n", p)
				bad = true
			}
			continue
		}
		if err := os.WriteFile(p, f.data, 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "gen:", err)
			os.Exit(1)
		}
		fmt.Printf("wrote %s (%d bytes)\n", p, len(f.data))
	}
	if bad {
		os.Exit(1)
	}
}

type file struct {
	name string
	data []byte
}

// Tiny builds the fixed test model: modality "a" [1,6,6] and "b" [2,5,7],
// three classes. It exercises padding, stride 2, non-square kernels, a 3x3
// stride-1 pool, a branch without pooling and an odd-sized concatenation.
func Tiny() *model.Model {
	conv := func(in, out, kh, kw, s, p int) model.Layer {
		return model.Layer{Kind: model.Conv2D, InC: in, OutC: out, KH: kh, KW: kw, Stride: s, Pad: p}
	}
	dense := func(in, out int) model.Layer { return model.Layer{Kind: model.Dense, In: in, Out: out} }
	relu := model.Layer{Kind: model.ReLU}
	flat := model.Layer{Kind: model.Flatten}
	pool := func(k, s int) model.Layer { return model.Layer{Kind: model.MaxPool2D, KH: k, KW: k, Stride: s} }
	m := &model.Model{
		Name:       "tiny",
		Modalities: []model.Modality{{Name: "a", Shape: model.Shape{1, 6, 6}}, {Name: "b", Shape: model.Shape{2, 5, 7}}},
		Classes:    []string{"x", "y", "z"},
		Experts: []model.Expert{
			{Name: "a", Inputs: []string{"a"},
				Branches: [][]model.Layer{{conv(1, 2, 3, 3, 1, 1), relu, pool(2, 2), flat}}, // [2,3,3] = 18
				Head:     []model.Layer{dense(18, 5), relu, dense(5, 3)}},
			{Name: "b", Inputs: []string{"b"},
				Branches: [][]model.Layer{{conv(2, 3, 3, 2, 2, 1), relu, pool(3, 1), flat}}, // [3,3,4] -> [3,1,2] = 6
				Head:     []model.Layer{dense(6, 3)}},
			{Name: "inter", Inputs: []string{"a", "b"},
				Branches: [][]model.Layer{
					{conv(1, 2, 3, 3, 1, 1), relu, pool(2, 2), flat}, // 18
					{conv(2, 2, 3, 3, 1, 0), relu, flat},             // [2,3,5] = 30
				},
				Head: []model.Layer{dense(48, 4), relu, dense(4, 3)}},
		},
		Provenance: model.Provenance{Data: "none (random weights)", Seed: 7, Created: "model/internal/gen", Metrics: map[string]float64{"none": 0}},
	}
	for ei := range m.Experts {
		e := &m.Experts[ei]
		for _, ls := range append(append([][]model.Layer{}, e.Branches...), e.Head) {
			for li := range ls {
				if l := &ls[li]; l.Kind == model.Conv2D || l.Kind == model.Dense {
					l.W = make([]float32, l.Rows()*l.Cols())
					l.B = make([]float32, l.Rows())
				}
			}
		}
	}
	if err := arch.InitRandom(m, 7); err != nil {
		panic(err) // a fixed architecture: a bug
	}
	return m
}

func dist(d model.Dist) golden.Dist {
	return golden.Dist{Label: d.Label, Probs: append([]float32(nil), d.Probs...), LogProbs: append([]float32(nil), d.LogProbs...)}
}

func generate() ([]file, error) {
	f32 := Tiny()
	b32, err := f32.MarshalBinary()
	if err != nil {
		return nil, err
	}
	q := Tiny()
	if _, err := quant.Quantize(q); err != nil {
		return nil, err
	}
	b8, err := q.MarshalBinary()
	if err != nil {
		return nil, err
	}
	r := rand.New(rand.NewPCG(11, 13))
	rnd := func(n int) []float32 {
		x := make([]float32, n)
		for i := range x {
			x[i] = r.Float32()
		}
		return x
	}
	xa, xb := rnd(36), rnd(70)
	zeros := make([]float32, 70)
	g := golden.File{
		Comment: "written by go run ./model/internal/gen; outputs of model.Read(file).Predict(path, input)",
		Inputs: []golden.Input{
			{Name: "both", Data: map[string][]float32{"a": xa, "b": xb}},
			{Name: "only_a", Data: map[string][]float32{"a": xa}},
			{Name: "only_b", Data: map[string][]float32{"b": xb}},
			{Name: "zero_b", Data: map[string][]float32{"a": xa, "b": zeros}},
		},
	}
	for _, fb := range []struct {
		name  string
		data  []byte
		paths []model.Path
	}{
		{"tiny-f32.i2m2", b32, []model.Path{model.Reference, model.Fast}},
		{"tiny-int8.i2m2", b8, []model.Path{model.Reference, model.Fast, model.Quantized}},
	} {
		m, err := model.Read(fb.data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", fb.name, err)
		}
		for _, path := range fb.paths {
			for _, in := range g.Inputs {
				res, err := m.Predict(path, in.Data)
				if err != nil {
					return nil, fmt.Errorf("%s %s %s: %w", fb.name, path, in.Name, err)
				}
				o := golden.Output{File: fb.name, Path: path.String(), Input: in.Name, Used: append([]string{}, res.Used...), Product: dist(res.Dist)}
				if res.HasIntraOnly {
					d := dist(res.IntraOnly)
					o.IntraOnly = &d
				}
				for _, e := range res.Experts {
					o.Experts = append(o.Experts, golden.Expert{Name: e.Name, Used: e.Used, Logits: append([]float32(nil), e.Logits...), Dist: dist(e.Dist)})
				}
				g.Outputs = append(g.Outputs, o)
			}
		}
	}
	gj, err := json.MarshalIndent(g, "", " ")
	if err != nil {
		return nil, err
	}
	return []file{{"tiny-f32.i2m2", b32}, {"tiny-int8.i2m2", b8}, {"golden.json", append(gj, '\n')}}, nil
}
