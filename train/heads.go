package train

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/i2m2-wasm/i2m2/model"
)

// Heads trains new expert heads on frozen encoders (Encode): the trunks of a trained model stay as
// they are, each expert gets a fresh head (Linear -> ReLU -> Linear, the paper's MLP) with one
// output per class of the new task. This is our deviation from the paper's from-scratch recipe for
// tasks on the same inputs (budget): the encoders already map each modality to what it shows.

// newHead is an expert with a head only (its branches are the frozen trunk's), initialised as
// NewExpert does.
func newHead(name string, inputs []string, in, hidden, classes int, r *rand.Rand) *Expert[float32] {
	e := &Expert[float32]{Name: name, Inputs: inputs, Head: MLP[float32](name+".head", in, hidden, classes)}
	e.init(r)
	return e
}

// FitHeads is Fit for head-only experts on pairs of encoded samples: the product-of-experts NLL,
// SGD with momentum, weight decay and clipping, the state with the best validation accuracy kept.
func FitHeads(experts []*Expert[float32], tr, va *Paired, classes int, cfg Config) (*History, error) {
	if cfg.Batch <= 0 || cfg.Epochs <= 0 || tr.N() == 0 || va.N() == 0 || len(experts) == 0 {
		return nil, errors.New("train: FitHeads: empty data, experts, batch or epochs")
	}
	st := newStage(experts, tr.N(), cfg)
	params, nEp, h := st.params, st.nEp, st.h
	r := rand.New(rand.NewPCG(cfg.Seed, 0x6a09e667f3bcc908))
	xs := make([]Act[float32], len(experts))
	logits := make([]Act[float32], len(experts))
	var dz []float32
	for ep := 1; ep <= cfg.Epochs; ep++ {
		t0 := time.Now()
		perm := r.Perm(tr.N())[:nEp]
		var sumLoss float64
		correct := 0
		for s := 0; s < nEp; s += cfg.Batch {
			idx := perm[s:min(s+cfg.Batch, nEp)]
			y := make([]uint8, len(idx))
			for i, j := range idx {
				y[i] = tr.Labels[j]
			}
			for i, e := range experts {
				tr.gather(e, idx, &xs[i])
				logits[i] = e.Head.Forward(xs[i], true)
			}
			dz = grow(dz, len(idx)*classes)
			loss, c := PoENLL(logits, y, dz)
			if math.IsNaN(loss) || math.IsInf(loss, 0) {
				return h, fmt.Errorf("train: %s: loss %v at epoch %d", cfg.Name, loss, ep)
			}
			sumLoss += loss * float64(len(idx))
			correct += c
			for _, e := range experts {
				e.Head.Backward(Act[float32]{C: classes, B: len(idx), H: 1, W: 1, D: dz})
			}
			step(params, cfg)
		}
		vl, vacc := EvaluateHeads(experts, va, nil)
		e := Epoch{Epoch: ep, TrainLoss: sumLoss / float64(nEp), TrainAcc: 100 * float64(correct) / float64(nEp),
			ValLoss: vl, ValAcc: vacc, Seconds: time.Since(t0).Seconds()}
		if st.epochDone(experts, e) {
			break
		}
	}
	return st.done(experts), nil
}

// EvaluateHeads returns the mean NLL and the accuracy (percent) of the experts' product on d; when
// pred is not nil it receives each pair's argmax.
func EvaluateHeads(experts []*Expert[float32], d *Paired, pred []int) (loss, acc float64) {
	const bsz = 500
	xs := make([]Act[float32], len(experts))
	logits := make([]Act[float32], len(experts))
	correct := 0
	idx := make([]int, 0, bsz)
	for s := 0; s < d.N(); s += bsz {
		idx = idx[:0]
		for i := s; i < min(s+bsz, d.N()); i++ {
			idx = append(idx, i)
		}
		for i, e := range experts {
			d.gather(e, idx, &xs[i])
			logits[i] = e.Head.Forward(xs[i], false)
		}
		l, c := PoENLL(logits, d.Labels[s:s+len(idx)], nil)
		loss += l * float64(len(idx))
		correct += c
	}
	return loss / float64(d.N()), 100 * float64(correct) / float64(d.N())
}

// copyModel is a deep copy of m, through its file format (the file a caller would ship).
func copyModel(m *model.Model) (*model.Model, error) {
	b, err := m.MarshalBinary()
	if err != nil {
		return nil, err
	}
	return model.Read(b)
}

// ExportHeads returns the inference model made of the trunk's encoders of the named experts and
// the trained heads, with the given classes (float32, a copy: trunk is not modified).
func ExportHeads(trunk *model.Model, experts []*Expert[float32], classes []string, prov model.Provenance) (*model.Model, error) {
	m, err := copyModel(trunk)
	if err != nil {
		return nil, err
	}
	var kept []model.Expert
	for _, e := range experts {
		var me *model.Expert
		for i := range m.Experts {
			if m.Experts[i].Name == e.Name {
				me = &m.Experts[i]
			}
		}
		if me == nil {
			return nil, fmt.Errorf("train: export heads: the trunk has no expert %s", e.Name)
		}
		var head []model.Layer
		for _, l := range e.Head {
			switch l := l.(type) {
			case *Dense[float32]:
				head = append(head, model.Layer{Kind: model.Dense, In: l.In, Out: l.Out,
					W: append([]float32(nil), l.W.W...), B: append([]float32(nil), l.B.W...)})
			case *ReLU[float32]:
				head = append(head, model.Layer{Kind: model.ReLU})
			default:
				return nil, fmt.Errorf("train: export heads: %s: layer %T", e.Name, l)
			}
		}
		kept = append(kept, model.Expert{Name: me.Name, Inputs: me.Inputs, Branches: me.Branches, Head: head})
	}
	out := &model.Model{Name: m.Name, Modalities: m.Modalities, Classes: classes, Experts: kept, Provenance: prov}
	if err := out.Validate(); err != nil {
		return nil, err
	}
	return out, nil
}

// headsOf returns the trainer's form of m's expert heads (each Dense -> ReLU -> Dense, as
// ExportHeads writes them), sharing m's weights.
func headsOf(m *model.Model) ([]*Expert[float32], error) {
	var ex []*Expert[float32]
	for _, e := range m.Experts {
		h := e.Head
		if len(h) != 3 || h[0].Kind != model.Dense || h[1].Kind != model.ReLU || h[2].Kind != model.Dense || m.Quantization != "" && m.Quantization != "float32" {
			return nil, fmt.Errorf("train: expert %s: not a float32 Dense-ReLU-Dense head", e.Name)
		}
		x := &Expert[float32]{Name: e.Name, Inputs: e.Inputs, Head: MLP[float32](e.Name+".head", h[0].In, h[0].Out, h[2].Out)}
		for _, i := range []int{0, 2} {
			d := x.Head[i].(*Dense[float32])
			d.W.W, d.B.W = h[i].W, h[i].B
		}
		ex = append(ex, x)
	}
	return ex, nil
}

// EvalHeads is the accuracy (percent) of m's product of experts on d, computed by the head trainer
// from d's encoded features: equal to running m through the engine when m's encoders are those
// d.Enc was made with (HeadPipeline's and ExportHeads' models; TestHeadsExportMatchesTrainer).
func EvalHeads(m *model.Model, d *Paired) (float64, error) {
	ex, err := headsOf(m)
	if err != nil {
		return 0, err
	}
	for _, e := range ex {
		for _, in := range e.Inputs {
			if _, ok := d.Enc.Dim[FeatKey(e.Name, in)]; !ok {
				return 0, fmt.Errorf("train: EvalHeads: no features of %s", FeatKey(e.Name, in))
			}
		}
	}
	_, acc := EvaluateHeads(ex, d, nil)
	return acc, nil
}
