package model

import (
	"sync"

	"github.com/i2m2-wasm/i2m2/model/internal/kern"
)

// A model is compiled once per path into ops: each layer's kernel chosen
// from the kinds table (kinds.go) with its shapes and fused ReLU, so the
// forward pass (Predictor.run) is a loop over ops.

// kernel runs op o on the n samples of src (back to back) into dst (dst is
// src for an in-place kind).
type kernel func(p *Predictor, o *op, dst, src []float32, n int)

// op is one compiled layer.
type op struct {
	run     kernel
	l       *Layer
	in, out Shape
	relu    bool // apply the following ReLU layer as the output is stored
	// pool: the 2x2 stride-2 max-pooling after the layer (and its ReLU) is
	// applied as the output is produced; conv is the output before it.
	pool    bool
	conv    Shape
	inPlace bool
}

// branchOps and expertOps are an expert compiled for one path.
type branchOps struct {
	ops []op
	out int // length of the branch's output (its input if it has no op)
}

type expertOps struct {
	branches []branchOps
	head     []op
	cat      int // length of the concatenated branch outputs (the head's input)
}

// prep holds what is derived from the weights: the packed copies and the
// ops (once per path). Validate replaces it.
type prep struct {
	once  sync.Once
	paths [numPaths]struct {
		once    sync.Once
		experts []expertOps
	}
}

// compiled returns m's ops for path, packing and compiling on first use
// (safe for concurrent callers).
func (m *Model) compiled(path Path) []expertOps {
	m.prepare()
	c := &m.prep.paths[path]
	c.once.Do(func() {
		if path != Reference {
			m.eachWeighted(func(l *Layer, s, os Shape) { pack(l, os, m.plan.batchChunk(), path) })
		}
		for ei := range m.Experts {
			e := &m.Experts[ei]
			ep := &m.plan.experts[ei]
			var eo expertOps
			for bi := range e.Branches {
				out := ep.branchIn[bi].Size()
				if n := len(ep.branches[bi]); n > 0 {
					out = ep.branches[bi][n-1].Size()
				}
				eo.branches = append(eo.branches, branchOps{compileLayers(e.Branches[bi], ep.branchIn[bi], ep.branches[bi], path), out})
				eo.cat += out
			}
			eo.head = compileLayers(e.Head, Shape{ep.concat, 1, 1}, ep.head, path)
			c.experts = append(c.experts, eo)
		}
	})
	return c.experts
}

// compileLayers makes the ops of ls on input shape s (output shapes shapes).
func compileLayers(ls []Layer, s Shape, shapes []Shape, path Path) []op {
	var ops []op
	for i := 0; i < len(ls); i++ {
		l := &ls[i]
		ki := l.Kind.info()
		o := op{l: l, in: s, out: shapes[i], conv: shapes[i], inPlace: ki.inPlace}
		o.relu = path != Reference && ki.fuseReLU && i+1 < len(ls) && ls[i+1].Kind == ReLU
		if o.relu {
			i++ // applied by this op
		}
		// The pool is fused where the direct kernels run (ConvTapsFPool,
		// ConvDirectPool); elsewhere it stays an op of its own.
		if ki.fusePool && path == Fast && l.direct(o.conv) && !noFuse && i+1 < len(ls) && ls[i+1].isMaxPool2x2() {
			o.pool = true
			i++
		}
		o.out = shapes[i]
		s = shapes[i]
		if o.run = ki.kernel(l, path); o.run != nil {
			ops = append(ops, o)
		}
	}
	return ops
}

// noFuse disables the fused pooling (tests and benchmarks compare both).
var noFuse = false

func (l *Layer) isMaxPool2x2() bool {
	return l.Kind == MaxPool2D && l.KH == 2 && l.KW == 2 && l.Stride == 2
}

// packed holds a layer's weights in the layouts the fast kernels read.
type packed struct {
	f32   [][4]float32 // kern.PackA4 of W
	pairs [][2]int64   // kern.PackPairs of Q.Data (int8 models)
	off   []int32      // kern.Offsets for the direct convolution, nil if not used
	f32x2 [][2]float32 // kern.PackA2 of W, for the direct convolution in Go
	tapsF kern.TapsF   // kern.MakeTapsF of W, for the direct convolution in WebAssembly
	taps8 []kern.Tap8  // kern.MakeTaps8 of Q, for the int8 direct convolution
	// tapsB: kern.MakeTapsF of W on kern.StridedOffsets(Cols, strideB), for
	// a chunk's narrow convolution as one product (ops.go, convBatch).
	tapsB   kern.TapsF
	strideB int
}

// minDirectWidth is the narrowest output row for which a stride-1
// convolution runs the direct (implicit-GEMM) kernel: its 4-wide tiles waste
// up to 3 columns per row, while im2col costs one write per multiply-add
// over the output channels (bench/README.md, go kernels). The SIMD kernels'
// rows (kern.SIMD) are faster than im2col + GEMM down to 2 columns.
func minDirectWidth() int {
	if kern.SIMD() {
		return 2
	}
	return 8
}

// quads reports whether the direct convolutions pack channel quads
// (kern.MakeTapsF): where the SIMD bodies run, unless noQuads (benchmarks
// compare both).
func quads() bool { return kern.SIMD() && !noQuads }

var noQuads = false

// noDirect disables the direct convolution (benchmarks compare both).
var noDirect = false

// prepare makes every weighted layer's packed, with the direct
// convolution's offsets (both fast paths read them), once per Model (safe
// for concurrent callers); compiled then packs the layouts of a path on its
// first use (pack). Validate, which Quantize and InitRandom call after
// changing weights, resets it.
func (m *Model) prepare() {
	m.prep.once.Do(func() {
		m.eachWeighted(func(l *Layer, s, os Shape) {
			l.pk = &packed{}
			if l.direct(os) {
				l.pk.off = kern.Offsets(s[0], s[1]+2*l.Pad, s[2]+2*l.Pad, l.KH, l.KW)
			}
		})
	})
}

// eachWeighted calls f for every layer with weights, with its input and
// output shapes.
func (m *Model) eachWeighted(f func(l *Layer, s, os Shape)) {
	visit := func(l *Layer, s, os Shape) {
		if l.hasWeights() {
			f(l, s, os)
		}
	}
	for ei := range m.Experts {
		e := &m.Experts[ei]
		ep := &m.plan.experts[ei]
		for bi := range e.Branches {
			s := ep.branchIn[bi]
			for li := range e.Branches[bi] {
				visit(&e.Branches[bi][li], s, ep.branches[bi][li])
				s = ep.branches[bi][li]
			}
		}
		s := Shape{ep.concat, 1, 1}
		for li := range e.Head {
			visit(&e.Head[li], s, ep.head[li])
			s = ep.head[li]
		}
	}
}

// pack fills in the layouts path (Fast or Quantized) reads of weighted
// layer l (prepared) with output shape os, in chunks of chunk samples
// (batch.go): the float32 ones or the int8 ones, not both (a fresh engine
// in the browser packs on V8's baseline code: part of the cold start,
// bench/README.md). The two paths write disjoint fields.
func pack(l *Layer, os Shape, chunk int, path Path) {
	pk := l.pk
	if path == Quantized {
		if l.Q != nil {
			pk.pairs = kern.PackPairs(l.Q.Data, l.Rows(), l.Cols())
		}
		if l.Q != nil && pk.off != nil && l.Cols() <= kern.MaxPairK {
			pk.taps8 = kern.MakeTaps8(l.Q.Data, pk.off, l.Rows())
		}
		return
	}
	switch {
	case pk.off == nil: // dense, and im2col + GEMM
		pk.f32 = kern.PackA4(l.W, l.Rows(), l.Cols())
	case kern.HaveAsm:
		pk.tapsF = kern.MakeTapsF(l.W, pk.off, l.Rows(), quads())
	default:
		pk.f32x2 = kern.PackA2(l.W, l.Rows(), l.Cols())
	}
	if pk.strideB = batchStride(l, os, chunk); pk.strideB > 0 {
		pk.tapsB = kern.MakeTapsF(l.W, kern.StridedOffsets(l.Cols(), pk.strideB), l.Rows(), quads())
	}
}
