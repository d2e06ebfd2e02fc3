//go:build js && wasm

package main

// What the engine hands to JavaScript: the model info (JSON, once per load)
// and the packed results (i2m2.core.mjs decodes them).

import (
	"strconv"

	"github.com/i2m2-wasm/i2m2/internal/jsonw"
	"github.com/i2m2-wasm/i2m2/model"
)

// Stride is the number of float32s one sample takes in a packed result:
//
//	[label, probs[k], logProbs[k]]                       the I2M2 product
//	[has, label, probs[k], logProbs[k]]                  the intra-only product
//	[used, label, logits[k], probs[k], logProbs[k]] * E  each expert, in model order
//
// Labels are class indices (-1 when absent); i2m2.core.mjs decodes this.
func Stride(k, experts int) int { return 1 + 2*k + 2 + 2*k + experts*(2+3*k) }

// pack writes r into dst (len Stride).
func pack(dst []float32, r *model.Result) {
	k := len(r.Probs)
	i := 0
	put := func(v ...float32) {
		i += copy(dst[i:], v)
	}
	dst[i] = float32(r.Label)
	i++
	i += copy(dst[i:], r.Probs)
	i += copy(dst[i:], r.LogProbs)
	if r.HasIntraOnly {
		put(1, float32(r.IntraOnly.Label))
	} else {
		put(0, -1)
	}
	i += copy(dst[i:], r.IntraOnly.Probs[:k])
	i += copy(dst[i:], r.IntraOnly.LogProbs[:k])
	for j := range r.Experts {
		x := &r.Experts[j]
		if x.Used {
			put(1, float32(x.Label))
		} else {
			put(0, -1)
		}
		i += copy(dst[i:], x.Logits)
		i += copy(dst[i:], x.Probs)
		i += copy(dst[i:], x.LogProbs)
	}
}

// infoJSON is the JS API's model.info: the model's description
// (model.Describe, shared with the worker's GET /model) and what this module
// adds.
type infoJSON struct {
	model.Description
	SHA256 string `json:"sha256"`
	Bytes  int    `json:"bytes"`
	Stride int    `json:"stride"` // float32s per packed result (fast.go)
}

func infoOf(m *model.Model, path model.Path, sum string, n int) (string, error) {
	inf := infoJSON{Description: m.Describe(path), SHA256: sum, Bytes: n,
		Stride: Stride(len(m.Classes), len(m.Experts))}
	return string(inf.appendJSON(nil)), nil
}

// appendJSON writes inf as encoding/json writes it (its field names and
// omitempty), by hand (internal/jsonw says why). TestInfoJSON compares.
func (inf *infoJSON) appendJSON(b []byte) []byte {
	d := &inf.Description
	b = jsonw.String(append(b, `{"name":`...), d.Name)
	b = jsonw.Array(append(b, `,"modalities":`...), len(d.Modalities), d.Modalities == nil, func(b []byte, i int) []byte {
		md := &d.Modalities[i]
		b = jsonw.String(append(b, `{"name":`...), md.Name)
		b = jsonw.Array(append(b, `,"shape":`...), len(md.Shape), false, func(b []byte, j int) []byte {
			return strconv.AppendInt(b, int64(md.Shape[j]), 10)
		})
		return append(b, '}')
	})
	b = jsonw.Strings(append(b, `,"classes":`...), d.Classes)
	b = jsonw.Array(append(b, `,"experts":`...), len(d.Experts), d.Experts == nil, func(b []byte, i int) []byte {
		e := &d.Experts[i]
		b = jsonw.String(append(b, `{"name":`...), e.Name)
		b = jsonw.Strings(append(b, `,"inputs":`...), e.Inputs)
		return append(strconv.AppendBool(append(b, `,"intra":`...), e.Intra), '}')
	})
	for _, f := range [...]struct{ k, v string }{{"quantization", d.Quantization}, {"path", d.Path}, {"kernels", d.Kernels}} {
		b = jsonw.String(jsonw.Key(b, f.k, false), f.v)
	}
	b = append(b, `,"macs":`...)
	b = strconv.AppendInt(b, int64(d.MACs), 10)
	b = append(b, `,"provenance":`...)
	pv := &d.Provenance
	b = jsonw.Provenance(b, pv.Data, pv.Seed, pv.Created, pv.Metrics)
	b = append(b, `,"sha256":`...)
	b = jsonw.String(b, inf.SHA256)
	b = append(b, `,"bytes":`...)
	b = strconv.AppendInt(b, int64(inf.Bytes), 10)
	b = append(b, `,"stride":`...)
	b = strconv.AppendInt(b, int64(inf.Stride), 10)
	return append(b, '}')
}
