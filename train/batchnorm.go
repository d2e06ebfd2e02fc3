package train

import "math"

// BatchNorm normalises each channel over the batch and positions (training
// mode) or with its running statistics (evaluation), as torch.nn.BatchNorm2d
// (eps 1e-5, momentum 0.1, unbiased running variance). Sums run in float64,
// in a fixed order.
type BatchNorm[T Float] struct {
	C               int
	Gamma, Beta     *Param[T]
	RunMean, RunVar []T
	Eps, Momentum   float64

	xhat, out, dx Act[T]
	invStd        []float64
	train         bool
}

// NewBatchNorm returns a batch-norm with gamma 1, beta 0, running mean 0 and variance 1.
func NewBatchNorm[T Float](name string, c int) *BatchNorm[T] {
	l := &BatchNorm[T]{C: c, Gamma: newParam[T](name+".gamma", c), Beta: newParam[T](name+".beta", c),
		RunMean: make([]T, c), RunVar: make([]T, c), Eps: 1e-5, Momentum: 0.1, invStd: make([]float64, c)}
	for i := 0; i < c; i++ {
		l.Gamma.W[i], l.RunVar[i] = 1, 1
	}
	return l
}

func (l *BatchNorm[T]) Params() []*Param[T] { return []*Param[T]{l.Gamma, l.Beta} }

func (l *BatchNorm[T]) Forward(x Act[T], train bool) Act[T] {
	n := x.plane()
	l.train = train
	l.out = Act[T]{C: x.C, B: x.B, H: x.H, W: x.W, D: grow(l.out.D, len(x.D))}
	if !train {
		for c := 0; c < l.C; c++ {
			inv := 1 / math.Sqrt(float64(l.RunVar[c])+l.Eps)
			sc := T(inv) * l.Gamma.W[c]
			sh := l.Beta.W[c] - T(float64(l.RunMean[c])*inv)*l.Gamma.W[c]
			dst := l.out.D[c*n : (c+1)*n]
			for i, v := range x.D[c*n : (c+1)*n] {
				dst[i] = v*sc + sh
			}
		}
		return l.out
	}
	l.xhat = Act[T]{C: x.C, B: x.B, H: x.H, W: x.W, D: grow(l.xhat.D, len(x.D))}
	for c := 0; c < l.C; c++ {
		src := x.D[c*n : (c+1)*n]
		var mean, vr float64
		for _, v := range src {
			mean += float64(v)
		}
		mean /= float64(n)
		for _, v := range src {
			d := float64(v) - mean
			vr += d * d
		}
		vr /= float64(n) // biased, for normalising
		inv := 1 / math.Sqrt(vr+l.Eps)
		l.invStd[c] = inv
		unb := vr
		if n > 1 {
			unb *= float64(n) / float64(n-1)
		}
		l.RunMean[c] = T((1-l.Momentum)*float64(l.RunMean[c]) + l.Momentum*mean)
		l.RunVar[c] = T((1-l.Momentum)*float64(l.RunVar[c]) + l.Momentum*unb)
		xh := l.xhat.D[c*n : (c+1)*n]
		dst := l.out.D[c*n : (c+1)*n]
		g, b := l.Gamma.W[c], l.Beta.W[c]
		for i, v := range src {
			h := T((float64(v) - mean) * inv)
			xh[i] = h
			dst[i] = h*g + b
		}
	}
	return l.out
}

// Backward (training mode), per channel with n positions:
//
//	dx = gamma·invStd/n · (n·dy − Σdy − xhat·Σ(dy·xhat)), dgamma = Σ dy·xhat, dbeta = Σ dy.
func (l *BatchNorm[T]) Backward(dy Act[T]) Act[T] {
	if !l.train {
		panic("train: batch-norm backward after an evaluation forward")
	}
	n := dy.plane()
	fn := float64(n)
	l.dx = Act[T]{C: dy.C, B: dy.B, H: dy.H, W: dy.W, D: grow(l.dx.D, len(dy.D))}
	for c := 0; c < l.C; c++ {
		g := dy.D[c*n : (c+1)*n]
		xh := l.xhat.D[c*n : (c+1)*n]
		var sdy, sdyx float64
		for i, v := range g {
			sdy += float64(v)
			sdyx += float64(v) * float64(xh[i])
		}
		l.Gamma.G[c] = T(sdyx)
		l.Beta.G[c] = T(sdy)
		k := float64(l.Gamma.W[c]) * l.invStd[c] / fn
		a, m1, m2 := T(k*fn), T(k*sdy), T(k*sdyx)
		dst := l.dx.D[c*n : (c+1)*n]
		for i, v := range g {
			dst[i] = a*v - m1 - xh[i]*m2
		}
	}
	return l.dx
}
