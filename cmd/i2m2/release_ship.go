package main

import (
	"encoding/json"
	"path/filepath"
	"sync"

	"github.com/i2m2-wasm/i2m2/dataset"
	"github.com/i2m2-wasm/i2m2/manifest"
	"github.com/i2m2-wasm/i2m2/model"
	"github.com/i2m2-wasm/i2m2/model/quant"
	"github.com/i2m2-wasm/i2m2/train"
)

// shipped is what writeShipped wrote.
type shipped struct {
	models    []manifest.Entry // the I2M2 model, int8 (the benchmark's default) and float32
	baselines []manifest.Entry // that seed's image-only, audio-only, intra-only, inter-only
	quant     []quant.Stat     // the quantiser's per-tensor report
}

// writeShipped writes the chosen run's I2M2 model (float32 with its measured metrics, and its
// int8 quantisation) and baselines into wdir.
func writeShipped(wdir string, ship *runInfo) (*shipped, error) {
	f32 := ship.models["i2m2"]
	f32.Name = "avmnist-tts"
	ev := ship.evals["i2m2"]
	f32.Provenance.Metrics = map[string]float64{
		"val_acc": ship.valAcc("i2m2"), "test_acc": ev.Product.Acc, "test_acc_int8": ship.int8.Product.Acc,
	}
	for _, e := range f32.Experts {
		f32.Provenance.Metrics["test_acc_"+e.Name+"_expert"] = ev.Experts[e.Name].Acc
	}
	fb, q, st, err := quantizedCopy(f32)
	if err != nil {
		return nil, err
	}
	out := &shipped{quant: st}
	qb, err := q.MarshalBinary()
	if err != nil {
		return nil, err
	}
	e8, err := writeEntry(wdir, shipInt8, qb, q.Name, true, ship.Seed, ship.int8.Product.Acc)
	if err != nil {
		return nil, err
	}
	e32, err := writeEntry(wdir, shipF32, fb, f32.Name, false, ship.Seed, ev.Product.Acc)
	if err != nil {
		return nil, err
	}
	out.models = []manifest.Entry{e8, e32}
	for _, n := range train.ModelNames[:4] {
		m := ship.models[n]
		b, err := m.MarshalBinary()
		if err != nil {
			return nil, err
		}
		e, err := writeEntry(wdir, baselineFile(n), b, m.Name, false, ship.Seed, ship.evals[n].Product.Acc)
		if err != nil {
			return nil, err
		}
		out.baselines = append(out.baselines, e)
	}
	return out, nil
}

// shuffleShipped evaluates the shipped files, read back from disk, with each modality in turn
// replaced by sample perm[i]'s.
func shuffleShipped(wdir string, te *train.Data, ship *runInfo) (*manifest.Shuffle, error) {
	perm := dataset.NewRNG(permSeed).Perm(te.N)
	sameLabel := 0
	for i, j := range perm {
		if te.Labels[i] == te.Labels[j] {
			sameLabel++
		}
	}
	shipFiles := []struct{ label, file, run string }{
		{"image_only", baselineFile("image_only"), "image_only"}, {"audio_only", baselineFile("audio_only"), "audio_only"},
		{"intra_only", baselineFile("intra_only"), "intra_only"}, {"inter_only", baselineFile("inter_only"), "inter_only"},
		{"i2m2", shipF32, "i2m2"},
	}
	// Every (model, shuffle) evaluation runs in its own goroutine: on a shared
	// machine the wall time is what matters; results are assembled in order.
	var shuffles []string
	for _, x := range ship.models["i2m2"].Modalities {
		shuffles = append(shuffles, x.Name)
	}
	shEvals := make([][]*train.ModelEval, len(shipFiles))
	shErrs := make([]error, len(shipFiles)*len(shuffles))
	var wg sync.WaitGroup
	for i, sf := range shipFiles {
		m, err := readModel(filepath.Join(wdir, sf.file))
		if err != nil {
			return nil, err
		}
		shEvals[i] = make([]*train.ModelEval, len(shuffles))
		for j, sh := range shuffles {
			wg.Add(1)
			go func() {
				defer wg.Done()
				shEvals[i][j], shErrs[i*len(shuffles)+j] = train.EvalModel(m, model.Fast, te, sh, perm, 1)
			}()
		}
	}
	wg.Wait()
	for _, err := range shErrs {
		if err != nil {
			return nil, err
		}
	}
	var rows []manifest.ShuffleRow
	for i, sf := range shipFiles {
		for j, sh := range append([]string{""}, shuffles...) {
			ev := ship.evals[sf.run] // unshuffled: already evaluated (same weights)
			if sh != "" {
				ev = shEvals[i][j-1]
			}
			name := sh
			if name == "" {
				name = "none"
			}
			rows = append(rows, manifest.ShuffleRow{Model: sf.label, Shuffle: name, Acc: ev.Product.Acc, Conf: ev.Product.Conf})
			if sf.label == "i2m2" {
				for _, e := range ship.models["i2m2"].Experts {
					s := ev.Experts[e.Name]
					rows = append(rows, manifest.ShuffleRow{Model: "i2m2 expert " + e.Name, Shuffle: name, Acc: s.Acc, Conf: s.Conf})
				}
				rows = append(rows, manifest.ShuffleRow{Model: "i2m2 intra part (image x audio experts)", Shuffle: name, Acc: ev.IntraOnly.Acc, Conf: ev.IntraOnly.Conf})
			}
		}
	}
	return &manifest.Shuffle{
		SeedModel: ship.Seed, PermSeed: permSeed, N: te.N, SameLabel: 100 * float64(sameLabel) / float64(te.N), Rows: rows,
		Units: "accuracy and mean confidence (mean probability of the predicted class) in percent on the test split; shuffle names the modality replaced by sample perm[i]'s",
	}, nil
}

// datasetInfo describes the benchmark data from its index (weights/data/index.json).
func datasetInfo(root string, te *train.Data, teSplit *dataset.Split) *manifest.Dataset {
	ds := &manifest.Dataset{Name: "AV-MNIST-TTS", Train: dataset.NumTrain, Val: dataset.NumVal, Test: dataset.NumTest,
		PairingSeed: pairSeed, Description: dataDescription(root), TestVoices: map[string]int{}}
	if te.N != dataset.NumTest {
		ds.TestEvaluated = te.N
	}
	for _, v := range teSplit.Voices {
		ds.TestVoices[v]++
	}
	if dir, err := dataset.DataDir(root); err == nil {
		if ix, err := dataset.ReadIndex(dir); err == nil {
			ds.SNRdB, ds.AudioFeatures = ix.Audio.SNRdB, ix.Audio.Features
			ds.PCA = &manifest.PCA{Components: ix.PCA.Components, Explained: ix.PCA.Explained, FitOn: ix.PCA.FitOn, Threshold: ix.PCA.Threshold}
			if fe, ok := ix.Files[dataset.BankFile]; ok {
				ds.BankSHA256 = fe.SHA256
			}
		}
	}
	return ds
}

// trainingInfo is the recipe and each seed's training stages.
func trainingInfo(runs []*runInfo) *manifest.Training {
	// the recipe's members sorted, as every object of the manifest but its entries
	var members map[string]json.RawMessage
	b, _ := json.Marshal(runs[0].Recipe) // numbers and strings: cannot fail
	json.Unmarshal(b, &members)
	recipe, _ := json.Marshal(members)
	t := &manifest.Training{Recipe: recipe, Limit: runs[0].Limit}
	for _, r := range runs {
		tr := manifest.TrainingRun{Seed: r.Seed, Minutes: r.Seconds / 60, Stages: map[string]manifest.Stage{}}
		for _, h := range r.Histories {
			tr.Stages[h.Name] = manifest.Stage{Seconds: h.Seconds, Epochs: len(h.Epochs), BestEpoch: h.BestEpoch, BestValAcc: h.BestValAcc}
		}
		t.Runs = append(t.Runs, tr)
	}
	return t
}
