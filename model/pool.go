package model

import (
	"github.com/i2m2-wasm/i2m2/internal/errfmt"
	"github.com/i2m2-wasm/i2m2/model/internal/kern"
)

// The average-pooling kinds, for experts exported from PyTorch (AvgPool2d,
// AdaptiveAvgPool2d(1)) by the ONNX importer (package onnx). Their shape rule,
// kernels and cost live here; their entries in the kinds table (kinds.go) point here.

// avgPoolShape checks an AvgPool2D or GlobalAvgPool layer on input s and
// returns its output shape.
func avgPoolShape(l *Layer, s Shape, at string) (Shape, error) {
	if l.Kind == GlobalAvgPool {
		return Shape{s[0], 1, 1}, nil
	}
	if !l.window() {
		return Shape{}, shapeErr("%s: bad window %dx%d stride %d", at, l.KH, l.KW, l.Stride)
	}
	// PyTorch and ONNX allow padding up to half the window, so that every
	// window holds at least one input element.
	if l.Pad < 0 || 2*l.Pad > min(l.KH, l.KW) {
		return Shape{}, shapeErr("%s: pad %d not in 0..%d (half the %dx%d window)", at, l.Pad, min(l.KH, l.KW)/2, l.KH, l.KW)
	}
	if s[1]+2*l.Pad < l.KH || s[2]+2*l.Pad < l.KW {
		return Shape{}, shapeErr("%s: window %dx%d larger than padded input %v", at, l.KH, l.KW, s[:])
	}
	return Shape{s[0], (s[1]+2*l.Pad-l.KH)/l.Stride + 1, (s[2]+2*l.Pad-l.KW)/l.Stride + 1}, nil
}

// avgPoolKernel pools an AvgPool2D or GlobalAvgPool layer (the samples of a
// chunk as more channels). Every path pools
// in float32: on the int8 path the next conv or dense layer quantises the
// pooled activation, as after MaxPool2D.
func avgPoolKernel(l *Layer, path Path) kernel {
	switch {
	case l.Kind == GlobalAvgPool && path == Reference:
		return func(_ *Predictor, o *op, dst, src []float32, n int) {
			kern.GlobalAvgPoolRef(dst, src, n*o.in[0], o.in[1], o.in[2])
		}
	case l.Kind == GlobalAvgPool:
		return func(_ *Predictor, o *op, dst, src []float32, n int) {
			kern.GlobalAvgPool(dst, src, n*o.in[0], o.in[1], o.in[2])
		}
	case path != Reference && l.KH == 2 && l.KW == 2 && l.Stride == 2 && l.Pad == 0:
		return func(_ *Predictor, o *op, dst, src []float32, n int) {
			kern.AvgPool2x2(dst, src, n*o.in[0], o.in[1], o.in[2])
		}
	}
	return func(_ *Predictor, o *op, dst, src []float32, n int) {
		kern.AvgPoolRef(dst, src, n*o.in[0], o.in[1], o.in[2], o.l.KH, o.l.KW, o.l.Stride, o.l.Pad)
	}
}

// poolCost is the cost of a pooling layer with input s and output os, the
// cost of their entries in the kinds table (kinds.go): one comparison (max) or addition (average)
// per window element per output, one store per output and, for averages, one
// division per output; no scratch (every path pools from one activation
// buffer into the other).
func poolCost(l *Layer, s, os Shape) workCost {
	n := int64(os.Size())
	switch l.Kind {
	case GlobalAvgPool:
		return workCost{Moves: int64(s.Size()) + 2*n}
	case AvgPool2D:
		return workCost{Moves: n*int64(l.KH*l.KW) + 2*n}
	case MaxPool2D:
		return workCost{Compares: n * int64(l.KH*l.KW), Moves: n}
	}
	panic(errfmt.Sprintf("poolCost: %s is not a pooling layer", l.Kind))
}
