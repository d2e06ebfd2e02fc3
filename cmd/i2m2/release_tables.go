package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/i2m2-wasm/i2m2/manifest"
	"github.com/i2m2-wasm/i2m2/model/quant"
)

// writeTables writes rdir/results.md, shuffle.md and quantization.md, and prints the first two.
func writeTables(rdir string, n int, runs []*runInfo, ship *runInfo, res *manifest.Results, sh *manifest.Shuffle, quant []quant.Stat) error {
	results := resultsTable(n, runs, ship, res)
	if err := os.WriteFile(filepath.Join(rdir, "results.md"), []byte(results), 0o644); err != nil {
		return err
	}
	shuffle := shuffleTable(sh)
	if err := os.WriteFile(filepath.Join(rdir, "shuffle.md"), []byte(shuffle), 0o644); err != nil {
		return err
	}
	qf, err := os.Create(filepath.Join(rdir, "quantization.md"))
	if err != nil {
		return err
	}
	writeQuantStats(qf, shipF32, quant)
	fmt.Fprintf(qf, "\nint8 vs float32 on the test split (same trained model, seed %d): accuracy %.2f%% vs %.2f%%, top-1 agreement %.2f%%.\n",
		ship.Seed, ship.int8.Product.Acc, ship.evals["i2m2"].Product.Acc, ship.agree)
	if err := qf.Close(); err != nil {
		return err
	}
	io.WriteString(os.Stdout, results+"\n"+shuffle)
	return nil
}

// resultsTable is results.md: accuracy over seeds, then the training recipe and histories.
func resultsTable(n int, runs []*runInfo, ship *runInfo, res *manifest.Results) string {
	var rb strings.Builder
	fmt.Fprintf(&rb, "# AV-MNIST-TTS results\n\nTest accuracy (%%) on the %d test pairs (held-out voices), mean ± sample std over seeds %v, computed with the Go inference engine on the exported files (float32 fast path; int8 path for i2m2_int8).\n\n", n, res.Seeds)
	fmt.Fprintln(&rb, "| model | mean ± std | per seed |")
	fmt.Fprintln(&rb, "| --- | --- | --- |")
	row := func(name string, s manifest.Stat) {
		var ps []string
		for _, v := range s.Runs {
			ps = append(ps, fmt.Sprintf("%.2f", v))
		}
		fmt.Fprintf(&rb, "| %s | %.2f ± %.2f | %s |\n", name, s.Mean, s.Std, strings.Join(ps, ", "))
	}
	for _, n := range []string{manifest.StatImageOnly, manifest.StatAudioOnly, manifest.StatIntraOnly, manifest.StatInterOnly, manifest.StatI2M2, manifest.StatI2M2Int8} {
		row(n, res.Stats[n])
	}
	for _, e := range ship.models["i2m2"].Experts {
		row("i2m2 expert "+e.Name+" alone", res.Experts[e.Name])
	}
	row("i2m2 intra part (its image x audio experts)", res.Stats[manifest.StatIntraPart])
	row("int8 vs float32 top-1 agreement", res.Stats[manifest.StatInt8Agreement])
	fmt.Fprintf(&rb, "\nShipped: seed %d (best I2M2 validation accuracy, %.2f%%).\n\n## Training\n\n", ship.Seed, ship.valAcc("i2m2"))
	rc := runs[0].Recipe
	size := func(n int) string {
		if n == 0 {
			return "all 55,000"
		}
		return fmt.Sprint(n)
	}
	fmt.Fprintf(&rb, "Recipe: SGD momentum 0.9, weight decay 1e-4, batch %d, gradient-norm clip 8; image/audio experts %d epoch(s) of %s samples at lr %g, inter expert %d epoch(s) of %s samples at lr %g, joint fine-tuning (I2M2 and intra-only) %d epoch(s) of %s samples at lr %g (each epoch a fresh random subset); model selection on validation accuracy after each epoch. Minutes are wall time of one process (one Go thread; the seeds ran concurrently).\n\n",
		rc.Batch, rc.UniEpochs, size(rc.UniSize), rc.UniLR, rc.InterEpoch, size(rc.InterSize), rc.InterLR, rc.FineEpochs, size(rc.FineSize), rc.FineLR)
	fmt.Fprintln(&rb, "| seed | stage | epochs | best epoch | best val acc % | minutes |")
	fmt.Fprintln(&rb, "| --- | --- | --- | --- | --- | --- |")
	for _, r := range runs {
		for _, h := range r.Histories {
			fmt.Fprintf(&rb, "| %d | %s | %d | %d | %.2f | %.1f |\n", r.Seed, h.Name, len(h.Epochs), h.BestEpoch, h.BestValAcc, h.Seconds/60)
		}
		fmt.Fprintf(&rb, "| %d | total | | | | %.1f |\n", r.Seed, r.Seconds/60)
	}
	return rb.String()
}

// shuffleTable is shuffle.md: accuracy / confidence of each model under each shuffle.
func shuffleTable(sh *manifest.Shuffle) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "# Modality shuffling\n\nShipped models (seed %d) on the %d test pairs; \"shuffle image\" gives sample i the image of sample perm[i] (seeded permutation, seed %d), breaking the pairing; the label stays sample i's. %.1f%% of the shuffled partners happen to have the same label. Accuracy / mean confidence (mean probability of the predicted class), percent.\n\n",
		sh.SeedModel, sh.N, sh.PermSeed, sh.SameLabel)
	fmt.Fprintln(&sb, "| model | none | shuffle image | shuffle audio |")
	fmt.Fprintln(&sb, "| --- | --- | --- | --- |")
	var order []string
	cells := map[string]map[string]manifest.ShuffleRow{}
	for _, r := range sh.Rows {
		if cells[r.Model] == nil {
			order = append(order, r.Model)
			cells[r.Model] = map[string]manifest.ShuffleRow{}
		}
		cells[r.Model][r.Shuffle] = r
	}
	for _, name := range order {
		c := cells[name]
		fmt.Fprintf(&sb, "| %s | %.2f / %.2f | %.2f / %.2f | %.2f / %.2f |\n", name, c["none"].Acc, c["none"].Conf,
			c["image"].Acc, c["image"].Conf, c["audio"].Acc, c["audio"].Conf)
	}
	return sb.String()
}
