package model_test

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"math"
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/i2m2-wasm/i2m2/internal/hostile"
	"github.com/i2m2-wasm/i2m2/model"
)

func corpus(t testing.TB) []hostile.Case {
	t.Helper()
	cs, err := hostile.Corpus(runtime.GOOS != "js") // the 128 MiB near-cap case natively only
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

// paths returns the kernels that can run m.
func paths(m *model.Model) []model.Path {
	ps := []model.Path{model.Reference, model.Fast}
	if m.Quantization == "int8" {
		ps = append(ps, model.Quantized)
	}
	return ps
}

// constInputs fills every modality with v.
func constInputs(m *model.Model, v float32) map[string][]float32 {
	in := map[string][]float32{}
	for _, md := range m.Modalities {
		x := make([]float32, md.Shape.Size())
		for i := range x {
			x[i] = v
		}
		in[md.Name] = x
	}
	return in
}

// TestHostileCorpus: every hostile file is rejected by Read with the
// expected error, or accepted, within the budget, and then predicts finite
// outputs or fails with ErrNonFinite.
func TestHostileCorpus(t *testing.T) {
	for _, c := range corpus(t) {
		if c.File == nil {
			t.Errorf("%s", c.Name)
			continue
		}
		m, err := model.Read(c.File)
		if c.Want != nil {
			if !errors.Is(err, c.Want) || !strings.HasPrefix(fmt.Sprint(err), c.Text) || m != nil {
				t.Errorf("%s: Read: %v, want %v (%q)", c.Name, err, c.Want, c.Text)
			}
			var be *model.BudgetError
			if errors.Is(err, model.ErrBudget) && (!errors.As(err, &be) || be.Layer == "" || be.Need <= be.Limit) {
				t.Errorf("%s: %v is not a *BudgetError naming a layer", c.Name, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: Read: %v, want the file accepted", c.Name, err)
			continue
		}
		cost := m.Cost()
		if cost.Ops() > model.DefaultBudget.Ops || cost.Bytes > model.DefaultBudget.Bytes {
			t.Errorf("%s: accepted with cost %+v over the budget %+v", c.Name, cost, model.DefaultBudget)
		}
		for _, p := range paths(m) {
			vs := []float32{0, 0.5, 1}
			if cost.Ops() > 1<<24 {
				vs = vs[1:2] // one run of a near-cap model is enough (slow under GOOS=js)
			}
			for _, v := range vs {
				r, err := m.Predict(p, constInputs(m, v))
				switch {
				case c.NonFinite && v != 0:
					if !errors.Is(err, model.ErrNonFinite) {
						t.Errorf("%s %s inputs %v: %v, want ErrNonFinite", c.Name, p, v, err)
					}
				case err != nil:
					t.Errorf("%s %s inputs %v: %v", c.Name, p, v, err)
				default:
					for _, x := range r.Probs {
						if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
							t.Fatalf("%s %s: non-finite probability with err == nil", c.Name, p)
						}
					}
				}
			}
		}
		t.Logf("%s: accepted, %d ops (%d MACs, %d comparisons), %d bytes, file %d bytes", c.Name, cost.Ops(), cost.MACs, cost.Compares, cost.Bytes, len(c.File))
	}
}

// TestMemoryBound counts what Read, NewPredictor and one Predict allocate
// (TotalAlloc, which also counts garbage, so it bounds resident memory) for
// the shipped models and every accepted hostile file: at most the model's
// Cost().Bytes plus the header's decoding garbage, and Cost().Bytes is
// within the budget. It logs the multiple of the file size.
func TestMemoryBound(t *testing.T) {
	files := map[string][]byte{}
	for _, name := range []string{"../weights/avmnist-tts-int8.i2m2", "../weights/avmnist-tts-f32.i2m2", "testdata/tiny-int8.i2m2", "testdata/tiny-f32.i2m2"} {
		if b, err := os.ReadFile(name); err == nil {
			files[name] = b
		}
	}
	for _, c := range corpus(t) {
		if c.Want == nil && c.File != nil {
			files[c.Name] = c.File
		}
	}
	for name, b := range files {
		m0, err := model.Read(b)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		in := constInputs(m0, 0) // the caller's, not counted
		for _, p := range []model.Path{model.Fast, model.Quantized, model.Reference} {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			m, err := model.Read(b)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if p == model.Quantized && m.Quantization != "int8" {
				continue
			}
			pr, err := m.NewPredictor(p)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			_ = pr.Predict(in, m.NewResult()) // ErrNonFinite is fine here
			runtime.ReadMemStats(&after)
			alloc := int64(after.TotalAlloc - before.TotalAlloc)
			hlen := int64(b[8]) | int64(b[9])<<8 | int64(b[10])<<16 | int64(b[11])<<24
			limit := m.Cost().Bytes + 64*hlen + 256<<10
			if alloc > limit {
				t.Errorf("%s %s: allocated %d bytes, more than Cost().Bytes %d + header garbage (limit %d)", name, p, alloc, m.Cost().Bytes, limit)
			}
			if m.Cost().Bytes > model.DefaultBudget.Bytes {
				t.Errorf("%s: Cost().Bytes %d over the budget", name, m.Cost().Bytes)
			}
			t.Logf("%s %s: file %d bytes, allocated %d (%.1fx the file), Cost().Bytes %d", name, p, len(b), alloc, float64(alloc)/float64(len(b)), m.Cost().Bytes)
		}
	}
}

// FuzzRead: Read must never panic; whatever it accepts is within the budget
// and predicts finite outputs or fails with ErrNonFinite, on every path.
// Nothing is skipped: the budget keeps every accepted model fast. The seeds
// are the testdata models and the small hostile files; each input is also
// tried with its checksum fixed up, so the fuzzer reaches the tensor decoder
// and Predict.
func FuzzRead(f *testing.F) {
	for _, name := range []string{"testdata/tiny-f32.i2m2", "testdata/tiny-int8.i2m2"} {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		c := append([]byte(nil), b...)
		c[40] ^= 4
		f.Add(c)
	}
	f.Add([]byte("I2M2"))
	for _, c := range corpus(f) {
		if len(c.File) <= 64<<10 {
			f.Add(c.File)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzOne(t, data)
		if len(data) > 32 {
			fuzzOne(t, hostile.Resum(data[:len(data)-32]))
		}
	})
}

func fuzzOne(t *testing.T, data []byte) {
	m, err := model.Read(data)
	if len(data) >= 32 { // the caller's content sum changes nothing but who hashes
		b := model.DefaultBudget
		m2, err2 := model.ReadWithBudget(data, b.Ops, b.Bytes, sha256.Sum256(data[:len(data)-32]))
		if fmt.Sprint(err) != fmt.Sprint(err2) || (err == nil && m2.Digest != m.Digest) {
			t.Fatalf("Read: %v; with the content sum: %v", err, err2)
		}
	}
	if err != nil {
		if m != nil {
			t.Fatal("Read returned a model and an error")
		}
		return
	}
	if c := m.Cost(); c.Ops() > model.DefaultBudget.Ops || c.Bytes > model.DefaultBudget.Bytes {
		t.Fatalf("accepted a model over the budget: %+v", c)
	}
	for _, p := range paths(m) {
		r, err := m.Predict(p, constInputs(m, 0.5))
		if errors.Is(err, model.ErrNonFinite) {
			continue
		}
		if err != nil {
			t.Fatalf("%s: Predict: %v", p, err)
		}
		for _, v := range r.Probs {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				t.Fatalf("%s: non-finite probability with err == nil", p)
			}
		}
	}
}
