package model

import "github.com/i2m2-wasm/i2m2/model/internal/kern"

// The kernels of each kind per path, chosen once by compile.go from the
// kinds table: Reference runs the loops of kern/ref.go, Fast the packed
// float32 kernels, Quantized the int8 kernels. A kernel runs a chunk of n
// samples (batch.go).

func reluKernel(_ *Predictor, o *op, dst, _ []float32, n int) { kern.ReLU(dst[:n*o.in.Size()]) }

// Pooling treats the samples of a chunk as more channels.
func maxPoolKernel(l *Layer, path Path) kernel {
	if path != Reference && l.isMaxPool2x2() {
		return func(_ *Predictor, o *op, dst, src []float32, n int) {
			kern.MaxPool2x2(dst, src, n*o.in[0], o.in[1], o.in[2])
		}
	}
	return func(_ *Predictor, o *op, dst, src []float32, n int) {
		kern.MaxPoolRef(dst, src, n*o.in[0], o.in[1], o.in[2], o.l.KH, o.l.KW, o.l.Stride)
	}
}

// denseKernel: on the float32 path one product of the weights with the
// chunk's n input rows (kern.GemmPS, one column per sample); the int8 path
// quantises each sample's activation on its own (per-tensor scale), so it
// runs sample by sample, like the reference.
func denseKernel(_ *Layer, path Path) kernel {
	switch path {
	case Fast:
		return func(_ *Predictor, o *op, dst, src []float32, n int) {
			l := o.l
			kern.GemmPS(dst, l.pk.f32, src, l.B, l.Out, n, l.In, 1, o.relu)
		}
	case Quantized:
		return perSample(func(p *Predictor, o *op, dst, src []float32) {
			l := o.l
			sx, unsigned := kern.QuantizeAct(p.qu, p.qs, src[:l.In])
			if unsigned {
				gemm8(dst, l, p.qu[:l.In], sx, 1, o.relu)
			} else {
				gemm8(dst, l, p.qs[:l.In], sx, 1, o.relu)
			}
		})
	}
	return perSample(func(_ *Predictor, o *op, dst, src []float32) { kern.DenseRef(dst, src, o.l.W, o.l.B, o.l.In, o.l.Out) })
}

// convKernel: on the float32 path the direct kernel (WebAssembly taps or Go
// pairs, with the pool fused when compile.go fused it) when the layer was
// packed for it, else im2col + GEMM; a chunk of several samples runs narrow
// layers as one GEMM over batch x positions (convBatch). On the int8 path
// conv8, sample by sample.
func convKernel(l *Layer, path Path) kernel {
	switch path {
	case Fast:
		one := perSample(convF32)
		return func(p *Predictor, o *op, dst, src []float32, n int) {
			if n > 1 && o.l.pk.strideB > 0 {
				p.convBatch(o, dst, src, n)
				return
			}
			one(p, o, dst, src, n)
		}
	case Quantized:
		return perSample(func(p *Predictor, o *op, dst, src []float32) {
			l, s := o.l, o.in
			sx, unsigned := kern.QuantizeAct(p.qu, p.qs, src[:s.Size()])
			if unsigned {
				kern.Pad(p.padu, p.qu, s[0], s[1], s[2], l.Pad)
				conv8(dst, o, p.padu, p.colu, sx)
			} else {
				kern.Pad(p.pads, p.qs, s[0], s[1], s[2], l.Pad)
				conv8(dst, o, p.pads, p.cols, sx)
			}
		})
	}
	return perSample(func(_ *Predictor, o *op, dst, src []float32) {
		l, s := o.l, o.in
		kern.Conv2DRef(dst, src, s[0], s[1], s[2], l.W, l.B, l.OutC, l.KH, l.KW, l.Stride, l.Pad)
	})
}

// convF32 is the float32 convolution of one sample.
func convF32(p *Predictor, o *op, dst, src []float32) {
	l, s, cs := o.l, o.in, o.conv
	kern.Pad(p.pad, src, s[0], s[1], s[2], l.Pad)
	wp := s[2] + 2*l.Pad
	taps := l.pk.tapsF.Pair != nil // made (MakeTapsF's slices are never nil)
	switch {
	case taps && o.pool:
		kern.ConvTapsFPool(dst, l.pk.tapsF, p.pad, l.B, l.OutC, l.Cols(), cs[1], cs[2], wp, o.relu, p.rows)
	case taps:
		kern.ConvTapsF(dst, l.pk.tapsF, p.pad, l.B, l.OutC, l.Cols(), cs[1], cs[2], wp, o.relu)
	case l.pk.off != nil && o.pool:
		kern.ConvDirectPool(dst, l.pk.f32x2, p.pad, l.pk.off, l.B, l.OutC, cs[1], cs[2], wp, o.relu, p.rows)
	case l.pk.off != nil:
		kern.ConvDirect(dst, l.pk.f32x2, p.pad, l.pk.off, l.B, l.OutC, cs[1], cs[2], wp, o.relu)
	default:
		kern.Im2colP(p.col, p.pad, s[0], s[1]+2*l.Pad, wp, l.KH, l.KW, l.Stride, cs[1], cs[2])
		kern.GemmP(dst, l.pk.f32, p.col, l.B, l.OutC, cs[1]*cs[2], l.Cols(), o.relu)
	}
}

// batchConv reports whether a chunk of samples runs a stride-1
// convolution with M output channels and outputs ow wide as one product
// over batch x positions (convBatch) rather than sample by sample. A cost
// model fitted to the SIMD kernels (BenchmarkBatch, bench_test.go; per
// output row and tap, in units of one multiply-add in an 8-column tile):
// the direct kernel spends directCols(ow) on a row; the batch spends ow
// multiply-adds plus im2colCost per receptive-field element it lays out,
// shared by the M channels. Since the direct kernel's 4x8 tiles take the
// columns left of two rows at once (kern/simdgen, convRowsF4), the batch
// pays only for rows 2 wide with more than 100 channels: none of the
// shipped model's (with the batch, 48 and 96 channels 2 wide and 48
// channels 5 wide ran 1.10x slower; BenchmarkBatch, "batch-every-narrow-
// conv" is every narrow layer batched). The scalar kernels tile 2x4
// everywhere and narrow rows already run im2col + GEMM per sample: no batch
// there.
var batchConv = func(M, ow int) bool {
	return kern.SIMD() && float64(M)*directCols(ow) > float64(ow)*float64(M+im2colCost)
}

// im2colCost: kern.Im2colK's cost per element, in multiply-adds (~4 ns per
// element in Go's wasm; fitted to BenchmarkBatch with the channel quads).
const im2colCost = 100

// directCols is the cost of one output row ow wide in the SIMD direct
// kernel: the columns it computes, 8 at a time, then the 1 to 7 left in
// steps of 4 (two rows at once, so a step costs what a column of the 8-wide
// tile does).
func directCols(ow int) float64 { return 8*float64(ow/8) + 4*float64((ow%8+3)/4) }

// maxBatchCol bounds the k-major matrix of a batched convolution (float32s).
const maxBatchCol = 1 << 20

// batchStride is the row length of layer l's k-major batch matrix (whole
// tiles of 4 over a chunk's positions), 0 if the layer does not batch so.
func batchStride(l *Layer, out Shape, chunk int) int {
	if l.Kind != Conv2D || l.Stride != 1 || chunk < 2 || !batchConv(l.OutC, out[2]) {
		return 0
	}
	S := (chunk*out[1]*out[2] + 3) / 4 * 4
	if l.Cols()*S > maxBatchCol {
		return 0
	}
	return S
}

// convBatch is the float32 convolution of n samples as one product over
// batch x positions: every sample's receptive fields into the k-major matrix
// p.colK (kern.Im2colK), kern.ConvTapsF over it with the layer's strided taps
// (kern.StridedOffsets), the fused pool if any, and each sample's channels
// moved to its own [m][pos] block. Same bits as the one-sample kernels.
func (p *Predictor) convBatch(o *op, dst, src []float32, n int) {
	l, s, cs := o.l, o.in, o.conv
	M, K, pix, S := l.OutC, l.Cols(), cs[1]*cs[2], l.pk.strideB
	is := s.Size()
	col := p.colK[:K*S]
	for j := 0; j < n; j++ {
		kern.Pad(p.pad, src[j*is:(j+1)*is], s[0], s[1], s[2], l.Pad)
		kern.Im2colK(col, S, j*pix, p.pad, s[0], s[1]+2*l.Pad, s[2]+2*l.Pad, l.KH, l.KW, cs[1], cs[2])
	}
	conv := p.tmp[:M*n*pix] // [m][sample][y][x]
	kern.ConvTapsF(conv, l.pk.tapsB, col, l.B, M, K, 1, n*pix, S, o.relu)
	planes, q := conv, pix
	if o.pool {
		q = o.out[1] * o.out[2]
		planes = p.tmp[M*n*pix:][:M*n*q]
		kern.MaxPool2x2(planes, conv, M*n, cs[1], cs[2])
	}
	kern.Unbatch(dst, planes, M, n, q)
}

// batchScratch is what convBatch needs for the ops of prog: the k-major
// matrix and the output before the move (and its pooled copy).
func batchScratch(prog []expertOps) (colK, tmp int) {
	eachOp(prog, func(o *op) {
		if l := o.l; l.pk != nil && l.pk.strideB > 0 {
			colK = max(colK, l.Cols()*l.pk.strideB)
			tmp = max(tmp, 2*l.OutC*l.pk.strideB)
		}
	})
	return colK, tmp
}

// poolRows is the scratch the fused convolution-pool ops of prog need.
func poolRows(prog []expertOps) int {
	n := 0
	eachOp(prog, func(o *op) {
		if o.pool {
			n = max(n, kern.PoolRowsScratch(o.conv[2]))
		}
	})
	return n
}

func eachOp(prog []expertOps, f func(o *op)) {
	for i := range prog {
		for _, b := range prog[i].branches {
			for j := range b.ops {
				f(&b.ops[j])
			}
		}
		for j := range prog[i].head {
			f(&prog[i].head[j])
		}
	}
}

// conv8 is the int8 convolution of the padded quantised input pad: direct
// when the layer allows it, else im2col into col and gemm8.
func conv8[T int8 | uint8](dst []float32, o *op, pad, col []T, sx float32) {
	l, s, os := o.l, o.in, o.out
	hp, wp := s[1]+2*l.Pad, s[2]+2*l.Pad
	if l.pk.taps8 != nil {
		kern.ConvTaps8(dst, l.pk.taps8, l.Q.Scale, pad, sx, l.B, l.OutC, l.Cols(), os[1], os[2], wp, o.relu)
		return
	}
	kern.Im2colP(col, pad, s[0], hp, wp, l.KH, l.KW, l.Stride, os[1], os[2])
	gemm8(dst, l, col, sx, os[1]*os[2], o.relu)
}

// gemm8 runs the int8 product of layer l with the quantised activations bt
// (N columns of l.Cols()), falling back to the reference loop when K is too
// long for the paired kernel's int32 lanes.
func gemm8[T int8 | uint8](dst []float32, l *Layer, bt []T, sx float32, N int, relu bool) {
	M, K := l.Rows(), l.Cols()
	if K <= kern.MaxPairK {
		kern.GemmPair(dst, l.pk.pairs, l.Q.Scale, bt, sx, l.B, M, N, K, relu)
		return
	}
	kern.GemmNT8Ref(dst, l.Q.Data, l.Q.Scale, bt, sx, l.B, M, N, K)
	if relu {
		kern.ReLU(dst[:M*N])
	}
}
