package model

import (
	"fmt"
	"sync"
	"testing"
)

var allPaths = []Path{Reference, Fast, Quantized}

// TestPredictZeroAlloc: steady-state prediction allocates nothing, on every
// path, with all modalities and with one missing.
func TestPredictZeroAlloc(t *testing.T) {
	m := buildAVMNIST(t, 40, 40, 4)
	mustQuantize(t, m)
	full := testInputs(m)
	part := map[string][]float32{"image": full["image"]}
	for _, path := range allPaths {
		p, err := m.NewPredictor(path)
		if err != nil {
			t.Fatal(err)
		}
		r := m.NewResult()
		for name, in := range map[string]map[string][]float32{"full": full, "image only": part} {
			if err := p.Predict(in, r); err != nil {
				t.Fatal(err)
			}
			runs := 5
			if path == Reference {
				runs = 2
			}
			if a := testing.AllocsPerRun(runs, func() { _ = p.Predict(in, r) }); a != 0 {
				t.Errorf("%s %s: %v allocations per Predict, want 0", path, name, a)
			}
		}
	}
	// the same through testing.Benchmark, as wazero asserts it
	p, _ := m.NewPredictor(Quantized)
	r := m.NewResult()
	res := testing.Benchmark(func(b *testing.B) {
		for b.Loop() {
			_ = p.Predict(full, r)
		}
	})
	if a := res.AllocsPerOp(); a != 0 {
		t.Errorf("int8 Predict: %d allocs/op in a benchmark, want 0", a)
	}
}

// TestConcurrentModel shares one Model between goroutines, each with its own
// Predictor or through Model.Predict's pool, and checks every result against
// a serial one (run with -race: scripts/test-05-race.sh).
func TestConcurrentModel(t *testing.T) {
	m := buildAVMNIST(t, 40, 40, 4)
	mustQuantize(t, m)
	var inputs []map[string][]float32
	for i := 0; i < 4; i++ {
		in := testInputs(m)
		for _, x := range in {
			for j := range x {
				x[j] = float32((j*(i+3))%17) / 16
			}
		}
		inputs = append(inputs, in)
	}
	want := map[string][]float32{}
	for _, path := range allPaths {
		for i, in := range inputs {
			r, err := m.Predict(path, in)
			if err != nil {
				t.Fatal(err)
			}
			want[fmt.Sprint(path, i)] = r.Probs
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := 0; g < 6; g++ {
		wg.Go(func() {
			own := map[Path]*Predictor{}
			res := m.NewResult()
			for it := 0; it < 6; it++ {
				path := allPaths[(g+it)%len(allPaths)]
				i := (g*7 + it) % len(inputs)
				var probs []float32
				if g%2 == 0 { // pooled
					r, err := m.Predict(path, inputs[i])
					if err != nil {
						errs <- err
						return
					}
					probs = r.Probs
				} else {
					p := own[path]
					if p == nil {
						var err error
						if p, err = m.NewPredictor(path); err != nil {
							errs <- err
							return
						}
						own[path] = p
					}
					if err := p.Predict(inputs[i], res); err != nil {
						errs <- err
						return
					}
					probs = res.Probs
				}
				if d := maxDiff(probs, want[fmt.Sprint(path, i)]); d != 0 {
					errs <- fmt.Errorf("goroutine %d %s input %d: differs from serial by %g", g, path, i, d)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
