package model

import (
	"encoding/binary"
	"math"
)

// The load's per-element loops, each in a small function of its own that the
// Go compiler may not inline into its caller. Why: V8 compiles a wasm
// function lazily with its baseline compiler, and recompiles it with its
// optimising compiler on background threads once it has run enough code,
// counted at every loop iteration by the size of the code that loop spans.
// Go's wasm backend runs each loop of a function through that function's one
// dispatch loop, so a per-byte or per-weight loop in a large function sends
// the whole large function to the optimising compiler during a cold load,
// where those compilations share the machine's cores with the load itself
// (bench/README.md, "Cold start: what V8 recompiles during the load"). A loop
// in a leaf function costs a recompilation of the leaf alone.

// dequantize writes raw's int8 weights, rows of len(raw)/len(scale), to q and
// their products with their row's scale to w (q8.Tensor's dequantisation),
// and reports false if one is -128.
//
//go:noinline
func dequantize(w []float32, q []int8, raw []byte, scale []float32) bool {
	if len(scale) == 0 {
		return true
	}
	c := len(raw) / len(scale)
	for r, s := range scale {
		row, wr, qr := raw[r*c:(r+1)*c], w[r*c:(r+1)*c], q[r*c:(r+1)*c]
		for i, b := range row {
			v := int8(b)
			if v == -128 {
				return false
			}
			qr[i] = v
			wr[i] = s * float32(v)
		}
	}
	return true
}

// badScale returns the index of the first scale that is negative, NaN or
// infinite, or -1.
//
//go:noinline
func badScale(scale []float32) int {
	for i, s := range scale {
		if !(s >= 0) || math.IsInf(float64(s), 0) {
			return i
		}
	}
	return -1
}

// readF32 decodes n little-endian float32 values from b.
//
//go:noinline
func readF32(b []byte, n int) []float32 {
	out := make([]float32, n)
	b = b[:4*n]
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return out
}
