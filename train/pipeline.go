package train

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/i2m2-wasm/i2m2/model"
)

// Recipe is the paper's AV-MNIST recipe (docs/i2m2-paper.md, "Training"): pre-train
// each unimodal expert and the inter expert, then fine-tune the experts
// jointly through their product. Epoch counts are ours (time budget).
type Recipe struct {
	Seed       uint64
	UniEpochs  int // image and audio experts (paper: 30)
	InterEpoch int // inter expert (paper: 30)
	FineEpochs int // joint fine-tuning of I2M2 and of the intra-only baseline (paper: up to 30)
	UniSize    int // samples per epoch of each stage, a fresh random subset each epoch (0 = the whole training set)
	InterSize  int
	FineSize   int
	UniLR      float64                       // 0.01
	InterLR    float64                       // 0.1
	FineLR     float64                       // 0.01
	Batch      int                           // 40
	ExpertNLL  float64                       // fine-tuning (intra, i2m2): weight of each expert's own NLL beside the product's (0: the paper's objective)
	Only       string                        // "image" or "audio": train only that expert (ablations); "" = everything
	NamePrefix string                        // model names are NamePrefix + ModelNames[i]; "" = "avmnist-tts-"
	Log        func(format string, a ...any) `json:"-"`
}

// PaperRecipe returns the paper's optimiser settings with the given epochs.
func PaperRecipe(seed uint64, uni, inter, fine int) Recipe {
	return Recipe{Seed: seed, UniEpochs: uni, InterEpoch: inter, FineEpochs: fine,
		UniLR: 0.01, InterLR: 0.1, FineLR: 0.01, Batch: 40}
}

// expertNLLNote names a non-paper fine-tuning objective in a model's provenance.
func expertNLLNote(lambda float64) string {
	if lambda == 0 {
		return ""
	}
	return fmt.Sprintf(", fine-tuning loss = product NLL + %g x each expert's NLL", lambda)
}

// Run is what Pipeline produced for one seed: the baselines and I2M2 as
// inference models (batch-norm folded, float32) and every stage's history.
type Run struct {
	Seed      uint64                  `json:"seed"`
	Histories []*History              `json:"histories"`
	Models    map[string]*model.Model `json:"-"` // image_only, audio_only, inter_only, intra_only, i2m2
	Seconds   float64                 `json:"seconds"`
}

// ModelNames are the keys of Run.Models, in table order.
var ModelNames = []string{"image_only", "audio_only", "intra_only", "inter_only", "i2m2"}

// Pipeline trains every model of the comparison for one seed:
//
//	image_only  = image expert pre-trained alone (lr UniLR)
//	audio_only  = audio expert pre-trained alone
//	inter_only  = inter expert (late fusion, c = 6) pre-trained alone (lr InterLR)
//	intra_only  = the two pre-trained unimodal experts fine-tuned jointly through their product
//	i2m2        = all three pre-trained experts fine-tuned jointly through their product
//
// (the reference code's recipe: docs/i2m2-paper.md).
func Pipeline(tr, va *Data, rc Recipe, dataDesc string) (*Run, error) {
	start := time.Now()
	r := rand.New(rand.NewPCG(rc.Seed, 0xbb67ae8584caa73b))
	run := &Run{Seed: rc.Seed, Models: map[string]*model.Model{}}
	newE := func(name string) *Expert[float32] {
		var e *Expert[float32]
		var err error
		if name == "inter" {
			e, err = NewExpert[float32](name, []string{"image", "audio"}, 6, 100, r)
		} else {
			e, err = NewExpert[float32](name, []string{name}, 3, 100, r)
		}
		if err != nil {
			panic(err) // fixed architecture
		}
		return e
	}
	cfg := func(name string, lr float64, epochs int, stage uint64) Config {
		size := map[string]int{"image": rc.UniSize, "audio": rc.UniSize, "inter": rc.InterSize, "intra": rc.FineSize, "i2m2": rc.FineSize}[name]
		return Config{Name: name, LR: lr, Momentum: 0.9, WeightDecay: 1e-4, Batch: rc.Batch, Clip: 8,
			Epochs: epochs, EpochSize: size, Patience: 10, Seed: rc.Seed*1000 + stage, Log: rc.Log, ExpertNLL: rc.ExpertNLL}
	}
	fit := func(ex []*Expert[float32], c Config) error {
		h, err := Fit(ex, tr, va, c)
		if h != nil {
			run.Histories = append(run.Histories, h)
		}
		return err
	}
	prov := func(name string, h *History) model.Provenance {
		return model.Provenance{Data: dataDesc, Seed: int64(rc.Seed),
			Created: fmt.Sprintf("i2m2 train (train.Pipeline %s): uni %dx%d, inter %dx%d, fine %dx%d epochs x samples (0 = all), batch %d, SGD momentum 0.9, wd 1e-4, clip 8%s",
				name, rc.UniEpochs, rc.UniSize, rc.InterEpoch, rc.InterSize, rc.FineEpochs, rc.FineSize, rc.Batch, expertNLLNote(rc.ExpertNLL)),
			Metrics: map[string]float64{"val_acc": h.BestValAcc, "best_epoch": float64(h.BestEpoch)}}
	}
	export := func(name string, ex ...*Expert[float32]) error {
		m, err := Export(ex, prov(name, run.Histories[len(run.Histories)-1]))
		if err != nil {
			return err
		}
		m.Name = rc.NamePrefix + name
		if rc.NamePrefix == "" {
			m.Name = "avmnist-tts-" + name
		}
		run.Models[name] = m
		return nil
	}
	img, aud, inter := newE("image"), newE("audio"), newE("inter")
	switch rc.Only {
	case "image", "audio":
		e := map[string]*Expert[float32]{"image": img, "audio": aud}[rc.Only]
		if err := fit([]*Expert[float32]{e}, cfg(rc.Only, rc.UniLR, rc.UniEpochs, map[string]uint64{"image": 1, "audio": 2}[rc.Only])); err != nil {
			return nil, err
		}
		if err := export(rc.Only+"_only", e); err != nil {
			return nil, err
		}
		run.Seconds = time.Since(start).Seconds()
		return run, nil
	case "":
	default:
		return nil, fmt.Errorf("train: Only %q: want image, audio or empty", rc.Only)
	}
	if err := fit([]*Expert[float32]{img}, cfg("image", rc.UniLR, rc.UniEpochs, 1)); err != nil {
		return nil, err
	}
	if err := export("image_only", img); err != nil {
		return nil, err
	}
	if err := fit([]*Expert[float32]{aud}, cfg("audio", rc.UniLR, rc.UniEpochs, 2)); err != nil {
		return nil, err
	}
	if err := export("audio_only", aud); err != nil {
		return nil, err
	}
	if err := fit([]*Expert[float32]{inter}, cfg("inter", rc.InterLR, rc.InterEpoch, 3)); err != nil {
		return nil, err
	}
	if err := export("inter_only", inter); err != nil {
		return nil, err
	}
	imgS, audS, interS := img.Snapshot(), aud.Snapshot(), inter.Snapshot()
	// intra-only: fine-tune copies of the pre-trained unimodal experts.
	img2, aud2 := newE("image"), newE("audio")
	img2.Restore(imgS)
	aud2.Restore(audS)
	if err := fit([]*Expert[float32]{img2, aud2}, cfg("intra", rc.FineLR, rc.FineEpochs, 4)); err != nil {
		return nil, err
	}
	if err := export("intra_only", img2, aud2); err != nil {
		return nil, err
	}
	// I2M2: fine-tune all three from their pre-trained states.
	img.Restore(imgS)
	aud.Restore(audS)
	inter.Restore(interS)
	if err := fit([]*Expert[float32]{img, aud, inter}, cfg("i2m2", rc.FineLR, rc.FineEpochs, 5)); err != nil {
		return nil, err
	}
	if err := export("i2m2", img, aud, inter); err != nil {
		return nil, err
	}
	run.Seconds = time.Since(start).Seconds()
	return run, nil
}
