package model

// Description is what a caller needs to know of a model to feed it and read
// its results. Its JSON form is the first fields of the JS API's model.info
// and the worker's GET /model. Each of Experts has the expert's Name, its
// Inputs (modality names, in branch order) and Intra (one input: an
// intra-modality expert).
type Description struct {
	Name         string       `json:"name"`
	Modalities   []Modality   `json:"modalities"`
	Classes      []string     `json:"classes"`
	Experts      []expertInfo `json:"experts"`
	Quantization string       `json:"quantization"` // of the stored weights: "int8" or "float32"
	Path         string       `json:"path"`         // the kernels predictions run (ParsePath's names)
	Kernels      string       `json:"kernels"`      // their inner loops in this binary: "simd" or "scalar"
	MACs         int          `json:"macs"`         // multiply-adds of one prediction with every expert
	Provenance   Provenance   `json:"provenance"`
}

// expertInfo describes one expert in a Description.
type expertInfo struct {
	Name   string   `json:"name"`
	Inputs []string `json:"inputs"`
	Intra  bool     `json:"intra"`
}

// Describe returns m's description for predictions on path.
func (m *Model) Describe(path Path) Description {
	d := Description{Name: m.Name, Modalities: m.Modalities, Classes: m.Classes, Quantization: m.quantization(),
		Path: path.String(), Kernels: kernels(), MACs: int(m.cost().MACs), Provenance: m.Provenance}
	for i := range m.Experts {
		e := &m.Experts[i]
		d.Experts = append(d.Experts, expertInfo{Name: e.Name, Inputs: e.Inputs, Intra: e.intra()})
	}
	return d
}
