package train

import (
	"fmt"
	"math"

	"github.com/i2m2-wasm/i2m2/model"
	"github.com/i2m2-wasm/i2m2/model/arch"
)

// Export returns the inference model of arch.AVMNIST(40, 40, 4) holding the
// given trained experts (any subset of "image", "audio", "inter", in that
// order), batch-norm folded into the preceding convolution
// (w' = w·γ/√(var+ε), b' = (b − mean)·γ/√(var+ε) + β, with b = 0 since the
// convs have no bias), float32 weights.
func Export(experts []*Expert[float32], prov model.Provenance) (*model.Model, error) {
	m, err := arch.AVMNIST(40, 40, 4).Build()
	if err != nil {
		return nil, err
	}
	var kept []model.Expert
	for _, me := range m.Experts {
		var src *Expert[float32]
		for _, e := range experts {
			if e.Name == me.Name {
				src = e
			}
		}
		if src == nil {
			continue
		}
		if len(src.Inputs) != len(me.Inputs) {
			return nil, fmt.Errorf("train: export %s: %d inputs, model has %d", me.Name, len(src.Inputs), len(me.Inputs))
		}
		for bi := range me.Branches {
			if src.Inputs[bi] != me.Inputs[bi] {
				return nil, fmt.Errorf("train: export %s: input %d is %s, model has %s", me.Name, bi, src.Inputs[bi], me.Inputs[bi])
			}
			if err := copyLayers(me.Branches[bi], src.Branches[bi], me.Name); err != nil {
				return nil, err
			}
		}
		if err := copyLayers(me.Head, src.Head, me.Name+".head"); err != nil {
			return nil, err
		}
		kept = append(kept, me)
	}
	if len(kept) != len(experts) {
		return nil, fmt.Errorf("train: export: %d of %d experts matched the architecture (names image, audio, inter)", len(kept), len(experts))
	}
	m.Experts = kept
	m.Name = "avmnist-tts"
	m.Provenance = prov
	if err := m.Validate(); err != nil {
		return nil, err
	}
	return m, nil
}

// copyLayers fills the weighted layers of dst (the model's layers) from src
// (the trainer's), folding each batch-norm into the conv before it.
func copyLayers(dst []model.Layer, src Seq[float32], where string) error {
	di := 0
	next := func(k model.Kind) (*model.Layer, error) {
		for ; di < len(dst); di++ {
			if dst[di].Kind == k {
				di++
				return &dst[di-1], nil
			}
			if dst[di].Kind == model.Conv2D || dst[di].Kind == model.Dense {
				break
			}
		}
		return nil, fmt.Errorf("train: export %s: no %v layer left to match", where, k)
	}
	for i := 0; i < len(src); i++ {
		switch l := src[i].(type) {
		case *Conv[float32]:
			bn, ok := func() (*BatchNorm[float32], bool) {
				if i+1 < len(src) {
					b, ok := src[i+1].(*BatchNorm[float32])
					return b, ok
				}
				return nil, false
			}()
			if !ok {
				return fmt.Errorf("train: export %s: conv without batch-norm", where)
			}
			d, err := next(model.Conv2D)
			if err != nil {
				return err
			}
			if d.OutC != l.OutC || d.InC != l.InC || d.KH != l.K || d.KW != l.K || d.Pad != l.Pad {
				return fmt.Errorf("train: export %s: conv %dx%d %d->%d pad %d, model wants %dx%d %d->%d pad %d",
					where, l.K, l.K, l.InC, l.OutC, l.Pad, d.KH, d.KW, d.InC, d.OutC, d.Pad)
			}
			w, b := FoldBN(l.W.W, nil, l.OutC, bn)
			copy(d.W, w)
			copy(d.B, b)
		case *Dense[float32]:
			d, err := next(model.Dense)
			if err != nil {
				return err
			}
			if d.In != l.In || d.Out != l.Out {
				return fmt.Errorf("train: export %s: dense %d->%d, model wants %d->%d", where, l.In, l.Out, d.In, d.Out)
			}
			copy(d.W, l.W.W)
			copy(d.B, l.B.W)
		}
	}
	return nil
}

// FoldBN folds an evaluation-mode batch-norm into the layer before it (weight
// rows [rows][cols], bias b or nil for none): with s = γ/√(var+ε),
// w' = w·s and b' = (b − mean)·s + β.
func FoldBN(w, b []float32, rows int, bn *BatchNorm[float32]) (wf, bf []float32) {
	cols := len(w) / rows
	wf = make([]float32, len(w))
	bf = make([]float32, rows)
	for r := 0; r < rows; r++ {
		s := float64(bn.Gamma.W[r]) / math.Sqrt(float64(bn.RunVar[r])+bn.Eps)
		for c := 0; c < cols; c++ {
			wf[r*cols+c] = float32(float64(w[r*cols+c]) * s)
		}
		var b0 float64
		if b != nil {
			b0 = float64(b[r])
		}
		bf[r] = float32((b0-float64(bn.RunMean[r]))*s + float64(bn.Beta.W[r]))
	}
	return wf, bf
}
