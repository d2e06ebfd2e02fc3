// Command bank writes the first -n training and -v validation pairs of
// AV-MNIST-TTS (dataset.Load, the trainer's pairing) as raw uint8 files for
// scripts/onnx-fixtures/make.py, which trains its PyTorch experts on them:
// {train,val}-{images,audio,labels}.u8, value/255 = the model input.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/i2m2-wasm/i2m2/dataset"
)

func main() {
	n := flag.Int("n", 10000, "training pairs")
	v := flag.Int("v", 1000, "validation pairs")
	out := flag.String("out", "", "output directory")
	flag.Parse()
	if *out == "" {
		log.Fatal("usage: bank -out DIR [-n 10000] [-v 1000]")
	}
	// Seed 1 is the pairing cmd/i2m2 trains with (pairSeed there).
	tr, va, _, err := dataset.Load(dataset.Options{Seed: 1, Limit: max(*n, *v)})
	if err != nil {
		log.Fatal(err)
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		log.Fatal(err)
	}
	for _, s := range []struct {
		name string
		sp   *dataset.Split
		k    int
	}{{"train", tr, *n}, {"val", va, *v}} {
		k := min(s.k, s.sp.N)
		for suffix, b := range map[string][]byte{
			"images": s.sp.Images[:k*dataset.ImageSize],
			"audio":  s.sp.Audio[:k*dataset.AudioSize],
			"labels": s.sp.Labels[:k],
		} {
			if err := os.WriteFile(filepath.Join(*out, fmt.Sprintf("%s-%s.u8", s.name, suffix)), b, 0o644); err != nil {
				log.Fatal(err)
			}
		}
		fmt.Printf("%s: %d pairs\n", s.name, k)
	}
}
