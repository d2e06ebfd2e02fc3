package train

import (
	"fmt"
	"sync"

	"github.com/i2m2-wasm/i2m2/model"
	"github.com/i2m2-wasm/i2m2/model/quant"
)

// Score is an accuracy and a mean confidence (the mean probability of the
// predicted class), both in percent.
type Score struct {
	Acc  float64 `json:"acc"`
	Conf float64 `json:"conf"`
}

// ModelEval is a model's test score through the inference engine: its
// product of experts (for a one-expert model, that expert), the intra-only
// product when it has two intra experts, and each expert alone.
type ModelEval struct {
	N         int              `json:"n"`
	Path      string           `json:"path"`
	Product   Score            `json:"product"`
	IntraOnly *Score           `json:"intra_only,omitempty"`
	Experts   map[string]Score `json:"experts"`
	Labels    []int            `json:"-"` // product argmax per sample
}

// EvalModel runs m on every sample of d with path p, on workers goroutines
// (each with its own Predictor; the sums are combined in a fixed order). When
// shuffle names a modality, sample i gets that modality from sample perm[i]
// (the pairing is broken; the label stays sample i's).
func EvalModel(m *model.Model, p model.Path, d *Data, shuffle string, perm []int, workers int) (*ModelEval, error) {
	if shuffle != "" && shuffle != "image" && shuffle != "audio" {
		return nil, fmt.Errorf("train: shuffle %q: want image or audio", shuffle)
	}
	if shuffle != "" && len(perm) != d.N {
		return nil, fmt.Errorf("train: shuffle permutation has %d entries for %d samples", len(perm), d.N)
	}
	workers = max(1, min(workers, d.N))
	type part struct {
		prod, intra Score
		exp         []Score
		hasIntra    bool
		err         error
	}
	parts := make([]part, workers)
	ev := &ModelEval{N: d.N, Path: p.String(), Experts: map[string]Score{}, Labels: make([]int, d.N)}
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		lo, hi := w*d.N/workers, (w+1)*d.N/workers
		pt := &parts[w]
		pt.exp = make([]Score, len(m.Experts))
		wg.Add(1)
		go func() {
			defer wg.Done()
			pr, err := m.NewPredictor(p)
			if err != nil {
				pt.err = err
				return
			}
			res := m.NewResult()
			img, aud := make([]float32, 784), make([]float32, 1600)
			in := map[string][]float32{"image": img, "audio": aud}
			for i := lo; i < hi; i++ {
				si, sa := i, i
				switch shuffle {
				case "image":
					si = perm[i]
				case "audio":
					sa = perm[i]
				}
				d.fill(si, sa, img, aud)
				if err := pr.Predict(in, res); err != nil {
					pt.err = err
					return
				}
				y := int(d.Labels[i])
				add := func(s *Score, dist *model.Dist) {
					if dist.Label == y {
						s.Acc++
					}
					s.Conf += float64(dist.Probs[dist.Label])
				}
				add(&pt.prod, &res.Dist)
				ev.Labels[i] = res.Dist.Label
				if res.HasIntraOnly {
					pt.hasIntra = true
					add(&pt.intra, &res.IntraOnly)
				}
				for k := range res.Experts {
					add(&pt.exp[k], &res.Experts[k].Dist)
				}
			}
		}()
	}
	wg.Wait()
	var prod, intra Score
	exp := make([]Score, len(m.Experts))
	hasIntra := false
	for _, pt := range parts {
		if pt.err != nil {
			return nil, pt.err
		}
		prod.Acc += pt.prod.Acc
		prod.Conf += pt.prod.Conf
		intra.Acc += pt.intra.Acc
		intra.Conf += pt.intra.Conf
		hasIntra = hasIntra || pt.hasIntra
		for k := range exp {
			exp[k].Acc += pt.exp[k].Acc
			exp[k].Conf += pt.exp[k].Conf
		}
	}
	pct := func(s Score) Score { return Score{100 * s.Acc / float64(d.N), 100 * s.Conf / float64(d.N)} }
	ev.Product = pct(prod)
	nIntra := 0
	for _, e := range m.Experts {
		if len(e.Inputs) == 1 {
			nIntra++
		}
	}
	if hasIntra && nIntra > 1 {
		s := pct(intra)
		ev.IntraOnly = &s
	}
	for k, e := range m.Experts {
		ev.Experts[e.Name] = pct(exp[k])
	}
	return ev, nil
}

// RunEval is the test evaluation of one seed's models (Pipeline's names):
// each float32 model on the fast path, the I2M2 model quantised to int8 on
// the int8 path, and the top-1 agreement of the two.
type RunEval struct {
	Evals     map[string]*ModelEval `json:"evals"`
	Int8      *ModelEval            `json:"i2m2_int8"`
	Agreement float64               `json:"int8_agreement"` // percent of samples with the same top-1
	Quant     []quant.Stat          `json:"quant"`
}

// EvaluateRun evaluates models (keyed by ModelNames) on d. The I2M2 model is
// quantised from a copy (its serialised form), so models are not modified.
func EvaluateRun(models map[string]*model.Model, d *Data, workers int) (*RunEval, error) {
	re := &RunEval{Evals: map[string]*ModelEval{}}
	for _, n := range ModelNames {
		m, ok := models[n]
		if !ok {
			return nil, fmt.Errorf("train: EvaluateRun: no %s model", n)
		}
		ev, err := EvalModel(m, model.Fast, d, "", nil, workers)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", n, err)
		}
		re.Evals[n] = ev
	}
	q, err := copyModel(models["i2m2"])
	if err != nil {
		return nil, err
	}
	if re.Quant, err = quant.Quantize(q); err != nil {
		return nil, err
	}
	if re.Int8, err = EvalModel(q, model.Quantized, d, "", nil, workers); err != nil {
		return nil, err
	}
	same := 0
	for i, l := range re.Int8.Labels {
		if l == re.Evals["i2m2"].Labels[i] {
			same++
		}
	}
	re.Agreement = 100 * float64(same) / float64(d.N)
	return re, nil
}
