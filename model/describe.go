package model

// Description is what a caller needs to know of a model to feed it and read
// its results. Its JSON form is the first fields of the JS API's model.info
// and the worker's GET /model.
type Description struct {
	Name         string       `json:"name"`
	Modalities   []Modality   `json:"modalities"`
	Classes      []string     `json:"classes"`
	Experts      []ExpertInfo `json:"experts"`
	Quantization string       `json:"quantization"` // of the stored weights: "int8" or "float32"
	Path         string       `json:"path"`         // the kernels predictions run (ParsePath's names)
	MACs         int          `json:"macs"`         // multiply-adds of one prediction with every expert
	Provenance   Provenance   `json:"provenance"`
}

// ExpertInfo describes one expert: the modalities it reads, in branch order,
// and whether it is an intra-modality (single input) expert.
type ExpertInfo struct {
	Name   string   `json:"name"`
	Inputs []string `json:"inputs"`
	Intra  bool     `json:"intra"`
}

// Describe returns m's description for predictions on path.
func (m *Model) Describe(path Path) Description {
	d := Description{Name: m.Name, Modalities: m.Modalities, Classes: m.Classes, Quantization: m.Quantization.String(),
		Path: path.String(), MACs: int(m.Cost().MACs), Provenance: m.Provenance}
	for i := range m.Experts {
		e := &m.Experts[i]
		d.Experts = append(d.Experts, ExpertInfo{Name: e.Name, Inputs: e.Inputs, Intra: e.Intra()})
	}
	return d
}
