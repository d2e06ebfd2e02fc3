// Command prep writes everything the browser benchmarks and the ONNX/tfjs
// parity tests need into one folder:
//
//	model-f32.i2m2, model-int8.i2m2  the shipped weights (weights/avmnist-tts-*.i2m2)
//	                                 or, while they do not exist, a random-weight
//	                                 stand-in of arch.AVMNIST(40, 40, 4) (meta.json says which)
//	model.onnx                       the float32 model as ONNX (package onnx)
//	tfjs.json, tfjs.bin              the float32 graph and weights for bench/web/tfjs.mjs
//	cases.json                       fixed inputs and the Go engine's outputs (float32 Fast path)
//	meta.json                        model source, MACs, sizes
//
// Usage: go run ./bench/prep -out build/bench
package main

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"

	"github.com/i2m2-wasm/i2m2/dataset"
	"github.com/i2m2-wasm/i2m2/model"
	"github.com/i2m2-wasm/i2m2/model/arch"
	"github.com/i2m2-wasm/i2m2/model/quant"
	"github.com/i2m2-wasm/i2m2/onnx"
)

func main() {
	out := flag.String("out", "build/bench", "output folder")
	weights := flag.String("weights", "weights", "folder with avmnist-tts-f32.i2m2 and avmnist-tts-int8.i2m2")
	ncases := flag.Int("cases", 8, "number of synthetic fixed test inputs")
	demo := flag.String("demo", "weights/demo/avmnist-tts-demo.bin", "demo set; its first 10 pairs are added to the cases when it exists")
	odd := flag.Bool("odd", false, "instead of the AV-MNIST model, a random model with unusual geometry (strides, no padding, 3x3 pooling, Dense on a map, 2-channel input) to test the exporters")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("prep: ")
	if *odd {
		*weights, *demo = "", ""
	}
	if err := run(*out, *weights, *demo, *ncases); err != nil {
		log.Fatal(err)
	}
}

type meta struct {
	Source     string   `json:"source"` // "shipped" or "random"
	Label      string   `json:"label"`
	MACs       int      `json:"macs"`
	F32Bytes   int      `json:"f32_bytes"`
	Int8Bytes  int      `json:"int8_bytes"`
	ONNXBytes  int      `json:"onnx_bytes"`
	TFJSBytes  int      `json:"tfjs_bin_bytes"`
	F32SHA256  string   `json:"f32_sha256"`
	Int8SHA256 string   `json:"int8_sha256"`
	Classes    []string `json:"classes"`
}

func run(out, weights, demo string, ncases int) error {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	var f32b, i8b []byte
	var err1, err2 error
	mt := meta{Source: "shipped", Label: "shipped weights (weights/avmnist-tts-*.i2m2)"}
	if weights == "" {
		mt.Source, mt.Label = "odd", "random weights, unusual geometry (bench/prep -odd)"
		var err error
		if f32b, i8b, err = models(oddModel); err != nil {
			return err
		}
	} else if f32b, err1 = os.ReadFile(filepath.Join(weights, "avmnist-tts-f32.i2m2")); err1 != nil {
	} else {
		i8b, err2 = os.ReadFile(filepath.Join(weights, "avmnist-tts-int8.i2m2"))
	}
	if weights != "" && (err1 != nil || err2 != nil) {
		log.Printf("no shipped weights in %s/ (%v); using random weights", weights, firstErr(err1, err2))
		mt.Source, mt.Label = "random", "random weights: arch.AVMNIST(40,40,4), InitRandom(1) (not trained)"
		var err error
		if f32b, i8b, err = models(avmnistModel); err != nil {
			return err
		}
	}
	m, err := model.Read(f32b)
	if err != nil {
		return fmt.Errorf("float32 model: %w", err)
	}
	if _, err := model.Read(i8b); err != nil {
		return fmt.Errorf("int8 model: %w", err)
	}
	ob, err := onnx.Export(m)
	if err != nil {
		return err
	}
	tj, tb := tfjsGraph(m)
	extra, err := demoInputs(demo, 10)
	if err != nil {
		return err
	}
	cases, err := makeCases(m, ncases, extra)
	if err != nil {
		return err
	}
	mt.MACs, mt.F32Bytes, mt.Int8Bytes, mt.ONNXBytes, mt.TFJSBytes = m.Describe(model.DefaultPath).MACs, len(f32b), len(i8b), len(ob), len(tb)
	mt.F32SHA256, mt.Int8SHA256, mt.Classes = sha(f32b), sha(i8b), m.Classes
	files := map[string][]byte{"model-f32.i2m2": f32b, "model-int8.i2m2": i8b, "model.onnx": ob, "tfjs.bin": tb}
	for name, v := range map[string]any{"tfjs.json": tj, "cases.json": cases, "meta.json": mt} {
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		files[name] = b
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(out, name), b, 0o644); err != nil {
			return err
		}
	}
	log.Printf("wrote %s/ (%s; %d MACs per sample; onnx %d bytes)", out, mt.Label, mt.MACs, len(ob))
	return nil
}

func firstErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

func sha(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

// avmnistModel is the labelled stand-in used until trained weights exist.
func avmnistModel() (*model.Model, error) {
	m, err := arch.AVMNIST(40, 40, 4).Build()
	if err != nil {
		return nil, err
	}
	arch.InitRandom(m, 1)
	m.Name = "avmnist-random"
	m.Provenance = model.Provenance{Data: "none: random weights for benchmarks", Seed: 1, Created: "bench/prep"}
	return m, nil
}

// oddModel exercises what LeNet does not: stride 2 without padding, unequal
// kernel sides, 3x3 pooling with stride 2, Dense straight on a map (no
// Flatten), a 2-channel modality and a two-layer branch.
func oddModel() (*model.Model, error) {
	conv := func(in, out, kh, kw, s, p int) model.Layer {
		return model.Layer{Kind: model.Conv2D, InC: in, OutC: out, KH: kh, KW: kw, Stride: s, Pad: p}
	}
	pool := func(k, s int) model.Layer { return model.Layer{Kind: model.MaxPool2D, KH: k, KW: k, Stride: s} }
	relu := model.Layer{Kind: model.ReLU}
	dense := func(in, out int) model.Layer { return model.Layer{Kind: model.Dense, In: in, Out: out} }
	// image [1,28,28]: conv 3x3 s2 p0 -> 13x13, pool 3 s2 -> 6x6 (x4 = 144)
	img := []model.Layer{conv(1, 4, 3, 3, 2, 0), relu, pool(3, 2)}
	// audio [2,20,30]: conv 5x3 s1 p1 -> 18x30, pool 2 s2 -> 9x15 (x3 = 405)
	aud := []model.Layer{conv(2, 3, 5, 3, 1, 1), relu, pool(2, 2), {Kind: model.Flatten}}
	cls := []string{"a", "b", "c", "d", "e", "f", "g"}
	m := &model.Model{
		Name:       "odd",
		Modalities: []model.Modality{{Name: "image", Shape: model.Shape{1, 28, 28}}, {Name: "audio", Shape: model.Shape{2, 20, 30}}},
		Classes:    cls,
		Experts: []model.Expert{
			{Name: "image", Inputs: []string{"image"}, Branches: [][]model.Layer{img}, Head: []model.Layer{dense(144, 16), relu, dense(16, 7)}},
			{Name: "audio", Inputs: []string{"audio"}, Branches: [][]model.Layer{aud}, Head: []model.Layer{dense(405, 7)}},
			{Name: "inter", Inputs: []string{"image", "audio"}, Branches: [][]model.Layer{slices.Clone(img), slices.Clone(aud)}, Head: []model.Layer{relu, dense(549, 7)}},
		},
	}
	for ei := range m.Experts {
		e := &m.Experts[ei]
		for _, ls := range append(e.Branches, e.Head) {
			for i := range ls {
				if l := &ls[i]; l.Kind == model.Conv2D || l.Kind == model.Dense {
					l.W, l.B = make([]float32, l.Rows()*l.Cols()), make([]float32, l.Rows())
				}
			}
		}
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	arch.InitRandom(m, 5)
	return m, nil
}

// models writes the float32 and int8 files of a model made by mk.
func models(mk func() (*model.Model, error)) (f32, i8 []byte, err error) {
	m, err := mk()
	if err != nil {
		return nil, nil, err
	}
	if f32, err = m.MarshalBinary(); err != nil {
		return nil, nil, err
	}
	q, err := mk()
	if err != nil {
		return nil, nil, err
	}
	quant.Quantize(q)
	i8, err = q.MarshalBinary()
	return f32, i8, err
}

// tfjs.json describes the graph; every weight is [offset, length] in float32
// elements of tfjs.bin, in the layout of package model (Conv2D [OutC][InC][KH][KW],
// Dense [Out][In]); bench/web/tfjs.mjs transposes them for tf.conv2d/matMul.
type tLayer struct {
	Kind                      string `json:"kind"`
	InC, OutC, KH, KW, Stride int    `json:"-"`
	Geom                      []int  `json:"geom,omitempty"` // conv: inC,outC,kh,kw,stride,pad; pool: kh,kw,stride; dense: in,out
	W                         [2]int `json:"w,omitzero"`
	B                         [2]int `json:"b,omitzero"`
}

type tExpert struct {
	Name     string     `json:"name"`
	Inputs   []string   `json:"inputs"`
	Intra    bool       `json:"intra"`
	Branches [][]tLayer `json:"branches"`
	Head     []tLayer   `json:"head"`
}

type tGraph struct {
	Modalities []struct {
		Name  string `json:"name"`
		Shape []int  `json:"shape"`
	} `json:"modalities"`
	Classes []string  `json:"classes"`
	Experts []tExpert `json:"experts"`
}

func tfjsGraph(m *model.Model) (tGraph, []byte) {
	var g tGraph
	var bin []byte
	put := func(v []float32) [2]int {
		off := len(bin) / 4
		for _, f := range v {
			bin = binary.LittleEndian.AppendUint32(bin, math.Float32bits(f))
		}
		return [2]int{off, len(v)}
	}
	conv := func(ls []model.Layer) []tLayer {
		out := make([]tLayer, 0, len(ls))
		for _, l := range ls {
			t := tLayer{Kind: l.Kind.String()}
			switch l.Kind {
			case model.Conv2D:
				t.Geom = []int{l.InC, l.OutC, l.KH, l.KW, l.Stride, l.Pad}
				t.W, t.B = put(l.W), put(l.B)
			case model.Dense:
				t.Geom = []int{l.In, l.Out}
				t.W, t.B = put(l.W), put(l.B)
			case model.MaxPool2D:
				t.Geom = []int{l.KH, l.KW, l.Stride}
			}
			out = append(out, t)
		}
		return out
	}
	for _, md := range m.Modalities {
		g.Modalities = append(g.Modalities, struct {
			Name  string `json:"name"`
			Shape []int  `json:"shape"`
		}{md.Name, md.Shape[:]})
	}
	g.Classes = m.Classes
	for _, e := range m.Experts {
		te := tExpert{Name: e.Name, Inputs: e.Inputs, Intra: (len(e.Inputs) == 1), Head: conv(e.Head)}
		for _, br := range e.Branches {
			te.Branches = append(te.Branches, conv(br))
		}
		g.Experts = append(g.Experts, te)
	}
	return g, bin
}

// cases.json: fixed inputs (deterministic, in [0,1], two with a smooth
// pattern, the rest uniform noise, then demo pairs when given) and what the Go engine's float32 Fast
// path returns for them.
type caseOut struct {
	Inputs        map[string][]float32 `json:"inputs"`
	LogProbs      []float32            `json:"log_probs"`
	Probs         []float32            `json:"probs"`
	IntraLogProbs []float32            `json:"intra_log_probs"`
	IntraProbs    []float32            `json:"intra_probs"`
	Label         int                  `json:"label"`
	Logits        map[string][]float32 `json:"logits"`
	ExpertProbs   map[string][]float32 `json:"expert_probs"`
}

// demoInputs returns the first n pairs of the demo set (dataset.ParseDemo), or
// none when the file does not exist.
func demoInputs(file string, n int) ([]map[string][]float32, error) {
	if file == "" {
		return nil, nil
	}
	b, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	d, err := dataset.ParseDemo(b)
	if err != nil {
		return nil, err
	}
	var out []map[string][]float32
	for i := 0; i < min(n, d.N); i++ {
		img, aud := make([]float32, 784), make([]float32, 1600)
		for j := range img {
			img[j] = float32(d.Images[i*784+j]) / 255
		}
		for j := range aud {
			aud[j] = float32(d.Audio[i*1600+j]) / 255
		}
		out = append(out, map[string][]float32{"image": img, "audio": aud})
	}
	return out, nil
}

func makeCases(m *model.Model, n int, extra []map[string][]float32) ([]caseOut, error) {
	r := rand.New(rand.NewPCG(42, 7))
	p, err := m.NewPredictor(model.Fast)
	if err != nil {
		return nil, err
	}
	res := m.NewResult()
	var out []caseOut
	for c := 0; c < n+len(extra); c++ {
		in := map[string][]float32{}
		if c >= n {
			in = extra[c-n]
		}
		for _, md := range m.Modalities {
			if c >= n {
				break
			}
			x := make([]float32, md.Shape.Size())
			for i := range x {
				if c < 2 {
					x[i] = float32(0.5 + 0.5*math.Sin(float64(i*(c+1))*0.05))
				} else {
					x[i] = r.Float32()
				}
			}
			in[md.Name] = x
		}
		if err := p.Predict(in, res); err != nil {
			return nil, err
		}
		co := caseOut{Inputs: in, LogProbs: clone(res.LogProbs), Probs: clone(res.Probs), Label: res.Label,
			IntraLogProbs: clone(res.IntraOnly.LogProbs), IntraProbs: clone(res.IntraOnly.Probs),
			Logits: map[string][]float32{}, ExpertProbs: map[string][]float32{}}
		for _, e := range res.Experts {
			co.Logits[e.Name] = clone(e.Logits)
			co.ExpertProbs[e.Name] = clone(e.Probs)
		}
		out = append(out, co)
	}
	return out, nil
}

func clone(v []float32) []float32 { return append([]float32(nil), v...) }
