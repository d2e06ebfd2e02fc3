// Command standin writes random-weight stand-ins for the shipped models
// (avmnist-real-int8.i2m2, avmnist-real-f32.i2m2) and their manifest.json into a
// folder, so that dist/ and the module tests work before trained weights exist
// in weights/. The manifest says "standIn": true; the files are never
// committed.
//
//	go run ./wasm/internal/standin -o dist/weights
//
// With -tasks it instead adds stand-in task models (tasks.go) to the manifest already in the
// folder: a test fixture for the lab's task switch and for models of other shapes.
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

func main() {
	out := flag.String("o", "", "output folder")
	seed := flag.Uint64("seed", 1, "weight seed")
	tasks := flag.Bool("tasks", false, "add stand-in task models to the folder's manifest (a test fixture)")
	flag.Parse()
	run := run
	if *tasks {
		run = writeTasks
	}
	if err := run(*out, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "standin:", err)
		os.Exit(1)
	}
}

type entry struct {
	File         string `json:"file"`
	Bytes        int    `json:"bytes"`
	SHA256       string `json:"sha256"`
	Quantization string `json:"quantization"`
	Default      bool   `json:"default,omitempty"`
}

func run(dir string, seed uint64) error {
	if dir == "" {
		return fmt.Errorf("-o is required")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	m, err := model.AVMNIST(40, 40, 4).Build()
	if err != nil {
		return err
	}
	m.Name = "avmnist-real-standin"
	m.InitRandom(seed)
	m.Provenance = model.Provenance{Data: "none: random weights (stand-in until weights/ holds trained models)", Seed: int64(seed), Created: "wasm/internal/standin"}
	var man struct {
		Models  []entry        `json:"models"`
		Results map[string]any `json:"results"`
		StandIn bool           `json:"standIn"`
	}
	man.StandIn = true
	man.Results = map[string]any{}
	write := func(file string) error {
		b, err := m.MarshalBinary()
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, file), b, 0o644); err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		man.Models = append(man.Models, entry{File: file, Bytes: len(b), SHA256: hex.EncodeToString(sum[:]), Quantization: m.Quantization.String(), Default: m.Quantization == model.Int8})
		return nil
	}
	if err := write("avmnist-real-f32.i2m2"); err != nil {
		return err
	}
	m.Quantize()
	if err := write("avmnist-real-int8.i2m2"); err != nil {
		return err
	}
	man.Models[0], man.Models[1] = man.Models[1], man.Models[0]
	b, err := json.MarshalIndent(man, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "manifest.json"), append(b, '\n'), 0o644)
}
