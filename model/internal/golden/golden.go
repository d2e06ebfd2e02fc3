// Package golden is the layout of model/testdata/golden.json: written by model/internal/gen
// (the native engine on the tiny test models), read by model's golden test on every path and
// platform. Types only, so that model's tests can import it.
package golden

// File is the JSON layout of golden.json.
type File struct {
	Comment string   `json:"comment"`
	Inputs  []Input  `json:"inputs"`
	Outputs []Output `json:"outputs"`
}

// Input is one named input set; a missing modality is absent.
type Input struct {
	Name string               `json:"name"`
	Data map[string][]float32 `json:"data"`
}

// Dist is a distribution.
type Dist struct {
	Label    int       `json:"label"`
	Probs    []float32 `json:"probs"`
	LogProbs []float32 `json:"log_probs"`
}

// Expert is one expert's output.
type Expert struct {
	Name   string    `json:"name"`
	Used   bool      `json:"used"`
	Logits []float32 `json:"logits"`
	Dist
}

// Output is the result of one (file, path, input).
type Output struct {
	File      string   `json:"file"`
	Path      string   `json:"path"`
	Input     string   `json:"input"`
	Used      []string `json:"used"`
	Product   Dist     `json:"product"`
	IntraOnly *Dist    `json:"intra_only"`
	Experts   []Expert `json:"experts"`
}
