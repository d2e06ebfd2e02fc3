// Package hostile makes the corpus of hostile model files the reader is
// tested against (model/hostile_test.go, FuzzRead's seeds, the JS and worker
// end-to-end tests): CPU bombs (pooling and convolution over large inputs),
// memory bombs (padding, im2col, weights), models just under and just over
// the default work budget, finite weights that overflow float32, and header
// tricks (keys in another case or Unicode-folded, duplicate keys, invalid
// UTF-8). Every file is deterministic and carries a valid checksum, so only
// the rule under test can reject it.
package hostile

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"

	"github.com/i2m2-wasm/i2m2/internal/limits"
	"github.com/i2m2-wasm/i2m2/model"
	"github.com/i2m2-wasm/i2m2/model/quant"
)

// Case is one hostile file and what Read must do with it.
type Case struct {
	Name string
	File []byte
	// Want is the error Read must return (errors.Is); nil: Read accepts the
	// file, and Predict on any finite inputs either succeeds within the
	// budget or, when NonFinite, fails with model.ErrNonFinite.
	Want error
	// Text is the start of the message of Read's error: which of the rules
	// matching Want rejected the file.
	Text      string
	NonFinite bool
}

// Corpus returns every case. Large means the near-cap memory cases (files of
// about 10 MB, about 128 MiB once read), which slow tests under GOOS=js.
func Corpus(large bool) ([]Case, error) {
	var cs []Case
	add := func(name string, want error, nonFinite bool, m *model.Model, err error) {
		if err == nil {
			var b []byte
			if b, err = m.MarshalBinary(); err == nil {
				c := Case{Name: name, File: b, Want: want, NonFinite: nonFinite}
				if want == model.ErrLimit {
					c.Text = overBudget
				}
				cs = append(cs, c)
				return
			}
		}
		cs = append(cs, Case{Name: name + " (could not be built: " + err.Error() + ")"})
	}
	// CPU bombs: tiny files, billions of operations.
	m, err := pooled([3]int{1, 2048, 2048}, model.Layer{Kind: model.MaxPool2D, KH: 64, KW: 64, Stride: 1}, model.Layer{Kind: model.MaxPool2D, KH: 64, KW: 64, Stride: 64})
	add("pool bomb: 64x64 stride-1 max-pool over 2048x2048", model.ErrLimit, false, m, err)
	m, err = manyPools()
	add("pool bomb: 16 modalities x 32 experts x 31 pools", model.ErrLimit, false, m, err)
	m, err = pooled([3]int{32, 128, 128}, model.Layer{Kind: model.Conv2D, InC: 32, OutC: 128, KH: 5, KW: 5, Stride: 1, Pad: 2}, model.Layer{Kind: model.MaxPool2D, KH: 16, KW: 16, Stride: 16})
	add("conv bomb: 32->128 5x5 over 128x128 (1.7 G MACs, int8)", model.ErrLimit, false, quantized(m), err)
	// Memory bombs: the padded input is outside the size caps on weights
	// and activations.
	m, err = pooled([3]int{4096, 1, 1}, model.Layer{Kind: model.Conv2D, InC: 4096, OutC: 1, KH: 1, KW: 1, Stride: 64, Pad: 64})
	add("padding bomb: [4096,1,1] input, 1x1 conv, pad 64 (68 M padded elements)", model.ErrLimit, false, quantized(m), err)
	// The largest im2col matrix the size caps allow (15 M elements) fits the budget.
	m, err = pooled([3]int{16, 128, 128}, model.Layer{Kind: model.Conv2D, InC: 16, OutC: 1, KH: 8, KW: 8, Stride: 1, Pad: 0})
	add("im2col near the size cap: 8x8 kernel over 16x128x128, accepted", nil, false, m, err)
	// Just under and just over the default budget.
	for _, c := range []struct {
		name  string
		build func(int) (*model.Model, error)
		lo    int
		large bool
	}{
		{"operations (conv channels)", convChannels, 1, false},
		{"bytes (int8 dense rows)", denseRows, 1, true},
	} {
		if c.large && !large {
			continue
		}
		n, err := largestWithin(c.build, c.lo)
		if err != nil {
			return nil, fmt.Errorf("hostile: near-cap %s: %w", c.name, err)
		}
		m, err := c.build(n)
		add("near the cap, accepted: "+c.name, nil, false, m, err)
		m, err = c.build(n + 1)
		add("just over the cap: "+c.name, model.ErrLimit, false, m, err)
	}
	// Finite weights whose products overflow float32.
	m, err = huge()
	add("huge finite weights (3e38)", nil, true, m, err)
	// Header tricks on a small valid file.
	small, err := pooled([3]int{1, 4, 4})
	if err != nil {
		return nil, err
	}
	base, err := small.MarshalBinary()
	if err != nil {
		return nil, err
	}
	for _, t := range []struct{ name, from, to string }{
		{"key in upper case (KIND)", `"kind":"flatten"`, `"KIND":"flatten"`},
		{"key with a Kelvin sign (U+212A) for K", `"kind":"flatten"`, "\"\u212aind\":\"flatten\""},
		{"top-level key in another case", `"quantization"`, `"Quantization"`},
		{"duplicate key (last would win)", `"quantization":"float32"`, `"quantization":"int8","quantization":"float32"`},
		{"duplicate key in a layer", `"kind":"flatten"`, `"kind":"relu","kind":"flatten"`},
		{"invalid UTF-8 in a name", `"name":"hostile"`, "\"name\":\"t\xff\""},
		{"lone surrogate escape in a name", `"name":"hostile"`, `"name":"t\ud800"`},
		{"invalid UTF-8 in a key", `"name":"hostile"`, "\"name\":\"t\",\"\xc0\":1"},
	} {
		h := header(base)
		if !strings.Contains(h, t.from) {
			return nil, fmt.Errorf("hostile: %s: %q not in the header %s", t.name, t.from, h)
		}
		cs = append(cs, Case{Name: "header: " + t.name, File: WithHeader(base, strings.Replace(h, t.from, t.to, 1)), Want: model.ErrFormat, Text: "i2m2: malformed header"})
	}
	return cs, nil
}

// pooled is a one-modality model: the given layers, flatten, dense to 2
// classes, weights 0.01.
func pooled(shape [3]int, layers ...model.Layer) (*model.Model, error) {
	md := model.Modality{Name: "x", Shape: model.Shape(shape)}
	br := append(layers, model.Layer{Kind: model.Flatten})
	m := &model.Model{Name: "hostile", Modalities: []model.Modality{md}, Classes: []string{"a", "b"}}
	m.Experts = []model.Expert{{Name: "x", Inputs: []string{"x"}, Branches: [][]model.Layer{br}}}
	n, err := outSize(br, md.Shape)
	if err != nil {
		return nil, err
	}
	m.Experts[0].Head = []model.Layer{{Kind: model.Dense, In: n, Out: 2}}
	return fill(m, 0.01)
}

// outSize is the element count after ls on input s (conv2d, max-pool and
// flatten only; Validate checks the result).
func outSize(ls []model.Layer, s model.Shape) (int, error) {
	for _, l := range ls {
		switch l.Kind {
		case model.Conv2D:
			s = model.Shape{l.OutC, (s[1]+2*l.Pad-l.KH)/l.Stride + 1, (s[2]+2*l.Pad-l.KW)/l.Stride + 1}
		case model.MaxPool2D:
			s = model.Shape{s[0], (s[1]-l.KH)/l.Stride + 1, (s[2]-l.KW)/l.Stride + 1}
		case model.Flatten:
		default:
			return 0, fmt.Errorf("hostile: outSize does not know %s", l.Kind)
		}
	}
	return s.Size(), nil
}

// fill sets every weight to w and every bias to 0.
func fill(m *model.Model, w float32) (*model.Model, error) {
	for ei := range m.Experts {
		e := &m.Experts[ei]
		for _, ls := range append(append([][]model.Layer(nil), e.Branches...), e.Head) {
			for i := range ls {
				l := &ls[i]
				if l.Kind == model.Conv2D || l.Kind == model.Dense {
					l.W = make([]float32, l.Rows()*l.Cols())
					for j := range l.W {
						l.W[j] = w
					}
					l.B = make([]float32, l.Rows())
				}
			}
		}
	}
	return m, m.Validate()
}

func quantized(m *model.Model) *model.Model {
	if m != nil {
		quant.Quantize(m)
	}
	return m
}

// manyPools: 16 modalities of [1,64,64], 32 experts each over every
// modality, 31 stride-1 2x2 max-pools per branch.
func manyPools() (*model.Model, error) {
	m := &model.Model{Name: "hostile", Classes: []string{"a", "b"}}
	var names []string
	for i := 0; i < limits.Modalities; i++ {
		name := fmt.Sprintf("m%d", i)
		names = append(names, name)
		m.Modalities = append(m.Modalities, model.Modality{Name: name, Shape: model.Shape{1, 64, 64}})
	}
	var br []model.Layer
	for i := 0; i < 31; i++ {
		br = append(br, model.Layer{Kind: model.MaxPool2D, KH: 2, KW: 2, Stride: 1})
	}
	br = append(br, model.Layer{Kind: model.MaxPool2D, KH: 33, KW: 33, Stride: 33}, model.Layer{Kind: model.Flatten})
	for e := 0; e < limits.Experts; e++ {
		ex := model.Expert{Name: fmt.Sprintf("e%d", e), Inputs: names, Head: []model.Layer{{Kind: model.Dense, In: 16, Out: 2}}}
		for range names {
			ex.Branches = append(ex.Branches, br)
		}
		m.Experts = append(m.Experts, ex)
	}
	return fill(m, 0)
}

// convChannels: [1,128,128] -> conv 1->n 9x9 pad 4 -> 16x16 max-pool -> dense.
func convChannels(n int) (*model.Model, error) {
	return pooled([3]int{1, 128, 128}, model.Layer{Kind: model.Conv2D, InC: 1, OutC: n, KH: 9, KW: 9, Stride: 1, Pad: 4},
		model.Layer{Kind: model.MaxPool2D, KH: 16, KW: 16, Stride: 16})
}

// denseRows: int8, [1,64,64] -> dense 4096->n -> dense n->2.
func denseRows(n int) (*model.Model, error) {
	m := &model.Model{Name: "hostile", Modalities: []model.Modality{{Name: "x", Shape: model.Shape{1, 64, 64}}}, Classes: []string{"a", "b"}}
	m.Experts = []model.Expert{{Name: "x", Inputs: []string{"x"}, Branches: [][]model.Layer{{{Kind: model.Flatten}}},
		Head: []model.Layer{{Kind: model.Dense, In: 4096, Out: n}, {Kind: model.ReLU}, {Kind: model.Dense, In: n, Out: 2}}}}
	m, err := fill(m, 0.01)
	return quantized(m), err
}

// overBudget starts the message of Read's error for a file over the work budget.
const overBudget = "i2m2: model exceeds the work budget"

// largestWithin returns the largest n >= lo whose model Read accepts with the
// default budget (and the size limits).
func largestWithin(build func(int) (*model.Model, error), lo int) (int, error) {
	within := func(n int) (bool, error) {
		m, err := build(n)
		if errors.Is(err, model.ErrLimit) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		b, err := m.MarshalBinary()
		if err != nil {
			return false, err
		}
		_, err = model.Read(b)
		if errors.Is(err, model.ErrLimit) && strings.Contains(err.Error(), overBudget) {
			return false, nil
		}
		return err == nil, err
	}
	if ok, err := within(lo); err != nil || !ok {
		return 0, fmt.Errorf("the smallest model is over the budget (%v)", err)
	}
	hi := lo
	for {
		ok, err := within(hi * 2)
		if err != nil {
			return 0, err
		}
		if !ok {
			break
		}
		hi *= 2
	}
	top := hi * 2 // over the budget
	for top-hi > 1 {
		mid := (hi + top) / 2
		ok, err := within(mid)
		if err != nil {
			return 0, err
		}
		if ok {
			hi = mid
		} else {
			top = mid
		}
	}
	return hi, nil
}

// huge: a dense layer of 3e38 weights: any input above about 1e-38 in
// magnitude overflows.
func huge() (*model.Model, error) {
	m, err := pooled([3]int{1, 4, 4})
	if err != nil {
		return nil, err
	}
	return fill(m, 3e38)
}

// header returns the JSON header of a model file.
func header(f []byte) string {
	n := binary.LittleEndian.Uint32(f[8:])
	return string(f[24 : 24+n])
}

// WithHeader returns the model file f with its JSON header replaced by h,
// the lengths and padding adjusted and the checksum recomputed.
func WithHeader(f []byte, h string) []byte {
	le := binary.LittleEndian
	old := int(le.Uint32(f[8:]))
	start := align64(24 + old)
	data := f[start : len(f)-sha256.Size]
	var b bytes.Buffer
	b.Write(f[:8])
	b.Write(le.AppendUint32(nil, uint32(len(h))))
	b.Write(f[12:24])
	b.WriteString(h)
	b.Write(make([]byte, align64(b.Len())-b.Len()))
	b.Write(data)
	return Resum(b.Bytes())
}

// Resum returns f (a model file without its checksum) with its sha256
// appended.
func Resum(f []byte) []byte {
	f = append([]byte(nil), f...)
	s := sha256.Sum256(f)
	return append(f, s[:]...)
}

func align64(n int) int { return (n + 63) / 64 * 64 }
