package train

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/i2m2-wasm/i2m2/dataset"
	"github.com/i2m2-wasm/i2m2/model"
)

// TestExportMatchesTrainer checks that the exported inference model (BN
// folded, model package layout) computes the trainer's evaluation-mode
// logits, for every expert, on the reference and fast paths.
func TestExportMatchesTrainer(t *testing.T) {
	ex := newExperts(t, "image", "audio", "inter")
	d := Synthetic(80, 3)
	// A few steps so batch-norm running statistics and weights move away from init.
	cfg := Config{Name: "warm", LR: 0.05, Momentum: 0.9, WeightDecay: 1e-4, Batch: 20, Clip: 8, Epochs: 2, Seed: 1}
	if _, err := Fit(ex, d, d, cfg); err != nil {
		t.Fatal(err)
	}
	m, err := Export(ex, model.Provenance{Data: "synthetic"})
	if err != nil {
		t.Fatal(err)
	}
	bt := batch[float32]{x: map[string]Act[float32]{}}
	idx := []int{0, 1, 2, 3, 4, 5, 6, 7}
	bt.fill(d, idx)
	want := make([]Act[float32], len(ex))
	for i, e := range ex {
		want[i] = e.Forward(bt.x, false)
		want[i].D = append([]float32(nil), want[i].D...)
	}
	for _, path := range []model.Path{model.Reference, model.Fast} {
		p, err := m.NewPredictor(path)
		if err != nil {
			t.Fatal(err)
		}
		r := m.NewResult()
		img, aud := make([]float32, 784), make([]float32, 1600)
		for b, j := range idx {
			d.fill(j, j, img, aud)
			if err := p.Predict(map[string][]float32{"image": img, "audio": aud}, r); err != nil {
				t.Fatal(err)
			}
			for i, e := range ex {
				var got []float32
				for _, er := range r.Experts {
					if er.Name == e.Name {
						got = er.Logits
					}
				}
				for c := 0; c < 10; c++ {
					w := want[i].D[c*len(idx)+b]
					// float32 with different summation orders: 1e-4 relative to the logit scale.
					if d := math.Abs(float64(got[c] - w)); d > 1e-4*(1+math.Abs(float64(w))) {
						t.Fatalf("%v: sample %d expert %s class %d: model %v, trainer %v", path, b, e.Name, c, got[c], w)
					}
				}
			}
		}
	}
	// Subsets export too (baseline files).
	for _, sub := range [][]*Expert[float32]{{ex[0]}, {ex[1]}, {ex[2]}, {ex[0], ex[1]}} {
		if _, err := Export(sub, model.Provenance{}); err != nil {
			t.Fatalf("export of %d experts: %v", len(sub), err)
		}
	}
}

// smallData returns a few hundred samples of the committed AV-MNIST-TTS
// bank, or synthetic data of the same shapes when the bank is not there.
func smallData(t testing.TB, n int) (tr, va *Data, real bool) {
	trS, vaS, _, err := dataset.Load(dataset.Options{Seed: 1, Limit: n})
	if err != nil {
		t.Logf("dataset unavailable (%v): using synthetic data", err)
		return Synthetic(n, 1), Synthetic(n/2, 2), false
	}
	conv := func(s *dataset.Split) *Data {
		return &Data{N: s.N, Images: s.Images, Audio: s.Audio, Labels: s.Labels}
	}
	va = conv(vaS)
	if va.N > n/2 {
		va = va.Subset(seq(n / 2))
	}
	return conv(trS), va, true
}

func seq(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}

// TestSmallTraining runs the whole recipe at small scale: every stage's
// training loss must fall and every model must beat chance on validation.
func TestSmallTraining(t *testing.T) {
	tr, va, real := smallData(t, 400)
	rc := PaperRecipe(1, 5, 3, 2)
	rc.Log = t.Logf
	run, err := Pipeline(tr, va, rc, "test")
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range run.Histories {
		first, last := h.Epochs[0].TrainLoss, h.Epochs[len(h.Epochs)-1].TrainLoss
		// Fine-tuning starts from trained experts, so its loss need not fall much; pre-training must.
		if h.Name != "i2m2" && h.Name != "intra" && !(last < first) {
			t.Errorf("%s: training loss did not fall: %.4f -> %.4f", h.Name, first, last)
		}
		// Chance is 10%; with 200 validation samples its standard deviation is 2.1 points,
		// so 17% is more than three above it.
		if h.BestValAcc <= 17 {
			t.Errorf("%s: best validation accuracy %.1f%%, not above chance (10%%) by a margin (real data: %v)", h.Name, h.BestValAcc, real)
		}
	}
	for _, name := range ModelNames {
		m := run.Models[name]
		ev, err := EvalModel(m, model.Fast, va, "", nil, 2)
		if err != nil {
			t.Fatal(err)
		}
		if ev.Product.Acc <= 17 {
			t.Errorf("%s: exported model validation accuracy %.1f%%", name, ev.Product.Acc)
		}
	}
}

// TestDeterministic: the same seed gives bit-identical weights.
func TestDeterministic(t *testing.T) {
	d := Synthetic(60, 5)
	run := func() [][]float32 {
		ex := newExperts(t, "image", "audio")
		if _, err := Fit(ex, d, d, Config{Name: "det", LR: 0.01, Momentum: 0.9, WeightDecay: 1e-4, Batch: 20, Clip: 8, Epochs: 2, Seed: 3}); err != nil {
			t.Fatal(err)
		}
		return append(ex[0].Snapshot(), ex[1].Snapshot()...)
	}
	a, b := run(), run()
	for i := range a {
		for j := range a[i] {
			if a[i][j] != b[i][j] {
				t.Fatalf("tensor %d element %d: %v vs %v", i, j, a[i][j], b[i][j])
			}
		}
	}
	_ = rand.New
}
