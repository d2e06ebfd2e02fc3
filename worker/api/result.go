package api

import "github.com/i2m2-wasm/i2m2/model"

// Dist is a distribution over the classes; Label is a class index (-1 when
// the distribution was not computed).
type Dist struct {
	Label    int       `json:"label"`
	Probs    []float32 `json:"probs"`
	LogProbs []float32 `json:"logProbs"`
}

// ExpertOut is one expert's own prediction. An expert whose modality is
// missing has Used false, Label -1 and null arrays.
type ExpertOut struct {
	Dist
	Logits []float32 `json:"logits"`
	Used   bool      `json:"used"`
}

// Result is the body of a prediction, the shape of the JS API's predict():
// the I2M2 product of the experts used (docs/i2m2-paper.md: log_softmax of the sum of
// their logits), each expert by name, the intra-only product (null when no
// intra expert ran) and the names of the experts used, in model order.
type Result struct {
	Dist
	Used      []string             `json:"used"`
	Experts   map[string]ExpertOut `json:"experts"`
	IntraOnly *Dist                `json:"intraOnly"`
}

// newResult copies r (which the engine reuses) into a response value.
func newResult(m *model.Model, r *model.Result) *Result {
	out := &Result{
		Dist:    dist(r.Dist),
		Used:    append([]string{}, r.Used...),
		Experts: make(map[string]ExpertOut, len(r.Experts)),
	}
	if r.HasIntraOnly {
		d := dist(r.IntraOnly)
		out.IntraOnly = &d
	}
	for _, e := range r.Experts {
		if !e.Used {
			out.Experts[e.Name] = ExpertOut{Dist: Dist{Label: -1}}
			continue
		}
		out.Experts[e.Name] = ExpertOut{Dist: dist(e.Dist), Logits: clone(e.Logits), Used: true}
	}
	return out
}

func dist(d model.Dist) Dist {
	return Dist{Label: d.Label, Probs: clone(d.Probs), LogProbs: clone(d.LogProbs)}
}

func clone(x []float32) []float32 { return append([]float32(nil), x...) }
