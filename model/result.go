package model

import (
	"math"

	"github.com/i2m2-wasm/i2m2/internal/errfmt"
	"github.com/i2m2-wasm/i2m2/model/internal/kern"
)

// Dist is a distribution over the classes.
type Dist struct {
	Label    int       // argmax
	Probs    []float32 // softmax
	LogProbs []float32 // log_softmax
}

// ExpertResult is one expert's own prediction.
type ExpertResult struct {
	Name   string
	Inputs []string
	Intra  bool
	Used   bool      // false when one of its modalities was missing
	Logits []float32 // raw scores f(x)
	Dist
}

// Result of one prediction. Create with NewResult and reuse: Predict fills it
// without allocating.
type Result struct {
	// Dist is the I2M2 product of experts over the experts used:
	// log_softmax(sum of their logits) (docs/i2m2-paper.md, the reference code's
	// loss).
	Dist
	// IntraOnly is the product of the intra experts used (the paper's
	// intra-modality baseline); valid when HasIntraOnly.
	IntraOnly    Dist
	HasIntraOnly bool
	// Experts has one entry per model expert, in model order.
	Experts []ExpertResult
	// Used names the experts that contributed, in model order.
	Used []string

	sum []float32
}

// NewResult allocates a Result for m.
func (m *Model) NewResult() *Result {
	k := len(m.Classes)
	r := &Result{
		Dist:      newDist(k),
		IntraOnly: newDist(k),
		Experts:   make([]ExpertResult, len(m.Experts)),
		Used:      make([]string, 0, len(m.Experts)),
		sum:       make([]float32, k),
	}
	for i := range m.Experts {
		e := &m.Experts[i]
		r.Experts[i] = ExpertResult{Name: e.Name, Inputs: e.Inputs, Intra: e.intra(), Logits: make([]float32, k), Dist: newDist(k)}
	}
	return r
}

func newDist(k int) Dist {
	return Dist{Probs: make([]float32, k), LogProbs: make([]float32, k)}
}

// finish fills d from logits: log_softmax, softmax, argmax.
func finish(d *Dist, logits []float32) {
	kern.LogSoftmax(d.LogProbs, logits)
	best := 0
	for i, lp := range d.LogProbs {
		d.Probs[i] = float32(math.Exp(float64(lp)))
		if lp > d.LogProbs[best] {
			best = i
		}
	}
	d.Label = best
}

// finiteDist checks that the logits and d hold only finite values.
func finiteDist(d *Dist, logits []float32) error {
	for _, v := range [...]struct {
		name string
		x    []float32
	}{{"logit", logits}, {"probability", d.Probs}, {"log-probability", d.LogProbs}} {
		if err := finite(v.x); err != nil {
			return errfmt.Errorf("%s %v", v.name, err)
		}
	}
	return nil
}
