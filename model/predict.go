package model

import (
	"fmt"
	"math"
	"sync"

	"github.com/i2m2-wasm/i2m2/model/internal/kern"
)

// Path selects the kernels a Predictor runs.
type Path uint8

const (
	// Reference runs the plain float32 loops of kern/ref.go: slow, obvious,
	// the definition every other path is tested against.
	Reference Path = iota
	// Fast runs the optimised float32 kernels: direct convolution for
	// stride-1 layers with rows >= 8 wide, im2col + register-tiled GEMM
	// otherwise, with hand-written WebAssembly inner loops under GOOS=js.
	// It is the fastest path in the browser (bench/README.md) and runs int8
	// model files too (on their dequantised weights).
	Fast
	// Quantized runs the int8 kernels: int8 weights per output row, activations
	// quantised per tensor on the fly, int32 accumulation, scales applied once
	// per output. Needs a model with int8 weights (read from an int8 file, or
	// after Quantize).
	Quantized
)

// DefaultPath is the path the browser-facing packages (wasm/, worker/) use
// unless told otherwise: the float32 kernels, which measured 1.45x faster than
// the int8 kernels under GOOS=js on the AV-MNIST model (bench/README.md, go
// kernels section). An int8 model file is dequantised when read, so the
// shipped int8 file runs here with its int8 weights (weight-only
// quantisation); the int8 kernels stay available as Quantized.
const DefaultPath = Fast

func (p Path) String() string {
	switch p {
	case Reference:
		return "reference"
	case Fast:
		return "float32"
	case Quantized:
		return "int8"
	}
	return fmt.Sprintf("path(%d)", uint8(p))
}

// Inputs maps modality names to their data (row-major, the modality's shape).
// A modality that is absent (or nil) is missing: experts that need it are
// dropped from the product.
type Inputs map[string][]float32

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
	// log_softmax(sum of their logits) (docs/method.md; the reference code's
	// inter_and_intra_modality.py).
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
		r.Experts[i] = ExpertResult{Name: e.Name, Inputs: e.Inputs, Intra: e.Intra(), Logits: make([]float32, k), Dist: newDist(k)}
	}
	return r
}

func newDist(k int) Dist {
	return Dist{Probs: make([]float32, k), LogProbs: make([]float32, k)}
}

// Expert returns the named expert's result, or nil.
func (r *Result) Expert(name string) *ExpertResult {
	for i := range r.Experts {
		if r.Experts[i].Name == name {
			return &r.Experts[i]
		}
	}
	return nil
}

// Predictor is the run state of one caller: every activation buffer,
// allocated once. It is not safe for concurrent use; make one per goroutine.
type Predictor struct {
	m    *Model
	path Path

	a, b []float32 // ping-pong activations, plan.maxAct each
	cat  []float32 // concatenated branch outputs
	in   [][]float32

	pad []float32 // zero-padded conv input (float32 path)
	col []float32 // im2col (float32 path)
	// int8 path: the quantised activation, its zero-padded copy and im2col,
	// unsigned (a tensor without negative values) or signed.
	qu, padu, colu []uint8
	qs, pads, cols []int8
}

// scratch is the size in elements of the buffers the fast paths share
// between layers (sized by the largest layer): the zero-padded input and the
// im2col matrix. validate computes it (budget.go).
type scratch struct{ pad, col int }

func (m *Model) scratch() scratch { return m.plan.scratch }

// NewPredictor makes a run state for m on the given path. The first call
// for a path also packs the model's weights into the layout its kernels
// read (once per Model, shared by all its predictors).
func (m *Model) NewPredictor(path Path) (*Predictor, error) {
	if m.plan == nil {
		if err := m.Validate(); err != nil {
			return nil, err
		}
	}
	p := &Predictor{m: m, path: path}
	pl := m.plan
	p.a = make([]float32, pl.maxAct)
	p.b = make([]float32, pl.maxAct)
	p.cat = make([]float32, pl.maxAct)
	p.in = make([][]float32, len(m.Modalities))
	sc := m.scratch()
	sc.pad += kern.DirectSlack // read past the end by the direct convolution
	switch path {
	case Reference:
	case Fast:
		p.pad = make([]float32, sc.pad)
		p.col = make([]float32, sc.col)
	case Quantized:
		ok := true
		m.eachLayer(func(_ string, l *Layer) {
			if l.hasWeights() && l.Q == nil {
				ok = false
			}
		})
		if !ok {
			return nil, fmt.Errorf("%w: the int8 path needs int8 weights (read an int8 model or call Quantize)", ErrInput)
		}
		p.qu, p.qs = make([]uint8, pl.maxAct), make([]int8, pl.maxAct)
		p.padu, p.pads = make([]uint8, sc.pad), make([]int8, sc.pad)
		p.colu, p.cols = make([]uint8, sc.col), make([]int8, sc.col)
	default:
		return nil, fmt.Errorf("%w: unknown path %d", ErrInput, path)
	}
	m.prepare()
	return p, nil
}

// packed holds a layer's weights in the layouts the fast kernels read.
type packed struct {
	f32   [][4]float32 // kern.PackA4 of W
	pairs [][2]int64   // kern.PackPairs of Q.Data (int8 models)
	off   []int32      // kern.Offsets for the direct convolution, nil if not used
	f32x2 [][2]float32 // kern.PackA2 of W, for the direct convolution in Go
	tapsF []kern.TapF  // kern.MakeTapsF of W, for the direct convolution in WebAssembly
	taps8 []kern.Tap8  // kern.MakeTaps8 of Q, for the int8 direct convolution
}

// minDirectWidth is the narrowest output row for which a stride-1
// convolution runs the direct (implicit-GEMM) kernel: its 4-wide tiles waste
// up to 3 columns per row, while im2col costs one write per multiply-add
// over the output channels (bench/README.md, go kernels).
const minDirectWidth = 8

func (pk *packed) direct() bool { return pk.off != nil }

// prepare packs every weighted layer once per Model (safe for concurrent
// callers). Quantize and InitRandom, which change weights, reset it.
func (m *Model) prepare() {
	m.prep.once.Do(func() {
		for ei := range m.Experts {
			e := &m.Experts[ei]
			ep := &m.plan.experts[ei]
			for bi := range e.Branches {
				s := ep.branchIn[bi]
				for li := range e.Branches[bi] {
					l := &e.Branches[bi][li]
					m.pack(l, s, ep.branches[bi][li])
					s = ep.branches[bi][li]
				}
			}
			s := Shape{ep.concat, 1, 1}
			for li := range e.Head {
				m.pack(&e.Head[li], s, ep.head[li])
				s = ep.head[li]
			}
		}
	})
}

// Model returns the predictor's model.
func (p *Predictor) Model() *Model { return p.m }

// Path returns the kernels p runs.
func (p *Predictor) Path() Path { return p.path }

// CheckInputs validates in against the model: every named modality must exist,
// have the modality's length and hold finite values, and at least one expert
// must be able to run.
func (m *Model) CheckInputs(in Inputs) error {
	for name, x := range in {
		mi := m.Modality(name)
		if mi < 0 {
			return fmt.Errorf("%w: unknown modality %q (model has %s)", ErrInput, name, m.modalityList())
		}
		if x == nil {
			continue
		}
		if want := m.Modalities[mi].Shape.Size(); len(x) != want {
			return fmt.Errorf("%w: modality %q has %d values, want %d (shape %v)", ErrInput, name, len(x), want, m.Modalities[mi].Shape)
		}
		for i, v := range x {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return fmt.Errorf("%w: modality %q value %d is %v", ErrInput, name, i, v)
			}
		}
	}
	for _, e := range m.Experts {
		if m.runnable(&e, in) {
			return nil
		}
	}
	return fmt.Errorf("%w (given: %d of %s)", ErrNoExpert, len(in), m.modalityList())
}

func (m *Model) modalityList() string {
	s := ""
	for i, md := range m.Modalities {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("%s%v", md.Name, md.Shape)
	}
	return s
}

func (m *Model) runnable(e *Expert, in Inputs) bool {
	for _, name := range e.Inputs {
		if in[name] == nil {
			return false
		}
	}
	return true
}

// Predict runs every expert whose modalities are present and combines them.
// It validates in (CheckInputs) and fills out, which must come from
// m.NewResult. It does not allocate. A non-finite logit or (log-)probability
// (finite inputs or weights can overflow float32) is an error wrapping
// ErrNonFinite that names the expert, never a result.
func (p *Predictor) Predict(in Inputs, out *Result) error {
	m := p.m
	m.prepare()
	if err := m.CheckInputs(in); err != nil {
		return err
	}
	if out == nil || len(out.Experts) != len(m.Experts) || len(out.sum) != len(m.Classes) {
		return fmt.Errorf("%w: result was not made by this model's NewResult", ErrInput)
	}
	for i := range m.Modalities {
		p.in[i] = in[m.Modalities[i].Name]
	}
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
		er.Used = m.runnable(e, in)
		if !er.Used {
			for i := 0; i < k; i++ {
				er.Logits[i], er.Probs[i], er.LogProbs[i] = 0, 0, 0
			}
			er.Label = -1
			continue
		}
		p.expert(ei, er.Logits)
		finish(&er.Dist, er.Logits)
		if err := finiteDist(&er.Dist, er.Logits); err != nil {
			return fmt.Errorf("%w: expert %q: %v", ErrNonFinite, e.Name, err)
		}
		out.Used = append(out.Used, e.Name)
		for i, v := range er.Logits {
			out.sum[i] += v
			if e.Intra() {
				intra[i] += v
			}
		}
		if e.Intra() {
			out.HasIntraOnly = true
		}
	}
	finish(&out.Dist, out.sum)
	if err := finiteDist(&out.Dist, out.sum); err != nil {
		return fmt.Errorf("%w: the product of experts %v: %v", ErrNonFinite, out.Used, err)
	}
	if out.HasIntraOnly {
		copy(out.sum, intra)
		finish(&out.IntraOnly, out.sum)
		if err := finiteDist(&out.IntraOnly, out.sum); err != nil {
			return fmt.Errorf("%w: the intra-only product: %v", ErrNonFinite, err)
		}
	} else {
		for i := range intra {
			out.IntraOnly.Probs[i], out.IntraOnly.LogProbs[i] = 0, 0
		}
		out.IntraOnly.Label = -1
	}
	return nil
}

// PredictBatch runs Predict on each input; out[i] receives the result of in[i].
func (p *Predictor) PredictBatch(in []Inputs, out []*Result) error {
	if len(in) != len(out) {
		return fmt.Errorf("%w: %d inputs but %d results", ErrInput, len(in), len(out))
	}
	for i := range in {
		if err := p.Predict(in[i], out[i]); err != nil {
			return fmt.Errorf("sample %d: %w", i, err)
		}
	}
	return nil
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
			return fmt.Errorf("%s %v", v.name, err)
		}
	}
	return nil
}

// expert computes expert ei's logits into dst.
func (p *Predictor) expert(ei int, dst []float32) {
	m := p.m
	e := &m.Experts[ei]
	ep := &m.plan.experts[ei]
	off := 0
	for bi := range e.Branches {
		x := p.in[ep.inputs[bi]]
		s := ep.branchIn[bi]
		y, ys := p.layers(e.Branches[bi], x, s, ep.branches[bi])
		n := ys.Size()
		copy(p.cat[off:off+n], y[:n])
		off += n
	}
	y, _ := p.layers(e.Head, p.cat[:off], Shape{off, 1, 1}, ep.head)
	copy(dst, y[:len(dst)])
}

// layers runs ls on x (shape s) and returns the output (a slice of p.a or p.b,
// or x itself when ls has no computing layer) and its shape. On the fast
// paths a ReLU right after a Conv2D or Dense is applied as the GEMM stores
// its output.
func (p *Predictor) layers(ls []Layer, x []float32, s Shape, shapes []Shape) ([]float32, Shape) {
	cur := x
	for i := 0; i < len(ls); i++ {
		l := &ls[i]
		os := shapes[i]
		relu := p.path != Reference && (l.Kind == Conv2D || l.Kind == Dense) && i+1 < len(ls) && ls[i+1].Kind == ReLU
		switch l.Kind {
		case ReLU:
			if &cur[0] == &x[0] { // never write to the caller's input
				dst := p.other(cur)[:len(cur)]
				copy(dst, cur)
				cur = dst
			}
			kern.ReLU(cur[:s.Size()])
		case Flatten:
		case MaxPool2D:
			dst := p.other(cur)[:os.Size()]
			if l.KH == 2 && l.KW == 2 && l.Stride == 2 && p.path != Reference {
				kern.MaxPool2x2(dst, cur, s[0], s[1], s[2])
			} else {
				kern.MaxPoolRef(dst, cur, s[0], s[1], s[2], l.KH, l.KW, l.Stride)
			}
			cur = dst
		case AvgPool2D, GlobalAvgPool:
			dst := p.other(cur)[:os.Size()]
			avgPool(p.path, l, dst, cur, s)
			cur = dst
		case Conv2D:
			dst := p.other(cur)[:os.Size()]
			n, K := os[1]*os[2], l.Cols()
			hp, wp := s[1]+2*l.Pad, s[2]+2*l.Pad
			switch p.path {
			case Reference:
				kern.Conv2DRef(dst, cur, s[0], s[1], s[2], l.W, l.B, l.OutC, l.KH, l.KW, l.Stride, l.Pad)
			case Fast:
				kern.Pad(p.pad, cur, s[0], s[1], s[2], l.Pad)
				if l.pk.tapsF != nil {
					kern.ConvTapsF(dst, l.pk.tapsF, p.pad, l.B, l.OutC, K, os[1], os[2], wp, relu)
				} else if l.pk.direct() {
					kern.ConvDirect(dst, l.pk.f32x2, p.pad, l.pk.off, l.B, l.OutC, os[1], os[2], wp, relu)
				} else {
					kern.Im2colP(p.col, p.pad, s[0], hp, wp, l.KH, l.KW, l.Stride, os[1], os[2])
					kern.GemmP(dst, l.pk.f32, p.col, l.B, l.OutC, n, K, relu)
				}
			case Quantized:
				sx, unsigned := kern.QuantizeAct(p.qu, p.qs, cur[:s.Size()])
				if unsigned {
					kern.Pad(p.padu, p.qu, s[0], s[1], s[2], l.Pad)
					conv8(dst, l, p.padu, p.colu, sx, s, os, relu)
				} else {
					kern.Pad(p.pads, p.qs, s[0], s[1], s[2], l.Pad)
					conv8(dst, l, p.pads, p.cols, sx, s, os, relu)
				}
			}
			cur = dst
		case Dense:
			dst := p.other(cur)[:l.Out]
			switch p.path {
			case Reference:
				kern.DenseRef(dst, cur, l.W, l.B, l.In, l.Out)
			case Fast:
				kern.GemmP(dst, l.pk.f32, cur, l.B, l.Out, 1, l.In, relu)
			case Quantized:
				sx, unsigned := kern.QuantizeAct(p.qu, p.qs, cur[:l.In])
				if unsigned {
					gemm8(dst, l, p.qu[:l.In], sx, 1, relu)
				} else {
					gemm8(dst, l, p.qs[:l.In], sx, 1, relu)
				}
			}
			cur = dst
		}
		s = os
		if relu {
			i++ // applied by the GEMM
		}
	}
	return cur, s
}

// conv8 is the int8 convolution of the padded quantised input pad: direct
// when the layer allows it, else im2col into col and gemm8.
func conv8[T int8 | uint8](dst []float32, l *Layer, pad, col []T, sx float32, s, os Shape, relu bool) {
	hp, wp := s[1]+2*l.Pad, s[2]+2*l.Pad
	if l.pk.taps8 != nil {
		kern.ConvTaps8(dst, l.pk.taps8, l.Q.Scale, pad, sx, l.B, l.OutC, l.Cols(), os[1], os[2], wp, relu)
		return
	}
	kern.Im2colP(col, pad, s[0], hp, wp, l.KH, l.KW, l.Stride, os[1], os[2])
	gemm8(dst, l, col, sx, os[1]*os[2], relu)
}

// pack makes l.pk for layer l with input shape s and output shape os.
func (m *Model) pack(l *Layer, s, os Shape) {
	if !l.hasWeights() {
		return
	}
	pk := &packed{f32: kern.PackA4(l.W, l.Rows(), l.Cols())}
	if l.Q != nil {
		pk.pairs = kern.PackPairs(l.Q.Data, l.Rows(), l.Cols())
	}
	if l.direct(os) {
		pk.off = kern.Offsets(s[0], s[1]+2*l.Pad, s[2]+2*l.Pad, l.KH, l.KW)
		if kern.HaveAsm {
			pk.tapsF = kern.MakeTapsF(l.W, pk.off, l.Rows())
		} else {
			pk.f32x2 = kern.PackA2(l.W, l.Rows(), l.Cols())
		}
		if l.Q != nil && l.Cols() <= kern.MaxPairK {
			pk.taps8 = kern.MakeTaps8(l.Q.Data, pk.off, l.Rows())
		}
	}
	l.pk = pk
}

// noDirect disables the direct convolution (benchmarks compare both).
var noDirect = false

// gemm8 runs the int8 product of layer l with the quantised activations bt
// (N columns of l.Cols()), falling back to the reference loop when K is too
// long for the paired kernel's int32 lanes.
func gemm8[T int8 | uint8](dst []float32, l *Layer, bt []T, sx float32, N int, relu bool) {
	M, K := l.Rows(), l.Cols()
	if K <= kern.MaxPairK {
		kern.GemmPair(dst, l.pk.pairs, l.Q.Scale, bt, sx, l.B, M, N, K, relu)
		return
	}
	kern.GemmNT8Ref(dst, l.Q.Data, l.Q.Scale, bt, sx, l.B, M, N, K)
	if relu {
		kern.ReLU(dst[:M*N])
	}
}

// other returns the ping-pong buffer that cur is not.
func (p *Predictor) other(cur []float32) []float32 {
	if len(cur) > 0 && len(p.a) > 0 && &cur[0] == &p.a[0] {
		return p.b
	}
	return p.a
}

// Predict is a convenience for one-off calls: it borrows a Predictor from a
// pool (safe for concurrent use) and returns a fresh Result. Use NewPredictor
// and NewResult for allocation-free repeated prediction.
func (m *Model) Predict(path Path, in Inputs) (*Result, error) {
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

type pools [3]sync.Pool // one per Path

func (m *Model) pool(path Path) *sync.Pool {
	if int(path) < len(m.pools) {
		return &m.pools[path]
	}
	return new(sync.Pool)
}
