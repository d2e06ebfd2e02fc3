package model

import (
	"github.com/i2m2-wasm/i2m2/internal/errfmt"
	"github.com/i2m2-wasm/i2m2/internal/limits"
	"github.com/i2m2-wasm/i2m2/model/internal/kern"
)

// errBudget: a model file whose prediction would cost more work or memory
// than the reader's budget allows (FORMAT.md, "Work budget"). A *budgetError
// carries the details; it also matches ErrLimit.
var errBudget = subError("i2m2: model exceeds the work budget", ErrLimit)

// workCost is the work and memory of one prediction with every expert, computed
// from the architecture alone (Validate, Read) before anything proportional
// to it is allocated.
type workCost struct {
	MACs     int64 // multiply-adds of conv2d and dense layers
	Compares int64 // comparisons of pooling windows
	Moves    int64 // other per-element work: padding, im2col, bias and ReLU stores, copies
	// Bytes of every buffer the model and one Predictor hold: weights as
	// decoded (an int8 file also keeps its dequantised float32 copy) and
	// packed for the fast kernels, the activations, the zero-padded input
	// and the im2col matrix of the largest convolution.
	Bytes int64
}

// ops is the operation count the budget limits: MACs + Compares + Moves.
func (c workCost) ops() int64 { return c.MACs + c.Compares + c.Moves }

func (c *workCost) add(d workCost) {
	c.MACs += d.MACs
	c.Compares += d.Compares
	c.Moves += d.Moves
	c.Bytes += d.Bytes
}

// budget bounds what Read accepts: Ops operations and Bytes of memory per
// prediction (workCost). A zero field means no limit.
type budget struct {
	Ops   int64
	Bytes int64
}

// defaultBudget is Read's budget: 2^27 operations and 128 MiB (internal/limits,
// which says why). Use ReadWithBudget to raise them for a file you trust.
var defaultBudget = budget{Ops: limits.BudgetOps, Bytes: limits.BudgetBytes}

// budgetError says which limit a model file exceeds and at which layer the
// running total crossed it.
type budgetError struct {
	Layer string // e.g. `expert "image" branch "image" layer 2 (maxpool2d)`
	What  string // "operations" or "bytes"
	Need  int64  // the running total at Layer (at least)
	Limit int64
}

func (e *budgetError) Error() string {
	return errfmt.Sprintf("%v: %s needs %d %s, the limit is %d (a caller who trusts the file may raise it: ReadWithBudget)", errBudget, e.Layer, e.Need, e.What, e.Limit)
}

// Unwrap makes the error match errBudget and ErrLimit.
func (e *budgetError) Unwrap() []error { return []error{errBudget, ErrLimit} }

// weightBytes is what an r x k weighted layer holds once read and packed:
// float32 weights (dequantised for int8) and bias, kern.PackA4's copy, and
// for int8 weights the int8 rows, their scales and kern.PackPairs' copy.
func weightBytes(r, k int64, int8w bool) int64 {
	b := 4*r*k + 4*r + 16*((r+3)/4)*k
	if int8w {
		b += r*k + 4*r + 16*((r+3)/4)*k
	}
	return b
}

// direct reports whether a Conv2D layer with output shape out runs the direct
// (implicit-GEMM) kernels rather than im2col + GEMM (in this binary: with
// SIMD kernels, for narrower rows too).
func (l *Layer) direct(out Shape) bool {
	return l.Kind == Conv2D && l.Stride == 1 && out[2] >= minDirectWidth() && !noDirect
}

// predictorBytes is the memory of one Predictor on the costliest path: the
// ping-pong activations and the concatenation (float32), plus the padded
// input and im2col matrix in float32 (Fast) or their int8 and uint8 copies
// and the quantised activations (Quantized).
func predictorBytes(act int, sc scratch) int64 {
	a, pad, col := int64(act), int64(sc.pad+kern.DirectSlack), int64(sc.col)
	fast := 4 * (pad + col)
	quant := 2 * (a + pad + col)
	return 3*4*a + max(fast, quant)
}

// cost returns the cost of one prediction with every expert (zero for a
// model that does not validate).
func (m *Model) cost() workCost {
	if m.plan == nil && m.Validate() != nil {
		return workCost{}
	}
	return m.plan.cost
}

// charge adds layer l's cost to the plan's running total and checks it
// against the budget, if any.
func (p *plan) charge(at string, l *Layer, in, out Shape) error {
	c, sc := l.Kind.info().cost(l, in, out, p.int8)
	p.cost.add(c)
	if sc.pad > p.scratch.pad {
		p.scratch.pad, p.padAt = sc.pad, at
	}
	if sc.col > p.scratch.col {
		p.scratch.col, p.colAt = sc.col, at
	}
	return p.check(at)
}

// check compares the running total (with the Predictor's buffers as sized so
// far) with the budget.
func (p *plan) check(at string) error {
	if p.budget == nil {
		return nil
	}
	if b := p.budget.Ops; b > 0 && p.cost.ops() > b {
		return &budgetError{Layer: at, What: "operations", Need: p.cost.ops(), Limit: b}
	}
	if b := p.budget.Bytes; b > 0 && p.cost.Bytes+predictorBytes(p.maxAct, p.scratch) > b {
		return &budgetError{Layer: at, What: "bytes", Need: p.cost.Bytes + predictorBytes(p.maxAct, p.scratch), Limit: b}
	}
	return nil
}
