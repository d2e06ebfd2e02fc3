package model

// The forward pass over a chunk of samples. Activations hold the chunk's
// samples back to back ([sample][c][h][w]), so a kernel sees the whole chunk:
// pooling and ReLU treat it as more channels, dense layers and narrow
// convolutions run as one product over batch x positions (kern.GemmPS), and
// the other kernels loop over the samples (perSample). A chunk of one is
// Predict.

// batchFloats bounds the activation buffers a batch grows (per buffer, in
// float32s): chunks of samples keep the working set near the caches and the
// memory of a large batch bounded.
const batchFloats = 1 << 18

// batchChunk is the number of samples PredictBatch runs at once.
func (pl *plan) batchChunk() int { return max(1, batchFloats/pl.maxAct) }

// reserve grows p's buffers to hold n samples (once; they never shrink).
func (p *Predictor) reserve(n int) {
	if n <= p.cap {
		return
	}
	pl := p.m.plan
	p.cap = n
	p.a = make([]float32, n*pl.maxAct)
	p.b = make([]float32, n*pl.maxAct)
	p.cat = make([]float32, n*pl.maxAct)
	if p.path == Fast {
		colK, tmp := batchScratch(p.m.compiled(Fast))
		p.colK, p.tmp = make([]float32, colK), make([]float32, tmp)
	}
	in := 0
	for _, md := range p.m.Modalities {
		in = max(in, md.Shape.Size())
	}
	p.gin = make([]float32, n*in)
	p.idx = make([]int, 0, n)
}

// forward computes the logits of every expert each sample of ins can run
// into outs (and marks the experts used); combine does the rest.
func (p *Predictor) forward(ins []map[string][]float32, outs []*Result) {
	m := p.m
	prog := m.compiled(p.path)
	k := len(m.Classes)
	for ei := range m.Experts {
		e := &m.Experts[ei]
		idx := p.idx[:0]
		for s := range ins {
			used := m.runnable(e, ins[s])
			outs[s].Experts[ei].Used = used
			if used {
				idx = append(idx, s)
			}
		}
		if len(idx) == 0 {
			continue
		}
		y := p.expert(&prog[ei], ei, ins, idx)
		for j, s := range idx {
			copy(outs[s].Experts[ei].Logits, y[j*k:(j+1)*k])
		}
	}
}

// expert runs expert ei (ops eo) on the samples idx of ins and returns their
// logits, one row of classes per sample.
func (p *Predictor) expert(eo *expertOps, ei int, ins []map[string][]float32, idx []int) []float32 {
	m := p.m
	ep := &m.plan.experts[ei]
	n := len(idx)
	off := 0
	for bi := range eo.branches {
		b := &eo.branches[bi]
		md := &m.Modalities[ep.inputs[bi]]
		var x []float32
		if n == 1 {
			x = ins[idx[0]][md.Name]
		} else {
			size := md.Shape.Size()
			x = p.gin[:n*size]
			for j, s := range idx {
				copy(x[j*size:(j+1)*size], ins[s][md.Name])
			}
		}
		y := p.run(b.ops, x, n)
		for j := 0; j < n; j++ {
			copy(p.cat[j*eo.cat+off:][:b.out], y[j*b.out:(j+1)*b.out])
		}
		off += b.out
	}
	return p.run(eo.head, p.cat[:n*eo.cat], n)
}

// run applies ops to the n samples in x and returns the output: a slice of
// p.a or p.b, or x itself when there is no op. It never writes to x.
func (p *Predictor) run(ops []op, x []float32, n int) []float32 {
	cur := x
	for i := range ops {
		o := &ops[i]
		if o.inPlace {
			if &cur[0] == &x[0] { // never write to the caller's input
				dst := p.other(cur)[:len(cur)]
				copy(dst, cur)
				cur = dst
			}
			o.run(p, o, cur, cur, n)
			continue
		}
		dst := p.other(cur)[:n*o.out.Size()]
		o.run(p, o, dst, cur, n)
		cur = dst
	}
	return cur
}

// other returns the ping-pong buffer that cur is not.
func (p *Predictor) other(cur []float32) []float32 {
	if len(cur) > 0 && len(p.a) > 0 && &cur[0] == &p.a[0] {
		return p.b
	}
	return p.a
}

// perSample makes a batch kernel of a one-sample kernel k.
func perSample(k func(p *Predictor, o *op, dst, src []float32)) kernel {
	return func(p *Predictor, o *op, dst, src []float32, n int) {
		is, os := o.in.Size(), o.out.Size()
		for s := 0; s < n; s++ {
			k(p, o, dst[s*os:(s+1)*os], src[s*is:(s+1)*is])
		}
	}
}
