package train

import (
	"fmt"
)

// Act is a batch of activations in channel-major layout [C][B][H][W]
// (a batch of feature vectors is [F][B] with H = W = 1). With the batch
// inside the channel, every matrix product of a convolution has the long
// dimension B·H·W innermost, which is where gonum's kernels are fast.
type Act[T Float] struct {
	C, B, H, W int
	D          []T // C*B*H*W
}

func (a Act[T]) plane() int { return a.B * a.H * a.W } // elements of one channel

// Param is one trainable tensor with its gradient and SGD momentum buffer.
type Param[T Float] struct {
	Name string
	W    []T // values
	G    []T // gradient of the loss (overwritten by each Backward)
	V    []T // momentum buffer
}

func newParam[T Float](name string, n int) *Param[T] {
	return &Param[T]{Name: name, W: make([]T, n), G: make([]T, n), V: make([]T, n)}
}

// Layer is one differentiable layer. Forward keeps what Backward needs, so
// the two must alternate on the same batch. Backward sets the gradients of
// the layer's parameters and returns the gradient with respect to its input
// (nil when the layer was told not to compute it).
type Layer[T Float] interface {
	Forward(x Act[T], train bool) Act[T]
	Backward(dy Act[T]) Act[T]
	Params() []*Param[T]
}

// grow returns s with length n, reusing its storage when it is large enough.
func grow[T any](s []T, n int) []T {
	if cap(s) >= n {
		return s[:n]
	}
	return make([]T, n)
}

// Conv is a stride-1 convolution without bias (the reference LeNet's convs
// have bias=False; batch-norm follows). W is [OutC][InC][K][K], the model
// package's layout.
type Conv[T Float] struct {
	InC, OutC, K, Pad int
	W                 *Param[T]
	NoInputGrad       bool // first layer: skip dx

	x, out, dx Act[T]
	col, dcol  []T
}

// NewConv returns a K×K convolution with zero weights.
func NewConv[T Float](name string, inC, outC, k, pad int) *Conv[T] {
	return &Conv[T]{InC: inC, OutC: outC, K: k, Pad: pad, W: newParam[T](name+".w", outC*inC*k*k)}
}

func (l *Conv[T]) Params() []*Param[T] { return []*Param[T]{l.W} }

func (l *Conv[T]) outHW(h, w int) (int, int) { return h + 2*l.Pad - l.K + 1, w + 2*l.Pad - l.K + 1 }

// patchRows calls f on every row of a patch matrix over C channels with n columns: the row of
// channel c at kernel offset (ky, kx), in the order (c, ky, kx), with xc channel c's plane of x
// (im2col reads it, col2im adds into it) and lo..hi the columns ox whose ox+kx-Pad is inside the
// width.
func (l *Conv[T]) patchRows(x Act[T], n, ow int, col []T, f func(ky int, row, xc []T, lo, hi, dx int)) {
	for c := 0; c < x.C; c++ {
		xc := x.D[c*x.plane() : (c+1)*x.plane()]
		for ky := 0; ky < l.K; ky++ {
			for kx := 0; kx < l.K; kx++ {
				dx := kx - l.Pad
				lo, hi := max(0, -dx), min(ow, x.W-dx) // ox range with 0 <= ox+dx < W
				f(ky, col[((c*l.K+ky)*l.K+kx)*n:((c*l.K+ky)*l.K+kx+1)*n], xc, lo, hi, dx)
			}
		}
	}
}

// im2col writes the transposed patch matrix
// col[(c,ky,kx)][(b,oy,ox)] = x[c][b][oy+ky-Pad][ox+kx-Pad] (0 outside).
func (l *Conv[T]) im2col(x Act[T], oh, ow int, col []T) {
	l.patchRows(x, x.B*oh*ow, ow, col, func(ky int, row, xc []T, lo, hi, dx int) {
		for b := 0; b < x.B; b++ {
			for oy := 0; oy < oh; oy++ {
				dst := row[(b*oh+oy)*ow : (b*oh+oy+1)*ow]
				iy := oy + ky - l.Pad
				if iy < 0 || iy >= x.H || lo >= hi {
					clear(dst)
					continue
				}
				clear(dst[:lo])
				copy(dst[lo:hi], xc[(b*x.H+iy)*x.W+lo+dx:(b*x.H+iy)*x.W+hi+dx])
				clear(dst[hi:])
			}
		}
	})
}

// col2im is the adjoint of im2col: dx[c][b][iy][ix] = Σ dcol[...] over the
// patches that read it.
func (l *Conv[T]) col2im(dcol []T, oh, ow int, dx Act[T]) {
	clear(dx.D)
	l.patchRows(dx, dx.B*oh*ow, ow, dcol, func(ky int, row, xc []T, lo, hi, d int) {
		if lo >= hi {
			return
		}
		for b := 0; b < dx.B; b++ {
			for oy := 0; oy < oh; oy++ {
				iy := oy + ky - l.Pad
				if iy < 0 || iy >= dx.H {
					continue
				}
				src := row[(b*oh+oy)*ow+lo : (b*oh+oy)*ow+hi]
				dst := xc[(b*dx.H+iy)*dx.W+lo+d : (b*dx.H+iy)*dx.W+hi+d]
				for i, v := range src {
					dst[i] += v
				}
			}
		}
	})
}

// Forward: out[o][(b,oy,ox)] = Σ_(c,ky,kx) W[o][(c,ky,kx)] · col[(c,ky,kx)][(b,oy,ox)],
// one product W · col.
func (l *Conv[T]) Forward(x Act[T], train bool) Act[T] {
	if x.C != l.InC {
		panic(fmt.Sprintf("train: conv %s: %d input channels, want %d", l.W.Name, x.C, l.InC))
	}
	oh, ow := l.outHW(x.H, x.W)
	n, kkc := x.B*oh*ow, l.K*l.K*l.InC
	l.x = x
	l.col = grow(l.col, n*kkc)
	l.im2col(x, oh, ow, l.col)
	l.out = Act[T]{C: l.OutC, B: x.B, H: oh, W: ow, D: grow(l.out.D, n*l.OutC)}
	gemm(false, false, l.OutC, n, kkc, l.W.W, l.col, l.out.D)
	return l.out
}

// Backward: dW = dy · colᵀ, dcol = Wᵀ · dy, dx = col2im(dcol).
func (l *Conv[T]) Backward(dy Act[T]) Act[T] {
	oh, ow := dy.H, dy.W
	n, kkc := dy.B*oh*ow, l.K*l.K*l.InC
	gemm(false, true, l.OutC, kkc, n, dy.D, l.col, l.W.G)
	if l.NoInputGrad {
		return Act[T]{}
	}
	l.dcol = grow(l.dcol, n*kkc)
	gemm(true, false, kkc, n, l.OutC, l.W.W, dy.D, l.dcol)
	l.dx = Act[T]{C: l.x.C, B: l.x.B, H: l.x.H, W: l.x.W, D: grow(l.dx.D, len(l.x.D))}
	l.col2im(l.dcol, oh, ow, l.dx)
	return l.dx
}

// Dense is y = W·x + b with W [Out][In], on feature-major batches x [In][B].
type Dense[T Float] struct {
	In, Out int
	W, B    *Param[T]

	x, out, dx Act[T]
}

// NewDense returns a dense layer with zero weights.
func NewDense[T Float](name string, in, out int) *Dense[T] {
	return &Dense[T]{In: in, Out: out, W: newParam[T](name+".w", out*in), B: newParam[T](name+".b", out)}
}

func (l *Dense[T]) Params() []*Param[T] { return []*Param[T]{l.W, l.B} }

func (l *Dense[T]) Forward(x Act[T], train bool) Act[T] {
	if x.C != l.In || x.H*x.W != 1 {
		panic(fmt.Sprintf("train: dense %s: input [%d][%d][%d][%d], want [%d][B][1][1]", l.W.Name, x.C, x.B, x.H, x.W, l.In))
	}
	l.x = x
	l.out = Act[T]{C: l.Out, B: x.B, H: 1, W: 1, D: grow(l.out.D, x.B*l.Out)}
	gemm(false, false, l.Out, x.B, l.In, l.W.W, x.D, l.out.D)
	for o, v := range l.B.W {
		row := l.out.D[o*x.B : (o+1)*x.B]
		for b := range row {
			row[b] += v
		}
	}
	return l.out
}

// Backward: dW = dy · xᵀ, db = Σ_b dy, dx = Wᵀ · dy.
func (l *Dense[T]) Backward(dy Act[T]) Act[T] {
	gemm(false, true, l.Out, l.In, dy.B, dy.D, l.x.D, l.W.G)
	for o := range l.B.G {
		var s T
		for _, v := range dy.D[o*dy.B : (o+1)*dy.B] {
			s += v
		}
		l.B.G[o] = s
	}
	l.dx = Act[T]{C: l.In, B: dy.B, H: 1, W: 1, D: grow(l.dx.D, len(l.x.D))}
	gemm(true, false, l.In, dy.B, l.Out, l.W.W, dy.D, l.dx.D)
	return l.dx
}

// ReLU is max(0, x).
type ReLU[T Float] struct{ out, dx Act[T] }

func (l *ReLU[T]) Params() []*Param[T] { return nil }

func (l *ReLU[T]) Forward(x Act[T], train bool) Act[T] {
	l.out = Act[T]{C: x.C, B: x.B, H: x.H, W: x.W, D: grow(l.out.D, len(x.D))}
	for i, v := range x.D {
		l.out.D[i] = max(v, 0)
	}
	return l.out
}

func (l *ReLU[T]) Backward(dy Act[T]) Act[T] {
	l.dx = Act[T]{C: dy.C, B: dy.B, H: dy.H, W: dy.W, D: grow(l.dx.D, len(dy.D))}
	for i, v := range dy.D {
		if l.out.D[i] > 0 {
			l.dx.D[i] = v
		} else {
			l.dx.D[i] = 0
		}
	}
	return l.dx
}

// MaxPool2 is 2×2 max pooling with stride 2, floor mode (odd edges dropped).
// Ties go to the first element in row-major window order.
type MaxPool2[T Float] struct {
	x, out, dx Act[T]
	arg        []int32 // index into x.D of each output's maximum
}

func (l *MaxPool2[T]) Params() []*Param[T] { return nil }

func (l *MaxPool2[T]) Forward(x Act[T], train bool) Act[T] {
	oh, ow := x.H/2, x.W/2
	l.x = x
	l.out = Act[T]{C: x.C, B: x.B, H: oh, W: ow, D: grow(l.out.D, x.C*x.B*oh*ow)}
	l.arg = grow(l.arg, len(l.out.D))
	o := 0
	for p := 0; p < x.C*x.B; p++ {
		base := p * x.H * x.W
		for oy := 0; oy < oh; oy++ {
			r0 := base + 2*oy*x.W
			r1 := r0 + x.W
			for ox := 0; ox < ow; ox++ {
				best := r0 + 2*ox
				if x.D[r0+2*ox+1] > x.D[best] {
					best = r0 + 2*ox + 1
				}
				if x.D[r1+2*ox] > x.D[best] {
					best = r1 + 2*ox
				}
				if x.D[r1+2*ox+1] > x.D[best] {
					best = r1 + 2*ox + 1
				}
				l.out.D[o] = x.D[best]
				l.arg[o] = int32(best)
				o++
			}
		}
	}
	return l.out
}

func (l *MaxPool2[T]) Backward(dy Act[T]) Act[T] {
	l.dx = Act[T]{C: l.x.C, B: l.x.B, H: l.x.H, W: l.x.W, D: grow(l.dx.D, len(l.x.D))}
	clear(l.dx.D)
	for o, v := range dy.D {
		l.dx.D[l.arg[o]] += v
	}
	return l.dx
}

// Flatten turns [C][B][H][W] into feature-major [C·H·W][B], features in the
// model package's [C][H][W] order.
type Flatten[T Float] struct {
	x       Act[T]
	out, dx []T
}

func (l *Flatten[T]) Params() []*Param[T] { return nil }

func (l *Flatten[T]) Forward(x Act[T], train bool) Act[T] {
	l.x = x
	hw := x.H * x.W
	if hw == 1 {
		return Act[T]{C: x.C, B: x.B, H: 1, W: 1, D: x.D}
	}
	l.out = grow(l.out, len(x.D))
	flatMove(l.out, x.D, x.C, x.B, hw, true)
	return Act[T]{C: x.C * hw, B: x.B, H: 1, W: 1, D: l.out}
}

func (l *Flatten[T]) Backward(dy Act[T]) Act[T] {
	x := l.x
	hw := x.H * x.W
	if hw == 1 {
		return Act[T]{C: x.C, B: x.B, H: 1, W: 1, D: dy.D}
	}
	l.dx = grow(l.dx, len(dy.D))
	flatMove(l.dx, dy.D, x.C, x.B, hw, false)
	return Act[T]{C: x.C, B: x.B, H: x.H, W: x.W, D: l.dx}
}

// flatMove moves C channels of B samples of hw positions between the convolution layout
// [c][b][p] and the flattened one [c*hw+p][b]: to the flattened one when toFlat, else back.
func flatMove[T Float](dst, src []T, C, B, hw int, toFlat bool) {
	for c := 0; c < C; c++ {
		for b := 0; b < B; b++ {
			for p := 0; p < hw; p++ {
				conv, flat := (c*B+b)*hw+p, (c*hw+p)*B+b
				if toFlat {
					dst[flat] = src[conv]
				} else {
					dst[conv] = src[flat]
				}
			}
		}
	}
}

// Seq runs layers in order.
type Seq[T Float] []Layer[T]

func (s Seq[T]) Forward(x Act[T], train bool) Act[T] {
	for _, l := range s {
		x = l.Forward(x, train)
	}
	return x
}

func (s Seq[T]) Backward(dy Act[T]) Act[T] {
	for i := len(s) - 1; i >= 0; i-- {
		dy = s[i].Backward(dy)
	}
	return dy
}

func (s Seq[T]) Params() []*Param[T] {
	var ps []*Param[T]
	for _, l := range s {
		ps = append(ps, l.Params()...)
	}
	return ps
}
