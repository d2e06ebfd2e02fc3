package main

import (
	"fmt"
	"maps"
	"slices"

	"github.com/i2m2-wasm/i2m2/dataset"
	"github.com/i2m2-wasm/i2m2/train"
)

// pairSeed fixes the image<->clip pairing for every training seed, so all
// runs share one test set.
const pairSeed = 1

// loadData loads the three splits (limit > 0 keeps the first limit samples of
// each) in the trainer's form, plus the splits themselves.
func loadData(root string, limit int) (tr, va, te *train.Data, splits [3]*dataset.Split, err error) {
	a, b, c, err := dataset.Load(dataset.Options{Root: root, Seed: pairSeed, Limit: limit})
	if err != nil {
		return nil, nil, nil, splits, err
	}
	return toData(a), toData(b), toData(c), [3]*dataset.Split{a, b, c}, nil
}

// dataDescription is the provenance text of models trained on the bank.
func dataDescription(root string) string {
	desc := "AV-MNIST-TTS: PCA-degraded MNIST (75% energy removed) paired with noisy synthesised spoken digits, 40x40 log-mel; 55k/5k/10k, test voices held out"
	dir, err := dataset.DataDir(root)
	if err != nil {
		return desc
	}
	ix, err := dataset.ReadIndex(dir)
	if err != nil {
		return desc
	}
	if fe, ok := ix.Files[dataset.BankFile]; ok {
		desc += fmt.Sprintf("; SNR %.1f dB; bank sha256 %s", ix.Audio.SNRdB, fe.SHA256)
	}
	return desc
}

func runData(args []string) error {
	fs := newFlags("data")
	root := rootFlag(fs)
	limit := fs.Int("limit", 0, "keep the first n samples of each split (0 = all)")
	wavDir := fs.String("export-wav", "", "write FSDD recordings (--clips) as 16-bit WAV files into this folder")
	clips := fs.String("clips", "", "with --export-wav: comma-separated names like 3_theo_7, or \"test\" for every held-out recording")
	strokes := fs.Int("strokes", 0, "print the pad strokes (dataset.Strokes) of the first n MNIST test digits as JSON")
	pngDir := fs.String("png", "", "with --strokes: also write each digit as painted on the pad to this folder ({label}_mnist{i}.png)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *wavDir != "" {
		return exportWAV(*root, *wavDir, *clips)
	}
	if *strokes > 0 {
		return printStrokes(*strokes, *pngDir)
	}
	_, _, _, splits, err := loadData(*root, *limit)
	if err != nil {
		return err
	}
	for _, s := range splits {
		var lab [10]int
		voices := map[string]int{}
		for i := 0; i < s.N; i++ {
			lab[s.Labels[i]]++
			voices[s.Voices[i]]++
		}
		names := slices.Sorted(maps.Keys(voices))
		fmt.Printf("%s: %d samples, labels %v, %d voices\n", s.Name, s.N, lab, len(names))
		for _, v := range names {
			fmt.Printf("  %-36s %6d\n", v, voices[v])
		}
	}
	fmt.Println("pairing seed", pairSeed, "|", dataDescription(*root))
	return nil
}
