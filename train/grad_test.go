package train

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

func randAct(r *rand.Rand, c, b, h, w int) Act[float64] {
	a := Act[float64]{C: c, B: b, H: h, W: w, D: make([]float64, c*b*h*w)}
	for i := range a.D {
		a.D[i] = r.NormFloat64()
	}
	return a
}

// checkGrad compares a layer's Backward with central finite differences of
// loss(x) = Σ r ⊙ layer(x) in float64, for the input and every parameter.
// Tolerance: relative error 1e-6 (h = 1e-6; kinks of ReLU and max-pool are
// not hit by continuous random inputs).
func checkGrad(t *testing.T, name string, l Layer[float64], x Act[float64], skipInput bool) {
	t.Helper()
	r := rand.New(rand.NewPCG(3, 4))
	for _, p := range l.Params() {
		for i := range p.W {
			p.W[i] = r.NormFloat64() * 0.5
		}
	}
	y := l.Forward(x, true)
	up := make([]float64, len(y.D))
	for i := range up {
		up[i] = r.NormFloat64()
	}
	loss := func() float64 {
		y := l.Forward(x, true)
		var s float64
		for i, v := range y.D {
			s += up[i] * v
		}
		return s
	}
	l.Forward(x, true)
	dy := Act[float64]{C: y.C, B: y.B, H: y.H, W: y.W, D: append([]float64(nil), up...)}
	dx := l.Backward(dy)
	var dxc []float64
	if !skipInput {
		dxc = append([]float64(nil), dx.D...)
	}
	type target struct {
		what string
		v, g []float64
	}
	targets := []target{}
	if !skipInput {
		targets = append(targets, target{"input", x.D, dxc})
	}
	for _, p := range l.Params() {
		targets = append(targets, target{p.Name, p.W, append([]float64(nil), p.G...)})
	}
	const h = 1e-6
	for _, tg := range targets {
		var worst float64
		for i := range tg.v {
			old := tg.v[i]
			tg.v[i] = old + h
			lp := loss()
			tg.v[i] = old - h
			lm := loss()
			tg.v[i] = old
			num := (lp - lm) / (2 * h)
			e := math.Abs(num-tg.g[i]) / math.Max(1, math.Abs(num)+math.Abs(tg.g[i]))
			worst = max(worst, e)
		}
		if worst > 1e-6 {
			t.Errorf("%s: %s: max relative gradient error %.3g > 1e-6", name, tg.what, worst)
		}
	}
}

func TestGradients(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	cases := []struct {
		name string
		l    Layer[float64]
		x    Act[float64]
	}{
		{"conv5x5pad2", NewConv[float64]("c", 2, 3, 5, 2), randAct(r, 2, 3, 7, 6)},
		{"conv3x3pad1", NewConv[float64]("c", 3, 4, 3, 1), randAct(r, 3, 2, 5, 5)},
		{"conv3x3pad0", NewConv[float64]("c", 2, 2, 3, 0), randAct(r, 2, 2, 4, 5)},
		{"dense", NewDense[float64]("d", 6, 4), randAct(r, 6, 5, 1, 1)},
		{"batchnorm-map", NewBatchNorm[float64]("bn", 3), randAct(r, 3, 4, 3, 2)},
		{"batchnorm-vec", NewBatchNorm[float64]("bn", 5), randAct(r, 5, 6, 1, 1)},
		{"relu", &ReLU[float64]{}, randAct(r, 2, 3, 4, 4)},
		{"maxpool2-even", &MaxPool2[float64]{}, randAct(r, 2, 3, 4, 6)},
		{"maxpool2-odd", &MaxPool2[float64]{}, randAct(r, 2, 2, 5, 3)},
		{"flatten", &Flatten[float64]{}, randAct(r, 3, 2, 2, 3)},
		{"flatten-1x1", &Flatten[float64]{}, randAct(r, 4, 3, 1, 1)},
		{"seq", Seq[float64]{NewConv[float64]("c", 1, 2, 3, 1), NewBatchNorm[float64]("bn", 2), &ReLU[float64]{}, &MaxPool2[float64]{}, &Flatten[float64]{}, NewDense[float64]("d", 8, 3)}, randAct(r, 1, 3, 4, 4)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { checkGrad(t, c.name, c.l, c.x, false) })
	}
}

// TestExpertGradients checks the whole product-of-experts loss (image, audio
// and inter experts: convs, batch-norm, pooling, concat, heads) against
// finite differences on a sample of parameters of every tensor, with and
// without each expert's own NLL beside the product's (Config.ExpertNLL).
func TestExpertGradients(t *testing.T) {
	for _, lambda := range []float64{0, 0.7} {
		t.Run(fmt.Sprintf("lambda=%g", lambda), func(t *testing.T) { checkExpertGradients(t, lambda) })
	}
}

func checkExpertGradients(t *testing.T, lambda float64) {
	r := rand.New(rand.NewPCG(5, 6))
	var ex []*Expert[float64]
	for _, s := range []struct {
		n  string
		in []string
		c  int
	}{{"image", []string{"image"}, 3}, {"audio", []string{"audio"}, 3}, {"inter", []string{"image", "audio"}, 6}} {
		e, err := NewExpert[float64](s.n, s.in, s.c, 16, r)
		if err != nil {
			t.Fatal(err)
		}
		ex = append(ex, e)
	}
	d := Synthetic(4, 9)
	bt := batch[float64]{x: map[string]Act[float64]{}}
	bt.fill(d, []int{0, 1, 2, 3})
	logits := make([]Act[float64], len(ex))
	loss := func(dz []float64) float64 {
		for i, e := range ex {
			logits[i] = e.Forward(bt.x, true)
		}
		l, _ := PoENLL(logits, bt.y, dz)
		if lambda > 0 && dz == nil {
			for i := range ex {
				li, _ := PoENLL(logits[i:i+1], bt.y, nil)
				l += lambda * li
			}
		}
		return l
	}
	dz := make([]float64, 40)
	loss(dz)
	for i, e := range ex {
		g := dz
		if lambda > 0 {
			var buf []float64
			expertNLL(logits[i], bt.y, dz, lambda, &buf)
			g = buf
		}
		e.Backward(Act[float64]{C: 10, B: 4, H: 1, W: 1, D: g})
	}
	const h = 1e-6
	for _, e := range ex {
		for _, p := range e.Params() {
			g := append([]float64(nil), p.G...)
			for k := 0; k < 4; k++ {
				i := r.IntN(len(p.W))
				old := p.W[i]
				p.W[i] = old + h
				lp := loss(nil)
				p.W[i] = old - h
				lm := loss(nil)
				p.W[i] = old
				num := (lp - lm) / (2 * h)
				if e := math.Abs(num-g[i]) / math.Max(1e-3, math.Abs(num)+math.Abs(g[i])); e > 1e-4 {
					t.Errorf("%s[%d]: analytic %.8g, numeric %.8g (rel %.3g)", p.Name, i, g[i], num, e)
				}
			}
		}
	}
}

// TestGemm compares gemm (gorgonia MatMul) with the reference loop for every
// transpose combination, float32 and float64.
func TestGemm(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for _, sz := range [][3]int{{1, 1, 1}, {3, 5, 7}, {16, 33, 9}, {6, 1600, 25}} {
		for _, ta := range []bool{false, true} {
			for _, tb := range []bool{false, true} {
				m, n, k := sz[0], sz[1], sz[2]
				a, b := make([]float32, m*k), make([]float32, k*n)
				for i := range a {
					a[i] = float32(r.NormFloat64())
				}
				for i := range b {
					b[i] = float32(r.NormFloat64())
				}
				got, want := make([]float32, m*n), make([]float32, m*n)
				for i := range got {
					got[i] = 99 // must be overwritten
				}
				gemm(ta, tb, m, n, k, a, b, got)
				gemmRef(ta, tb, m, n, k, a, b, want)
				for i := range got {
					// float32 sums of k products of N(0,1): tolerance 1e-5·(k+1).
					if d := math.Abs(float64(got[i] - want[i])); d > 1e-5*float64(k+1) {
						t.Fatalf("%v ta=%v tb=%v: c[%d] = %v, want %v", sz, ta, tb, i, got[i], want[i])
					}
				}
				a64, b64 := make([]float64, m*k), make([]float64, k*n)
				for i := range a64 {
					a64[i] = float64(a[i])
				}
				for i := range b64 {
					b64[i] = float64(b[i])
				}
				g64, w64 := make([]float64, m*n), make([]float64, m*n)
				gemm(ta, tb, m, n, k, a64, b64, g64)
				gemmRef(ta, tb, m, n, k, a64, b64, w64)
				for i := range g64 {
					if d := math.Abs(g64[i] - w64[i]); d > 1e-12*float64(k+1) {
						t.Fatal(fmt.Sprint(sz, ta, tb, i, g64[i], w64[i]))
					}
				}
			}
		}
	}
}
