package model

import (
	"errors"
	"strconv"

	"github.com/i2m2-wasm/i2m2/internal/errfmt"
	"github.com/i2m2-wasm/i2m2/internal/limits"
)

// Errors returned by the package. Every error wraps one of these four, so callers can
// test with errors.Is; the message says what exactly is wrong (FORMAT.md, "Errors").
var (
	// ErrFormat: the bytes are not a valid model file (Read), or a model built in memory
	// is inconsistent (Validate).
	ErrFormat = errors.New("i2m2: invalid model file")
	// ErrLimit: a count or size above the format's limits, or a prediction whose cost
	// is above the reader's work budget.
	ErrLimit = errors.New("i2m2: size limit exceeded")
	// ErrInput: inputs or arguments a prediction cannot run on.
	ErrInput = errors.New("i2m2: bad input")
	// ErrNonFinite: a prediction produced a NaN or infinite logit or
	// (log-)probability, from inputs or weights that overflow float32. No
	// such value leaves Predict.
	ErrNonFinite = errors.New("i2m2: non-finite output")
)

// The finer errors keep their own messages and wrap one of the four above (the tests
// tell them apart; a caller needs the four).
var (
	errBadMagic      = subError("i2m2: bad magic (not an .i2m2 model file)", ErrFormat)
	errVersion       = subError("i2m2: unsupported format version", ErrFormat)
	errTruncated     = subError("i2m2: truncated model file", ErrFormat)
	errChecksum      = subError("i2m2: checksum mismatch", ErrFormat)
	errHeader        = subError("i2m2: malformed header", ErrFormat)
	errShape         = subError("i2m2: shape mismatch", ErrFormat)
	errLayer         = subError("i2m2: unsupported layer", ErrFormat)
	errInvalidWeight = subError("i2m2: invalid weight value", ErrFormat)
	errNoExpert      = subError("i2m2: no expert can run on the given modalities", ErrInput)
)

// categorised is an error with its own message that matches its category under errors.Is.
type categorised struct {
	msg string
	of  error
}

func subError(msg string, of error) error { return &categorised{msg, of} }

func (e *categorised) Error() string { return e.msg }
func (e *categorised) Unwrap() error { return e.of }

// The format's limits (internal/limits), under the names the package uses.
const (
	maxModalities   = limits.Modalities
	maxClasses      = limits.Classes
	maxExperts      = limits.Experts
	maxLayers       = limits.Layers
	maxDim          = limits.Dim
	maxActivation   = limits.Activation
	maxParams       = limits.Params
	maxNameLen      = limits.NameLen
	maxHeaderBytes  = limits.HeaderBytes
	maxKernelExtent = limits.KernelExtent
)

// plan is what Validate derives: the shape after every layer and the buffer
// sizes a Predictor needs.
type plan struct {
	experts []expertPlan
	maxAct  int // largest activation
	params  int
	weights bool // check weight and bias lengths

	cost         workCost // budget.go; Bytes includes one Predictor once validate finishes
	scratch      scratch  // largest padded input and im2col matrix
	padAt, colAt string   // the layers that set them
	int8         bool     // int8 weights (their copies count in Cost.Bytes)
	budget       *budget  // nil: no limit (a model built in memory)
}

type expertPlan struct {
	inputs   []int     // modality index per branch
	branches [][]Shape // branches[b][i] = output shape of layer i (input shape excluded)
	branchIn []Shape
	concat   int     // length of the concatenated branch outputs
	head     []Shape // output shape of each head layer
}

func shapeErr(format string, a ...any) error {
	return errfmt.Errorf("%w: %s", errShape, errfmt.Sprintf(format, a...))
}

// Validate checks the architecture and weight sizes and prepares the model for
// prediction. It must be called (Read calls it) before NewPredictor. It
// computes the model's Cost but applies no Budget: Read does.
func (m *Model) Validate() error { return m.validate(true, nil) }

// validate checks the architecture, and the weight lengths when weights is
// set, and the cost against b unless b is nil.
func (m *Model) validate(weights bool, b *budget) error {
	if len(m.Name) > maxNameLen*4 {
		return errfmt.Errorf("%w: model name longer than %d bytes", ErrLimit, maxNameLen*4)
	}
	if len(m.Modalities) < 1 || len(m.Modalities) > maxModalities {
		return errfmt.Errorf("%w: %d modalities (want 1..%d)", errHeader, len(m.Modalities), maxModalities)
	}
	if len(m.Classes) < 2 || len(m.Classes) > maxClasses {
		return errfmt.Errorf("%w: %d classes (want 2..%d)", errHeader, len(m.Classes), maxClasses)
	}
	if len(m.Experts) < 1 || len(m.Experts) > maxExperts {
		return errfmt.Errorf("%w: %d experts (want 1..%d)", errHeader, len(m.Experts), maxExperts)
	}
	if q := m.quantization(); q != float32Weights && q != int8Weights {
		return errfmt.Errorf("%w: quantization %q", errHeader, m.Quantization)
	}
	seen := map[string]bool{}
	for _, md := range m.Modalities {
		if md.Name == "" || len(md.Name) > maxNameLen {
			return errfmt.Errorf("%w: modality name %q", errHeader, md.Name)
		}
		if seen[md.Name] {
			return errfmt.Errorf("%w: duplicate modality %q", errHeader, md.Name)
		}
		seen[md.Name] = true
		for _, d := range md.Shape {
			if d < 1 || d > maxDim {
				return shapeErr("modality %q has shape %v", md.Name, md.Shape[:])
			}
		}
		if md.Shape.Size() > maxActivation {
			return errfmt.Errorf("%w: modality %q has %d elements", ErrLimit, md.Name, md.Shape.Size())
		}
	}
	p := &plan{weights: weights, budget: b, int8: m.Quantization == int8Weights}
	for _, md := range m.Modalities {
		p.cost.Moves += int64(md.Shape.Size()) // checkInputs reads every input
	}
	names := map[string]bool{}
	for ei := range m.Experts {
		e := &m.Experts[ei]
		if e.Name == "" || len(e.Name) > maxNameLen || names[e.Name] {
			return errfmt.Errorf("%w: expert %d has empty, long or duplicate name %q", errHeader, ei, e.Name)
		}
		names[e.Name] = true
		if len(e.Inputs) == 0 || len(e.Inputs) != len(e.Branches) {
			return errfmt.Errorf("%w: expert %q has %d inputs and %d branches", errHeader, e.Name, len(e.Inputs), len(e.Branches))
		}
		var ep expertPlan
		used := map[int]bool{}
		for bi, in := range e.Inputs {
			mi := m.ModalityIndex(in)
			if mi < 0 {
				return errfmt.Errorf("%w: expert %q uses unknown modality %q", errHeader, e.Name, in)
			}
			if used[mi] {
				return errfmt.Errorf("%w: expert %q uses modality %q twice", errHeader, e.Name, in)
			}
			used[mi] = true
			ep.inputs = append(ep.inputs, mi)
			s := m.Modalities[mi].Shape
			ep.branchIn = append(ep.branchIn, s)
			shapes, err := p.layers(e.Branches[bi], s, "expert "+strconv.Quote(e.Name)+" branch "+strconv.Quote(in))
			if err != nil {
				return err
			}
			ep.branches = append(ep.branches, shapes)
			if len(shapes) > 0 {
				s = shapes[len(shapes)-1]
			}
			ep.concat += s.Size()
		}
		if ep.concat > maxActivation {
			return errfmt.Errorf("%w: expert %q concatenation has %d elements", ErrLimit, e.Name, ep.concat)
		}
		p.act(ep.concat)
		p.cost.Moves += int64(ep.concat) + 4*int64(len(m.Classes)) // concatenation, softmax
		hs, err := p.layers(e.Head, Shape{ep.concat, 1, 1}, "expert "+strconv.Quote(e.Name)+" head")
		if err != nil {
			return err
		}
		if len(hs) == 0 || e.Head[len(e.Head)-1].Kind != Dense || hs[len(hs)-1].Size() != len(m.Classes) {
			return shapeErr("expert %q head must end in a dense layer with %d outputs", e.Name, len(m.Classes))
		}
		ep.head = hs
		p.experts = append(p.experts, ep)
	}
	if p.params > maxParams {
		return errfmt.Errorf("%w: %d parameters", ErrLimit, p.params)
	}
	if err := p.check("the padded input of " + p.padAt + " or the im2col matrix of " + p.colAt); err != nil {
		return err
	}
	p.cost.Bytes += predictorBytes(p.maxAct, p.scratch)
	m.plan = p
	m.pools = new(pools)
	m.prep = new(prep)
	return nil
}

func (p *plan) act(n int) {
	if n > p.maxAct {
		p.maxAct = n
	}
}

// layers checks a layer list applied to input shape s and returns the output
// shape of every layer.
func (p *plan) layers(ls []Layer, s Shape, where string) ([]Shape, error) {
	if len(ls) > maxLayers {
		return nil, errfmt.Errorf("%w: %s has %d layers", ErrLimit, where, len(ls))
	}
	p.act(s.Size())
	out := make([]Shape, 0, len(ls))
	for i := range ls {
		l := &ls[i]
		in := s
		at := where + " layer " + strconv.Itoa(i) + " (" + l.Kind.String() + ")"
		ki := l.Kind.info()
		if ki.shape == nil {
			return nil, errfmt.Errorf("%w: %s", errLayer, at)
		}
		var err error
		if s, err = ki.shape(l, s, at); err != nil {
			return nil, err
		}
		if l.hasWeights() {
			r, c := l.Rows(), l.Cols()
			if r*c > maxParams {
				return nil, errfmt.Errorf("%w: %s has %d weights", ErrLimit, at, r*c)
			}
			if !p.weights {
				// lengths are checked once the tensors are read
			} else if len(l.W) != r*c {
				return nil, shapeErr("%s: %d weights, want %d", at, len(l.W), r*c)
			} else if len(l.B) != r {
				return nil, shapeErr("%s: %d biases, want %d", at, len(l.B), r)
			} else if l.Q != nil && (l.Q.Rows != r || l.Q.Cols != c || len(l.Q.Data) != r*c || len(l.Q.Scale) != r) {
				return nil, shapeErr("%s: int8 tensor %dx%d does not match %dx%d", at, l.Q.Rows, l.Q.Cols, r, c)
			}
			p.params += r*c + r
		}
		p.act(s.Size())
		if err := p.charge(at, l, in, s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}
