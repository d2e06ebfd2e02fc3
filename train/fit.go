package train

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/i2m2-wasm/i2m2/features"
)

// Data is a set of paired samples as the dataset package stores them:
// images [N][28][28] and spectrograms [N][40][40] as uint8 levels (value/255),
// labels 0..9.
type Data struct {
	N      int
	Images []uint8
	Audio  []uint8
	Labels []uint8
}

// fill puts the image of sample image into img and the clip of sample clip into aud as model
// inputs (level/255); a nil slice is skipped.
func (d *Data) fill(image, clip int, img, aud []float32) {
	if img != nil {
		for p, v := range d.Images[image*784 : (image+1)*784] {
			img[p] = features.Level(v)
		}
	}
	if aud != nil {
		for p, v := range d.Audio[clip*1600 : (clip+1)*1600] {
			aud[p] = features.Level(v)
		}
	}
}

// Subset returns the samples idx (copied).
func (d *Data) Subset(idx []int) *Data {
	s := &Data{N: len(idx), Images: make([]uint8, len(idx)*784), Audio: make([]uint8, len(idx)*1600), Labels: make([]uint8, len(idx))}
	for i, j := range idx {
		copy(s.Images[i*784:], d.Images[j*784:(j+1)*784])
		copy(s.Audio[i*1600:], d.Audio[j*1600:(j+1)*1600])
		s.Labels[i] = d.Labels[j]
	}
	return s
}

// batch holds one minibatch in the trainer's layout.
type batch[T Float] struct {
	x map[string]Act[T]
	y []uint8
}

func (bt *batch[T]) fill(d *Data, idx []int) {
	b := len(idx)
	img := bt.x["image"]
	aud := bt.x["audio"]
	img = Act[T]{C: 1, B: b, H: 28, W: 28, D: grow(img.D, b*784)}
	aud = Act[T]{C: 1, B: b, H: 40, W: 40, D: grow(aud.D, b*1600)}
	bt.y = grow(bt.y, b)
	for i, j := range idx {
		for p, v := range d.Images[j*784 : (j+1)*784] {
			img.D[i*784+p] = T(features.Level(v))
		}
		for p, v := range d.Audio[j*1600 : (j+1)*1600] {
			aud.D[i*1600+p] = T(features.Level(v))
		}
		bt.y[i] = d.Labels[j]
	}
	bt.x["image"], bt.x["audio"] = img, aud
}

// Config is one training stage: the experts in Experts are trained jointly
// through the product-of-experts NLL of their summed logits (one expert: its
// own cross-entropy), with SGD as torch.optim.SGD (momentum, weight decay
// added to the gradient) after clipping the global gradient norm
// (torch.nn.utils.clip_grad_norm_). The state with the best validation
// accuracy is kept (the reference code's model selection).
type Config struct {
	Name        string
	LR          float64 // paper: 0.01 (unimodal, fine-tune), 0.1 (inter)
	Momentum    float64 // 0.9
	WeightDecay float64 // 1e-4
	Batch       int     // 40
	Clip        float64 // 8
	Epochs      int
	EpochSize   int                           // samples per epoch, a fresh random subset each epoch (0 = the whole training set)
	Patience    int                           // stop after this many epochs without a better validation accuracy (0: never)
	Seed        uint64                        // shuffling
	Log         func(format string, a ...any) `json:"-"`
	// ExpertNLL (lambda) adds lambda times each expert's own NLL to the product's NLL when several
	// experts train jointly (0: the paper's objective, the product's NLL alone). It keeps every
	// expert a good classifier on its own, which the product's NLL does not ask for.
	ExpertNLL float64
}

// Epoch is one epoch's record.
type Epoch struct {
	Epoch     int     `json:"epoch"`
	TrainLoss float64 `json:"train_loss"`
	TrainAcc  float64 `json:"train_acc"`
	ValLoss   float64 `json:"val_loss"`
	ValAcc    float64 `json:"val_acc"`
	Seconds   float64 `json:"seconds"`
}

// History is what Fit did.
type History struct {
	Name       string  `json:"name"`
	Epochs     []Epoch `json:"epochs"`
	BestEpoch  int     `json:"best_epoch"`
	BestValAcc float64 `json:"best_val_acc"`
	Seconds    float64 `json:"seconds"`
	Samples    int     `json:"samples_per_epoch"`
}

// Fit trains experts on tr with cfg, selects on va, and leaves the experts
// in their best state.
func Fit[T Float](experts []*Expert[T], tr, va *Data, cfg Config) (*History, error) {
	if cfg.Batch <= 0 || cfg.Epochs <= 0 || tr.N == 0 || va.N == 0 || len(experts) == 0 {
		return nil, errors.New("train: Fit: empty data, experts, batch or epochs")
	}
	st := newStage(experts, tr.N, cfg)
	params, logf, nEp, h := st.params, st.logf, st.nEp, st.h
	r := rand.New(rand.NewPCG(cfg.Seed, 0x6a09e667f3bcc908))
	bt := batch[T]{x: map[string]Act[T]{}}
	logits := make([]Act[T], len(experts))
	var dz []T
	aux := len(experts) > 1 && cfg.ExpertNLL > 0
	dzs := make([][]T, len(experts)) // with ExpertNLL: each expert's own gradient
	for ep := 1; ep <= cfg.Epochs; ep++ {
		t0 := time.Now()
		perm := r.Perm(tr.N)[:nEp]
		var sumLoss float64
		correct, seen := 0, 0
		nb := (nEp + cfg.Batch - 1) / cfg.Batch
		for bi := 0; bi < nb; bi++ {
			idx := perm[bi*cfg.Batch : min((bi+1)*cfg.Batch, nEp)]
			bt.fill(tr, idx)
			for i, e := range experts {
				logits[i] = e.Forward(bt.x, true)
			}
			k := logits[0].C // classes
			dz = grow(dz, len(idx)*k)
			loss, c := PoENLL(logits, bt.y, dz)
			if math.IsNaN(loss) || math.IsInf(loss, 0) {
				return h, fmt.Errorf("train: %s: loss %v at epoch %d batch %d", cfg.Name, loss, ep, bi)
			}
			correct += c
			seen += len(idx)
			d := Act[T]{C: k, B: len(idx), H: 1, W: 1, D: dz}
			for i, e := range experts {
				if aux {
					loss += cfg.ExpertNLL * expertNLL(logits[i], bt.y, dz, cfg.ExpertNLL, &dzs[i])
					d.D = dzs[i]
				}
				e.Backward(d)
			}
			sumLoss += loss * float64(len(idx))
			step(params, cfg)
			if nb >= 20 && (bi+1)%(nb/4) == 0 && bi+1 < nb {
				logf("  %s epoch %d: %d/%d batches, loss %.4f, acc %.2f%%, %.0f samples/s",
					cfg.Name, ep, bi+1, nb, sumLoss/float64(seen), 100*float64(correct)/float64(seen), float64(seen)/time.Since(t0).Seconds())
			}
		}
		vl, vacc := Evaluate(experts, va, 500)
		e := Epoch{Epoch: ep, TrainLoss: sumLoss / float64(seen), TrainAcc: 100 * float64(correct) / float64(seen),
			ValLoss: vl, ValAcc: vacc, Seconds: time.Since(t0).Seconds()}
		if st.epochDone(experts, e) {
			break
		}
	}
	return st.done(experts), nil
}

// expertNLL returns one expert's own NLL and sets *buf to dz + lambda times its gradient.
func expertNLL[T Float](logits Act[T], y []uint8, dz []T, lambda float64, buf *[]T) float64 {
	*buf = grow(*buf, len(dz))
	g := *buf
	l, _ := PoENLL([]Act[T]{logits}, y, g)
	for j, v := range dz {
		g[j] = v + T(lambda)*g[j]
	}
	return l
}

// step applies clipping, weight decay and momentum SGD:
//
//	g ← g · min(1, clip/‖g‖₂) (global norm); g ← g + wd·w; v ← μv + g; w ← w − lr·v
func step[T Float](params []*Param[T], cfg Config) {
	scale := 1.0
	if cfg.Clip > 0 {
		var ss float64
		for _, p := range params {
			for _, g := range p.G {
				ss += float64(g) * float64(g)
			}
		}
		if n := math.Sqrt(ss); n > cfg.Clip {
			scale = cfg.Clip / (n + 1e-6)
		}
	}
	lr, mu, wd, sc := T(cfg.LR), T(cfg.Momentum), T(cfg.WeightDecay), T(scale)
	for _, p := range params {
		for i, g := range p.G {
			g = g*sc + wd*p.W[i]
			p.V[i] = mu*p.V[i] + g
			p.W[i] -= lr * p.V[i]
		}
	}
}

// Evaluate returns the mean NLL and the accuracy (percent) of the product of
// experts on d, with batch-norm in evaluation mode.
func Evaluate[T Float](experts []*Expert[T], d *Data, bsz int) (loss, acc float64) {
	bt := batch[T]{x: map[string]Act[T]{}}
	logits := make([]Act[T], len(experts))
	idx := make([]int, 0, bsz)
	correct := 0
	for s := 0; s < d.N; s += bsz {
		idx = idx[:0]
		for i := s; i < min(s+bsz, d.N); i++ {
			idx = append(idx, i)
		}
		bt.fill(d, idx)
		for i, e := range experts {
			logits[i] = e.Forward(bt.x, false)
		}
		l, c := PoENLL(logits, bt.y, nil)
		loss += l * float64(len(idx))
		correct += c
	}
	return loss / float64(d.N), 100 * float64(correct) / float64(d.N)
}
