package main

import (
	"testing"

	"github.com/i2m2-wasm/i2m2/dataset"
	"github.com/i2m2-wasm/i2m2/features"
	"github.com/i2m2-wasm/i2m2/model"
	"github.com/i2m2-wasm/i2m2/train"
)

// TestRealTrainingSmall is CI's small real-data training run: the audio expert trained on 400
// augmented pairs (FSDD george, jackson, yweweler and the synthetic voices) must recognise the
// held-out speakers (lucas, theo; 1,000 recordings, as recorded) well above chance. Chance is 10%
// (std 0.95 points at n = 1,000), so 20% is far outside it.
func TestRealTrainingSmall(t *testing.T) {
	tr, va := realData(t, 400, 2, "degraded,thickness,affine,blur,drawn") // only the audio expert is trained here
	rc := train.PaperRecipe(1, 5, 1, 1)
	rc.Only = "audio"
	run, err := train.Pipeline(tr, va, rc, "ci")
	if err != nil {
		t.Fatal(err)
	}
	fs, err := fsdd("")
	if err != nil {
		t.Fatal(err)
	}
	te := &train.Data{}
	for i := 0; i < fs.N; i++ {
		if fs.Split(i) != dataset.ClipTest {
			continue
		}
		q, err := features.AudioLevels(fs.PCM(i), dataset.FSDDRate)
		if err != nil {
			t.Fatal(err)
		}
		te.N++
		te.Audio = append(te.Audio, q...)
		te.Images = append(te.Images, make([]uint8, dataset.ImageSize)...)
		te.Labels = append(te.Labels, fs.Labels[i])
	}
	ev, err := train.EvalModel(run.Models["audio_only"], model.Fast, te, "", nil, 2)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("audio expert after %d pairs x %d epochs: validation %.1f%%, held-out speakers %.1f%% (n=%d)",
		tr.N, rc.UniEpochs, run.Histories[0].BestValAcc, ev.Product.Acc, te.N)
	if te.N != 1000 || ev.Product.Acc <= 20 {
		t.Errorf("held-out speakers: %.1f%% of %d recordings, want > 20%%", ev.Product.Acc, te.N)
	}
}
