package ui

import "fmt"

// ModelDesc is what the lab knows about a model: the JS module's model.info, which embeds
// model.Describe (modalities, classes, experts with their inputs), or a manifest entry before the
// model has loaded. Every card of the lab is drawn from it: no modality, expert or class count is
// built into the lab.
type ModelDesc struct {
	Name       string         `json:"name"`
	Classes    []string       `json:"classes"`
	Modalities []ModalityDesc `json:"modalities"`
	Experts    []ExpertDesc   `json:"experts"`
}

// ModalityDesc is one input of a model: its name and shape ([channels, height, width]).
type ModalityDesc struct {
	Name  string `json:"name"`
	Shape []int  `json:"shape"`
}

// Size is the number of values of one sample of the modality.
func (m ModalityDesc) Size() int {
	n := 1
	for _, d := range m.Shape {
		n *= d
	}
	return n
}

// ExpertDesc is one expert: its name, the modalities it reads and whether it is an intra-modality
// expert (one modality) or an inter-modality one.
type ExpertDesc struct {
	Name   string   `json:"name"`
	Inputs []string `json:"inputs"`
	Intra  bool     `json:"intra"`
}

// Modality returns the index of the named modality, or -1.
func (d *ModelDesc) Modality(name string) int {
	for i, m := range d.Modalities {
		if m.Name == name {
			return i
		}
	}
	return -1
}

// Class returns the index of the class named name, or -1.
func (d *ModelDesc) Class(name string) int {
	for i, c := range d.Classes {
		if c == name {
			return i
		}
	}
	return -1
}

// ClassName names class i ("?" out of range).
func (d *ModelDesc) ClassName(i int) string {
	if i < 0 || i >= len(d.Classes) {
		return "?"
	}
	return d.Classes[i]
}

// Check reports a description the lab cannot show.
func (d *ModelDesc) Check() error {
	if len(d.Classes) < 2 || len(d.Modalities) == 0 || len(d.Experts) == 0 {
		return fmt.Errorf("the model's description has %d classes, %d modalities and %d experts (want at least 2, 1, 1)", len(d.Classes), len(d.Modalities), len(d.Experts))
	}
	for _, m := range d.Modalities {
		if m.Size() <= 0 || len(m.Shape) == 0 {
			return fmt.Errorf("modality %q has shape %v", m.Name, m.Shape)
		}
	}
	for _, e := range d.Experts {
		for _, in := range e.Inputs {
			if d.Modality(in) < 0 {
				return fmt.Errorf("expert %q reads %q, which is not a modality of the model", e.Name, in)
			}
		}
	}
	return nil
}

// Inputs is one sample: modality name -> values. A missing modality is absent (the experts that
// need it do not run).
type Inputs map[string][]float32

// Dist is a distribution over the model's classes.
type Dist struct {
	Label int       // argmax
	Probs []float64 // one per class, sums to 1
}

// Conf is the probability of the predicted class.
func (d *Dist) Conf() float64 { return d.Probs[d.Label] }

// Prediction is what the engine says about one sample.
type Prediction struct {
	Final     Dist    // the I2M2 product of experts: log_softmax(sum of the used experts' logits)
	Experts   []*Dist // one per expert of the ModelDesc, in its order; nil when the expert did not run
	IntraOnly *Dist   // product of the intra experts alone (the paper's intra-modality baseline)
}

// Engine runs the model. The browser implementation is JSEngine; every method blocks until the
// JS module's Promise settles, so it is called from a goroutine, never from an event handler.
type Engine interface {
	PredictBatch(in []Inputs) ([]Prediction, error)
	ImageFromRGBA(rgba []byte, width, height int) ([]float32, error)
	AudioFromPCM(pcm []float32, sampleRate int) ([]float32, error)
	Dispose() // frees the model; the lab calls it when it switches to another
}

// Predict runs one sample.
func Predict(e Engine, in Inputs) (Prediction, error) {
	r, err := e.PredictBatch([]Inputs{in})
	if err != nil {
		return Prediction{}, err
	}
	return r[0], nil
}
