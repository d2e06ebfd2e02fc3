// Command standin writes a random-weight stand-in for the shipped model
// (model.AVMNIST(40, 40, 4), int8) and a manifest.json describing it, for
// building and testing the worker before trained weights exist. Its
// provenance says RANDOM WEIGHTS; it must never be shipped as trained.
//
//	go run ./e2e/worker/standin -o worker/assets
package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/i2m2-wasm/i2m2/model"
)

// File is the name the stand-in is written under (the shipped default's).
const File = "avmnist-tts-int8.i2m2"

func main() {
	out := flag.String("o", ".", "output folder: writes model.i2m2 and manifest.json")
	seed := flag.Uint64("seed", 1, "weight seed")
	flag.Parse()
	if err := run(*out, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "standin:", err)
		os.Exit(1)
	}
}

func run(dir string, seed uint64) error {
	m, err := model.AVMNIST(40, 40, 4).Build()
	if err != nil {
		return err
	}
	m.Name = "avmnist-tts-RANDOM-STANDIN"
	m.InitRandom(seed)
	m.Quantize()
	m.Provenance = model.Provenance{
		Data:    "RANDOM WEIGHTS: untrained stand-in for tests (e2e/worker/standin); predictions are meaningless",
		Seed:    int64(seed),
		Created: "e2e/worker/standin",
	}
	b, err := m.MarshalBinary()
	if err != nil {
		return err
	}
	sum := sha256.Sum256(b)
	mf, _ := json.MarshalIndent(map[string]any{
		"models": []map[string]any{{
			"file": File, "bytes": len(b), "sha256": hex.EncodeToString(sum[:]),
			"quantization": "int8", "default": true, "standin": "RANDOM WEIGHTS, not trained",
		}},
	}, "", "  ")
	if err := os.WriteFile(filepath.Join(dir, "model.i2m2"), b, 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "manifest.json"), append(mf, '\n'), 0o644)
}
