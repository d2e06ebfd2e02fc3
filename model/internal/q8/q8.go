// Package q8 is the int8 weight matrix of the .i2m2 format (FORMAT.md, "Tensors"): what the
// reader decodes (model/format.go), the int8 kernels run (model/ops.go) and the quantiser
// writes (model/quant).
package q8

import "math"

// Tensor is a weight matrix quantised to int8, symmetric, one scale per row
// (output channel): W[r][c] ~= Scale[r] * Data[r*Cols+c], Data in [-127, 127].
// A row of zeros has scale 0 (and dequantises to zeros).
type Tensor struct {
	Rows, Cols int
	Data       []int8
	Scale      []float32
}

// Quantize is the reference quantiser used to create model files (as
// ggml's quantize_row_q8_0_ref): scale = max|w|/127, q = round(w/scale).
func Quantize(w []float32, rows, cols int) *Tensor {
	q := &Tensor{Rows: rows, Cols: cols, Data: make([]int8, rows*cols), Scale: make([]float32, rows)}
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
func (q *Tensor) Dequantize() []float32 {
	w := make([]float32, q.Rows*q.Cols)
	for r := 0; r < q.Rows; r++ {
		s := q.Scale[r]
		for c := 0; c < q.Cols; c++ {
			w[r*q.Cols+c] = s * float32(q.Data[r*q.Cols+c])
		}
	}
	return w
}
