package onnx

import (
	"encoding/binary"
	"errors"
	"math"
	"slices"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/i2m2-wasm/i2m2/model"
	"github.com/i2m2-wasm/i2m2/model/arch"
	"github.com/i2m2-wasm/i2m2/model/quant"
)

// msg is a decoded protobuf message: field number -> raw values in order
// (varints as uint64, bytes as []byte, fixed32 as uint32).
type msg map[protowire.Number][]any

func parse(t *testing.T, b []byte) msg {
	t.Helper()
	m := msg{}
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			t.Fatalf("bad tag: %v", protowire.ParseError(n))
		}
		b = b[n:]
		var v any
		switch typ {
		case protowire.VarintType:
			v, n = protowire.ConsumeVarint(b)
		case protowire.BytesType:
			v, n = protowire.ConsumeBytes(b)
		case protowire.Fixed32Type:
			v, n = protowire.ConsumeFixed32(b)
		default:
			t.Fatalf("field %d: unexpected wire type %d", num, typ)
		}
		if n < 0 {
			t.Fatalf("field %d: %v", num, protowire.ParseError(n))
		}
		m[num] = append(m[num], v)
		b = b[n:]
	}
	return m
}

func (m msg) str(num protowire.Number) string {
	if len(m[num]) == 0 {
		return ""
	}
	return string(m[num][0].([]byte))
}

func (m msg) strs(num protowire.Number) []string {
	var s []string
	for _, v := range m[num] {
		s = append(s, string(v.([]byte)))
	}
	return s
}

func (m msg) varint(num protowire.Number) uint64 {
	if len(m[num]) == 0 {
		return 0
	}
	return m[num][0].(uint64)
}

func (m msg) subs(t *testing.T, num protowire.Number) []msg {
	var out []msg
	for _, v := range m[num] {
		out = append(out, parse(t, v.([]byte)))
	}
	return out
}

func avmnist(t *testing.T) *model.Model {
	t.Helper()
	m, err := arch.AVMNIST(40, 40, 4).Build()
	if err != nil {
		t.Fatal(err)
	}
	arch.InitRandom(m, 7)
	return m
}

// dims decodes a ValueInfoProto's tensor shape: ints for dim_value, strings
// for dim_param.
func dims(t *testing.T, vi msg) []any {
	tt := vi.subs(t, 2)[0].subs(t, 1)[0]
	if tt.varint(1) != tensorFloat {
		t.Errorf("%s: elem_type %d, want float", vi.str(1), tt.varint(1))
	}
	var out []any
	for _, d := range tt.subs(t, 2)[0].subs(t, 1) {
		if p := d.str(2); p != "" {
			out = append(out, p)
		} else {
			out = append(out, int(d.varint(1)))
		}
	}
	return out
}

func TestExportStructure(t *testing.T) {
	m := avmnist(t)
	b, err := Export(m)
	if err != nil {
		t.Fatal(err)
	}
	mp := parse(t, b)
	if v := mp.varint(1); v != IRVersion {
		t.Errorf("ir_version %d, want %d", v, IRVersion)
	}
	ops := mp.subs(t, 8)
	if len(ops) != 1 || ops[0].str(1) != "" || ops[0].varint(2) != Opset {
		t.Errorf("opset_import %v, want default domain %d", ops, Opset)
	}
	g := mp.subs(t, 7)[0]

	// Inputs: one per modality, [N, C, H, W] with a symbolic batch.
	ins := g.subs(t, 11)
	if len(ins) != 2 {
		t.Fatalf("%d inputs, want 2", len(ins))
	}
	for i, want := range []struct {
		name string
		dims []any
	}{{"image", []any{"N", 1, 28, 28}}, {"audio", []any{"N", 1, 40, 40}}} {
		if ins[i].str(1) != want.name || !slices.Equal(dims(t, ins[i]), want.dims) {
			t.Errorf("input %d: %s %v, want %s %v", i, ins[i].str(1), dims(t, ins[i]), want.name, want.dims)
		}
	}
	var outs []string
	for _, o := range g.subs(t, 12) {
		outs = append(outs, o.str(1))
		if d := dims(t, o); !slices.Equal(d, []any{"N", 10}) {
			t.Errorf("output %s dims %v", o.str(1), d)
		}
	}
	wantOuts := []string{"logits_image", "logits_audio", "logits_inter", "log_probs", "intra_log_probs"}
	if !slices.Equal(outs, wantOuts) {
		t.Errorf("outputs %v, want %v", outs, wantOuts)
	}

	// Initializers: every weight and bias, in model order, bit for bit.
	var want [][]float32
	var wantDims [][]uint64
	for _, e := range m.Experts {
		var ls []model.Layer
		for _, br := range e.Branches {
			ls = append(ls, br...)
		}
		for _, l := range append(ls, e.Head...) {
			switch l.Kind {
			case model.Conv2D:
				want = append(want, l.W, l.B)
				wantDims = append(wantDims, []uint64{uint64(l.OutC), uint64(l.InC), uint64(l.KH), uint64(l.KW)}, []uint64{uint64(l.OutC)})
			case model.Dense:
				want = append(want, l.W, l.B)
				wantDims = append(wantDims, []uint64{uint64(l.Out), uint64(l.In)}, []uint64{uint64(l.Out)})
			}
		}
	}
	inits := g.subs(t, 5)
	if len(inits) != len(want) {
		t.Fatalf("%d initializers, want %d", len(inits), len(want))
	}
	known := map[string]bool{"image": true, "audio": true}
	for i, in := range inits {
		known[in.str(8)] = true
		if in.varint(2) != tensorFloat {
			t.Errorf("initializer %s: data_type %d", in.str(8), in.varint(2))
		}
		var d []uint64
		for _, v := range in[1] {
			d = append(d, v.(uint64))
		}
		if !slices.Equal(d, wantDims[i]) {
			t.Errorf("initializer %s: dims %v, want %v", in.str(8), d, wantDims[i])
		}
		raw := in[9][0].([]byte)
		if len(raw) != 4*len(want[i]) {
			t.Fatalf("initializer %s: %d bytes, want %d", in.str(8), len(raw), 4*len(want[i]))
		}
		for j, w := range want[i] {
			if got := math.Float32frombits(binary.LittleEndian.Uint32(raw[4*j:])); got != w {
				t.Fatalf("initializer %s[%d] = %v, want %v", in.str(8), j, got, w)
			}
		}
	}

	// Nodes: only the documented operators, in topological order, each
	// input produced before use; every graph output produced.
	allowed := map[string]bool{"Conv": true, "Relu": true, "MaxPool": true, "Flatten": true, "Gemm": true, "Concat": true, "Add": true, "LogSoftmax": true, "Identity": true}
	count := map[string]int{}
	for _, n := range g.subs(t, 1) {
		op := n.str(4)
		if !allowed[op] {
			t.Errorf("node %s: operator %s", n.str(3), op)
		}
		count[op]++
		for _, in := range n.strs(1) {
			if !known[in] {
				t.Errorf("node %s (%s) reads %q before it is produced", n.str(3), op, in)
			}
		}
		for _, o := range n.strs(2) {
			known[o] = true
		}
		if op == "Conv" {
			attrs := map[string][]uint64{}
			for _, a := range n.subs(t, 5) {
				for _, v := range a[8] {
					attrs[a.str(1)] = append(attrs[a.str(1)], v.(uint64))
				}
			}
			if len(attrs["kernel_shape"]) != 2 || len(attrs["strides"]) != 2 || len(attrs["pads"]) != 4 {
				t.Errorf("node %s: conv attributes %v", n.str(3), attrs)
			}
		}
	}
	for _, o := range outs {
		if !known[o] {
			t.Errorf("output %s is never produced", o)
		}
	}
	// LeNet(1,3,3)+LeNet(1,3,4)+LeNet(1,6,3)+LeNet(1,6,4): 4+5+4+5 convs.
	if count["Conv"] != 18 || count["MaxPool"] != 18 || count["Gemm"] != 6 || count["Concat"] != 1 || count["LogSoftmax"] != 2 {
		t.Errorf("operator counts %v", count)
	}
}

func TestExportInt8UsesDequantisedWeights(t *testing.T) {
	m := avmnist(t)
	quant.Quantize(m)
	b, err := Export(m)
	if err != nil {
		t.Fatal(err)
	}
	g := parse(t, b).subs(t, 7)[0]
	first := g.subs(t, 5)[0][9][0].([]byte)
	l := m.Experts[0].Branches[0][0]
	q := l.Q.Dequantize()
	for j := range q {
		if got := math.Float32frombits(binary.LittleEndian.Uint32(first[4*j:])); got != q[j] {
			t.Fatalf("weight %d = %v, want dequantised %v", j, got, q[j])
		}
	}
}

func TestExportRejectsInvalidModel(t *testing.T) {
	m := avmnist(t)
	m.Experts[0].Head[0].W = m.Experts[0].Head[0].W[:5]
	if _, err := Export(m); !errors.Is(err, model.ErrFormat) {
		t.Fatalf("Export of a truncated weight: %v, want ErrShape", err)
	}
}

// A model without an intra expert has no intra_log_probs output.
func TestExportInterOnly(t *testing.T) {
	m := avmnist(t)
	m.Experts = m.Experts[2:]
	b, err := Export(m)
	if err != nil {
		t.Fatal(err)
	}
	var outs []string
	for _, o := range parse(t, b).subs(t, 7)[0].subs(t, 12) {
		outs = append(outs, o.str(1))
	}
	if !slices.Equal(outs, []string{"logits_inter", "log_probs"}) {
		t.Fatalf("outputs %v", outs)
	}
}
