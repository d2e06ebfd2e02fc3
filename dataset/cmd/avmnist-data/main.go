// Command avmnist-data regenerates weights/data (the AV-MNIST-TTS clip bank and PCA basis) from the
// speech synthesisers and writes the demo set to weights/demo. Run it through scripts/dataset/synth.sh.
//
//	go run ./dataset/cmd/avmnist-data -root . -snr -12          # build bank + basis + demo
//	go run ./dataset/cmd/avmnist-data -root . -sweep 20,10,5,0  # measure only (linear probe per SNR)
//	go run ./dataset/cmd/avmnist-data -root . -fsdd DIR         # import FSDD (scripts/dataset/fsdd.sh)
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/i2m2-wasm/i2m2/dataset"
	"github.com/i2m2-wasm/i2m2/features"
)

func main() {
	root := flag.String("root", ".", "repository root")
	cache := flag.String("cache", filepath.Join(os.TempDir(), "avmnist-tts-wav"), "WAV cache directory (not committed)")
	snr := flag.Float64("snr", -12, "SNR in dB of the committed bank")
	sweep := flag.String("sweep", "", "comma-separated SNRs: only measure the linear probe at each, write nothing")
	epochs := flag.Int("epochs", 30, "linear probe epochs")
	demo := flag.Bool("demo", true, "also write weights/demo")
	fsdd := flag.String("fsdd", "", "only import the FSDD recordings from this directory into weights/data, and add its real-voice pairs to weights/demo")
	synthCleanOnly := flag.Bool("synth-clean", false, "only write the clean synthetic test-voice clips (weights/data/"+dataset.SynthCleanFile+")")
	flag.Parse()
	log.SetFlags(0)
	if *synthCleanOnly {
		if err := synthClean(*root, *cache); err != nil {
			log.Fatal(err)
		}
		return
	}
	if *fsdd != "" {
		if err := importFSDD(*root, *fsdd); err != nil {
			log.Fatal(err)
		}
		return
	}
	t0 := time.Now()
	specs := dataset.Plan()
	paths, err := dataset.Synthesize(specs, *cache, log.Printf)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("synthesis done (%v); computing clean windows", time.Since(t0).Round(time.Second))
	cleans, err := cleanWindows(specs, paths)
	if err != nil {
		log.Fatal(err)
	}
	labels := make([]uint8, len(specs))
	splits := make([]uint8, len(specs))
	for i, s := range specs {
		labels[i], splits[i] = uint8(s.Digit), s.Split
	}
	if *sweep != "" {
		for _, f := range strings.Split(*sweep, ",") {
			v, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
			if err != nil {
				log.Fatal(err)
			}
			lv, err := dataset.Featurise(cleans, v)
			if err != nil {
				log.Fatal(err)
			}
			tr, va, te := dataset.LinearProbe(lv, labels, splits, *epochs, 1)
			fmt.Printf("snr %6.1f dB: linear probe train %.3f  val (train voices) %.3f  test (held-out voices) %.3f\n", v, tr, va, te)
		}
		return
	}
	levels, err := dataset.Featurise(cleans, *snr)
	if err != nil {
		log.Fatal(err)
	}
	tr, va, te := dataset.LinearProbe(levels, labels, splits, *epochs, 1)
	log.Printf("snr %.1f dB: linear probe train %.3f val %.3f test %.3f", *snr, tr, va, te)
	voices, vi := dataset.VoiceTable(specs)
	bank := &dataset.Bank{Voices: voices, N: len(specs), Labels: labels, Splits: splits, Voice: vi,
		Desc: make([]string, len(specs)), Levels: levels}
	clips := map[string]int{}
	byVoice := map[string]int{}
	for i, s := range specs {
		bank.Desc[i] = s.Desc
		clips[[]string{"train", "val", "test"}[s.Split]]++
		byVoice[s.Voice]++
	}
	dir := filepath.Join(*root, "weights", "data")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		log.Fatal(err)
	}
	ix := &dataset.Index{}
	bb, err := bank.MarshalBinary()
	if err != nil {
		log.Fatal(err)
	}
	if err := ix.WriteFile(dir, dataset.BankFile, bb); err != nil {
		log.Fatal(err)
	}
	mdir, err := dataset.MNISTDir()
	if err != nil {
		log.Fatal(err)
	}
	mtrain, _, err := dataset.LoadMNIST(mdir)
	if err != nil {
		log.Fatal(err)
	}
	pca, err := dataset.FitPCA(mtrain.Images, dataset.PCAVarianceKept)
	if err != nil {
		log.Fatal(err)
	}
	pb, err := pca.MarshalBinary()
	if err != nil {
		log.Fatal(err)
	}
	if err := ix.WriteFile(dir, dataset.PCAFile, pb); err != nil {
		log.Fatal(err)
	}
	ix.Audio = dataset.AudioInfo{
		Shape: []int{1, features.MelBands, features.Frames}, SNRdB: *snr,
		Noise:    "per clip one of white/pink/brown/babble (seeded, dataset.AddNoise), SNR vs speech-span power",
		Features: "features.AudioLevels: 16 kHz, 1 s centred window, Hann 512, hop 400, 40 HTK mel 20-8000 Hz, [-40, 30] dB -> uint8",
		Clips:    clips, ClipsByVoice: byVoice, Seed: dataset.NoiseSeed,
		Extra: map[string]any{"linear_probe": map[string]float64{"train": tr, "val": va, "test": te},
			"plan_seed": dataset.PlanSeed},
	}
	ix.PCA = dataset.PCAInfo{Components: pca.K, Explained: pca.Explained, Threshold: dataset.PCAVarianceKept,
		FitOn: "MNIST train, 60000 images /255, covariance /n, gonum EigenSym; basis stored float32"}
	if err := ix.Save(dir); err != nil {
		log.Fatal(err)
	}
	log.Printf("wrote %s: %d clips %v, PCA K=%d (%.4f); %v", dir, bank.N, clips, pca.K, pca.Explained, time.Since(t0).Round(time.Second))
	if !*demo {
		return
	}
	_, _, test, err := dataset.Load(dataset.Options{Root: *root})
	if err != nil {
		log.Fatal(err)
	}
	wave := func(clip int) ([]float32, error) {
		c := make([]float64, len(cleans[clip]))
		for k, v := range cleans[clip] {
			c[k] = float64(v)
		}
		w, _ := dataset.AddNoise(c, clip, *snr)
		return w, nil
	}
	ddir := filepath.Join(*root, "weights", "demo")
	if err := dataset.ExportDemo(ddir, test, dataset.DemoPairs, dataset.DemoWaves-dataset.DemoReal, wave); err != nil {
		log.Fatal(err)
	}
	if err := addRealVoices(*root); err != nil {
		log.Fatal(err)
	}
	log.Printf("wrote %s", ddir)
}

func cleanWindows(specs []dataset.ClipSpec, paths []string) ([][]float32, error) {
	out := make([][]float32, len(specs))
	err := dataset.Parallel(len(specs), func(i int) error {
		w, err := dataset.CleanWindow(paths[i], specs[i].Rate)
		if err != nil {
			return fmt.Errorf("clip %d (%s): %w", i, specs[i].Desc, err)
		}
		f := make([]float32, len(w))
		for k, v := range w {
			f[k] = float32(v)
		}
		out[i] = f
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
