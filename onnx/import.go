package onnx

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/i2m2-wasm/i2m2/internal/limits"
	"github.com/i2m2-wasm/i2m2/model"
)

// Source is one expert to import: an output of a decoded ONNX graph that
// holds the expert's class scores, and which model modality each graph
// input it reads stands for.
type Source struct {
	Expert string // expert name in the .i2m2 model
	File   string // where the graph came from, for messages and provenance
	Graph  *Model
	Output string // graph output with the expert's scores; "" = the graph's only output
	// Inputs maps graph input names to modality names. Unmapped inputs keep
	// their name when it is a modality of Spec.Modalities (or of another
	// expert), and the only input of a one-input graph becomes the modality
	// named like the expert.
	Inputs map[string]string
}

// Spec describes the model to assemble from Sources.
type Spec struct {
	Name       string
	Classes    []string         // default "0".."K-1"
	Modalities []model.Modality // default: from the graph inputs' shapes, in order of first use
	Sources    []Source
}

// Import converts the experts of spec into a float32 I2M2 model and
// returns it with notices for the user (removed softmaxes, folded
// batch-norms). Errors wrap ErrMalformed, ErrUnsupported or one of
// package model's errors.
func Import(spec Spec) (*model.Model, []string, error) {
	if len(spec.Sources) == 0 {
		return nil, nil, fmt.Errorf("%w: no experts", ErrUnsupported)
	}
	m := &model.Model{Name: spec.Name, Modalities: slices.Clone(spec.Modalities), Classes: spec.Classes}
	if m.Name == "" {
		m.Name = "imported"
	}
	fixed := len(spec.Modalities) > 0
	var notes, files []string
	k := len(spec.Classes)
	for _, src := range spec.Sources {
		ex, kk, ns, err := importExpert(m, src, fixed)
		if err != nil {
			return nil, nil, fmt.Errorf("expert %q (%s): %w", src.Expert, src.File, err)
		}
		if k == 0 {
			k = kk
		}
		if kk != k {
			return nil, nil, fmt.Errorf("%w: expert %q has %d outputs, the model has %d classes", ErrUnsupported, src.Expert, kk, k)
		}
		m.Experts = append(m.Experts, ex)
		notes = append(notes, ns...)
		files = append(files, fmt.Sprintf("%s=%s (%s)", src.Expert, src.File, src.Graph.Producer))
	}
	if m.Classes == nil {
		for i := 0; i < k; i++ {
			m.Classes = append(m.Classes, fmt.Sprint(i))
		}
	}
	m.Provenance = model.Provenance{
		Data:    "imported from ONNX; not trained or verified by this project",
		Created: "i2m2 import-onnx " + strings.Join(files, ", "),
	}
	if err := m.Validate(); err != nil {
		return nil, nil, err
	}
	if err := finite(m); err != nil {
		return nil, nil, err
	}
	return m, notes, nil
}

// importExpert converts one Source into an expert of m, adding the
// modalities it introduces (unless fixed), and returns its class count.
func importExpert(m *model.Model, src Source, fixed bool) (model.Expert, int, []string, error) {
	g := &src.Graph.graph
	out := src.Output
	if out == "" {
		if len(g.outputs) != 1 {
			return model.Expert{}, 0, nil, fmt.Errorf("%w: the graph has %d outputs: name the expert's", ErrUnsupported, len(g.outputs))
		}
		out = g.outputs[0].name
	}
	if !slices.ContainsFunc(g.outputs, func(v graphIO) bool { return v.name == out }) {
		return model.Expert{}, 0, nil, fmt.Errorf("%w: no graph output %q (outputs: %s)", ErrUnsupported, out, names(g.outputs))
	}
	// Map graph inputs to modalities and shapes.
	inits := map[string]bool{}
	for _, t := range g.inits {
		inits[t.name] = true
	}
	var ins []graphIO
	for _, v := range g.inputs {
		if !inits[v.name] { // old exporters list initializers as inputs
			ins = append(ins, v)
		}
	}
	modOf := map[string]string{}
	shapes := map[string][]int{}
	for _, v := range ins {
		name, ok := src.Inputs[v.name]
		switch {
		case ok:
		case m.ModalityIndex(v.name) >= 0 || !fixed && len(ins) > 1:
			name = v.name
		case len(ins) == 1:
			name = src.Expert
		default:
			return model.Expert{}, 0, nil, fmt.Errorf("%w: graph input %q is not a modality (%s): map it as input=modality", ErrUnsupported, v.name, modalityNames(m))
		}
		s, err := inputShape(v)
		if err != nil {
			return model.Expert{}, 0, nil, err
		}
		ms := model.Shape{1, 1, 1}
		copy(ms[3-len(s):], s)
		if len(s) == 1 {
			ms = model.Shape{s[0], 1, 1}
		}
		if mi := m.ModalityIndex(name); mi >= 0 {
			if m.Modalities[mi].Shape != ms {
				return model.Expert{}, 0, nil, fmt.Errorf("%w: graph input %q has shape %v, modality %q has %v", ErrUnsupported, v.name, ms, name, m.Modalities[mi].Shape)
			}
		} else if fixed {
			return model.Expert{}, 0, nil, fmt.Errorf("%w: graph input %q maps to %q, which is not a modality (%s)", ErrUnsupported, v.name, name, modalityNames(m))
		} else {
			m.Modalities = append(m.Modalities, model.Modality{Name: name, Shape: ms})
		}
		modOf[v.name] = name
		shapes[v.name] = s
	}
	for in := range src.Inputs {
		if _, ok := modOf[in]; !ok {
			return model.Expert{}, 0, nil, fmt.Errorf("%w: no graph input %q (inputs: %s)", ErrUnsupported, in, names(ins))
		}
	}

	e := newEvaluator(src.Graph, shapes)
	var notes []string
	if n := e.prod[out]; n != nil && (n.op == "Softmax" || n.op == "LogSoftmax") && len(n.in) == 1 {
		if err := checkAttrs(n); err != nil {
			return model.Expert{}, 0, nil, err
		}
		if ax := n.attrInt("axis", -1); ax != 1 && ax != -1 {
			return model.Expert{}, 0, nil, refuse(n, fmt.Sprintf("axis %d", ax), "softmax over the classes (axis 1)")
		}
		notes = append(notes, fmt.Sprintf("expert %q: removed the trailing %s (node %q): the product of experts sums logits; log_softmax is applied after the sum", src.Expert, n.op, nodeName(n)))
		out = n.in[0]
	}
	v, err := e.eval(out)
	if err != nil {
		return model.Expert{}, 0, nil, err
	}
	if e.bn > 0 {
		notes = append(notes, fmt.Sprintf("expert %q: folded %d BatchNormalization node(s) into the preceding layer", src.Expert, e.bn))
	}
	d := v.d
	if d == nil || len(d.shape) != 1 || d.pad != nil {
		return model.Expert{}, 0, nil, fmt.Errorf("%w: output %q is not a [N, classes] activation", ErrUnsupported, out)
	}
	if l := d.last(); l == nil || l.Kind != model.Dense {
		return model.Expert{}, 0, nil, fmt.Errorf("%w: output %q does not end in a Gemm or MatMul+Add (a Linear layer giving the class scores)", ErrUnsupported, out)
	}
	ex := model.Expert{Name: src.Expert}
	if d.merged {
		ex.Head = d.head
		for _, b := range d.branches {
			ex.Inputs = append(ex.Inputs, modOf[b.input])
			ex.Branches = append(ex.Branches, b.layers)
		}
	} else {
		ls := d.branches[0].layers
		i := slices.IndexFunc(ls, func(l model.Layer) bool { return l.Kind == model.Dense })
		ex.Inputs = []string{modOf[d.branches[0].input]}
		ex.Branches = [][]model.Layer{ls[:i:i]}
		ex.Head = ls[i:]
	}
	return ex, d.shape[0], notes, nil
}

// finite checks every weight and bias: NaN or Inf in an initializer (or a
// batch-norm variance below -epsilon) would poison every prediction.
func finite(m *model.Model) error {
	for _, e := range m.Experts {
		for bi, ls := range append(slices.Clone(e.Branches), e.Head) {
			for li, l := range ls {
				for _, v := range append(slices.Clone(l.W), l.B...) {
					if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
						where := "head"
						if bi < len(e.Inputs) {
							where = "branch " + e.Inputs[bi]
						}
						return fmt.Errorf("%w: expert %q %s layer %d (%s) has a non-finite weight %v", model.ErrFormat, e.Name, where, li, l.Kind, v)
					}
				}
			}
		}
	}
	return nil
}

// inputShape is the per-sample shape of a float graph input: [C,H,W] of an
// [N,C,H,W] input or [F] of an [N,F] one.
func inputShape(v graphIO) ([]int, error) {
	if v.elem != typeFloat {
		return nil, fmt.Errorf("%w: graph input %q has element type %d, not float32", ErrUnsupported, v.name, v.elem)
	}
	if len(v.dims) != 4 && len(v.dims) != 2 {
		return nil, fmt.Errorf("%w: graph input %q has rank %d; want [N,C,H,W] or [N,F]", ErrUnsupported, v.name, len(v.dims))
	}
	s := make([]int, len(v.dims)-1)
	for i, d := range v.dims[1:] {
		if d.param != "" || d.value < 1 || d.value > limits.Dim {
			return nil, fmt.Errorf("%w: graph input %q dimension %d is %v; export with fixed non-batch dimensions", ErrUnsupported, v.name, i+1, d)
		}
		s[i] = int(d.value)
	}
	return s, nil
}

func names(vs []graphIO) string {
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = v.name
	}
	return strings.Join(s, ", ")
}

func modalityNames(m *model.Model) string {
	s := make([]string, len(m.Modalities))
	for i, md := range m.Modalities {
		s[i] = md.Name
	}
	return strings.Join(s, ", ")
}

// Outputs returns the names of the graph's outputs.
func (m *Model) Outputs() []string {
	s := make([]string, len(m.graph.outputs))
	for i, v := range m.graph.outputs {
		s[i] = v.name
	}
	return s
}
