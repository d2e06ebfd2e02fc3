// Package model is the I2M2 inference engine: experts built from a small set of
// layers, combined as a product of experts (Madaan et al., NeurIPS 2024, §3:
// log q(y|x,x') = log_softmax(f1(x) + f2(x') + f12(x,x'))), with a float32
// reference path, a fast float32 path and an int8 path, and the .i2m2 file
// format (FORMAT.md).
//
// The package uses the standard library only and builds for GOOS=js.
//
// Lifetimes follow llama2.c: a Model is the immutable blueprint plus weights and
// may be shared between goroutines; a Predictor holds every activation buffer
// for one caller and is reused across calls without allocating.
package model

import (
	"github.com/i2m2-wasm/i2m2/internal/errfmt"
	"github.com/i2m2-wasm/i2m2/model/internal/q8"
)

// Layer is one layer of an expert. Only the fields of its Kind are used.
type Layer struct {
	Kind Kind

	// Conv2D: InC -> OutC channels, kernel KH x KW, Stride, zero padding Pad.
	// Dense: In -> Out (InC/OutC unused).
	// MaxPool2D: window KH x KW, Stride. AvgPool2D: the same and zero padding Pad.
	InC, OutC, KH, KW, Stride, Pad int
	In, Out                        int

	// W holds the float32 weights (Conv2D [OutC][InC][KH][KW], Dense [Out][In]);
	// B the bias [OutC] or [Out]. For an int8 model read from disk, W is the
	// dequantised copy of Q (so the reference path still runs).
	W, B []float32

	// Q is the int8 form of W, quantised per output row (FORMAT.md, "Tensors"); nil
	// for float32 models until quantised (model/quant).
	Q *q8.Tensor

	pk *packed // W and Q in the fast kernels' layouts, set by Model.prepare (compile.go)
}

// Rows and Cols of the weight matrix of a Conv2D or Dense layer (row = output
// channel/unit, col = its receptive field).
func (l *Layer) Rows() int {
	if l.Kind == Conv2D {
		return l.OutC
	}
	return l.Out
}

// Cols is the length of one weight row.
func (l *Layer) Cols() int {
	if l.Kind == Conv2D {
		return l.InC * l.KH * l.KW
	}
	return l.In
}

// Shape is a tensor shape without the batch dimension: [C, H, W] for maps,
// [N, 1, 1] for vectors.
type Shape [3]int

// Size is the number of elements.
func (s Shape) Size() int { return s[0] * s[1] * s[2] }

// Modality is a named input of the model.
// Its JSON form, {"name", "shape"}, is the one the JS API's model.info, the
// worker's GET /model and weights/manifest.json use.
type Modality struct {
	Name  string `json:"name"`
	Shape Shape  `json:"shape"`
}

// Expert is a classifier over one or more modalities: one encoder branch per
// input modality, the branch outputs flattened and concatenated in Inputs order
// (late fusion), then a head ending in a Dense layer with one output per class.
// An intra-modality expert has one input; the inter-modality expert has all.
type Expert struct {
	Name     string
	Inputs   []string  // modality names, one branch each
	Branches [][]Layer // Branches[i] encodes Inputs[i]
	Head     []Layer   // applied to the concatenation of the branch outputs
}

// intra reports whether e is an intra-modality (single input) expert.
func (e *Expert) intra() bool { return len(e.Inputs) == 1 }

// Provenance records where a model came from.
type Provenance struct {
	Data    string             `json:"data,omitempty"`    // training data description
	Seed    int64              `json:"seed,omitempty"`    // training seed
	Created string             `json:"created,omitempty"` // free text (tool, version)
	Metrics map[string]float64 `json:"metrics,omitempty"` // e.g. test accuracy
}

// The quantisations of stored weights, by the file format's names (FORMAT.md).
const (
	float32Weights = "float32"
	int8Weights    = "int8" // symmetric, one float32 scale per output row
)

// Model is an I2M2 classifier: one intra expert per modality and one inter
// expert over all modalities (more experts are allowed; any expert whose inputs
// are all present is used). Build one, call Validate, then share it freely.
type Model struct {
	Name       string
	Modalities []Modality
	Classes    []string
	Experts    []Expert
	// Quantization of the stored weights: "float32" ("" in a model built in
	// memory means the same) or "int8" (every weighted layer has Q).
	Quantization string
	Provenance   Provenance

	// Digest is the hex sha256 stored in the model file (of everything before
	// it); empty for a model built in memory.
	Digest string

	plan  *plan  // shapes and buffer sizes, set by Validate
	pools *pools // set by Validate
	prep  *prep  // packed weights, made once (set by Validate, reset when weights change)
}

// weightsChanged drops what was derived from the weights (packed copies,
// pooled predictors) and recomputes the plan, whose Cost counts int8 copies.
// Not safe concurrently with prediction.
func (m *Model) weightsChanged() {
	if m.plan != nil && m.Validate() != nil {
		m.plan = nil // NewPredictor validates again and reports the error
	}
}

// ModalityIndex returns the index in m.Modalities of the modality named name,
// or -1.
func (m *Model) ModalityIndex(name string) int {
	for i := range m.Modalities {
		if m.Modalities[i].Name == name {
			return i
		}
	}
	return -1
}

// eachLayer calls f for every layer in file order: experts in order, each
// expert's branches in order, then its head.
func (m *Model) eachLayer(f func(name layerName, l *Layer)) {
	for ei := range m.Experts {
		e := &m.Experts[ei]
		for bi := range e.Branches {
			for li := range e.Branches[bi] {
				f(layerName{e, bi, li}, &e.Branches[bi][li])
			}
		}
		for li := range e.Head {
			f(layerName{e, -1, li}, &e.Head[li])
		}
	}
}

// layerName names a layer in messages ("audio.audio.2.conv2d", "inter.head.0.dense"),
// formatted only when a message is: a load that finds nothing wrong formats
// none (see leaf.go for why the load avoids the work).
type layerName struct {
	e      *Expert
	branch int // -1: the head
	layer  int
}

func (n layerName) String() string {
	if n.branch < 0 {
		return errfmt.Sprintf("%s.head.%d.%s", n.e.Name, n.layer, n.e.Head[n.layer].Kind)
	}
	return errfmt.Sprintf("%s.%s.%d.%s", n.e.Name, n.e.Inputs[n.branch], n.layer, n.e.Branches[n.branch][n.layer].Kind)
}

// quantization is m.Quantization with "" read as float32.
func (m *Model) quantization() string {
	if m.Quantization == "" {
		return float32Weights
	}
	return m.Quantization
}
