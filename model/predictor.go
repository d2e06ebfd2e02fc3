package model

import (
	"sync"

	"github.com/i2m2-wasm/i2m2/internal/errfmt"
	"github.com/i2m2-wasm/i2m2/model/internal/kern"
)

// Predictor is the run state of one caller: every activation buffer,
// allocated once (for one sample by NewPredictor; PredictBatch grows them
// once to its chunk of samples). It is not safe for concurrent use; make one
// per goroutine.
type Predictor struct {
	m    *Model
	path Path

	// Activations hold up to cap samples back to back ([sample][c][h][w]).
	cap  int
	a, b []float32               // ping-pong activations, plan.maxAct per sample
	cat  []float32               // concatenated branch outputs
	gin  []float32               // a batch's inputs of one modality, gathered (cap > 1)
	colK []float32               // a batched convolution's k-major matrix (cap > 1, ops.go)
	tmp  []float32               // a batched convolution's output before the move (cap > 1)
	idx  []int                   // the samples of a chunk an expert runs on
	one  [1]map[string][]float32 // Predict's sample as a batch of one
	oneR [1]*Result

	pad  []float32 // zero-padded conv input (float32 path)
	col  []float32 // im2col (float32 path)
	rows []float32 // conv rows before a fused pool (float32 path)
	// int8 path: the quantised activation, its zero-padded copy and im2col,
	// unsigned (a tensor without negative values) or signed.
	qu, padu, colu []uint8
	qs, pads, cols []int8
}

// scratch is the size in elements of the buffers the fast paths share
// between layers (sized by the largest layer): the zero-padded input and the
// im2col matrix. validate computes it from the kinds table (budget.go).
type scratch struct{ pad, col int }

// NewPredictor makes a run state for m on the given path. The first call
// for a path also packs the model's weights into the layout its kernels
// read (once per Model, shared by all its predictors).
func (m *Model) NewPredictor(path Path) (*Predictor, error) {
	if m.plan == nil {
		if err := m.Validate(); err != nil {
			return nil, err
		}
	}
	p := &Predictor{m: m, path: path, cap: 1}
	pl := m.plan
	p.a = make([]float32, pl.maxAct)
	p.b = make([]float32, pl.maxAct)
	p.cat = make([]float32, pl.maxAct)
	p.idx = make([]int, 0, 1)
	sc := pl.scratch
	sc.pad += kern.DirectSlack // read past the end by the direct convolution
	switch path {
	case Reference:
	case Fast:
		p.pad = make([]float32, sc.pad)
		p.col = make([]float32, sc.col)
		p.rows = make([]float32, poolRows(m.compiled(path)))
	case Quantized:
		ok := true
		m.eachLayer(func(_ layerName, l *Layer) {
			if l.hasWeights() && l.Q == nil {
				ok = false
			}
		})
		if !ok {
			return nil, errfmt.Errorf("%w: the int8 path needs int8 weights (read an int8 model or call Quantize)", ErrInput)
		}
		p.qu, p.qs = make([]uint8, pl.maxAct), make([]int8, pl.maxAct)
		p.padu, p.pads = make([]uint8, sc.pad), make([]int8, sc.pad)
		p.colu, p.cols = make([]uint8, sc.col), make([]int8, sc.col)
	default:
		return nil, errfmt.Errorf("%w: unknown path %d", ErrInput, path)
	}
	m.compiled(path)
	return p, nil
}

// checkInputs validates in against the model: every named modality must exist,
// have the modality's length and hold finite values, and at least one expert
// must be able to run.
func (m *Model) checkInputs(in map[string][]float32) error {
	for name, x := range in {
		mi := m.ModalityIndex(name)
		if mi < 0 {
			return errfmt.Errorf("%w: unknown modality %q (model has %s)", ErrInput, name, m.modalityList())
		}
		if x == nil {
			continue
		}
		if want := m.Modalities[mi].Shape.Size(); len(x) != want {
			return errfmt.Errorf("%w: modality %q has %d values, want %d (shape %v)", ErrInput, name, len(x), want, m.Modalities[mi].Shape[:])
		}
		if i := nonFinite(x); i >= 0 {
			return errfmt.Errorf("%w: modality %q value %d is %v", ErrInput, name, i, x[i])
		}
	}
	for _, e := range m.Experts {
		if m.runnable(&e, in) {
			return nil
		}
	}
	given := 0
	for _, x := range in {
		if x != nil {
			given++
		}
	}
	if given == 0 {
		return errfmt.Errorf("%w: no modality given (model has %s)", errNoExpert, m.modalityList())
	}
	return errfmt.Errorf("%w (given: %d of %s)", errNoExpert, given, m.modalityList())
}

// nonFinite returns the index of the first NaN or ±Inf in x, or -1. v-v is
// 0 for a finite v and NaN otherwise, and a NaN survives the sum of four:
// one comparison per four values, where IsNaN || IsInf per value took 2-3%
// of a batch in wasm.
func nonFinite(x []float32) int {
	i := 0
	for ; i+4 <= len(x); i += 4 {
		v := (*[4]float32)(x[i:])
		if (v[0]-v[0])+(v[1]-v[1])+(v[2]-v[2])+(v[3]-v[3]) != 0 {
			break
		}
	}
	for ; i < len(x); i++ {
		if x[i]-x[i] != 0 {
			return i
		}
	}
	return -1
}

func (m *Model) modalityList() string {
	s := ""
	for i, md := range m.Modalities {
		if i > 0 {
			s += ", "
		}
		s += errfmt.Sprintf("%s%v", md.Name, md.Shape[:])
	}
	return s
}

func (m *Model) runnable(e *Expert, in map[string][]float32) bool {
	for _, name := range e.Inputs {
		if in[name] == nil {
			return false
		}
	}
	return true
}

// Predict runs every expert whose modalities are present and combines them.
// in maps modality names to their data (row-major, the modality's shape); a
// modality that is absent (or nil) is missing, and the experts that need it
// are dropped from the product. It validates in (checkInputs) and fills out, which must come from
// m.NewResult. It does not allocate. A non-finite logit or (log-)probability
// (finite inputs or weights can overflow float32) is an error wrapping
// ErrNonFinite that names the expert, never a result.
func (p *Predictor) Predict(in map[string][]float32, out *Result) error {
	if err := p.check(in, out); err != nil {
		return err
	}
	p.one[0], p.oneR[0] = in, out
	p.forward(p.one[:], p.oneR[:])
	p.one[0], p.oneR[0] = nil, nil
	return p.m.combine(out)
}

// PredictBatch is Predict for every sample of a batch (out[i] receives the
// result of in[i]), run layer by layer over chunks of samples: dense layers
// and narrow convolutions as one product over batch x positions (batch.go).
// Every input is checked before any runs; an error names its sample. After
// the first call of a batch size it does not allocate.
func (p *Predictor) PredictBatch(in []map[string][]float32, out []*Result) error {
	if len(in) != len(out) {
		return errfmt.Errorf("%w: %d inputs but %d results", ErrInput, len(in), len(out))
	}
	for i := range in {
		if err := p.check(in[i], out[i]); err != nil {
			return errfmt.Errorf("sample %d: %w", i, err)
		}
	}
	if len(in) == 0 {
		return nil
	}
	p.reserve(min(len(in), p.m.plan.batchChunk()))
	for s := 0; s < len(in); s += p.cap {
		e := min(len(in), s+p.cap)
		p.forward(in[s:e], out[s:e])
		for i := s; i < e; i++ {
			if err := p.m.combine(out[i]); err != nil {
				return errfmt.Errorf("sample %d: %w", i, err)
			}
		}
	}
	return nil
}

// check validates one sample's inputs and its result.
func (p *Predictor) check(in map[string][]float32, out *Result) error {
	m := p.m
	if err := m.checkInputs(in); err != nil {
		return err
	}
	if out == nil || len(out.Experts) != len(m.Experts) || len(out.sum) != len(m.Classes) {
		return errfmt.Errorf("%w: result was not made by this model's NewResult", ErrInput)
	}
	return nil
}

// combine finishes out after forward filled the logits of the experts used:
// every expert's distribution, the I2M2 product and the intra-only product.
func (m *Model) combine(out *Result) error {
	k := len(m.Classes)
	for i := range out.sum {
		out.sum[i] = 0
	}
	intra := out.IntraOnly.Probs // reused as the intra-only logit sum
	for i := range intra {
		intra[i] = 0
	}
	out.Used = out.Used[:0]
	out.HasIntraOnly = false
	for ei := range m.Experts {
		e := &m.Experts[ei]
		er := &out.Experts[ei]
		if !er.Used {
			for i := 0; i < k; i++ {
				er.Logits[i], er.Probs[i], er.LogProbs[i] = 0, 0, 0
			}
			er.Label = -1
			continue
		}
		finish(&er.Dist, er.Logits)
		if err := finiteDist(&er.Dist, er.Logits); err != nil {
			return errfmt.Errorf("%w: expert %q: %v", ErrNonFinite, e.Name, err)
		}
		out.Used = append(out.Used, e.Name)
		for i, v := range er.Logits {
			out.sum[i] += v
			if e.intra() {
				intra[i] += v
			}
		}
		if e.intra() {
			out.HasIntraOnly = true
		}
	}
	finish(&out.Dist, out.sum)
	if err := finiteDist(&out.Dist, out.sum); err != nil {
		return errfmt.Errorf("%w: the product of experts %v: %v", ErrNonFinite, out.Used, err)
	}
	if out.HasIntraOnly {
		copy(out.sum, intra)
		finish(&out.IntraOnly, out.sum)
		if err := finiteDist(&out.IntraOnly, out.sum); err != nil {
			return errfmt.Errorf("%w: the intra-only product: %v", ErrNonFinite, err)
		}
	} else {
		for i := range intra {
			out.IntraOnly.Probs[i], out.IntraOnly.LogProbs[i] = 0, 0
		}
		out.IntraOnly.Label = -1
	}
	return nil
}

// Predict is a convenience for one-off calls: it borrows a Predictor from a
// pool (safe for concurrent use) and returns a fresh Result. Use NewPredictor
// and NewResult for allocation-free repeated prediction.
func (m *Model) Predict(path Path, in map[string][]float32) (*Result, error) {
	if m.plan == nil {
		if err := m.Validate(); err != nil {
			return nil, err
		}
	}
	pp := m.pool(path)
	v := pp.Get()
	var p *Predictor
	if v != nil {
		p = v.(*Predictor)
	} else {
		var err error
		if p, err = m.NewPredictor(path); err != nil {
			return nil, err
		}
	}
	defer pp.Put(p)
	r := m.NewResult()
	if err := p.Predict(in, r); err != nil {
		return nil, err
	}
	return r, nil
}

type pools [numPaths]sync.Pool

func (m *Model) pool(path Path) *sync.Pool {
	if int(path) < len(m.pools) {
		return &m.pools[path]
	}
	return new(sync.Pool)
}
