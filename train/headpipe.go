package train

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/i2m2-wasm/i2m2/model"
)

// HeadPipeline is Pipeline on frozen encoders (tr.Enc.Trunk's): the same five models and stages
// with the paper's optimiser settings, but only the heads learn -
//
//	image_only  = image head trained alone (lr UniLR, UniEpochs x UniSize)
//	audio_only  = audio head trained alone
//	inter_only  = inter head trained alone (lr InterLR)
//	intra_only  = the two trained intra heads fine-tuned jointly through their product (FineLR)
//	i2m2        = all three trained heads fine-tuned jointly through their product
//
// classes names the task's classes; models are named rc.NamePrefix + ModelNames[i].
func HeadPipeline(tr, va *Paired, rc Recipe, classes []string, dataDesc string) (*Run, error) {
	if tr.Enc == nil || tr.Enc.Trunk == nil || va.Enc == nil {
		return nil, fmt.Errorf("train: HeadPipeline: no encoded data")
	}
	for _, l := range [][]uint8{tr.Labels, va.Labels} {
		for _, y := range l {
			if int(y) >= len(classes) {
				return nil, fmt.Errorf("train: HeadPipeline: label %d for %d classes", y, len(classes))
			}
		}
	}
	start := time.Now()
	r := rand.New(rand.NewPCG(rc.Seed, 0x3c6ef372fe94f82b))
	run := &Run{Seed: rc.Seed, Models: map[string]*model.Model{}}
	trunk := tr.Enc.Trunk
	newE := func(name string) (*Expert[float32], error) {
		for _, e := range trunk.Experts {
			if e.Name == name {
				in := 0
				for _, i := range e.Inputs {
					in += tr.Enc.Dim[FeatKey(name, i)]
				}
				return newHead(name, e.Inputs, in, 100, len(classes), r), nil
			}
		}
		return nil, fmt.Errorf("train: HeadPipeline: the trunk has no %s expert", name)
	}
	img, err := newE("image")
	if err != nil {
		return nil, err
	}
	aud, err := newE("audio")
	if err != nil {
		return nil, err
	}
	inter, err := newE("inter")
	if err != nil {
		return nil, err
	}
	stage := func(name string, ex []*Expert[float32], lr float64, epochs, size int, k uint64, export string) error {
		h, err := FitHeads(ex, tr, va, len(classes), Config{Name: name, LR: lr, Momentum: 0.9, WeightDecay: 1e-4,
			Batch: rc.Batch, Clip: 8, Epochs: epochs, EpochSize: size, Patience: 10, Seed: rc.Seed*1000 + k, Log: rc.Log})
		if h != nil {
			run.Histories = append(run.Histories, h)
		}
		if err != nil {
			return err
		}
		m, err := ExportHeads(trunk, ex, classes, model.Provenance{Data: dataDesc, Seed: int64(rc.Seed),
			Created: fmt.Sprintf("i2m2 tasks (train.HeadPipeline %s): encoders frozen from %s, heads trained: uni %dx%d, inter %dx%d, fine %dx%d epochs x samples (0 = all), batch %d, SGD momentum 0.9, wd 1e-4, clip 8",
				export, trunk.Name, rc.UniEpochs, rc.UniSize, rc.InterEpoch, rc.InterSize, rc.FineEpochs, rc.FineSize, rc.Batch),
			Metrics: map[string]float64{"val_acc": h.BestValAcc, "best_epoch": float64(h.BestEpoch)}})
		if err != nil {
			return err
		}
		m.Name = rc.NamePrefix + export
		run.Models[export] = m
		return nil
	}
	if err := stage("image", []*Expert[float32]{img}, rc.UniLR, rc.UniEpochs, rc.UniSize, 1, "image_only"); err != nil {
		return nil, err
	}
	if err := stage("audio", []*Expert[float32]{aud}, rc.UniLR, rc.UniEpochs, rc.UniSize, 2, "audio_only"); err != nil {
		return nil, err
	}
	if err := stage("inter", []*Expert[float32]{inter}, rc.InterLR, rc.InterEpoch, rc.InterSize, 3, "inter_only"); err != nil {
		return nil, err
	}
	imgS, audS, interS := img.Snapshot(), aud.Snapshot(), inter.Snapshot()
	if err := stage("intra", []*Expert[float32]{img, aud}, rc.FineLR, rc.FineEpochs, rc.FineSize, 4, "intra_only"); err != nil {
		return nil, err
	}
	img.Restore(imgS)
	aud.Restore(audS)
	inter.Restore(interS)
	if err := stage("i2m2", []*Expert[float32]{img, aud, inter}, rc.FineLR, rc.FineEpochs, rc.FineSize, 5, "i2m2"); err != nil {
		return nil, err
	}
	run.Seconds = time.Since(start).Seconds()
	return run, nil
}
