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
			if n > 1 && batchGemm(o) {
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
	switch {
	case l.pk.tapsF != nil && o.pool:
		kern.ConvTapsFPool(dst, l.pk.tapsF, p.pad, l.B, l.OutC, l.Cols(), cs[1], cs[2], wp, o.relu, p.rows)
	case l.pk.tapsF != nil:
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

// batchGemm reports whether a chunk of samples runs op o's convolution as
// one GEMM over batch x positions rather than sample by sample: for outputs
// narrower than batchGemmWidth, where the direct kernels' tiles (4 or 8
// columns) are partly wasted and a one-sample GEMM has few columns.
func batchGemm(o *op) bool { return o.conv[2] < batchGemmWidth }

// batchGemmWidth: measured in bench_test.go (BenchmarkBatch).
var batchGemmWidth = 8

// convBatch is the float32 convolution of n samples as im2col + one GEMM
// (kern.GemmPS) over as many samples' positions as p.col holds, then the
// fused pool if any.
func (p *Predictor) convBatch(o *op, dst, src []float32, n int) {
	l, s, cs := o.l, o.in, o.conv
	K, pix, is := l.Cols(), cs[1]*cs[2], s.Size()
	co := l.OutC * pix
	out := dst
	if o.pool {
		out = p.tmp[:n*co]
	}
	per := max(1, len(p.col)/(K*pix))
	for s0 := 0; s0 < n; s0 += per {
		nb := min(per, n-s0)
		for j := 0; j < nb; j++ {
			kern.Pad(p.pad, src[(s0+j)*is:(s0+j+1)*is], s[0], s[1], s[2], l.Pad)
			kern.Im2colP(p.col[j*pix*K:], p.pad, s[0], s[1]+2*l.Pad, s[2]+2*l.Pad, l.KH, l.KW, l.Stride, cs[1], cs[2])
		}
		kern.GemmPS(out[s0*co:], l.pk.f32, p.col[:nb*pix*K], l.B, l.OutC, nb*pix, K, pix, o.relu)
	}
	if o.pool {
		kern.MaxPool2x2(dst, out, n*l.OutC, cs[1], cs[2])
	}
}

// poolRows is the scratch the fused convolution-pool ops of prog need.
func poolRows(prog []expertOps) int {
	n := 0
	each := func(ops []op) {
		for i := range ops {
			if ops[i].pool {
				n = max(n, kern.PoolRowsScratch(ops[i].conv[2]))
			}
		}
	}
	for i := range prog {
		for _, b := range prog[i].branches {
			each(b.ops)
		}
		each(prog[i].head)
	}
	return n
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
