// Package torchref reads the PyTorch reference outputs committed with the ONNX
// import fixtures (onnx/testdata/import/avmnist.json, written by
// scripts/onnx-fixtures/make.py), for the tests that compare an imported
// model with PyTorch: the importer's own (onnx/) and the worker's (e2e/worker).
package torchref

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/i2m2-wasm/i2m2/model"
)

// AVMNIST is avmnist.json: the inputs given to the PyTorch AV-MNIST experts and
// the log-probabilities PyTorch computed for them.
type AVMNIST struct {
	Classes    []string            `json:"classes"`
	Modalities []model.Modality    `json:"modalities"`
	Samples    []Sample            `json:"samples"`
	Ops        map[string][]string `json:"ops"` // ONNX ops of each exported graph
}

// Sample is one pair of inputs and PyTorch's answers: each expert's
// log_softmax, the product of all experts and of the intra experts.
type Sample struct {
	Inputs    map[string][]float32 `json:"inputs"`
	Experts   map[string][]float32 `json:"experts"`
	Product   []float32            `json:"product"`
	IntraOnly []float32            `json:"intra_only"`
}

// Read reads an avmnist.json.
func Read(path string) (*AVMNIST, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var r AVMNIST
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(r.Samples) == 0 || len(r.Classes) == 0 {
		return nil, fmt.Errorf("%s: no samples or classes", path)
	}
	return &r, nil
}
