package model

import (
	"github.com/i2m2-wasm/i2m2/internal/errfmt"
	"github.com/i2m2-wasm/i2m2/model/internal/kern"
)

// Kind is a layer type.
type Kind uint8

// Supported layer kinds. Batch-norm is folded into the preceding Conv2D or
// Dense at export time, so inference never sees it. Each kind is one entry
// of the kinds table below.
const (
	Conv2D    Kind = 1 // cross-correlation, NCHW, weights [OutC][InC][KH][KW]
	Dense     Kind = 2 // y = W x + b, weights [Out][In]
	ReLU      Kind = 3 // max(0, x)
	MaxPool2D Kind = 4 // non-overlapping or strided max pooling, floor mode
	Flatten   Kind = 5 // [C,H,W] -> [C*H*W]; a no-op on the buffer
	AvgPool2D Kind = 6 // average pooling, floor mode, zero padding counted (pool.go)
	// GlobalAvgPool averages each channel: [C,H,W] -> [C,1,1] (pool.go).
	GlobalAvgPool Kind = 7
)

// kindInfo is everything the package knows about one layer kind. String,
// the file format's names (format.go), validation (validate.go), the work
// budget and MAC counting (budget.go), scratch sizing and the forward pass
// (compile.go) all read this table, so a new kind is one entry here plus its
// kernels in internal/kern.
type kindInfo struct {
	name string // String and the file format's "kind"
	// weights: the layer holds a Rows x Cols weight matrix W and a bias B
	// of Rows (the tensors of the file's data section, FORMAT.md).
	weights bool
	// fuseReLU: on the fast paths a ReLU right after the layer is applied
	// as its kernel stores the output.
	fuseReLU bool
	// fusePool: on the float32 path a 2x2 stride-2 max-pooling after the
	// layer (and its fused ReLU) is computed as the output rows are
	// produced, where the layer runs a direct kernel (compile.go).
	fusePool bool
	// inPlace: the kernel rewrites its input (never the caller's).
	inPlace bool
	// shape checks the layer on input shape in and returns its output shape;
	// at names the layer in errors.
	shape func(l *Layer, in Shape, at string) (Shape, error)
	// cost is the work and memory of the layer (budget.go) and the scratch
	// its kernels share with other layers.
	cost func(l *Layer, in, out Shape, int8w bool) (workCost, scratch)
	// kernel picks the layer's kernel on a path (Reference is the plain loop
	// of kern/ref.go every other path is tested against), once, when the
	// model is compiled (compile.go); nil: the layer does no work.
	kernel func(l *Layer, path Path) kernel
}

var kinds = [...]kindInfo{
	Conv2D: {name: "conv2d", weights: true, fuseReLU: true, fusePool: true, shape: convShape, cost: convCost, kernel: convKernel},
	Dense:  {name: "dense", weights: true, fuseReLU: true, shape: denseShape, cost: denseCost, kernel: denseKernel},
	ReLU: {name: "relu", inPlace: true, shape: sameShape,
		cost: func(_ *Layer, _, out Shape, _ bool) (workCost, scratch) {
			return workCost{Moves: int64(out.Size())}, scratch{}
		},
		kernel: func(*Layer, Path) kernel { return reluKernel }},
	MaxPool2D: {name: "maxpool2d", shape: maxPoolShape, cost: noScratch(poolCost), kernel: maxPoolKernel},
	Flatten: {name: "flatten", shape: func(_ *Layer, s Shape, _ string) (Shape, error) { return Shape{s.Size(), 1, 1}, nil },
		cost:   func(*Layer, Shape, Shape, bool) (workCost, scratch) { return workCost{}, scratch{} },
		kernel: func(*Layer, Path) kernel { return nil }},
	AvgPool2D:     {name: "avgpool2d", shape: avgPoolShape, cost: noScratch(poolCost), kernel: avgPoolKernel},
	GlobalAvgPool: {name: "globalavgpool", shape: avgPoolShape, cost: noScratch(poolCost), kernel: avgPoolKernel},
}

// info returns k's table entry; an unknown kind has an empty one.
func (k Kind) info() *kindInfo {
	if int(k) < len(kinds) && kinds[k].name != "" {
		return &kinds[k]
	}
	return &kindInfo{}
}

func (k Kind) String() string {
	if n := k.info().name; n != "" {
		return n
	}
	return errfmt.Sprintf("kind(%d)", uint8(k))
}

// kindNamed returns the kind the file format calls name.
func kindNamed(name string) (Kind, bool) {
	for k := range kinds {
		if kinds[k].name != "" && kinds[k].name == name {
			return Kind(k), true
		}
	}
	return 0, false
}

func (l *Layer) hasWeights() bool { return l.Kind.info().weights }

func sameShape(_ *Layer, s Shape, _ string) (Shape, error) { return s, nil }

func noScratch(f func(l *Layer, in, out Shape) workCost) func(*Layer, Shape, Shape, bool) (workCost, scratch) {
	return func(l *Layer, in, out Shape, _ bool) (workCost, scratch) { return f(l, in, out), scratch{} }
}

// window reports whether a pooling or convolution window's geometry is in range.
func (l *Layer) window() bool {
	return l.KH >= 1 && l.KW >= 1 && l.KH <= maxKernelExtent && l.KW <= maxKernelExtent && l.Stride >= 1 && l.Stride <= maxKernelExtent
}

func convShape(l *Layer, s Shape, at string) (Shape, error) {
	if l.InC != s[0] {
		return Shape{}, shapeErr("%s: input has %d channels, layer wants %d", at, s[0], l.InC)
	}
	if l.OutC < 1 || l.OutC > maxDim || !l.window() || l.Pad < 0 || l.Pad > maxKernelExtent {
		return Shape{}, shapeErr("%s: bad geometry out=%d kernel=%dx%d stride=%d pad=%d", at, l.OutC, l.KH, l.KW, l.Stride, l.Pad)
	}
	oh := (s[1]+2*l.Pad-l.KH)/l.Stride + 1
	ow := (s[2]+2*l.Pad-l.KW)/l.Stride + 1
	if s[1]+2*l.Pad < l.KH || s[2]+2*l.Pad < l.KW || oh < 1 || ow < 1 {
		return Shape{}, shapeErr("%s: kernel %dx%d larger than padded input %v", at, l.KH, l.KW, s[:])
	}
	out := Shape{l.OutC, oh, ow}
	if out.Size() > maxActivation || l.Cols()*oh*ow > maxActivation*4 {
		return Shape{}, errfmt.Errorf("%w: %s output %v", ErrLimit, at, out[:])
	}
	return out, nil
}

func denseShape(l *Layer, s Shape, at string) (Shape, error) {
	if l.In != s.Size() {
		return Shape{}, shapeErr("%s: input has %d elements, layer wants %d", at, s.Size(), l.In)
	}
	if l.Out < 1 || l.Out > maxActivation {
		return Shape{}, shapeErr("%s: %d outputs", at, l.Out)
	}
	return Shape{l.Out, 1, 1}, nil
}

func maxPoolShape(l *Layer, s Shape, at string) (Shape, error) {
	if !l.window() {
		return Shape{}, shapeErr("%s: bad window %dx%d stride %d", at, l.KH, l.KW, l.Stride)
	}
	if s[1] < l.KH || s[2] < l.KW {
		return Shape{}, shapeErr("%s: window %dx%d larger than input %v", at, l.KH, l.KW, s[:])
	}
	return Shape{s[0], (s[1]-l.KH)/l.Stride + 1, (s[2]-l.KW)/l.Stride + 1}, nil
}

// convCost: one multiply-add per weight per output pixel; the padded input
// and the im2col matrix are scratch; the direct kernels' packed taps count
// in Bytes.
func convCost(l *Layer, in, out Shape, int8w bool) (workCost, scratch) {
	n := int64(out.Size())
	r, k, pix := int64(l.Rows()), int64(l.Cols()), int64(out[1]*out[2])
	sc := scratch{pad: in[0] * (in[1] + 2*l.Pad) * (in[2] + 2*l.Pad), col: int(k * pix)}
	c := workCost{MACs: r * k * pix, Moves: int64(sc.pad) + k*pix + n, Bytes: weightBytes(r, k, int8w)}
	if l.direct(out) {
		c.Bytes += 4*k + int64(kern.TapsFBytes(int(r), int(k), quads())) // kern.Offsets, kern.MakeTapsF (kern.PackA2 is 8 bytes a tap)
		if int8w && k <= kern.MaxPairK {
			c.Bytes += 16 * ((r + 1) / 2) * k // kern.MakeTaps8
		}
	}
	if l.Kind == Conv2D && l.Stride == 1 && batchConv(l.OutC, out[2]) {
		c.Bytes += int64(kern.TapsFBytes(int(r), int(k), quads())) // the batch taps (ops.go, convBatch)
	}
	return c, sc
}

func denseCost(l *Layer, _, out Shape, int8w bool) (workCost, scratch) {
	r, k := int64(l.Rows()), int64(l.Cols())
	return workCost{MACs: r * k, Moves: int64(out.Size()), Bytes: weightBytes(r, k, int8w)}, scratch{}
}
