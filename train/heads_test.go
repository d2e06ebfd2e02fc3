package train

import (
	"math"
	"testing"

	"github.com/i2m2-wasm/i2m2/model"
	"github.com/i2m2-wasm/i2m2/model/arch"
)

// randomTrunk is the AV-MNIST model with seeded random weights.
func randomTrunk(t *testing.T, seed uint64) *model.Model {
	m, err := arch.AVMNIST(40, 40, 4).Build()
	if err != nil {
		t.Fatal(err)
	}
	if err := arch.InitRandom(m, seed); err != nil {
		t.Fatal(err)
	}
	return m
}

// synthEncoded is n synthetic samples (seed) encoded by a random trunk (trunkSeed) on workers.
func synthEncoded(t *testing.T, trunkSeed uint64, n int, seed uint64, workers int) (*Data, *Encoded) {
	t.Helper()
	d := Synthetic(n, seed)
	enc, err := Encode(randomTrunk(t, trunkSeed), d, workers)
	if err != nil {
		t.Fatal(err)
	}
	return d, enc
}

// TestHeadsExportMatchesTrainer: a model exported by ExportHeads (the trunk's encoders, the trained
// heads, new classes) computes through the inference engine what the head trainer computes on the
// encoded features, for every expert - so Encode's features are the engine's branch outputs and
// the heads land in the model's layout.
func TestHeadsExportMatchesTrainer(t *testing.T) {
	d, enc := synthEncoded(t, 3, 60, 4, 2)
	for k, dim := range map[string]int{"image/image": 24, "audio/audio": 48, "inter/image": 48, "inter/audio": 96} {
		if enc.Dim[k] != dim {
			t.Fatalf("%s: %d features, want %d", k, enc.Dim[k], dim)
		}
	}
	// a re-pairing: image of sample i, clip of sample 59-i, 3 classes
	p := &Paired{Enc: enc}
	for i := 0; i < d.N; i++ {
		p.Image = append(p.Image, int32(i))
		p.Audio = append(p.Audio, int32(d.N-1-i))
		p.Labels = append(p.Labels, uint8(i%3))
	}
	classes := []string{"a", "b", "c"}
	rc := PaperRecipe(1, 2, 2, 1)
	run, err := HeadPipeline(p, p, rc, classes, "synthetic")
	if err != nil {
		t.Fatal(err)
	}
	m := run.Models["i2m2"]
	if len(m.Classes) != 3 || len(m.Experts) != 3 {
		t.Fatalf("exported %d classes, %d experts", len(m.Classes), len(m.Experts))
	}
	ex, err := headsOf(m)
	if err != nil {
		t.Fatal(err)
	}
	idx := []int{0, 7, 31, 59}
	pr, err := m.NewPredictor(model.Fast)
	if err != nil {
		t.Fatal(err)
	}
	res := m.NewResult()
	img, aud := make([]float32, 784), make([]float32, 1600)
	for b, k := range idx {
		d.fill(int(p.Image[k]), int(p.Audio[k]), img, aud)
		if err := pr.Predict(map[string][]float32{"image": img, "audio": aud}, res); err != nil {
			t.Fatal(err)
		}
		for ei, e := range ex {
			var x Act[float32]
			p.gather(e, idx, &x)
			want := e.Head.Forward(x, false)
			for c := 0; c < 3; c++ {
				got, w := res.Experts[ei].Logits[c], want.D[c*len(idx)+b]
				if math.Abs(float64(got-w)) > 1e-4*(1+math.Abs(float64(w))) {
					t.Fatalf("pair %d expert %s class %d: engine %v, trainer %v", k, e.Name, c, got, w)
				}
			}
		}
	}
	for _, n := range ModelNames {
		if run.Models[n] == nil || run.Models[n].Validate() != nil {
			t.Fatalf("model %s missing or invalid", n)
		}
	}
	acc, err := EvalHeads(m, p)
	if err != nil {
		t.Fatal(err)
	}
	ev, err := EvalModel(m, model.Fast, pairedData(d, p), "", nil, 1)
	if err != nil {
		t.Fatal(err)
	}
	if ev.Product.Acc != acc {
		t.Errorf("EvalHeads %.2f%%, engine %.2f%%", acc, ev.Product.Acc)
	}
	if len(run.Models["intra_only"].Experts) != 2 || len(run.Models["inter_only"].Experts) != 1 {
		t.Fatal("baselines have the wrong experts")
	}
}

func TestHeadPipelineRejects(t *testing.T) {
	d, enc := synthEncoded(t, 1, 10, 1, 1)
	p := &Paired{Enc: enc, Image: []int32{0, 1}, Audio: []int32{1, 0}, Labels: []uint8{0, 5}}
	if _, err := HeadPipeline(p, p, PaperRecipe(1, 1, 1, 1), []string{"x", "y"}, ""); err == nil {
		t.Error("label 5 for 2 classes: no error")
	}
	if _, err := HeadPipeline(&Paired{}, p, PaperRecipe(1, 1, 1, 1), []string{"x", "y"}, ""); err == nil {
		t.Error("no encoded data: no error")
	}
	q := randomTrunk(t, 1)
	q.Quantization = "int8"
	if _, err := Encode(q, d, 1); err == nil {
		t.Error("int8 trunk: no error")
	}
}

// pairedData materialises p's pairs of d's samples.
func pairedData(d *Data, p *Paired) *Data {
	o := &Data{N: p.N(), Labels: p.Labels}
	for k := range p.Labels {
		i, a := int(p.Image[k]), int(p.Audio[k])
		o.Images = append(o.Images, d.Images[i*784:(i+1)*784]...)
		o.Audio = append(o.Audio, d.Audio[a*1600:(a+1)*1600]...)
	}
	return o
}
