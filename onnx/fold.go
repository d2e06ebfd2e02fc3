package onnx

import (
	"fmt"
	"slices"
	"strings"
)

// supportedOps lists what the importer reads, for error messages.
const supportedOps = "Conv, Relu, MaxPool, AveragePool, GlobalAveragePool, Flatten, Reshape and Squeeze (as a flatten), Gemm, MatMul+Add, " +
	"Concat, BatchNormalization (folded), Pad (zero, before Conv/AveragePool), Dropout, Identity, a trailing Softmax/LogSoftmax, " +
	"and Constant/Shape/Gather/Unsqueeze/Concat/Cast folded into Reshape's shape"

// nearest names the supported form closest to an unsupported op.
func nearest(op string) string {
	switch op {
	case "Sigmoid", "Tanh", "LeakyRelu", "PRelu", "Elu", "Selu", "Gelu", "HardSigmoid", "HardSwish", "Softplus", "Clip", "Mish":
		return "Relu (the only activation of the .i2m2 format)"
	case "ConvTranspose", "DepthwiseConv":
		return "Conv with groups=1"
	case "Transpose", "Unsqueeze":
		return "Flatten (torch.flatten(x, 1)) or x.view(x.size(0), -1)"
	case "Sub", "Mul", "Div", "Sum":
		return "MatMul+Add or Gemm (a Linear layer); no elementwise arithmetic on activations"
	case "ReduceMean", "AdaptiveAvgPool2d":
		return "GlobalAveragePool (nn.AdaptiveAvgPool2d(1))"
	case "LpPool", "GlobalMaxPool", "GlobalLpPool":
		return "MaxPool, AveragePool or GlobalAveragePool"
	case "InstanceNormalization", "LayerNormalization", "GroupNormalization", "LRN":
		return "BatchNormalization after a Conv or Linear (folded into it)"
	}
	return "one of " + supportedOps
}

// known attributes per op; any other attribute is refused, so that no
// semantics are silently ignored.
var knownAttrs = map[string][]string{
	"Conv":               {"auto_pad", "dilations", "group", "kernel_shape", "pads", "strides"},
	"MaxPool":            {"auto_pad", "ceil_mode", "dilations", "kernel_shape", "pads", "storage_order", "strides"},
	"AveragePool":        {"auto_pad", "ceil_mode", "count_include_pad", "dilations", "kernel_shape", "pads", "strides"},
	"BatchNormalization": {"epsilon", "momentum", "training_mode", "spatial"},
	"Gemm":               {"alpha", "beta", "transA", "transB"},
	"Flatten":            {"axis"},
	"Concat":             {"axis"},
	"Softmax":            {"axis"},
	"LogSoftmax":         {"axis"},
	"Dropout":            {"ratio", "seed", "is_test"},
	"Pad":                {"mode", "pads", "value"},
	"Gather":             {"axis"},
	"Unsqueeze":          {"axes"},
	"Squeeze":            {"axes"},
	"Shape":              {"start", "end"},
	"Cast":               {"to", "saturate"},
	"Constant":           {"value", "value_float", "value_floats", "value_int", "value_ints"},
	"Reshape":            {"allowzero"},
}

func checkAttrs(n *nodeProto) error {
	k, ok := knownAttrs[n.op]
	if !ok && !slices.Contains([]string{"Relu", "Identity", "GlobalAveragePool", "MatMul", "Add"}, n.op) {
		return nil // the op itself is refused, with its nearest form
	}
	for _, a := range n.attrs {
		if !slices.Contains(k, a.name) {
			return refuse(n, "attribute "+a.name+" is not supported", "the attributes PyTorch writes for this op")
		}
	}
	if n.op == "Reshape" && n.attrInt("allowzero", 0) != 0 {
		return refuse(n, "allowzero 1", "Reshape with allowzero 0 (torch's default)")
	}
	return nil
}

func (n *nodeProto) attr(name string) *attr {
	for i := range n.attrs {
		if n.attrs[i].name == name {
			return &n.attrs[i]
		}
	}
	return nil
}

func (n *nodeProto) attrInt(name string, def int64) int64 {
	if a := n.attr(name); a != nil {
		return a.i
	}
	return def
}

func (n *nodeProto) attrFloat(name string, def float32) float32 {
	if a := n.attr(name); a != nil {
		return a.f
	}
	return def
}

func (n *nodeProto) attrString(name, def string) string {
	if a := n.attr(name); a != nil {
		return a.s
	}
	return def
}

func (n *nodeProto) attrInts(name string) []int64 {
	if a := n.attr(name); a != nil {
		return a.ints
	}
	return nil
}

// fold evaluates a node whose inputs are all constants: the shape
// arithmetic torch writes before a Reshape (Shape of an activation is
// folded too: every dimension but the batch is known).
func (e *evaluator) fold(n *nodeProto, args []*value) (*value, error) {
	ints := func(i int) ([]int64, bool) {
		if i >= len(args) || args[i] == nil || args[i].c == nil || args[i].c.i == nil {
			return nil, false
		}
		return args[i].c.i, true
	}
	switch n.op {
	case "Constant":
		if a := n.attr("value"); a != nil && a.t != nil {
			return &value{c: a.t}, nil
		}
		if a := n.attr("value_ints"); a != nil {
			return &value{c: &tensor{dims: []int64{int64(len(a.ints))}, dtype: typeInt64, i: a.ints}}, nil
		}
		if a := n.attr("value_int"); a != nil {
			return &value{c: &tensor{dtype: typeInt64, i: []int64{a.i}}}, nil
		}
		if a := n.attr("value_float"); a != nil {
			return &value{c: &tensor{dtype: typeFloat, f: []float32{a.f}}}, nil
		}
		if a := n.attr("value_floats"); a != nil {
			return &value{c: &tensor{dims: []int64{int64(len(a.floats))}, dtype: typeFloat, f: a.floats}}, nil
		}
		return nil, refuse(n, "no value of a supported type", "a float or int Constant")
	case "Identity":
		if len(args) == 1 && args[0] != nil {
			return args[0], nil
		}
	case "Shape":
		if len(args) == 1 && args[0] != nil && args[0].d != nil {
			s := append([]int64{batchDim}, toInt64(args[0].d.shape)...)
			r := int64(len(s))
			start, end := n.attrInt("start", 0), n.attrInt("end", r)
			if start < 0 {
				start += r
			}
			if end < 0 {
				end += r
			}
			start, end = max(0, min(start, r)), max(0, min(end, r))
			s = s[start:max(start, end)]
			return &value{c: &tensor{dims: []int64{int64(len(s))}, dtype: typeInt64, i: s}}, nil
		}
	case "Gather":
		d, ok1 := ints(0)
		idx, ok2 := ints(1)
		if ok1 && ok2 && len(args[0].c.dims) == 1 && n.attrInt("axis", 0) == 0 && len(args[1].c.dims) <= 1 {
			out := make([]int64, len(idx))
			for i, j := range idx {
				if j < 0 {
					j += int64(len(d))
				}
				if j < 0 || j >= int64(len(d)) {
					return nil, refuse(n, fmt.Sprintf("index %d out of range", idx[i]), "indices within the shape")
				}
				out[i] = d[j]
			}
			return &value{c: &tensor{dims: slices.Clone(args[1].c.dims), dtype: typeInt64, i: out}}, nil
		}
	case "Unsqueeze":
		d, ok := ints(0)
		axes := n.attrInts("axes")
		if a, ok2 := ints(1); ok2 {
			axes = a
		}
		if ok && len(args[0].c.dims) == 0 && slices.Equal(axes, []int64{0}) {
			return &value{c: &tensor{dims: []int64{1}, dtype: typeInt64, i: d}}, nil
		}
	case "Cast":
		if _, ok := ints(0); ok && (n.attrInt("to", 0) == typeInt64 || n.attrInt("to", 0) == typeInt32) {
			return args[0], nil
		}
	case "Concat":
		var out []int64
		for i := range args {
			d, ok := ints(i)
			if !ok || len(args[i].c.dims) != 1 {
				return nil, refuse(n, "mixes activations and constants, or concatenates non-vector constants", "Concat of the flattened branch outputs")
			}
			out = append(out, d...)
		}
		if n.attrInt("axis", 0) == 0 && len(out) <= maxRank {
			return &value{c: &tensor{dims: []int64{int64(len(out))}, dtype: typeInt64, i: out}}, nil
		}
	}
	if len(args) > 0 && args[0] != nil && args[0].c != nil && !strings.Contains(supportedOps, n.op) {
		return nil, refuse(n, "op not supported", nearest(n.op))
	}
	return nil, refuse(n, "cannot fold this node: its inputs are constants or missing, or of a form torch does not emit for view", "Shape/Gather/Unsqueeze/Concat/Constant of the shape of x.view(x.size(0), -1)")
}

func toInt64(s []int) []int64 {
	out := make([]int64, len(s))
	for i, v := range s {
		out[i] = int64(v)
	}
	return out
}
