package main

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/i2m2-wasm/i2m2/dataset"
	"github.com/i2m2-wasm/i2m2/model"
	"github.com/i2m2-wasm/i2m2/train"
)

func runTrain(args []string) error {
	fs := newFlags("train")
	root := rootFlag(fs)
	seed := fs.Uint64("seed", 1, "seed of initialisation and shuffling")
	seeds := fs.String("seeds", "", "several seeds one after the other on the data loaded once, into <out>/seed<N> (overrides --seed)")
	uni := fs.Int("uni", 4, "epochs of image and audio expert pre-training (paper: 30)")
	inter := fs.Int("inter", 3, "epochs of inter expert pre-training (paper: 30)")
	fine := fs.Int("fine", 2, "epochs of joint fine-tuning, I2M2 and intra-only (paper: up to 30)")
	uniSize := fs.Int("uni-size", 0, "samples per epoch of expert pre-training, a fresh random subset each epoch (0 = all)")
	interSize := fs.Int("inter-size", 0, "samples per epoch of inter pre-training (0 = all)")
	fineSize := fs.Int("fine-size", 0, "samples per epoch of fine-tuning (0 = all)")
	interLR := fs.Float64("inter-lr", 0.1, "learning rate of the inter expert (paper: 0.1)")
	limit := fs.Int("limit", 0, "keep the first n samples of each split (0 = all)")
	test := fs.Bool("test", true, "evaluate the exported models on the test split into eval.json")
	out := fs.String("out", "", "run directory to write (models as <name>.i2m2, history.json)")
	data := fs.String("data", "benchmark", "benchmark (AV-MNIST-TTS, the paper's protocol) or real (AV-MNIST-Real: FSDD + synthetic voices, augmented)")
	noAug := fs.String("no-aug", "", "real data: comma-separated augmentations to switch off (ablation): "+strings.Join(augNames, ","))
	copies := fs.Int("copies", dataset.RealCopies, "real data: versions of each training recording (the first unaugmented)")
	only := fs.String("only", "", "train only the image or the audio expert (ablations)")
	expertNLL := fs.Float64("expert-nll", 0, "fine-tuning: weight lambda of each expert's own NLL beside the product's NLL (0 = the paper's objective)")
	valSpeaker := fs.String("val-speaker", "", "real data: validate on this training speaker's clean recordings and clean MNIST validation digits, train on the other two (recipe choices)")
	noisyShare := fs.Float64("noisy-share", 0, "real data: share of augmented recordings that get noise (0 = 0.75)")
	synthEvery := fs.Int("synthetic-every", 0, "real data: keep every n-th synthetic voice clip (0 = all)")
	if err := parseFlags(fs, args, "out"); err != nil {
		return err
	}
	t0 := time.Now()
	var tr, va, te *train.Data
	var err error
	desc := dataDescription(*root)
	prefix := "avmnist-tts-"
	switch *data {
	case "benchmark":
		tr, va, te, _, err = loadData(*root, *limit)
	case "real":
		var opt dataset.RealOptions
		if opt, err = realOptions(*root, *limit, *copies, *noAug); err == nil {
			opt.ValSpeaker, opt.SyntheticEvery = *valSpeaker, *synthEvery
			if opt.Audio.Noise {
				opt.Audio.NoisyShare = *noisyShare
			}
			// a one-expert run needs the other modality only as a placeholder: skip its augmentation
			switch *only {
			case "image":
				opt.Audio, opt.Copies, opt.Synthetic = dataset.AudioAug{}, 1, false
			case "audio":
				opt.Image = dataset.ImageAug{}
			}
			tr, va, err = loadReal(opt)
		}
		desc, prefix, *test = realDescription(opt), "avmnist-real-", false
	default:
		err = fmt.Errorf("--data %q: want benchmark or real", *data)
	}
	if err != nil {
		return err
	}
	list := []uint64{*seed}
	if *seeds != "" {
		if list, err = parseSeeds(*seeds); err != nil {
			return fmt.Errorf("--seeds: %w", err)
		}
	}
	fmt.Fprintf(os.Stderr, "data: %d train, %d val (loaded in %.1fs)\n", tr.N, va.N, time.Since(t0).Seconds())
	for _, sd := range list {
		dir := *out
		if *seeds != "" {
			dir = filepath.Join(*out, fmt.Sprintf("seed%d", sd))
		}
		if err := trainSeed(sd, dir, tr, va, te, desc, prefix, *only, *test, *limit, *uni, *inter, *fine, *uniSize, *interSize, *fineSize, *interLR, *expertNLL); err != nil {
			return err
		}
	}
	fmt.Fprintf(os.Stderr, "done in %.1f min: %s\n", time.Since(t0).Minutes(), *out)
	return nil
}

// trainSeed runs the pipeline for one seed and writes its run directory.
func trainSeed(seed uint64, out string, tr, va, te *train.Data, desc, prefix, only string, test bool, limit, uni, inter, fine, uniSize, interSize, fineSize int, interLR, expertNLL float64) error {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	t0 := time.Now()
	logf := func(format string, a ...any) {
		fmt.Fprintf(os.Stderr, "[seed %d %s] %s\n", seed, time.Now().UTC().Format("15:04:05"), fmt.Sprintf(format, a...))
	}
	rc := train.PaperRecipe(seed, uni, inter, fine)
	rc.InterLR, rc.ExpertNLL = interLR, expertNLL
	rc.UniSize, rc.InterSize, rc.FineSize = uniSize, interSize, fineSize
	rc.Log = logf
	rc.Only, rc.NamePrefix = only, prefix
	run, err := train.Pipeline(tr, va, rc, desc)
	if err != nil {
		return err
	}
	if err := writeModels(out, run.Models); err != nil {
		return err
	}
	if err := writeRunJSON(out, "history.json", runHistory{run, rc, limit}); err != nil {
		return err
	}
	// Validation through the inference engine, each expert alone too (what recipe choices read).
	ve := map[string]*train.ModelEval{}
	for _, name := range train.ModelNames {
		if m := run.Models[name]; m != nil {
			if ve[name], err = evalModel(m, model.Fast, va); err != nil {
				return err
			}
			logf("validation %s: %.2f%%, experts %s", name, ve[name].Product.Acc, expertAccs(ve[name]))
		}
	}
	if err := writeRunJSON(out, "val.json", ve); err != nil {
		return err
	}
	if test {
		// Test evaluation with the inference engine on the exported models
		// (never used for selection); `i2m2 release` aggregates it.
		t1 := time.Now()
		re, err := train.EvaluateRun(run.Models, te, 2)
		if err != nil {
			return err
		}
		if err := writeRunJSON(out, "eval.json", re); err != nil {
			return err
		}
		logf("test (%d samples, %.1fs): i2m2 %.2f%% (int8 %.2f%%, agreement %.2f%%), image %.2f%%, audio %.2f%%, intra %.2f%%, inter %.2f%%",
			te.N, time.Since(t1).Seconds(), re.Evals["i2m2"].Product.Acc, re.Int8.Product.Acc, re.Agreement, re.Evals["image_only"].Product.Acc,
			re.Evals["audio_only"].Product.Acc, re.Evals["intra_only"].Product.Acc, re.Evals["inter_only"].Product.Acc)
	}
	logf("done in %.1f min: %s", time.Since(t0).Minutes(), out)
	return nil
}

// expertAccs lists each expert's accuracy alone, in a fixed order.
func expertAccs(ev *train.ModelEval) string {
	var b strings.Builder
	for _, n := range slices.Sorted(maps.Keys(ev.Experts)) {
		fmt.Fprintf(&b, "%s %.2f%% ", n, ev.Experts[n].Acc)
	}
	return strings.TrimSpace(b.String())
}
