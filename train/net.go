package train

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// LeNet is the encoder of the reference code's LeNet(inC, c, k) (MultiBench
// unimodals/common_models.py; model.LeNet is its folded inference form):
// Conv5×5 pad 2 (no bias) → BN → ReLU → MaxPool2, then k blocks of Conv3×3
// pad 1 (channels doubling) → BN → ReLU → MaxPool2, then Flatten.
func LeNet[T Float](name string, inC, c, k int) Seq[T] {
	first := NewConv[T](name+".conv0", inC, c, 5, 2)
	first.NoInputGrad = true
	s := Seq[T]{first, NewBatchNorm[T](name+".bn0", c), &ReLU[T]{}, &MaxPool2[T]{}}
	for i := 0; i < k; i++ {
		n := fmt.Sprint(i + 1)
		s = append(s, NewConv[T](name+".conv"+n, c<<i, c<<(i+1), 3, 1), NewBatchNorm[T](name+".bn"+n, c<<(i+1)), &ReLU[T]{}, &MaxPool2[T]{})
	}
	return append(s, &Flatten[T]{})
}

// MLP is the reference head: Linear → ReLU → Linear.
func MLP[T Float](name string, in, hidden, out int) Seq[T] {
	return Seq[T]{NewDense[T](name+".fc0", in, hidden), &ReLU[T]{}, NewDense[T](name+".fc1", hidden, out)}
}

// Expert is one I2M2 expert: an encoder per input modality, outputs
// concatenated in Inputs order (late fusion), then a head producing logits.
type Expert[T Float] struct {
	Name     string
	Inputs   []string // modality names, one branch each
	Branches []Seq[T]
	Head     Seq[T]

	feat       []int
	cat, dcat  Act[T]
	branchOuts []Act[T]
}

// Modality shapes of AV-MNIST-TTS: [H, W] of the single-channel inputs.
var shapes = map[string][2]int{"image": {28, 28}, "audio": {40, 40}}

// blocks is the LeNet k per modality of arch.AVMNIST(40, 40, 4).
var blocks = map[string]int{"image": 3, "audio": 4}

// NewExpert builds the expert of arch.AVMNIST(40, 40, 4) with the given
// inputs and LeNet width c (intra experts: one input, c = 3; inter: both
// inputs, c = 6), with weights initialised as PyTorch's defaults
// (U(±1/√fan_in) for conv and linear weights and linear biases), from r.
func NewExpert[T Float](name string, inputs []string, c, hidden int, r *rand.Rand) (*Expert[T], error) {
	e := &Expert[T]{Name: name, Inputs: inputs}
	feat := 0
	for _, in := range inputs {
		hw, ok := shapes[in]
		if !ok {
			return nil, fmt.Errorf("train: unknown modality %q", in)
		}
		k := blocks[in]
		e.Branches = append(e.Branches, LeNet[T](name+"."+in, 1, c, k))
		h, w := hw[0], hw[1]
		for i := 0; i <= k; i++ {
			h, w = h/2, w/2
		}
		f := h * w * (c << k)
		if f == 0 {
			return nil, fmt.Errorf("train: %s input %dx%d too small for %d blocks", in, hw[0], hw[1], k)
		}
		e.feat = append(e.feat, f)
		feat += f
	}
	e.Head = MLP[T](name+".head", feat, hidden, 10)
	e.branchOuts = make([]Act[T], len(inputs))
	e.init(r)
	return e, nil
}

func (e *Expert[T]) init(r *rand.Rand) {
	for _, s := range append(append([]Seq[T]{}, e.Branches...), e.Head) {
		for _, l := range s {
			var fanIn int
			var ps []*Param[T]
			switch l := l.(type) {
			case *Conv[T]:
				fanIn, ps = l.K*l.K*l.InC, []*Param[T]{l.W}
			case *Dense[T]:
				fanIn, ps = l.In, []*Param[T]{l.W, l.B}
			default:
				continue
			}
			lim := 1 / math.Sqrt(float64(fanIn))
			for _, p := range ps {
				for i := range p.W {
					p.W[i] = T((2*r.Float64() - 1) * lim)
				}
			}
		}
	}
}

// Params lists every trainable tensor.
func (e *Expert[T]) Params() []*Param[T] {
	var ps []*Param[T]
	for _, b := range e.Branches {
		ps = append(ps, b.Params()...)
	}
	return append(ps, e.Head.Params()...)
}

// state lists every tensor that defines the expert: parameters and
// batch-norm running statistics, in a fixed order.
func (e *Expert[T]) state() [][]T {
	var st [][]T
	for _, s := range append(append([]Seq[T]{}, e.Branches...), e.Head) {
		for _, l := range s {
			for _, p := range l.Params() {
				st = append(st, p.W)
			}
			if bn, ok := l.(*BatchNorm[T]); ok {
				st = append(st, bn.RunMean, bn.RunVar)
			}
		}
	}
	return st
}

// Snapshot returns a copy of the expert's state.
func (e *Expert[T]) Snapshot() [][]T {
	st := e.state()
	out := make([][]T, len(st))
	for i, s := range st {
		out[i] = append([]T(nil), s...)
	}
	return out
}

// Restore sets the expert's state from a Snapshot (of an expert of the same architecture).
func (e *Expert[T]) Restore(snap [][]T) {
	st := e.state()
	if len(st) != len(snap) {
		panic("train: restore: snapshot of another architecture")
	}
	for i := range st {
		copy(st[i], snap[i])
	}
}

// Forward returns the logits [10][B] for a batch (x maps modality names to
// [1][B][H][W] activations).
func (e *Expert[T]) Forward(x map[string]Act[T], train bool) Act[T] {
	b := -1
	for i, in := range e.Inputs {
		xi, ok := x[in]
		if !ok {
			panic("train: expert " + e.Name + ": missing input " + in)
		}
		e.branchOuts[i] = e.Branches[i].Forward(xi, train)
		b = xi.B
	}
	if len(e.Inputs) == 1 {
		return e.Head.Forward(e.branchOuts[0], train)
	}
	tot := 0
	for _, f := range e.feat {
		tot += f
	}
	// Late fusion: feature-major outputs stack into the concatenation.
	e.cat = Act[T]{C: tot, B: b, H: 1, W: 1, D: grow(e.cat.D, b*tot)}
	off := 0
	for _, o := range e.branchOuts {
		off += copy(e.cat.D[off:], o.D)
	}
	return e.Head.Forward(e.cat, train)
}

// Backward takes the gradient of the loss with respect to the logits and
// sets every parameter's gradient.
func (e *Expert[T]) Backward(dlogits Act[T]) {
	d := e.Head.Backward(dlogits)
	if len(e.Inputs) == 1 {
		e.Branches[0].Backward(d)
		return
	}
	off := 0
	for i, f := range e.feat {
		e.Branches[i].Backward(Act[T]{C: f, B: d.B, H: 1, W: 1, D: d.D[off*d.B : (off+f)*d.B]})
		off += f
	}
}

// PoENLL is the I2M2 loss (docs/i2m2-paper.md, the reference code's loss): with
// z = Σ_e logits_e, loss = −mean_b log_softmax(z_b)[y_b]. It returns the loss
// and the number of correct argmax predictions, and when dz is not nil sets
// dz = (softmax(z) − onehot(y))/B, the gradient for every expert's logits.
// logits and dz are [K][B].
func PoENLL[T Float](logits []Act[T], y []uint8, dz []T) (loss float64, correct int) {
	bsz, k := logits[0].B, logits[0].C
	z := make([]float64, k)
	for b := 0; b < bsz; b++ {
		clear(z)
		for _, l := range logits {
			for j := range z {
				z[j] += float64(l.D[j*bsz+b])
			}
		}
		mx, arg := z[0], 0
		for j, v := range z {
			if v > mx {
				mx, arg = v, j
			}
		}
		var s float64
		for _, v := range z {
			s += math.Exp(v - mx)
		}
		lse := mx + math.Log(s)
		loss -= z[y[b]] - lse
		if arg == int(y[b]) {
			correct++
		}
		if dz != nil {
			for j, v := range z {
				g := math.Exp(v - lse)
				if j == int(y[b]) {
					g--
				}
				dz[j*bsz+b] = T(g / float64(bsz))
			}
		}
	}
	return loss / float64(bsz), correct
}
