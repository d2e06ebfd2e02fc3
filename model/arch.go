package model

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// LeNet returns the encoder of the reference code's leNet(in, c, k)
// (MultiBench unimodals/common_models.py, used by I2M2 for AV-MNIST): Conv5x5
// pad 2 -> BN -> ReLU -> MaxPool2, then k blocks of Conv3x3 pad 1 (channels
// doubling) -> BN -> ReLU -> MaxPool2, then Flatten. Batch-norm is folded into
// the convolutions, so each Conv2D here has a bias. Weights are left empty.
func leNet(inC, c, k int) []Layer {
	ls := []Layer{
		{Kind: Conv2D, InC: inC, OutC: c, KH: 5, KW: 5, Stride: 1, Pad: 2},
		{Kind: ReLU},
		{Kind: MaxPool2D, KH: 2, KW: 2, Stride: 2},
	}
	for i := 0; i < k; i++ {
		ls = append(ls,
			Layer{Kind: Conv2D, InC: c << i, OutC: c << (i + 1), KH: 3, KW: 3, Stride: 1, Pad: 1},
			Layer{Kind: ReLU},
			Layer{Kind: MaxPool2D, KH: 2, KW: 2, Stride: 2})
	}
	return append(ls, Layer{Kind: Flatten})
}

// MLP returns the classification head of the reference code: Linear -> ReLU
// -> Linear.
func mlp(in, hidden, out int) []Layer {
	return []Layer{
		{Kind: Dense, In: in, Out: hidden},
		{Kind: ReLU},
		{Kind: Dense, In: hidden, Out: out},
	}
}

// Arch describes an I2M2 model of LeNet experts (docs/i2m2-method.md, "AV-MNIST in the
// paper"): every modality gets an intra expert leNet(1, IntraC, Blocks[m]) +
// MLP, and the inter expert encodes each modality with leNet(1, InterC,
// Blocks[m]), concatenates (late fusion) and applies an MLP.
type Arch struct {
	Modalities []Modality
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
		Modalities: []Modality{{Name: "image", Shape: Shape{1, 28, 28}}, {Name: "audio", Shape: Shape{1, audioH, audioW}}},
		Blocks:     []int{3, audioBlocks},
		Classes:    cls,
		IntraC:     3, InterC: 6, Hidden: 100,
	}
}

// Build returns the model with zero weights of the right sizes and validates it.
func (a Arch) Build() (*Model, error) {
	if len(a.Blocks) != len(a.Modalities) {
		return nil, fmt.Errorf("%w: %d modalities, %d block counts", ErrShape, len(a.Modalities), len(a.Blocks))
	}
	m := &Model{Name: "i2m2", Modalities: a.Modalities, Classes: a.Classes}
	var interIn []string
	var interBr [][]Layer
	feat := 0
	for i, md := range a.Modalities {
		enc := leNet(md.Shape[0], a.IntraC, a.Blocks[i])
		n, err := encoderOut(enc, md.Shape)
		if err != nil {
			return nil, err
		}
		m.Experts = append(m.Experts, Expert{Name: md.Name, Inputs: []string{md.Name}, Branches: [][]Layer{enc}, Head: mlp(n, a.Hidden, len(a.Classes))})
		enc6 := leNet(md.Shape[0], a.InterC, a.Blocks[i])
		n6, err := encoderOut(enc6, md.Shape)
		if err != nil {
			return nil, err
		}
		interIn = append(interIn, md.Name)
		interBr = append(interBr, enc6)
		feat += n6
	}
	if len(a.Modalities) > 1 {
		m.Experts = append(m.Experts, Expert{Name: "inter", Inputs: interIn, Branches: interBr, Head: mlp(feat, a.Hidden, len(a.Classes))})
	}
	m.eachLayer(func(_ string, l *Layer) {
		if l.hasWeights() {
			l.W = make([]float32, l.Rows()*l.Cols())
			l.B = make([]float32, l.Rows())
		}
	})
	return m, m.Validate()
}

func encoderOut(ls []Layer, s Shape) (int, error) {
	p := &plan{}
	shapes, err := p.layers(ls, s, "encoder")
	if err != nil {
		return 0, err
	}
	return shapes[len(shapes)-1].Size(), nil
}

// InitRandom fills every weight with He-uniform noise and every bias with
// small noise, deterministically from seed (for tests and benchmarks before
// trained weights exist). It drops any int8 weights.
func (m *Model) InitRandom(seed uint64) {
	r := rand.New(rand.NewPCG(seed, 0x12345678))
	m.eachLayer(func(_ string, l *Layer) {
		if !l.hasWeights() {
			return
		}
		lim := float32(math.Sqrt(6 / float64(l.Cols())))
		for i := range l.W {
			l.W[i] = (2*r.Float32() - 1) * lim
		}
		for i := range l.B {
			l.B[i] = (2*r.Float32() - 1) * 0.1
		}
		l.Q = nil
	})
	m.Quantization = Float32
	m.weightsChanged()
}

// MACs is the number of multiply-adds of one prediction with every expert.
func (m *Model) MACs() int { return int(m.Cost().MACs) }
