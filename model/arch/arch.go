// Package arch builds the paper's AV-MNIST architecture (docs/i2m2-paper.md, "AV-MNIST in
// the paper") as an untrained model.Model, and fills weights with seeded random values for
// tests and benchmarks before trained weights exist. The trainer (train/) fills the same
// architecture with learned weights.
package arch

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/i2m2-wasm/i2m2/model"
)

// Arch describes an I2M2 model of LeNet experts: every modality gets an intra expert
// leNet(1, IntraC, Blocks[m]) + MLP, and the inter expert encodes each modality with
// leNet(1, InterC, Blocks[m]), concatenates (late fusion) and applies an MLP.
type Arch struct {
	Modalities []model.Modality
	Blocks     []int // LeNet k per modality
	Classes    []string
	IntraC     int // paper: 3
	InterC     int // paper: 6
	Hidden     int // paper: 100
}

// AVMNIST is the paper's AV-MNIST architecture on a 28x28 image and an
// audioH x audioW spectrogram with audioBlocks LeNet blocks (5 at 112x112,
// 4 at 40x40).
func AVMNIST(audioH, audioW, audioBlocks int) Arch {
	cls := make([]string, 10)
	for i := range cls {
		cls[i] = fmt.Sprint(i)
	}
	return Arch{
		Modalities: []model.Modality{{Name: "image", Shape: model.Shape{1, 28, 28}}, {Name: "audio", Shape: model.Shape{1, audioH, audioW}}},
		Blocks:     []int{3, audioBlocks},
		Classes:    cls,
		IntraC:     3, InterC: 6, Hidden: 100,
	}
}

// Build returns the model with zero weights of the right sizes and validates it.
func (a Arch) Build() (*model.Model, error) {
	if len(a.Blocks) != len(a.Modalities) {
		return nil, fmt.Errorf("arch: %d modalities, %d block counts", len(a.Modalities), len(a.Blocks))
	}
	m := &model.Model{Name: "i2m2", Modalities: a.Modalities, Classes: a.Classes}
	var interIn []string
	var interBr [][]model.Layer
	feat := 0
	for i, md := range a.Modalities {
		enc, n := LeNet(md.Shape, a.IntraC, a.Blocks[i])
		m.Experts = append(m.Experts, model.Expert{Name: md.Name, Inputs: []string{md.Name}, Branches: [][]model.Layer{enc}, Head: mlp(n, a.Hidden, len(a.Classes))})
		enc6, n6 := LeNet(md.Shape, a.InterC, a.Blocks[i])
		interIn = append(interIn, md.Name)
		interBr = append(interBr, enc6)
		feat += n6
	}
	if len(a.Modalities) > 1 {
		m.Experts = append(m.Experts, model.Expert{Name: "inter", Inputs: interIn, Branches: interBr, Head: mlp(feat, a.Hidden, len(a.Classes))})
	}
	eachWeighted(m, func(l *model.Layer) {
		l.W = make([]float32, l.Rows()*l.Cols())
		l.B = make([]float32, l.Rows())
	})
	return m, m.Validate()
}

// LeNet returns the encoder of the reference code's leNet(in, c, k) (MultiBench
// unimodals/common_models.py, used by I2M2 for AV-MNIST) on input shape s, and the length of
// its flattened output: Conv5x5 pad 2 -> BN -> ReLU -> MaxPool2, then k blocks of Conv3x3
// pad 1 (channels doubling) -> BN -> ReLU -> MaxPool2, then Flatten. Batch-norm is folded
// into the convolutions, so each Conv2D here has a bias. Weights are left empty. The
// convolutions keep the size and each pool halves it (floor), so the output is
// c<<k x H>>(k+1) x W>>(k+1); Validate checks it with the kinds' own shape rules.
func LeNet(s model.Shape, c, k int) ([]model.Layer, int) {
	ls := []model.Layer{
		{Kind: model.Conv2D, InC: s[0], OutC: c, KH: 5, KW: 5, Stride: 1, Pad: 2},
		{Kind: model.ReLU},
		{Kind: model.MaxPool2D, KH: 2, KW: 2, Stride: 2},
	}
	for i := 0; i < k; i++ {
		ls = append(ls,
			model.Layer{Kind: model.Conv2D, InC: c << i, OutC: c << (i + 1), KH: 3, KW: 3, Stride: 1, Pad: 1},
			model.Layer{Kind: model.ReLU},
			model.Layer{Kind: model.MaxPool2D, KH: 2, KW: 2, Stride: 2})
	}
	return append(ls, model.Layer{Kind: model.Flatten}), (c << k) * (s[1] >> (k + 1)) * (s[2] >> (k + 1))
}

// mlp returns the classification head of the reference code: Linear -> ReLU -> Linear.
func mlp(in, hidden, out int) []model.Layer {
	return []model.Layer{
		{Kind: model.Dense, In: in, Out: hidden},
		{Kind: model.ReLU},
		{Kind: model.Dense, In: hidden, Out: out},
	}
}

// InitRandom fills every weight of m with He-uniform noise and every bias with small noise,
// deterministically from seed (for tests and benchmarks before trained weights exist). It
// drops any int8 weights.
func InitRandom(m *model.Model, seed uint64) error {
	r := rand.New(rand.NewPCG(seed, 0x12345678))
	eachWeighted(m, func(l *model.Layer) {
		lim := float32(math.Sqrt(6 / float64(l.Cols())))
		for i := range l.W {
			l.W[i] = (2*r.Float32() - 1) * lim
		}
		for i := range l.B {
			l.B[i] = (2*r.Float32() - 1) * 0.1
		}
		l.Q = nil
	})
	m.Quantization = "float32"
	return m.Validate() // drops what was derived from the old weights
}

// eachWeighted calls f for every Conv2D and Dense layer in file order.
func eachWeighted(m *model.Model, f func(l *model.Layer)) {
	for ei := range m.Experts {
		e := &m.Experts[ei]
		for _, ls := range append(append([][]model.Layer(nil), e.Branches...), e.Head) {
			for i := range ls {
				if ls[i].Kind == model.Conv2D || ls[i].Kind == model.Dense {
					f(&ls[i])
				}
			}
		}
	}
}
