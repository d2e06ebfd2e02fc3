// Package train trains I2M2 models (Madaan et al., NeurIPS 2024) natively:
// backpropagation for the LeNet layer set of model.AVMNIST (conv, batch-norm,
// ReLU, max-pool, flatten, concat, dense), SGD with momentum, the
// product-of-experts loss, the paper's pre-train-then-fine-tune recipe, and
// export to model.Model (batch-norm folded).
//
// Activations are channels-last (NHWC, batch first) so that an im2col
// convolution is one matrix product whose output is already NHWC. Tensors are
// gorgonia.org/tensor Dense values over plain slices; the matrix products go
// through gorgonia's MatMul (gonum BLAS). Everything is generic over float32
// (training) and float64 (gradient checks).
//
// This package is native only: it must never be linked into the wasm builds.
package train

import (
	"fmt"

	"gorgonia.org/tensor"
)

// Float is the element type of the trainer.
type Float interface{ ~float32 | ~float64 }

// gemm computes c = op(a) · op(b), overwriting c [m×n]. op(a) is [m×k]: a is
// stored [m×k], or [k×m] when ta (then op(a) = aᵀ); likewise b is [k×n], or
// [n×k] when tb. The product runs in gorgonia's MatMul (gonum Sgemm/Dgemm;
// transposed views are passed to BLAS as transpose flags, no copies).
// gemmRef is the reference loop.
func gemm[T Float](ta, tb bool, m, n, k int, a, b, c []T) {
	mk := func(rows, cols int, d []T, t bool) *tensor.Dense {
		x := tensor.New(tensor.WithShape(rows, cols), tensor.WithBacking(d[:rows*cols]))
		if t {
			x.T()
		}
		return x
	}
	var A, B *tensor.Dense
	if ta {
		A = mk(k, m, a, true)
	} else {
		A = mk(m, k, a, false)
	}
	if tb {
		B = mk(n, k, b, true)
	} else {
		B = mk(k, n, b, false)
	}
	C := tensor.New(tensor.WithShape(m, n), tensor.WithBacking(c[:m*n]))
	if _, err := tensor.MatMul(A, B, tensor.WithReuse(C)); err != nil {
		// Shapes are fixed by the layers, so this is a programming error.
		panic(fmt.Sprintf("train: MatMul %dx%dx%d: %v", m, n, k, err))
	}
}

// gemmRef is the reference for gemm:
//
//	for i < m, j < n: c[i][j] = Σ_p op(a)[i][p] · op(b)[p][j]
func gemmRef[T Float](ta, tb bool, m, n, k int, a, b, c []T) {
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s T
			for p := 0; p < k; p++ {
				var x, y T
				if ta {
					x = a[p*m+i]
				} else {
					x = a[i*k+p]
				}
				if tb {
					y = b[j*k+p]
				} else {
					y = b[p*n+j]
				}
				s += x * y
			}
			c[i*n+j] = s
		}
	}
}
