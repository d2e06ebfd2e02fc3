package model

import "github.com/i2m2-wasm/i2m2/model/internal/kern"

// The kernels of each kind per path, chosen once by compile.go from the
// kinds table: Reference runs the loops of kern/ref.go, Fast the packed
// float32 kernels, Quantized the int8 kernels.

func reluKernel(_ *Predictor, o *op, dst, _ []float32) { kern.ReLU(dst[:o.in.Size()]) }

func maxPoolKernel(l *Layer, path Path) kernel {
	if path != Reference && l.KH == 2 && l.KW == 2 && l.Stride == 2 {
		return func(_ *Predictor, o *op, dst, src []float32) { kern.MaxPool2x2(dst, src, o.in[0], o.in[1], o.in[2]) }
	}
	return func(_ *Predictor, o *op, dst, src []float32) {
		kern.MaxPoolRef(dst, src, o.in[0], o.in[1], o.in[2], o.l.KH, o.l.KW, o.l.Stride)
	}
}

func denseKernel(_ *Layer, path Path) kernel {
	switch path {
	case Fast:
		return func(_ *Predictor, o *op, dst, src []float32) {
			l := o.l
			kern.GemmP(dst, l.pk.f32, src, l.B, l.Out, 1, l.In, o.relu)
		}
	case Quantized:
		return func(p *Predictor, o *op, dst, src []float32) {
			l := o.l
			sx, unsigned := kern.QuantizeAct(p.qu, p.qs, src[:l.In])
			if unsigned {
				gemm8(dst, l, p.qu[:l.In], sx, 1, o.relu)
			} else {
				gemm8(dst, l, p.qs[:l.In], sx, 1, o.relu)
			}
		}
	}
	return func(_ *Predictor, o *op, dst, src []float32) { kern.DenseRef(dst, src, o.l.W, o.l.B, o.l.In, o.l.Out) }
}

// convKernel: on the float32 path the direct kernel (WebAssembly taps or Go
// pairs) when the layer was packed for it, else im2col + GEMM; on the int8
// path conv8.
func convKernel(l *Layer, path Path) kernel {
	switch path {
	case Fast:
		switch {
		case l.pk.tapsF != nil:
			return func(p *Predictor, o *op, dst, src []float32) {
				l, s, os := o.l, o.in, o.out
				kern.Pad(p.pad, src, s[0], s[1], s[2], l.Pad)
				kern.ConvTapsF(dst, l.pk.tapsF, p.pad, l.B, l.OutC, l.Cols(), os[1], os[2], s[2]+2*l.Pad, o.relu)
			}
		case l.pk.off != nil:
			return func(p *Predictor, o *op, dst, src []float32) {
				l, s, os := o.l, o.in, o.out
				kern.Pad(p.pad, src, s[0], s[1], s[2], l.Pad)
				kern.ConvDirect(dst, l.pk.f32x2, p.pad, l.pk.off, l.B, l.OutC, os[1], os[2], s[2]+2*l.Pad, o.relu)
			}
		}
		return func(p *Predictor, o *op, dst, src []float32) {
			l, s, os := o.l, o.in, o.out
			kern.Pad(p.pad, src, s[0], s[1], s[2], l.Pad)
			kern.Im2colP(p.col, p.pad, s[0], s[1]+2*l.Pad, s[2]+2*l.Pad, l.KH, l.KW, l.Stride, os[1], os[2])
			kern.GemmP(dst, l.pk.f32, p.col, l.B, l.OutC, os[1]*os[2], l.Cols(), o.relu)
		}
	case Quantized:
		return func(p *Predictor, o *op, dst, src []float32) {
			l, s := o.l, o.in
			sx, unsigned := kern.QuantizeAct(p.qu, p.qs, src[:s.Size()])
			if unsigned {
				kern.Pad(p.padu, p.qu, s[0], s[1], s[2], l.Pad)
				conv8(dst, o, p.padu, p.colu, sx)
			} else {
				kern.Pad(p.pads, p.qs, s[0], s[1], s[2], l.Pad)
				conv8(dst, o, p.pads, p.cols, sx)
			}
		}
	}
	return func(_ *Predictor, o *op, dst, src []float32) {
		l, s := o.l, o.in
		kern.Conv2DRef(dst, src, s[0], s[1], s[2], l.W, l.B, l.OutC, l.KH, l.KW, l.Stride, l.Pad)
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
