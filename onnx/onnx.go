// Package onnx writes an I2M2 model (package model) as an ONNX model, so that
// the same float32 network can run in onnxruntime and be compared with ours,
// and imports experts exported to ONNX elsewhere (PyTorch) into an I2M2 model
// (Decode and Import, import.go; the ops it reads are listed in fold.go).
//
// The protobuf is hand-encoded with protowire; field numbers are those of
// onnx/onnx.proto (github.com/onnx/onnx, IR version 8, opset 17). The graph
// uses Conv, Relu, MaxPool, AveragePool, GlobalAveragePool, Flatten, Gemm,
// Concat, Add and LogSoftmax only, with a symbolic batch dimension "N".
//
// Inputs: one per modality, named after it, float32 [N, C, H, W].
// Outputs, all float32 [N, classes]:
//
//	log_probs         log_softmax(sum of every expert's logits): the I2M2
//	                  product of experts (docs/i2m2-paper.md, the reference code's
//	                  loss)
//	logits_<expert>   each expert's raw logits
//	intra_log_probs   log_softmax(sum of the intra experts' logits), present
//	                  when the model has at least one intra expert
//
// An int8 model is exported with its dequantised float32 weights.
package onnx

import (
	"encoding/binary"
	"fmt"
	"math"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/i2m2-wasm/i2m2/model"
)

// Versions written into the model.
const (
	IRVersion = 8  // ONNX 1.12+
	Opset     = 17 // supported by onnxruntime-web 1.30
	BatchDim  = "N"
)

// ONNX enum values (onnx.proto).
const (
	tensorFloat = 1 // TensorProto.DataType FLOAT

	attrFloat = 1 // AttributeProto.AttributeType
	attrInt   = 2
	attrInts  = 7
)

// Export returns m as a serialised ONNX ModelProto. The model must validate.
func Export(m *model.Model) ([]byte, error) {
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("onnx: %w", err)
	}
	g := &graph{}
	for _, md := range m.Modalities {
		g.inputs = append(g.inputs, valueInfo(md.Name, BatchDim, md.Shape[0], md.Shape[1], md.Shape[2]))
	}
	k := len(m.Classes)
	var all, intra []string
	for ei := range m.Experts {
		e := &m.Experts[ei]
		var feats []string
		for bi, br := range e.Branches {
			prefix := fmt.Sprintf("%s.%s", e.Name, e.Inputs[bi])
			x, rank := g.layers(prefix, br, e.Inputs[bi], 4)
			if rank == 4 {
				x = g.node("Flatten", prefix+".flat", []string{x}, intAttr("axis", 1))
			}
			feats = append(feats, x)
		}
		x := feats[0]
		if len(feats) > 1 {
			x = g.node("Concat", e.Name+".concat", feats, intAttr("axis", 1))
		}
		x, _ = g.layers(e.Name+".head", e.Head, x, 2)
		logits := "logits_" + e.Name
		g.nodes = append(g.nodes, node("Identity", e.Name+".logits", []string{x}, []string{logits}))
		g.outputs = append(g.outputs, valueInfo(logits, BatchDim, k))
		all = append(all, logits)
		if len(e.Inputs) == 1 {
			intra = append(intra, logits)
		}
	}
	g.product("log_probs", all, k)
	if len(intra) > 0 {
		g.product("intra_log_probs", intra, k)
	}

	var b []byte
	b = protowire.AppendTag(b, 1, protowire.VarintType) // ir_version
	b = protowire.AppendVarint(b, IRVersion)
	b = appendString(b, 2, "i2m2") // producer_name
	b = appendString(b, 3, "github.com/i2m2-wasm/i2m2/onnx")
	b = appendMessage(b, 8, opsetID("", Opset)) // opset_import
	b = appendString(b, 6, fmt.Sprintf("I2M2 model %q (%s weights exported as float32), sha256 %s", m.Name, m.Quantization, m.Digest))
	b = appendMessage(b, 7, g.marshal(m.Name))
	return b, nil
}

type graph struct {
	nodes, inits, inputs, outputs [][]byte
}

// node appends a single-output node and returns its output name.
func (g *graph) node(op, name string, in []string, attrs ...[]byte) string {
	g.nodes = append(g.nodes, node(op, name, in, []string{name}, attrs...))
	return name
}

// layers appends ls applied to x (rank 4 for [N,C,H,W] or 2 for [N,F]) and
// returns the last output and its rank.
func (g *graph) layers(prefix string, ls []model.Layer, x string, rank int) (string, int) {
	for i := range ls {
		l := &ls[i]
		name := fmt.Sprintf("%s.%d.%s", prefix, i, l.Kind)
		switch l.Kind {
		case model.Conv2D:
			w := g.init(name+".W", l.W, l.OutC, l.InC, l.KH, l.KW)
			bias := g.init(name+".B", l.B, l.OutC)
			p := int64(l.Pad)
			x = g.node("Conv", name, []string{x, w, bias},
				intsAttr("kernel_shape", int64(l.KH), int64(l.KW)),
				intsAttr("strides", int64(l.Stride), int64(l.Stride)),
				intsAttr("pads", p, p, p, p))
		case model.ReLU:
			x = g.node("Relu", name, []string{x})
		case model.MaxPool2D:
			x = g.node("MaxPool", name, []string{x}, // ceil_mode 0 = floor, as ours
				intsAttr("kernel_shape", int64(l.KH), int64(l.KW)),
				intsAttr("strides", int64(l.Stride), int64(l.Stride)))
		case model.AvgPool2D: // zero padding counted in the divisor, as ours
			p := int64(l.Pad)
			x = g.node("AveragePool", name, []string{x},
				intsAttr("kernel_shape", int64(l.KH), int64(l.KW)),
				intsAttr("strides", int64(l.Stride), int64(l.Stride)),
				intsAttr("pads", p, p, p, p), intAttr("count_include_pad", 1))
		case model.GlobalAvgPool:
			x = g.node("GlobalAveragePool", name, []string{x})
		case model.Flatten:
			if rank == 4 {
				x = g.node("Flatten", name, []string{x}, intAttr("axis", 1))
				rank = 2
			}
		case model.Dense:
			if rank == 4 { // ours reads the map as a flat buffer
				x = g.node("Flatten", name+".flat", []string{x}, intAttr("axis", 1))
				rank = 2
			}
			w := g.init(name+".W", l.W, l.Out, l.In)
			bias := g.init(name+".B", l.B, l.Out)
			// Gemm: Y = alpha A B^T + beta C with transB = 1 (W is [Out][In]).
			x = g.node("Gemm", name, []string{x, w, bias}, floatAttr("alpha", 1), floatAttr("beta", 1), intAttr("transB", 1))
		}
	}
	return x, rank
}

// product appends out = LogSoftmax(sum of logits) over the class axis.
func (g *graph) product(out string, logits []string, k int) {
	s := logits[0]
	for i := 1; i < len(logits); i++ {
		s = g.node("Add", fmt.Sprintf("%s.sum%d", out, i), []string{s, logits[i]})
	}
	g.nodes = append(g.nodes, node("LogSoftmax", out, []string{s}, []string{out}, intAttr("axis", 1)))
	g.outputs = append(g.outputs, valueInfo(out, BatchDim, k))
}

// init adds a float32 initializer and returns its name.
func (g *graph) init(name string, v []float32, dims ...int) string {
	var t []byte
	for _, d := range dims {
		t = protowire.AppendTag(t, 1, protowire.VarintType) // dims
		t = protowire.AppendVarint(t, uint64(d))
	}
	t = protowire.AppendTag(t, 2, protowire.VarintType) // data_type
	t = protowire.AppendVarint(t, tensorFloat)
	t = appendString(t, 8, name)
	raw := make([]byte, 4*len(v))
	for i, f := range v {
		binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(f))
	}
	t = protowire.AppendTag(t, 9, protowire.BytesType) // raw_data, little-endian
	t = protowire.AppendBytes(t, raw)
	g.inits = append(g.inits, t)
	return name
}

func (g *graph) marshal(name string) []byte {
	var b []byte
	for _, n := range g.nodes {
		b = appendMessage(b, 1, n) // node
	}
	b = appendString(b, 2, name)
	for _, t := range g.inits {
		b = appendMessage(b, 5, t) // initializer
	}
	for _, v := range g.inputs {
		b = appendMessage(b, 11, v) // input
	}
	for _, v := range g.outputs {
		b = appendMessage(b, 12, v) // output
	}
	return b
}

// node encodes a NodeProto.
func node(op, name string, in, out []string, attrs ...[]byte) []byte {
	var b []byte
	for _, s := range in {
		b = appendString(b, 1, s)
	}
	for _, s := range out {
		b = appendString(b, 2, s)
	}
	b = appendString(b, 3, name)
	b = appendString(b, 4, op)
	for _, a := range attrs {
		b = appendMessage(b, 5, a)
	}
	return b
}

// valueInfo encodes a float32 tensor ValueInfoProto; dims are int (fixed) or
// string (symbolic).
func valueInfo(name string, dims ...any) []byte {
	var shape []byte
	for _, d := range dims {
		var dim []byte
		switch d := d.(type) {
		case int:
			dim = protowire.AppendTag(dim, 1, protowire.VarintType) // dim_value
			dim = protowire.AppendVarint(dim, uint64(d))
		case string:
			dim = appendString(dim, 2, d) // dim_param
		}
		shape = appendMessage(shape, 1, dim)
	}
	var tt []byte
	tt = protowire.AppendTag(tt, 1, protowire.VarintType) // elem_type
	tt = protowire.AppendVarint(tt, tensorFloat)
	tt = appendMessage(tt, 2, shape)
	var typ []byte
	typ = appendMessage(typ, 1, tt) // tensor_type
	var b []byte
	b = appendString(b, 1, name)
	return appendMessage(b, 2, typ)
}

func opsetID(domain string, v int64) []byte {
	var b []byte
	b = appendString(b, 1, domain)
	b = protowire.AppendTag(b, 2, protowire.VarintType)
	return protowire.AppendVarint(b, uint64(v))
}

func intAttr(name string, v int64) []byte {
	b := appendString(nil, 1, name)
	b = protowire.AppendTag(b, 3, protowire.VarintType) // i
	b = protowire.AppendVarint(b, uint64(v))
	b = protowire.AppendTag(b, 20, protowire.VarintType) // type
	return protowire.AppendVarint(b, attrInt)
}

func floatAttr(name string, v float32) []byte {
	b := appendString(nil, 1, name)
	b = protowire.AppendTag(b, 2, protowire.Fixed32Type) // f
	b = protowire.AppendFixed32(b, math.Float32bits(v))
	b = protowire.AppendTag(b, 20, protowire.VarintType)
	return protowire.AppendVarint(b, attrFloat)
}

func intsAttr(name string, v ...int64) []byte {
	b := appendString(nil, 1, name)
	for _, x := range v {
		b = protowire.AppendTag(b, 8, protowire.VarintType) // ints, unpacked
		b = protowire.AppendVarint(b, uint64(x))
	}
	b = protowire.AppendTag(b, 20, protowire.VarintType)
	return protowire.AppendVarint(b, attrInts)
}

func appendString(b []byte, num protowire.Number, s string) []byte {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendString(b, s)
}

func appendMessage(b []byte, num protowire.Number, m []byte) []byte {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendBytes(b, m)
}
