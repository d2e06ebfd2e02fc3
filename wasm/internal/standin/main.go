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
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/i2m2-wasm/i2m2/manifest"
	"github.com/i2m2-wasm/i2m2/model"
	"github.com/i2m2-wasm/i2m2/model/arch"
	"github.com/i2m2-wasm/i2m2/model/quant"
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

func run(dir string, seed uint64) error {
	if dir == "" {
		return fmt.Errorf("-o is required")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	m, err := arch.AVMNIST(40, 40, 4).Build()
	if err != nil {
		return err
	}
	m.Name = "avmnist-real-standin"
	arch.InitRandom(m, seed)
	m.Provenance = model.Provenance{Data: "none: random weights (stand-in until weights/ holds trained models)", Seed: int64(seed), Created: "wasm/internal/standin"}
	man := &manifest.Manifest{StandIn: true}
	write := func(file string) error {
		b, err := m.MarshalBinary()
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, file), b, 0o644); err != nil {
			return err
		}
		e := manifest.NewEntry(file, b)
		e.Quantization, e.Default, e.Name = m.Quantization, m.Quantization == "int8", m.Name
		man.Models = append(man.Models, e)
		return nil
	}
	if err := write("avmnist-real-f32.i2m2"); err != nil {
		return err
	}
	quant.Quantize(m)
	if err := write("avmnist-real-int8.i2m2"); err != nil {
		return err
	}
	man.Models[0], man.Models[1] = man.Models[1], man.Models[0]
	return man.WriteFile(filepath.Join(dir, "manifest.json"))
}
