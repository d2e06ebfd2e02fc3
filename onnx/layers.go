package onnx

import (
	"fmt"
	"math"
	"slices"

	"github.com/i2m2-wasm/i2m2/internal/limits"
	"github.com/i2m2-wasm/i2m2/model"
)

// floatConst returns input i of n as a float32 constant of the given rank
// (-1: any), or an error naming the node.
func floatConst(n *nodeProto, args []*value, i, rank int, what string) (*tensor, error) {
	if i >= len(args) || args[i] == nil || args[i].c == nil {
		return nil, refuse(n, what+" is not a constant (initializer)", "weights stored as initializers")
	}
	t := args[i].c
	if t.dtype != typeFloat {
		return nil, refuse(n, fmt.Sprintf("%s has data type %d", what, t.dtype), "float32 weights (model.float() before export)")
	}
	if rank >= 0 && len(t.dims) != rank {
		return nil, refuse(n, fmt.Sprintf("%s has dims %v", what, t.dims), fmt.Sprintf("a rank-%d %s", rank, what))
	}
	// Every dimension at least 1: the element count then bounds each one
	// (a [2^26, 0] weight would otherwise ask for 2^26 biases).
	for _, d := range t.dims {
		if d < 1 || d > limits.Activation {
			return nil, refuse(n, fmt.Sprintf("%s has dims %v", what, t.dims), fmt.Sprintf("a non-empty %s", what))
		}
	}
	return t, nil
}

// square returns the common value of v (the attribute's default when
// absent), or false when the entries differ.
func square(n *nodeProto, name string, def int64, want int) (int, bool) {
	v := n.attrInts(name)
	if v == nil {
		return int(def), true
	}
	if len(v) != want {
		return 0, false
	}
	for _, x := range v {
		if x != v[0] || x < 0 || x > math.MaxInt32 {
			return 0, false
		}
	}
	return int(v[0]), true
}

// window checks the attributes Conv and the pools share and returns the
// stride and symmetric padding (including a pending Pad).
func window(n *nodeProto, x *data) (stride, pad int, err error) {
	if len(x.shape) != 3 {
		return 0, 0, refuse(n, "input is not a [N,C,H,W] map", n.op+" on a 4-D NCHW tensor")
	}
	if ap := n.attrString("auto_pad", "NOTSET"); ap != "NOTSET" && ap != "VALID" {
		return 0, 0, refuse(n, "auto_pad "+ap, "explicit pads (PyTorch's padding=)")
	}
	if d, ok := square(n, "dilations", 1, 2); !ok || d != 1 {
		return 0, 0, refuse(n, fmt.Sprintf("dilations %v", n.attrInts("dilations")), "dilation 1")
	}
	stride, ok := square(n, "strides", 1, 2)
	if !ok || stride < 1 {
		return 0, 0, refuse(n, fmt.Sprintf("strides %v", n.attrInts("strides")), "the same stride on both axes")
	}
	pad, ok = square(n, "pads", 0, 4)
	if !ok {
		return 0, 0, refuse(n, fmt.Sprintf("pads %v", n.attrInts("pads")), "the same padding on all four sides")
	}
	if p := x.pad; p != nil {
		if p.t != p.l || p.t != p.b || p.t != p.r {
			return 0, 0, refuse(n, fmt.Sprintf("its input is padded unevenly by %q (%d,%d,%d,%d)", p.node, p.t, p.l, p.b, p.r), "the same padding on all four sides")
		}
		pad += p.t
	}
	return stride, pad, nil
}

// outHW is the floor-mode output height and width of a kh x kw window on
// map x, or an error when the window does not fit.
func outHW(n *nodeProto, x *data, kh, kw, s, p int) (int, int, error) {
	h, w := x.shape[1], x.shape[2]
	if h+2*p < kh || w+2*p < kw || kh < 1 || kw < 1 {
		return 0, 0, refuse(n, fmt.Sprintf("window %dx%d larger than the padded input %dx%d", kh, kw, h+2*p, w+2*p), "a window that fits the input")
	}
	return (h+2*p-kh)/s + 1, (w+2*p-kw)/s + 1, nil
}

func (e *evaluator) conv(n *nodeProto, args []*value, x *data) (*value, error) {
	w, err := floatConst(n, args, 1, 4, "weight")
	if err != nil {
		return nil, err
	}
	if g := n.attrInt("group", 1); g != 1 {
		return nil, refuse(n, fmt.Sprintf("group %d", g), "Conv with groups=1 (a depthwise conv is not supported)")
	}
	stride, pad, err := window(n, x)
	if err != nil {
		return nil, err
	}
	oc, ic, kh, kw := int(w.dims[0]), int(w.dims[1]), int(w.dims[2]), int(w.dims[3])
	if ic != x.shape[0] {
		return nil, refuse(n, fmt.Sprintf("weight has %d input channels, input has %d", ic, x.shape[0]), "matching channels")
	}
	if ks := n.attrInts("kernel_shape"); ks != nil && !slices.Equal(ks, []int64{int64(kh), int64(kw)}) {
		return nil, refuse(n, fmt.Sprintf("kernel_shape %v does not match the weight %v", ks, w.dims), "kernel_shape equal to the weight's")
	}
	b := make([]float32, oc)
	if len(args) > 2 && args[2] != nil {
		bt, err := floatConst(n, args, 2, 1, "bias")
		if err != nil {
			return nil, err
		}
		if len(bt.f) != oc {
			return nil, refuse(n, fmt.Sprintf("bias has %d values for %d channels", len(bt.f), oc), "one bias per output channel")
		}
		copy(b, bt.f)
	}
	oh, ow, err := outHW(n, x, kh, kw, stride, pad)
	if err != nil {
		return nil, err
	}
	l := model.Layer{Kind: model.Conv2D, InC: ic, OutC: oc, KH: kh, KW: kw, Stride: stride, Pad: pad, W: slices.Clone(w.f), B: b}
	return &value{d: x.with(l, []int{oc, oh, ow}, n.op)}, nil
}

func (e *evaluator) pool(n *nodeProto, x *data) (*value, error) {
	stride, pad, err := window(n, x)
	if err != nil {
		return nil, err
	}
	ks := n.attrInts("kernel_shape")
	if len(ks) != 2 || ks[0] < 1 || ks[1] < 1 || ks[0] > math.MaxInt32 || ks[1] > math.MaxInt32 {
		return nil, refuse(n, fmt.Sprintf("kernel_shape %v", ks), "a 2-D window")
	}
	if n.attrInt("ceil_mode", 0) != 0 {
		return nil, refuse(n, "ceil_mode 1", n.op+" with ceil_mode=False")
	}
	if len(n.out) > 1 && n.out[1] != "" {
		return nil, refuse(n, "the indices output is used", "MaxPool without return_indices")
	}
	if n.attrInt("storage_order", 0) != 0 {
		return nil, refuse(n, "storage_order 1", "MaxPool with the default storage order")
	}
	kh, kw := int(ks[0]), int(ks[1])
	l := model.Layer{Kind: model.MaxPool2D, KH: kh, KW: kw, Stride: stride}
	if n.op == "AveragePool" {
		if own, _ := square(n, "pads", 0, 4); own > 0 && n.attrInt("count_include_pad", 0) == 0 {
			return nil, refuse(n, "padding excluded from the average (count_include_pad 0)", "AvgPool2d with count_include_pad=True, or no padding")
		}
		if 2*pad > min(kh, kw) {
			return nil, refuse(n, fmt.Sprintf("padding %d over half the %dx%d window", pad, kh, kw), "padding at most half the window")
		}
		l = model.Layer{Kind: model.AvgPool2D, KH: kh, KW: kw, Stride: stride, Pad: pad}
	} else if pad != 0 {
		return nil, refuse(n, fmt.Sprintf("pads %v", n.attrInts("pads")), "MaxPool without padding")
	}
	oh, ow, err := outHW(n, x, kh, kw, stride, pad)
	if err != nil {
		return nil, err
	}
	return &value{d: x.with(l, []int{x.shape[0], oh, ow}, n.op)}, nil
}

// pad records a constant zero Pad of the two spatial axes, absorbed by the
// Conv or AveragePool that follows (torch writes AvgPool2d's
// count_include_pad padding this way).
func (e *evaluator) pad(n *nodeProto, args []*value, x *data) (*value, error) {
	if m := n.attrString("mode", "constant"); m != "constant" {
		return nil, refuse(n, "mode "+m, "zero padding")
	}
	p := n.attrInts("pads")
	if len(args) > 1 && args[1] != nil {
		if args[1].c == nil || args[1].c.i == nil {
			return nil, refuse(n, "pads is not a constant", "constant pads")
		}
		p = args[1].c.i
	}
	if len(args) > 2 && args[2] != nil {
		if c := args[2].c; c == nil || len(c.f) != 1 || c.f[0] != 0 {
			return nil, refuse(n, "the pad value is not 0", "zero padding")
		}
	}
	if n.attrFloat("value", 0) != 0 {
		return nil, refuse(n, "the pad value is not 0", "zero padding")
	}
	if len(x.shape) != 3 || len(p) != 8 || p[0] != 0 || p[1] != 0 || p[4] != 0 || p[5] != 0 || x.pad != nil {
		return nil, refuse(n, fmt.Sprintf("pads %v", p), "padding of the two spatial axes of an NCHW map")
	}
	for _, v := range p {
		if v < 0 || v > 64 {
			return nil, refuse(n, fmt.Sprintf("pads %v", p), "padding 0..64")
		}
	}
	d := x.pass(x.shape, n.op)
	d.pad = &padding{node: nodeName(n), t: int(p[2]), l: int(p[3]), b: int(p[6]), r: int(p[7])}
	return &value{d: d}, nil
}

// batchNorm folds an inference BatchNormalization into the Conv or dense
// layer right before it: W'[o] = W[o] k[o], b'[o] = (b[o] - mean[o]) k[o] +
// beta[o], k = scale / sqrt(var + eps).
func (e *evaluator) batchNorm(n *nodeProto, args []*value, x *data) (*value, error) {
	last := x.last()
	if last == nil || !(x.op == "Conv" || x.op == "Gemm" || x.op == "MatMul" || x.op == "Add" || x.op == "BatchNormalization") || (last.Kind != model.Conv2D && last.Kind != model.Dense) {
		return nil, refuse(n, "it does not directly follow a Conv, Gemm or MatMul+Add", "BatchNormalization right after a Conv or Linear layer (it is folded into it)")
	}
	if len(n.out) > 1 || n.attrInt("training_mode", 0) != 0 {
		return nil, refuse(n, "training mode (running statistics as outputs)", "BatchNormalization in inference mode (model.eval() before export)")
	}
	rows := last.Rows()
	var p [4][]float32
	for i, what := range []string{"scale", "bias", "mean", "var"} {
		t, err := floatConst(n, args, i+1, 1, what)
		if err != nil {
			return nil, err
		}
		if len(t.f) != rows {
			return nil, refuse(n, fmt.Sprintf("%s has %d values for %d channels", what, len(t.f), rows), "one value per channel")
		}
		p[i] = t.f
	}
	eps := float64(n.attrFloat("epsilon", 1e-5))
	l := *last
	cols := l.Cols()
	l.W, l.B = make([]float32, len(last.W)), make([]float32, rows)
	for o := 0; o < rows; o++ {
		k := float64(p[0][o]) / math.Sqrt(float64(p[3][o])+eps)
		for c := 0; c < cols; c++ {
			l.W[o*cols+c] = float32(float64(last.W[o*cols+c]) * k)
		}
		l.B[o] = float32((float64(last.B[o])-float64(p[2][o]))*k + float64(p[1][o]))
	}
	e.bn++
	return &value{d: x.replaceLast(l, n.op)}, nil
}

// reshape accepts the Reshape torch emits for x.view(x.size(0), -1) (and
// any other way of writing that flatten), once its shape is folded.
func (e *evaluator) reshape(n *nodeProto, args []*value, x *data) (*value, error) {
	if len(args) < 2 || args[1] == nil || args[1].c == nil || args[1].c.i == nil {
		return nil, refuse(n, "the target shape is not constant after folding", "x.view(x.size(0), -1) or torch.flatten(x, 1)")
	}
	t := args[1].c.i
	f := int64(size(x.shape))
	if len(t) == 2 && (t[0] == batchDim || t[0] == 0 || t[0] == 1 || t[0] == -1 && t[1] == f) && (t[1] == -1 || t[1] == f) {
		return &value{d: x.flatten(n.op)}, nil
	}
	if len(t) == len(x.shape)+1 && (t[0] == batchDim || t[0] == 0 || t[0] == 1) {
		same := true
		for i, v := range t[1:] {
			same = same && (v == int64(x.shape[i]) || v == 0)
		}
		if same {
			return &value{d: x.pass(x.shape, n.op)}, nil
		}
	}
	return nil, refuse(n, fmt.Sprintf("reshape of %v to %v", x.shape, shapeString(t)), "x.view(x.size(0), -1) or torch.flatten(x, 1)")
}

// squeeze accepts the Squeeze of the unit spatial axes of an [N,C,1,1] map,
// which the reference code's LeNet writes (out.squeeze(), MultiBench
// unimodals/common_models.py): a flatten. Without axes, torch's squeeze()
// also drops a batch of 1; per sample the values are the same.
func (e *evaluator) squeeze(n *nodeProto, args []*value, x *data) (*value, error) {
	axes := n.attrInts("axes")
	if len(args) > 1 && args[1] != nil {
		if args[1].c == nil || args[1].c.i == nil {
			return nil, refuse(n, "axes is not a constant", "constant axes")
		}
		axes = args[1].c.i
	}
	rank := int64(len(x.shape) + 1)
	var keep []int
	for i, d := range x.shape {
		ax := int64(i + 1)
		drop := d == 1 && len(axes) == 0
		for _, a := range axes {
			if a == ax || a == ax-rank {
				if d != 1 {
					return nil, refuse(n, fmt.Sprintf("axis %d has size %d", a, d), "Squeeze of size-1 axes")
				}
				drop = true
			}
		}
		if !drop {
			keep = append(keep, d)
		}
	}
	for _, a := range axes {
		if a == 0 || a == -rank {
			return nil, refuse(n, "squeezes the batch axis", "torch.flatten(x, 1)")
		}
	}
	if len(keep) != 1 {
		return nil, refuse(n, fmt.Sprintf("squeeze of %v leaves %v", x.shape, keep), "a squeeze that leaves [N, features] (or torch.flatten(x, 1))")
	}
	return &value{d: x.flatten(n.op)}, nil
}

func shapeString(t []int64) string {
	s := "["
	for i, v := range t {
		if i > 0 {
			s += ","
		}
		if v == batchDim {
			s += "N"
		} else {
			s += fmt.Sprint(v)
		}
	}
	return s + "]"
}

// dense appends the dense layer W [out][in] (row-major), b to x.
func dense(n *nodeProto, x *data, w, b []float32, in, out int) (*value, error) {
	if len(x.shape) != 1 || x.shape[0] != in {
		return nil, refuse(n, fmt.Sprintf("input of shape %v for %d inputs", x.shape, in), "Flatten before the Linear layer")
	}
	l := model.Layer{Kind: model.Dense, In: in, Out: out, W: w, B: b}
	return &value{d: x.with(l, []int{out}, n.op)}, nil
}

// biasVector reads a constant broadcast over [N, out]: [out], [1, out], [1] or [].
func biasVector(n *nodeProto, t *tensor, out int, scale float32) ([]float32, error) {
	b := make([]float32, out)
	switch {
	case len(t.f) == out && (len(t.dims) == 1 || len(t.dims) == 2 && t.dims[0] == 1):
		for i := range b {
			b[i] = scale * t.f[i]
		}
	case len(t.f) == 1 && len(t.dims) <= 1:
		for i := range b {
			b[i] = scale * t.f[0]
		}
	default:
		return nil, refuse(n, fmt.Sprintf("bias of dims %v for %d outputs", t.dims, out), "a bias of one value per output")
	}
	return b, nil
}

func (e *evaluator) gemm(n *nodeProto, args []*value, x *data) (*value, error) {
	if n.attrInt("transA", 0) != 0 {
		return nil, refuse(n, "transA 1", "Gemm with the activation as A (nn.Linear)")
	}
	w, err := floatConst(n, args, 1, 2, "weight")
	if err != nil {
		return nil, err
	}
	alpha, beta := n.attrFloat("alpha", 1), n.attrFloat("beta", 1)
	transB := n.attrInt("transB", 0) != 0
	in, out := int(w.dims[0]), int(w.dims[1]) // B is [in][out]
	if transB {
		in, out = out, in // B is [out][in], as nn.Linear stores it
	}
	wt := make([]float32, in*out)
	for o := 0; o < out; o++ {
		for i := 0; i < in; i++ {
			if transB {
				wt[o*in+i] = alpha * w.f[o*in+i]
			} else {
				wt[o*in+i] = alpha * w.f[i*out+o]
			}
		}
	}
	b := make([]float32, out)
	if len(args) > 2 && args[2] != nil {
		bt, err := floatConst(n, args, 2, -1, "bias")
		if err != nil {
			return nil, err
		}
		if b, err = biasVector(n, bt, out, beta); err != nil {
			return nil, err
		}
	}
	return dense(n, x, wt, b, in, out)
}

func (e *evaluator) matmul(n *nodeProto, args []*value, x *data) (*value, error) {
	w, err := floatConst(n, args, 1, 2, "weight")
	if err != nil {
		return nil, err
	}
	in, out := int(w.dims[0]), int(w.dims[1])
	wt := make([]float32, in*out)
	for i := 0; i < in; i++ {
		for o := 0; o < out; o++ {
			wt[o*in+i] = w.f[i*out+o]
		}
	}
	return dense(n, x, wt, make([]float32, out), in, out)
}

// addBias folds the Add of MatMul+Add (torch's Linear on a tensor that is not
// 2-D, or x @ W + b written out) into the dense layer's bias.
func (e *evaluator) addBias(n *nodeProto, args []*value, x *data) (*value, error) {
	last := x.last()
	if x.op != "MatMul" || last == nil || last.Kind != model.Dense {
		return nil, refuse(n, "Add that is not the bias of a MatMul", "MatMul+Add (a Linear layer), or Conv/Gemm with a bias; residual connections are not supported")
	}
	bt, err := floatConst(n, args, 1, -1, "bias")
	if err != nil {
		return nil, err
	}
	b, err := biasVector(n, bt, last.Out, 1)
	if err != nil {
		return nil, err
	}
	l := *last
	l.B = make([]float32, len(b))
	for i := range b {
		l.B[i] = last.B[i] + b[i]
	}
	return &value{d: x.replaceLast(l, n.op)}, nil
}
