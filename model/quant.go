package model

import (
	"fmt"
	"math"
)

// QTensor is a weight matrix quantised to int8, symmetric, one scale per row
// (output channel): W[r][c] ~= Scale[r] * Data[r*Cols+c], Data in [-127, 127].
// A row of zeros has scale 0 (and dequantises to zeros).
type QTensor struct {
	Rows, Cols int
	Data       []int8
	Scale      []float32
}

// quantizeRows is the reference quantiser used to create model files (as
// ggml's quantize_row_q8_0_ref): scale = max|w|/127, q = round(w/scale).
func quantizeRows(w []float32, rows, cols int) *QTensor {
	q := &QTensor{Rows: rows, Cols: cols, Data: make([]int8, rows*cols), Scale: make([]float32, rows)}
	for r := 0; r < rows; r++ {
		row := w[r*cols : (r+1)*cols]
		var amax float32
		for _, v := range row {
			if a := float32(math.Abs(float64(v))); a > amax {
				amax = a
			}
		}
		if amax == 0 {
			continue // all-zero row: scale 0, data 0
		}
		s := amax / 127
		q.Scale[r] = s
		inv := 1 / s
		dst := q.Data[r*cols : (r+1)*cols]
		for i, v := range row {
			x := math.Round(float64(v * inv))
			if x > 127 {
				x = 127
			} else if x < -127 {
				x = -127
			}
			dst[i] = int8(x)
		}
	}
	return q
}

// Dequantize returns the float32 matrix q represents.
func (q *QTensor) Dequantize() []float32 {
	w := make([]float32, q.Rows*q.Cols)
	for r := 0; r < q.Rows; r++ {
		s := q.Scale[r]
		for c := 0; c < q.Cols; c++ {
			w[r*q.Cols+c] = s * float32(q.Data[r*q.Cols+c])
		}
	}
	return w
}

// QuantStat is the quantisation error of one tensor (llama2.c's export prints
// the same per tensor).
type QuantStat struct {
	Tensor string
	MaxAbs float32 // max |w - dequant(q)|
	MaxW   float32 // max |w|
}

// Quantize converts the model's weights to int8 in place (keeping the float32
// weights for the reference path, replaced by their dequantised values so that
// both paths see the same weights) and returns the error per tensor.
func (m *Model) Quantize() []QuantStat {
	var stats []QuantStat
	m.eachLayer(func(name string, l *Layer) {
		if !l.hasWeights() {
			return
		}
		q := quantizeRows(l.W, l.Rows(), l.Cols())
		deq := q.Dequantize()
		st := QuantStat{Tensor: name}
		for i, v := range l.W {
			if d := float32(math.Abs(float64(v - deq[i]))); d > st.MaxAbs {
				st.MaxAbs = d
			}
			if a := float32(math.Abs(float64(v))); a > st.MaxW {
				st.MaxW = a
			}
		}
		l.Q = q
		l.W = deq
		stats = append(stats, st)
	})
	m.Quantization = Int8
	m.weightsChanged()
	return stats
}

// eachLayer calls f for every layer in file order: experts in order, each
// expert's branches in order, then its head.
func (m *Model) eachLayer(f func(name string, l *Layer)) {
	for ei := range m.Experts {
		e := &m.Experts[ei]
		for bi := range e.Branches {
			for li := range e.Branches[bi] {
				f(fmt.Sprintf("%s.%s.%d.%s", e.Name, e.Inputs[bi], li, e.Branches[bi][li].Kind), &e.Branches[bi][li])
			}
		}
		for li := range e.Head {
			f(fmt.Sprintf("%s.head.%d.%s", e.Name, li, e.Head[li].Kind), &e.Head[li])
		}
	}
}
