package model

import (
	"bytes"
	"encoding/binary"
	"math"
	"strconv"

	"github.com/i2m2-wasm/i2m2/internal/errfmt"
	"github.com/i2m2-wasm/i2m2/internal/jsonw"
	"github.com/i2m2-wasm/i2m2/internal/sha256"
	"github.com/i2m2-wasm/i2m2/model/internal/q8"
)

// File format constants; FORMAT.md documents the layout.
const (
	magic         = "I2M2"
	version       = 1
	fixedHeader   = 24 // magic, version, header length, reserved, data length
	alignment     = 64
	checksumBytes = sha256.Size
)

// header is the JSON header of a model file.
type header struct {
	Name         string      `json:"name"`
	Modalities   []hModality `json:"modalities"`
	Classes      []string    `json:"classes"`
	Quantization string      `json:"quantization"`
	Experts      []hExpert   `json:"experts"`
	Provenance   Provenance  `json:"provenance"`
}

type hModality struct {
	Name  string `json:"name"`
	Shape []int  `json:"shape"`
}

type hExpert struct {
	Name     string     `json:"name"`
	Inputs   []string   `json:"inputs"`
	Branches [][]hLayer `json:"branches"`
	Head     []hLayer   `json:"head"`
}

type hLayer struct {
	Kind   string `json:"kind"`
	InC    int    `json:"in_channels,omitempty"`
	OutC   int    `json:"out_channels,omitempty"`
	KH     int    `json:"kernel_h,omitempty"`
	KW     int    `json:"kernel_w,omitempty"`
	Stride int    `json:"stride,omitempty"`
	Pad    int    `json:"pad,omitempty"`
	In     int    `json:"in,omitempty"`
	Out    int    `json:"out,omitempty"`
}

// appendJSON writes h as encoding/json writes the header struct (its json
// tags, omitempty), by hand (internal/jsonw says why); TestHeaderJSON
// compares the bytes.
func (h *header) appendJSON(b []byte) []byte {
	b = jsonw.String(append(b, `{"name":`...), h.Name)
	b = append(b, `,"modalities":`...)
	b = jsonw.Array(b, len(h.Modalities), h.Modalities == nil, func(b []byte, i int) []byte {
		md := &h.Modalities[i]
		b = jsonw.String(append(b, `{"name":`...), md.Name)
		b = jsonw.Array(append(b, `,"shape":`...), len(md.Shape), md.Shape == nil, func(b []byte, j int) []byte {
			return strconv.AppendInt(b, int64(md.Shape[j]), 10)
		})
		return append(b, '}')
	})
	b = jsonw.Strings(append(b, `,"classes":`...), h.Classes)
	b = jsonw.String(append(b, `,"quantization":`...), h.Quantization)
	b = append(b, `,"experts":`...)
	b = jsonw.Array(b, len(h.Experts), h.Experts == nil, func(b []byte, i int) []byte {
		e := &h.Experts[i]
		b = jsonw.String(append(b, `{"name":`...), e.Name)
		b = jsonw.Strings(append(b, `,"inputs":`...), e.Inputs)
		b = jsonw.Array(append(b, `,"branches":`...), len(e.Branches), e.Branches == nil, func(b []byte, j int) []byte {
			return appendLayers(b, e.Branches[j])
		})
		return append(appendLayers(append(b, `,"head":`...), e.Head), '}')
	})
	pv := &h.Provenance
	b = jsonw.Provenance(append(b, `,"provenance":`...), pv.Data, pv.Seed, pv.Created, pv.Metrics)
	return append(b, '}')
}

func appendLayers(b []byte, ls []hLayer) []byte {
	return jsonw.Array(b, len(ls), ls == nil, func(b []byte, i int) []byte {
		l := &ls[i]
		b = jsonw.String(append(b, `{"kind":`...), l.Kind)
		for _, f := range l.ints() {
			if *f.v != 0 {
				b = strconv.AppendInt(jsonw.Key(b, f.key, false), int64(*f.v), 10)
			}
		}
		return append(b, '}')
	})
}

// intField is an integer field of a layer in the header: its key and where
// its value is.
type intField struct {
	key string
	v   *int
}

// ints are l's integer fields in the header's order (the writer's order;
// the reader takes any), beside "kind".
func (l *hLayer) ints() [8]intField {
	return [...]intField{{"in_channels", &l.InC}, {"out_channels", &l.OutC}, {"kernel_h", &l.KH}, {"kernel_w", &l.KW}, {"stride", &l.Stride}, {"pad", &l.Pad}, {"in", &l.In}, {"out", &l.Out}}
}

func toHLayers(ls []Layer) []hLayer {
	out := make([]hLayer, len(ls))
	for i, l := range ls {
		out[i] = hLayer{Kind: l.Kind.String(), InC: l.InC, OutC: l.OutC, KH: l.KH, KW: l.KW, Stride: l.Stride, Pad: l.Pad, In: l.In, Out: l.Out}
	}
	return out
}

// fromHLayers converts branch bi (-1: the head) of expert e.
func fromHLayers(hs []hLayer, e string, bi int) ([]Layer, error) {
	where := func() string {
		if bi < 0 {
			return errfmt.Sprintf("expert %q head", e)
		}
		return errfmt.Sprintf("expert %q branch %d", e, bi)
	}
	if len(hs) > maxLayers {
		return nil, errfmt.Errorf("%w: %s has %d layers", ErrLimit, where(), len(hs))
	}
	out := make([]Layer, len(hs))
	for i, h := range hs {
		k, ok := kindNamed(h.Kind)
		if !ok {
			return nil, errfmt.Errorf("%w: %q in %s layer %d", errLayer, h.Kind, where(), i)
		}
		out[i] = Layer{Kind: k, InC: h.InC, OutC: h.OutC, KH: h.KH, KW: h.KW, Stride: h.Stride, Pad: h.Pad, In: h.In, Out: h.Out}
	}
	return out, nil
}

// header is m's file header.
func (m *Model) header() header {
	h := header{Name: m.Name, Classes: m.Classes, Quantization: m.quantization(), Provenance: m.Provenance}
	for _, md := range m.Modalities {
		h.Modalities = append(h.Modalities, hModality{Name: md.Name, Shape: md.Shape[:]})
	}
	for _, e := range m.Experts {
		he := hExpert{Name: e.Name, Inputs: e.Inputs, Head: toHLayers(e.Head)}
		for _, br := range e.Branches {
			he.Branches = append(he.Branches, toHLayers(br))
		}
		h.Experts = append(h.Experts, he)
	}
	return h
}

// MarshalBinary encodes m as an .i2m2 file: int8 tensors when
// m.Quantization is "int8", float32 otherwise.
func (m *Model) MarshalBinary() ([]byte, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	h := m.header()
	hj := h.appendJSON(nil)
	var buf bytes.Buffer
	buf.WriteString(magic)
	le := binary.LittleEndian
	var fixed [20]byte
	le.PutUint32(fixed[0:], version)
	le.PutUint32(fixed[4:], uint32(len(hj)))
	le.PutUint32(fixed[8:], 0)
	dataLen := m.dataBytes()
	le.PutUint64(fixed[12:], uint64(dataLen))
	buf.Write(fixed[:])
	buf.Write(hj)
	pad(&buf)
	start := buf.Len()
	var werr error
	m.eachLayer(func(name layerName, l *Layer) {
		if !l.hasWeights() {
			return
		}
		if m.Quantization == int8Weights {
			if l.Q == nil {
				werr = errfmt.Errorf("%w: %s has no int8 weights", ErrInput, name)
				return
			}
			for _, v := range l.Q.Data {
				buf.WriteByte(byte(v))
			}
			pad(&buf)
			writeF32(&buf, l.Q.Scale)
		} else {
			writeF32(&buf, l.W)
		}
		writeF32(&buf, l.B)
	})
	if werr != nil {
		return nil, werr
	}
	if buf.Len()-start != dataLen {
		return nil, errfmt.Errorf("i2m2: internal error: wrote %d tensor bytes, planned %d", buf.Len()-start, dataLen)
	}
	sum := sha256.Sum256(buf.Bytes())
	buf.Write(sum[:])
	return buf.Bytes(), nil
}

func pad(buf *bytes.Buffer) {
	for buf.Len()%alignment != 0 {
		buf.WriteByte(0)
	}
}

func writeF32(buf *bytes.Buffer, v []float32) {
	var b [4]byte
	for _, f := range v {
		binary.LittleEndian.PutUint32(b[:], math.Float32bits(f))
		buf.Write(b[:])
	}
	pad(buf)
}

func alignUp(n int) int { return (n + alignment - 1) / alignment * alignment }

// dataBytes is the size of the tensor section for m's layers and quantisation.
// Callers have bounded every layer's size (Validate or checkHeaderSizes).
func (m *Model) dataBytes() int {
	n := 0
	m.eachLayer(func(_ layerName, l *Layer) {
		if !l.hasWeights() {
			return
		}
		r, c := l.Rows(), l.Cols()
		if m.Quantization == int8Weights {
			n += alignUp(r*c) + alignUp(4*r)
		} else {
			n += alignUp(4 * r * c)
		}
		n += alignUp(4 * r)
	})
	return n
}

// Read decodes and validates an .i2m2 file within the default work budget
// (2^27 operations and 128 MiB per prediction, FORMAT.md "Work budget").
// Sizes and the cost of a prediction are checked against the header before
// anything is allocated, the checksum before any tensor is decoded; errors
// wrap ErrFormat or ErrLimit (FORMAT.md, "Errors").
func Read(data []byte) (*Model, error) { return readBudget(data, defaultBudget, nil) }

// ReadWithBudget is Read with another budget, for a caller who trusts the
// file: at most ops operations and bytes of memory per prediction (0: no
// limit; the size limits stay). Read is ReadWithBudget with
// internal/limits' BudgetOps and BudgetBytes. A caller that has hashed the
// file already (the browser module, natively with crypto.subtle) may pass
// contentSum, the sha256 of data without its last 32 bytes (what the
// checksum covers, FORMAT.md "Layout"): the stored checksum is compared with
// it instead of hashing again. A contentSum that is not that hash fails as a
// corrupt file does, unless it is the stored checksum itself (Read trusts
// it: pass only a hash of these bytes); without one, Read hashes.
func ReadWithBudget(data []byte, ops, bytes int64, contentSum ...[32]byte) (*Model, error) {
	return readBudget(data, budget{Ops: ops, Bytes: bytes}, contentSum)
}

func readBudget(data []byte, b budget, contentSum [][checksumBytes]byte) (*Model, error) {
	if len(contentSum) > 1 {
		return nil, errfmt.Errorf("%w: %d content sums, at most one", ErrInput, len(contentSum))
	}
	if len(data) < len(magic) || string(data[:len(magic)]) != magic {
		return nil, errBadMagic
	}
	if len(data) < fixedHeader {
		return nil, errfmt.Errorf("%w: %d bytes, the fixed header alone is %d", errTruncated, len(data), fixedHeader)
	}
	le := binary.LittleEndian
	if v := le.Uint32(data[4:]); v != version {
		return nil, errfmt.Errorf("%w: file is version %d, this reader supports %d", errVersion, v, version)
	}
	hlen := int64(le.Uint32(data[8:]))
	if hlen == 0 || hlen > maxHeaderBytes {
		return nil, errfmt.Errorf("%w: header length %d (max %d)", errHeader, hlen, maxHeaderBytes)
	}
	if r := le.Uint32(data[12:]); r != 0 {
		return nil, errfmt.Errorf("%w: reserved field is %d, want 0", errHeader, r)
	}
	dlen := le.Uint64(data[16:])
	if int64(len(data)) < fixedHeader+hlen {
		return nil, errfmt.Errorf("%w: header needs %d bytes, file has %d", errTruncated, fixedHeader+hlen, len(data))
	}
	m, err := parseHeader(data[fixedHeader:fixedHeader+hlen], b)
	if err != nil {
		return nil, err
	}
	want := m.dataBytes()
	if dlen != uint64(want) {
		return nil, errfmt.Errorf("%w: header describes %d tensor bytes, length field says %d", errShape, want, dlen)
	}
	start := alignUp(fixedHeader + int(hlen))
	total := start + want + checksumBytes
	if len(data) < total {
		return nil, errfmt.Errorf("%w: %d bytes, header describes %d", errTruncated, len(data), total)
	}
	if len(data) > total {
		return nil, errfmt.Errorf("%w: %d trailing bytes after the checksum", errShape, len(data)-total)
	}
	var sum [checksumBytes]byte
	if len(contentSum) == 1 {
		sum = contentSum[0]
	} else {
		sum = sha256.Sum256(data[:total-checksumBytes])
	}
	if !bytes.Equal(sum[:], data[total-checksumBytes:]) {
		return nil, errfmt.Errorf("%w: content sha256 %x, stored %x", errChecksum, sum[:8], data[total-checksumBytes:total-checksumBytes+8])
	}
	m.Digest = errfmt.Hex(sum[:])
	off := start
	var derr error
	m.eachLayer(func(name layerName, l *Layer) {
		if !l.hasWeights() || derr != nil {
			return
		}
		r, c := l.Rows(), l.Cols()
		if m.Quantization == int8Weights {
			q := &q8.Tensor{Rows: r, Cols: c, Data: make([]int8, r*c)}
			raw := data[off : off+r*c]
			off += alignUp(r * c)
			q.Scale = readF32(data[off:], r)
			off += alignUp(4 * r)
			if i := badScale(q.Scale); i >= 0 {
				derr = errfmt.Errorf("%w: %s scale %d is %v", errInvalidWeight, name, i, q.Scale[i])
				return
			}
			// One pass: the int8 weights, their range and their dequantised
			// float32 copy (q8.Tensor's dequantisation products; finite checks it).
			l.W = make([]float32, r*c)
			if !dequantize(l.W, q.Data, raw, q.Scale) {
				derr = errfmt.Errorf("%w: %s holds -128 (int8 weights are in [-127, 127])", errInvalidWeight, name)
				return
			}
			l.Q = q
		} else {
			l.W = readF32(data[off:], r*c)
			off += alignUp(4 * r * c)
		}
		l.B = readF32(data[off:], r)
		off += alignUp(4 * r)
		if err := finite(l.W); err != nil {
			derr = errfmt.Errorf("%w: %s weight %v", errInvalidWeight, name, err)
		} else if err := finite(l.B); err != nil {
			derr = errfmt.Errorf("%w: %s bias %v", errInvalidWeight, name, err)
		}
	})
	if derr != nil {
		return nil, derr
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	return m, nil
}

func finite(v []float32) error {
	if i := nonFinite(v); i >= 0 {
		return errfmt.Errorf("%d is %v", i, v[i])
	}
	return nil
}

// parseHeader decodes the JSON header into a weightless model and checks the
// architecture (shapes and size limits) so the caller can compute the tensor
// section's size without overflow.
func parseHeader(hb []byte, b budget) (*Model, error) {
	h, err := decodeHeader(hb)
	if err != nil {
		return nil, err
	}
	m := &Model{Name: h.Name, Classes: h.Classes, Provenance: h.Provenance}
	switch h.Quantization {
	case float32Weights, int8Weights:
		m.Quantization = h.Quantization
	default:
		return nil, errfmt.Errorf("%w: quantization %q", errHeader, h.Quantization)
	}
	if len(h.Modalities) > maxModalities || len(h.Experts) > maxExperts || len(h.Classes) > maxClasses {
		return nil, errfmt.Errorf("%w: %d modalities, %d experts, %d classes", ErrLimit, len(h.Modalities), len(h.Experts), len(h.Classes))
	}
	for _, md := range h.Modalities {
		if len(md.Shape) != 3 {
			return nil, errfmt.Errorf("%w: modality %q shape %v must have 3 dimensions", errShape, md.Name, md.Shape)
		}
		m.Modalities = append(m.Modalities, Modality{Name: md.Name, Shape: Shape{md.Shape[0], md.Shape[1], md.Shape[2]}})
	}
	for _, c := range h.Classes {
		if len(c) > maxNameLen {
			return nil, errfmt.Errorf("%w: class name longer than %d bytes", ErrLimit, maxNameLen)
		}
	}
	for _, he := range h.Experts {
		if len(he.Branches) > maxModalities {
			return nil, errfmt.Errorf("%w: expert %q has %d branches", ErrLimit, he.Name, len(he.Branches))
		}
		e := Expert{Name: he.Name, Inputs: he.Inputs}
		for bi, hb := range he.Branches {
			ls, err := fromHLayers(hb, he.Name, bi)
			if err != nil {
				return nil, err
			}
			e.Branches = append(e.Branches, ls)
		}
		hd, err := fromHLayers(he.Head, he.Name, -1)
		if err != nil {
			return nil, err
		}
		e.Head = hd
		m.Experts = append(m.Experts, e)
	}
	// Check the architecture and size limits before any tensor is allocated.
	if err := m.validate(false, &b); err != nil {
		return nil, err
	}
	m.plan = nil
	return m, nil
}
