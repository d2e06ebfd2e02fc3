// Package quant is the writer side of int8 models: it converts a float32 model's weights to
// int8 (FORMAT.md, "Tensors": symmetric, one scale per output row) and reports the error per
// tensor. Reading and running int8 files is package model's.
package quant

import (
	"fmt"
	"math"

	"github.com/i2m2-wasm/i2m2/model"
	"github.com/i2m2-wasm/i2m2/model/internal/q8"
)

// Stat is the quantisation error of one tensor (llama2.c's export prints the same per tensor).
type Stat struct {
	Tensor string  // expert.input.layer.kind, or expert.head.layer.kind
	MaxAbs float32 // max |w - dequant(q)|
	MaxW   float32 // max |w|
}

// Quantize converts m's weights to int8 in place, keeping the float32 weights for the
// reference path but replaced by their dequantised values, so that every path sees the same
// weights, and returns the error per tensor in file order. m must have been validated.
func Quantize(m *model.Model) ([]Stat, error) {
	var stats []Stat
	for ei := range m.Experts {
		e := &m.Experts[ei]
		for bi, br := range e.Branches {
			for li := range br {
				stats = quantize(stats, fmt.Sprintf("%s.%s.%d.%s", e.Name, e.Inputs[bi], li, br[li].Kind), &br[li])
			}
		}
		for li := range e.Head {
			stats = quantize(stats, fmt.Sprintf("%s.head.%d.%s", e.Name, li, e.Head[li].Kind), &e.Head[li])
		}
	}
	m.Quantization = "int8"
	return stats, m.Validate() // drops what was derived from the float32 weights
}

// quantize converts one layer, if it has weights, and appends its error to stats.
func quantize(stats []Stat, name string, l *model.Layer) []Stat {
	if l.W == nil {
		return stats
	}
	q := q8.Quantize(l.W, l.Rows(), l.Cols())
	deq := q.Dequantize()
	st := Stat{Tensor: name}
	for i, v := range l.W {
		st.MaxAbs = max(st.MaxAbs, float32(math.Abs(float64(v-deq[i]))))
		st.MaxW = max(st.MaxW, float32(math.Abs(float64(v))))
	}
	l.Q, l.W = q, deq
	return append(stats, st)
}
