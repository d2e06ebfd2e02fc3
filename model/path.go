package model

import "github.com/i2m2-wasm/i2m2/internal/errfmt"

// Path selects the kernels a Predictor runs.
type Path uint8

const (
	// Reference runs the plain float32 loops of kern/ref.go: slow, obvious,
	// the definition every other path is tested against.
	Reference Path = iota
	// Fast runs the optimised float32 kernels: direct convolution for
	// stride-1 layers with rows >= 8 wide, im2col + register-tiled GEMM
	// otherwise, with hand-written WebAssembly inner loops under GOOS=js.
	// It is the fastest path in the browser (bench/README.md) and runs int8
	// model files too (on their dequantised weights).
	Fast
	// Quantized runs the int8 kernels: int8 weights per output row, activations
	// quantised per tensor on the fly, int32 accumulation, scales applied once
	// per output. Needs a model with int8 weights (read from an int8 file, or
	// after Quantize).
	Quantized
)

const numPaths = int(Quantized) + 1

// DefaultPath is the path the browser-facing packages (wasm/, worker/) use
// unless told otherwise: the float32 kernels, which measured 1.45x faster than
// the int8 kernels under GOOS=js on the AV-MNIST model (bench/README.md, go
// kernels section). An int8 model file is dequantised when read, so the
// shipped int8 file runs here with its int8 weights (weight-only
// quantisation); the int8 kernels stay available as Quantized.
const DefaultPath = Fast

func (p Path) String() string {
	switch p {
	case Reference:
		return "reference"
	case Fast:
		return "float32"
	case Quantized:
		return "int8"
	}
	return errfmt.Sprintf("path(%d)", uint8(p))
}

// ParsePath returns the path named name: "int8", "float32" or "reference"
// (Path.String's names); "" is DefaultPath.
func ParsePath(name string) (Path, error) {
	if name == "" {
		return DefaultPath, nil
	}
	for p := Path(0); int(p) < numPaths; p++ {
		if p.String() == name {
			return p, nil
		}
	}
	return 0, errfmt.Errorf("%w: path %q (want int8, float32 or reference)", ErrInput, name)
}
