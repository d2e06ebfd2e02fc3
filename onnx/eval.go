package onnx

import (
	"fmt"
	"math"
	"slices"

	"github.com/i2m2-wasm/i2m2/model"
)

// The importer evaluates an ONNX graph symbolically, from the output of one
// expert back to the graph inputs: every tensor is either a constant
// (initializers and the shape arithmetic torch emits around Reshape, folded
// here) or data, a chain of I2M2 layers per graph input, concatenated once
// (late fusion), then a head. Anything the .i2m2 format cannot express is
// refused with the node, its op and the nearest supported form.

// value is a tensor of the graph: a constant or data.
type value struct {
	c *tensor
	d *data
}

// data is an activation: its per-sample shape ([C,H,W] for maps, [F] for
// vectors) and the layers that compute it from the graph inputs.
type data struct {
	shape    []int
	branches []branch // one per graph input; one until a Concat
	merged   bool     // after the Concat: layers go to head
	head     []model.Layer
	pad      *padding // a zero Pad waiting for the Conv or AveragePool that absorbs it
	op       string   // op of the node that made it, for folding BatchNormalization and Add
}

type branch struct {
	input  string // graph input name
	layers []model.Layer
}

type padding struct {
	node       string
	t, l, b, r int
}

// batchDim stands for the symbolic batch size in folded shape arithmetic.
const batchDim = math.MinInt64

type evaluator struct {
	g      *graphProto
	opset  int64
	prod   map[string]*nodeProto
	consts map[string]*tensor
	inputs map[string][]int // graph input -> per-sample shape
	memo   map[string]*value
	busy   map[string]bool
	bn     int // BatchNormalization nodes folded
}

func newEvaluator(m *Model, shapes map[string][]int) *evaluator {
	e := &evaluator{g: &m.graph, opset: m.Opset, prod: map[string]*nodeProto{}, consts: map[string]*tensor{},
		inputs: shapes, memo: map[string]*value{}, busy: map[string]bool{}}
	for _, t := range m.graph.inits {
		e.consts[t.name] = t
	}
	for _, n := range m.graph.nodes {
		for _, o := range n.out {
			if o != "" {
				e.prod[o] = n
			}
		}
	}
	return e
}

func nodeName(n *nodeProto) string {
	if n.name != "" {
		return n.name
	}
	if len(n.out) > 0 {
		return "(unnamed, output " + n.out[0] + ")"
	}
	return "(unnamed)"
}

func refuse(n *nodeProto, why, nearest string) error {
	return fmt.Errorf("%w: node %q (%s): %s; nearest supported form: %s", ErrUnsupported, nodeName(n), n.op, why, nearest)
}

// eval returns the value of tensor name.
func (e *evaluator) eval(name string) (*value, error) {
	if v, ok := e.memo[name]; ok {
		return v, nil
	}
	if t, ok := e.consts[name]; ok {
		return &value{c: t}, nil
	}
	if s, ok := e.inputs[name]; ok {
		return &value{d: &data{shape: s, branches: []branch{{input: name}}}}, nil
	}
	n := e.prod[name]
	if n == nil {
		return nil, fmt.Errorf("%w: tensor %q is neither a graph input, an initializer nor a node output", ErrMalformed, name)
	}
	if e.busy[name] {
		return nil, fmt.Errorf("%w: the graph has a cycle through node %q", ErrMalformed, nodeName(n))
	}
	e.busy[name] = true
	defer delete(e.busy, name)
	if n.domain != "" && n.domain != "ai.onnx" {
		return nil, refuse(n, "custom op domain "+n.domain, "the standard ONNX ops "+supportedOps)
	}
	if err := checkAttrs(n); err != nil {
		return nil, err
	}
	if n.out[0] != name {
		return nil, refuse(n, "its output "+name+" (not the first) is used", "a node whose only used output is the first")
	}
	args := make([]*value, len(n.in))
	for i, in := range n.in {
		if in == "" {
			continue
		}
		v, err := e.eval(in)
		if err != nil {
			return nil, err
		}
		args[i] = v
	}
	v, err := e.node(n, args)
	if err != nil {
		return nil, err
	}
	e.memo[name] = v
	return v, nil
}

// dataOps are the ops on one activation input (and constant others) that have a method of their
// own; node handles the rest.
var dataOps = map[string]func(e *evaluator, n *nodeProto, args []*value, x *data) (*value, error){
	"Add":                (*evaluator).addBias,
	"BatchNormalization": (*evaluator).batchNorm,
	"Conv":               (*evaluator).conv,
	"Dropout":            (*evaluator).dropout,
	"Gemm":               (*evaluator).gemm,
	"MatMul":             (*evaluator).matmul,
	"Pad":                (*evaluator).pad,
	"Reshape":            (*evaluator).reshape,
	"Squeeze":            (*evaluator).squeeze,
}

// node computes the value of n's first output from its inputs' values.
func (e *evaluator) node(n *nodeProto, args []*value) (*value, error) {
	if n.op == "Add" && len(args) == 2 && args[0] != nil && args[0].c != nil && args[1] != nil && args[1].d != nil {
		args = []*value{args[1], args[0]} // b + x: the bias may come first
	}
	if len(args) == 0 || args[0] == nil || args[0].d == nil || n.op == "Shape" {
		return e.fold(n, args)
	}
	x := args[0].d
	if x.pad != nil && n.op != "Conv" && n.op != "AveragePool" {
		return nil, fmt.Errorf("%w: node %q (Pad): zero padding is supported only right before a Conv or AveragePool (it is folded into it); nearest supported form: the layer's own padding", ErrUnsupported, x.pad.node)
	}
	for i := 1; i < len(args); i++ {
		if args[i] != nil && args[i].d != nil && n.op != "Concat" {
			return nil, refuse(n, fmt.Sprintf("input %d is computed from the model inputs, not a constant", i), "a single activation input with constant weights (no residual or multiplicative connections)")
		}
	}
	if op, ok := dataOps[n.op]; ok {
		return op(e, n, args, x)
	}
	switch n.op {
	case "Identity":
		return &value{d: x}, nil
	case "Relu":
		return &value{d: x.with(model.Layer{Kind: model.ReLU}, x.shape, n.op)}, nil
	case "MaxPool", "AveragePool":
		return e.pool(n, x)
	case "GlobalAveragePool":
		if len(x.shape) != 3 {
			return nil, refuse(n, "input is not a [N,C,H,W] map", "GlobalAveragePool on a conv feature map")
		}
		return &value{d: x.with(model.Layer{Kind: model.GlobalAvgPool}, []int{x.shape[0], 1, 1}, n.op)}, nil
	case "Flatten":
		axis := n.attrInt("axis", 1)
		if axis != 1 && axis != 1-int64(len(x.shape)+1) {
			return nil, refuse(n, fmt.Sprintf("axis %d", axis), "Flatten with axis 1 (torch.flatten(x, 1))")
		}
		return &value{d: x.flatten(n.op)}, nil
	case "Concat":
		return e.concat(n, args)
	case "Softmax", "LogSoftmax":
		return nil, refuse(n, "softmax inside the graph", "end the expert with its logits; a trailing Softmax/LogSoftmax on an expert output is removed")
	}
	return nil, refuse(n, "op not supported", nearest(n.op))
}

// with returns d followed by layer l with output shape s.
func (d *data) with(l model.Layer, s []int, op string) *data {
	nd := d.pass(s, op)
	if d.merged {
		nd.head = append(slices.Clip(d.head), l)
	} else {
		nd.branches = []branch{{input: d.branches[0].input, layers: append(slices.Clip(d.branches[0].layers), l)}}
	}
	return nd
}

// pass returns d with a new shape and no new layer.
func (d *data) pass(s []int, op string) *data {
	return &data{shape: s, branches: d.branches, merged: d.merged, head: d.head, op: op}
}

// last is the layer that produced d, or nil.
func (d *data) last() *model.Layer {
	ls := d.head
	if !d.merged {
		ls = d.branches[0].layers
	}
	if len(ls) == 0 {
		return nil
	}
	return &ls[len(ls)-1]
}

// replaceLast returns d with its last layer replaced by l.
func (d *data) replaceLast(l model.Layer, op string) *data {
	nd := d.pass(d.shape, op)
	if d.merged {
		nd.head = append(slices.Clone(d.head[:len(d.head)-1]), l)
	} else {
		ls := d.branches[0].layers
		nd.branches = []branch{{input: d.branches[0].input, layers: append(slices.Clone(ls[:len(ls)-1]), l)}}
	}
	return nd
}

func (d *data) flatten(op string) *data {
	if len(d.shape) == 1 {
		return d.pass(d.shape, op)
	}
	return d.with(model.Layer{Kind: model.Flatten}, []int{size(d.shape)}, op)
}

func size(s []int) int {
	n := 1
	for _, v := range s {
		n *= v
	}
	return n
}

func (e *evaluator) dropout(n *nodeProto, args []*value, x *data) (*value, error) {
	if len(args) > 2 && args[2] != nil {
		t := args[2].c
		if t == nil || len(t.i) != 1 || t.i[0] != 0 {
			return nil, refuse(n, "training_mode is not a constant false", "Dropout in inference mode (model.eval() before export)")
		}
	}
	if n.attrInt("is_test", 1) == 0 {
		return nil, refuse(n, "is_test = 0 (training mode)", "Dropout in inference mode (model.eval() before export)")
	}
	return &value{d: x}, nil
}

func (e *evaluator) concat(n *nodeProto, args []*value) (*value, error) {
	axis := n.attrInt("axis", 0)
	out := &data{merged: true, op: n.op}
	seen := map[string]bool{}
	f := 0
	for i, a := range args {
		if a == nil || a.d == nil {
			return nil, refuse(n, fmt.Sprintf("input %d is a constant among activations", i), "Concat of the flattened branch outputs")
		}
		d := a.d
		if len(d.shape) != 1 || (axis != 1 && axis != -1) {
			return nil, refuse(n, fmt.Sprintf("concatenates rank-%d tensors on axis %d", len(d.shape)+1, axis),
				"late fusion: flatten each modality's features, then Concat on axis 1")
		}
		if d.merged || len(d.branches) != 1 {
			return nil, refuse(n, "an input is itself a concatenation", "one Concat of one branch per model input")
		}
		if seen[d.branches[0].input] {
			return nil, refuse(n, "two inputs come from the same graph input "+d.branches[0].input, "one branch per model input")
		}
		seen[d.branches[0].input] = true
		out.branches = append(out.branches, d.branches[0])
		f += d.shape[0]
	}
	out.shape = []int{f}
	return &value{d: out}, nil
}
