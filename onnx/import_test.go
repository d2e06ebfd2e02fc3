package onnx

import (
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/i2m2-wasm/i2m2/internal/torchref"
	"github.com/i2m2-wasm/i2m2/model"
	"github.com/i2m2-wasm/i2m2/model/arch"
	"github.com/i2m2-wasm/i2m2/model/quant"
)

// Tolerances against PyTorch's outputs (scripts/onnx-fixtures/make.py).
const (
	// tolLogProbs: float32 log-probabilities, ours vs PyTorch's. Both sum in
	// float32 in different orders, and batch-norm is folded here.
	tolLogProbs = 1e-4
	// tolInt8Probs: probabilities of the int8 path (per-row int8 weights,
	// per-tensor int8 activations) vs PyTorch's float32 ones; the same bound
	// model/predict_test.go sets between its int8 and reference paths.
	tolInt8Probs = 3e-2
)

const dir = "testdata/import"

func decodeFile(t testing.TB, name string) *Model {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	m, err := Decode(b)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return m
}

func readJSON(t testing.TB, name string, v any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatal(err)
	}
}

// AVMNISTSpecs are the two ways to import the AV-MNIST fixtures: a graph
// per expert, and one graph with an output per expert.
func avmnistSpecs(t testing.TB, ref *torchref.AVMNIST) map[string]Spec {
	all := decodeFile(t, "avmnist-all.onnx")
	return map[string]Spec{
		"per-expert": {Classes: ref.Classes, Modalities: ref.Modalities, Sources: []Source{
			{Expert: "image", File: "avmnist-image.onnx", Graph: decodeFile(t, "avmnist-image.onnx")},
			{Expert: "audio", File: "avmnist-audio.onnx", Graph: decodeFile(t, "avmnist-audio.onnx")},
			{Expert: "inter", File: "avmnist-inter.onnx", Graph: decodeFile(t, "avmnist-inter.onnx"),
				Inputs: map[string]string{"img": "image", "aud": "audio"}},
		}},
		"one-graph": {Sources: []Source{
			{Expert: "image", File: "avmnist-all.onnx", Graph: all, Output: "logits_image"},
			{Expert: "audio", File: "avmnist-all.onnx", Graph: all, Output: "logits_audio"},
			{Expert: "inter", File: "avmnist-all.onnx", Graph: all, Output: "logits_inter"},
		}},
	}
}

func maxAbsDiff(a, b []float32) float64 {
	d := 0.0
	if len(a) != len(b) {
		return math.Inf(1)
	}
	for i := range a {
		d = math.Max(d, math.Abs(float64(a[i]-b[i])))
	}
	return d
}

func expLogs(lp []float32) []float32 {
	p := make([]float32, len(lp))
	for i, v := range lp {
		p[i] = float32(math.Exp(float64(v)))
	}
	return p
}

func TestAVMNISTParity(t *testing.T) {
	ref, err := torchref.Read(filepath.Join(dir, "avmnist.json"))
	if err != nil {
		t.Fatal(err)
	}
	for name, spec := range avmnistSpecs(t, ref) {
		m, notes, err := Import(spec)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(notes) == 0 || !strings.Contains(strings.Join(notes, "\n"), "LogSoftmax") {
			t.Errorf("%s: no notice of the removed LogSoftmax: %q", name, notes)
		}
		if got := m.Modalities; len(got) != 2 || got[0] != ref.Modalities[0] || got[1] != ref.Modalities[1] {
			t.Fatalf("%s: modalities %v, want %v", name, got, ref.Modalities)
		}
		// Through the file format, as the CLI writes it.
		b, err := m.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		if m, err = model.Read(b); err != nil {
			t.Fatal(err)
		}
		worst := map[string]float64{}
		check := func(path model.Path, what string, got, want []float32, tol float64, probs bool) {
			t.Helper()
			if probs {
				got, want = expLogs(got), expLogs(want)
			}
			d := maxAbsDiff(got, want)
			worst[path.String()] = math.Max(worst[path.String()], d)
			if d > tol {
				t.Errorf("%s %s %s: max diff %g > %g", name, path, what, d, tol)
			}
		}
		for _, path := range []model.Path{model.Reference, model.Fast} {
			for si, s := range ref.Samples {
				r, err := m.Predict(path, s.Inputs)
				if err != nil {
					t.Fatal(err)
				}
				for _, er := range r.Experts {
					check(path, "sample "+string(rune('0'+si))+" expert "+er.Name, er.LogProbs, s.Experts[er.Name], tolLogProbs, false)
				}
				check(path, "product", r.LogProbs, s.Product, tolLogProbs, false)
				check(path, "intra-only", r.IntraOnly.LogProbs, s.IntraOnly, tolLogProbs, false)
			}
		}
		st, err := quant.Quantize(m)
		if err != nil {
			t.Fatal(err)
		}
		maxW := float32(0)
		for _, s := range st {
			maxW = max(maxW, s.MaxAbs)
		}
		for si, s := range ref.Samples {
			r, err := m.Predict(model.Quantized, s.Inputs)
			if err != nil {
				t.Fatal(err)
			}
			for _, er := range r.Experts {
				check(model.Quantized, "sample "+string(rune('0'+si))+" expert "+er.Name, er.LogProbs, s.Experts[er.Name], tolInt8Probs, true)
			}
			check(model.Quantized, "product", r.LogProbs, s.Product, tolInt8Probs, true)
		}
		t.Logf("%s: max |log-prob diff| vs PyTorch: reference %.3g, float32 %.3g; int8 max |prob diff| %.3g (max int8 weight error %.3g)",
			name, worst["reference"], worst["float32"], worst["int8"], maxW)
	}
}

type opRef struct {
	Shape    []int                  `json:"shape"`
	Inputs   [][]float32            `json:"inputs"`
	Inputs2  map[string][][]float32 `json:"inputs2"`
	Shapes   map[string][]int       `json:"shapes"`
	LogProbs [][]float32            `json:"log_probs"`
	Ops      []string               `json:"ops"`
}

// TestOps imports each one-op fixture and compares with PyTorch.
func TestOps(t *testing.T) {
	var refs map[string]opRef
	readJSON(t, "ops.json", &refs)
	if len(refs) < 17 {
		t.Fatalf("ops.json has %d fixtures", len(refs))
	}
	for name, ref := range refs {
		g := decodeFile(t, "op-"+name+".onnx")
		m, _, err := Import(Spec{Sources: []Source{{Expert: "e", File: name, Graph: g}}})
		if err != nil {
			t.Errorf("%s (ops %v): %v", name, ref.Ops, err)
			continue
		}
		for i := range ref.LogProbs {
			in := map[string][]float32{}
			if ref.Inputs2 != nil {
				for k, v := range ref.Inputs2 {
					in[k] = v[i]
				}
			} else {
				in["e"] = ref.Inputs[i]
			}
			for _, path := range []model.Path{model.Reference, model.Fast} {
				r, err := m.Predict(path, in)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if d := maxAbsDiff(r.LogProbs, ref.LogProbs[i]); d > tolLogProbs {
					t.Errorf("%s %s sample %d: max log-prob diff %g > %g", name, path, i, d, tolLogProbs)
				}
			}
		}
	}
}

// TestRefused: graphs outside the supported set fail with an error naming
// the node, its op and the nearest supported form.
func TestRefused(t *testing.T) {
	var refs map[string]struct{ Op, Node string }
	readJSON(t, "refused.json", &refs)
	want := map[string]string{
		"conv-groups":    "groups=1",
		"conv-dilation":  "dilation 1",
		"conv-asym-pad":  "the same padding on all four sides",
		"sigmoid":        "Relu",
		"residual-add":   "no residual",
		"maxpool-ceil":   "ceil_mode=False",
		"softmax-middle": "trailing Softmax/LogSoftmax",
		"bn-after-relu":  "right after a Conv or Linear",
	}
	if len(refs) != len(want) {
		t.Fatalf("refused.json has %d fixtures, the test knows %d", len(refs), len(want))
	}
	for name, ref := range refs {
		g := decodeFile(t, "refuse-"+name+".onnx")
		_, _, err := Import(Spec{Sources: []Source{{Expert: "e", File: name, Graph: g}}})
		if !errors.Is(err, ErrUnsupported) {
			t.Errorf("%s: err %v, want ErrUnsupported", name, err)
			continue
		}
		msg := err.Error()
		for _, s := range []string{`node "` + ref.Node + `"`, "(" + ref.Op + ")", "nearest supported form", want[name]} {
			if !strings.Contains(msg, s) {
				t.Errorf("%s: error %q does not contain %q", name, msg, s)
			}
		}
		t.Logf("%s: %s", name, msg)
	}
}

// TestExportImportRoundTrip: our own export-onnx output imports back to
// the same model (every layer kind, including the pooling kinds the
// importer added), predicting the same logits.
func TestExportImportRoundTrip(t *testing.T) {
	m, err := arch.AVMNIST(40, 40, 4).Build()
	if err != nil {
		t.Fatal(err)
	}
	arch.InitRandom(m, 5)
	m.Experts[0].Branches[0][2] = model.Layer{Kind: model.AvgPool2D, KH: 3, KW: 3, Stride: 2, Pad: 1}
	m.Experts[1].Branches[0] = append(m.Experts[1].Branches[0][:len(m.Experts[1].Branches[0])-1], model.Layer{Kind: model.GlobalAvgPool}, model.Layer{Kind: model.Flatten})
	if err := m.Validate(); err != nil {
		t.Fatal(err)
	}
	b, err := Export(m)
	if err != nil {
		t.Fatal(err)
	}
	g, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	var srcs []Source
	for _, e := range m.Experts {
		srcs = append(srcs, Source{Expert: e.Name, Graph: g, Output: "logits_" + e.Name})
	}
	m2, _, err := Import(Spec{Classes: m.Classes, Modalities: m.Modalities, Sources: srcs})
	if err != nil {
		t.Fatal(err)
	}
	for i := range m.Experts {
		if got, want := len(m2.Experts[i].Branches[0]), len(m.Experts[i].Branches[0]); got != want {
			t.Errorf("expert %s: %d layers, want %d", m.Experts[i].Name, got, want)
		}
	}
	in := map[string][]float32{}
	for _, md := range m.Modalities {
		x := make([]float32, md.Shape.Size())
		for i := range x {
			x[i] = float32(i%13) / 12
		}
		in[md.Name] = x
	}
	r1, _ := m.Predict(model.Reference, in)
	r2, err := m2.Predict(model.Reference, in)
	if err != nil {
		t.Fatal(err)
	}
	for i := range r1.Experts {
		if d := maxAbsDiff(r1.Experts[i].Logits, r2.Experts[i].Logits); d != 0 {
			t.Errorf("expert %s: logits differ by %g", r1.Experts[i].Name, d)
		}
	}
}
