package onnx

import (
	"errors"
	"math"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/i2m2-wasm/i2m2/model"
)

// tiny builds a ModelProto with the exporter's encoders: input x [N,2,4,4],
// a 1x1 conv "c" (weights W, bias B) available as initializers, the given
// nodes, a final Gemm "fc" from tensor `last` to 3 classes (weights F [3][feat]),
// and output y.
func tiny(nodes [][]byte, last string, feat int, extra ...[]byte) []byte {
	w := make([]float32, 2*2)
	for i := range w {
		w[i] = float32(i+1) / 4
	}
	return tinyW(w, nodes, last, feat, extra...)
}

// tinyW is tiny with the conv weights W given.
func tinyW(w []float32, nodes [][]byte, last string, feat int, extra ...[]byte) []byte {
	out := "y"
	if len(extra) > 0 { // the extra nodes end in y2
		out = "y2"
	}
	g := &graph{}
	g.inputs = append(g.inputs, valueInfo("x", "N", 2, 4, 4))
	g.init("W", w, 2, 2, 1, 1)
	g.init("B", []float32{0.5, -0.5}, 2)
	f := make([]float32, 3*feat)
	for i := range f {
		f[i] = float32(i%7-3) / 10
	}
	g.init("F", f, 3, feat)
	g.nodes = append(g.nodes, nodes...)
	g.nodes = append(g.nodes, node("Gemm", "fc", []string{last, "F"}, []string{"y"}, intAttr("transB", 1)))
	g.nodes = append(g.nodes, extra...)
	g.outputs = append(g.outputs, valueInfo(out, "N", 3))
	var b []byte
	b = protowire.AppendTag(b, 1, protowire.VarintType)
	b = protowire.AppendVarint(b, IRVersion)
	b = appendMessage(b, 8, opsetID("", 13))
	return appendMessage(b, 7, g.marshal("t"))
}

// TestBiasFirst: MatMul then Add(b, x) (the bias first) is the same dense layer as Add(x, b).
func TestBiasFirst(t *testing.T) {
	flat := node("Flatten", "f", []string{"x"}, []string{"xf"}, intAttr("axis", 1))
	for _, in := range [][]string{{"mm", "F"}, {"F", "mm"}} {
		g := &graph{}
		g.inputs = append(g.inputs, valueInfo("x", "N", 2, 4, 4))
		m := make([]float32, 32*3)
		for j := range m {
			m[j] = float32(j%5-2) / 7
		}
		g.init("M", m, 32, 3)
		g.init("F", []float32{0.25, -1, 2}, 3)
		g.nodes = append(g.nodes, flat, node("MatMul", "m", []string{"xf", "M"}, []string{"mm"}), node("Add", "a", in, []string{"y"}))
		g.outputs = append(g.outputs, valueInfo("y", "N", 3))
		b := protowire.AppendVarint(protowire.AppendTag(nil, 1, protowire.VarintType), IRVersion)
		b = appendMessage(b, 8, opsetID("", 13))
		b = appendMessage(b, 7, g.marshal("t"))
		mod, err := importBytes(b, "")
		if err != nil {
			t.Fatalf("Add(%v): %v", in, err)
		}
		x := make([]float32, 32)
		for j := range x {
			x[j] = float32(j) / 32
		}
		r, err := mod.Predict(model.Reference, map[string][]float32{"e": x})
		if err != nil {
			t.Fatal(err)
		}
		got := r.Experts[0].Logits
		want := []float32{0.25, -1, 2} // b + x M
		for o := range want {
			for j := range x {
				want[o] += x[j] * m[j*3+o]
			}
		}
		if d := maxAbsDiff(got, want); d > 1e-5 {
			t.Fatalf("Add(%v): logits %v, want %v", in, got, want)
		}
	}
}

func importBytes(b []byte, out string) (*model.Model, error) {
	g, err := Decode(b)
	if err != nil {
		return nil, err
	}
	m, _, err := Import(Spec{Sources: []Source{{Expert: "e", Graph: g, Output: out}}})
	return m, err
}

func TestGraphShapes(t *testing.T) {
	conv := node("Conv", "c", []string{"x", "W", "B"}, []string{"h"}, intsAttr("kernel_shape", 1, 1))
	flat := node("Flatten", "f", []string{"h"}, []string{"hf"}, intAttr("axis", 1))
	withDomain := append(node("Relu", "r", []string{"h"}, []string{"hr"}), appendString(nil, 7, "com.example")...)
	for _, tc := range []struct {
		name  string
		b     []byte
		out   string
		isErr error
		want  string
	}{
		{"ok", tiny([][]byte{conv, flat}, "hf", 32), "", nil, ""},
		{"cycle", tiny([][]byte{node("Relu", "a", []string{"q"}, []string{"p"}), node("Relu", "b", []string{"p"}, []string{"q"})}, "p", 32),
			"", ErrMalformed, "cycle"},
		{"unknown tensor", tiny([][]byte{node("Flatten", "f", []string{"nope"}, []string{"hf"})}, "hf", 32), "", ErrMalformed, `"nope"`},
		{"custom domain", tiny([][]byte{conv, withDomain, node("Flatten", "f", []string{"hr"}, []string{"hf"})}, "hf", 32),
			"", ErrUnsupported, "custom op domain com.example"},
		{"pad before maxpool", tiny([][]byte{
			node("Pad", "p", []string{"x"}, []string{"xp"}, intsAttr("pads", 0, 0, 1, 1, 0, 0, 1, 1)),
			node("MaxPool", "mp", []string{"xp"}, []string{"h"}, intsAttr("kernel_shape", 2, 2), intsAttr("strides", 2, 2)), flat}, "hf", 18),
			"", ErrUnsupported, `node "p" (Pad)`},
		{"reshape not a flatten", tiny([][]byte{conv, node("Constant", "k", nil, []string{"s"}, intsAttr("value_ints", 0, 4, -1)),
			node("Reshape", "rs", []string{"h", "s"}, []string{"hf"})}, "hf", 32), "", ErrUnsupported, "x.view(x.size(0), -1)"},
		{"squeeze of the batch", tiny([][]byte{conv, node("Squeeze", "sq", []string{"h"}, []string{"hf"}, intsAttr("axes", 0))}, "hf", 32),
			"", ErrUnsupported, "squeezes the batch axis"},
		{"weights computed from the input", tiny([][]byte{node("Conv", "c", []string{"x", "x"}, []string{"h"}), flat}, "hf", 32),
			"", ErrUnsupported, "input 1 is computed from the model inputs"},
		{"unknown attribute", tiny([][]byte{node("Conv", "c", []string{"x", "W", "B"}, []string{"h"}, intAttr("frobnicate", 1)), flat}, "hf", 32),
			"", ErrUnsupported, "attribute frobnicate"},
		{"NaN weight", tinyW([]float32{1, float32(math.NaN()), 0, 1}, [][]byte{conv, flat}, "hf", 32), "", model.ErrFormat, "non-finite"},
		{"average excluding padding", tiny([][]byte{node("AveragePool", "ap", []string{"x"}, []string{"h"}, intsAttr("kernel_shape", 3, 3),
			intsAttr("pads", 1, 1, 1, 1)), flat}, "hf", 32), "", ErrUnsupported, "count_include_pad=True"},
		{"missing output", tiny([][]byte{conv, flat}, "hf", 32), "zz", ErrUnsupported, `no graph output "zz"`},
		{"no dense at the end", tiny([][]byte{conv, flat}, "hf", 32, node("Relu", "r2", []string{"y"}, []string{"y2"})), "", ErrUnsupported, "Gemm or MatMul+Add"},
	} {
		m, err := importBytes(tc.b, tc.out)
		if tc.isErr == nil {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
			} else if len(m.Experts[0].Branches[0]) != 2 || m.Modalities[0].Shape != (model.Shape{2, 4, 4}) {
				t.Errorf("%s: %+v", tc.name, m.Experts[0])
			}
			continue
		}
		if !errors.Is(err, tc.isErr) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err %v, want %v containing %q", tc.name, err, tc.isErr, tc.want)
		}
	}
}
