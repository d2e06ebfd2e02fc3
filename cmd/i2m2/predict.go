package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/i2m2-wasm/i2m2/model"
)

func init() {
	register("predict", "run a model on inputs given as a JSON file {\"image\": [...], \"audio\": [...]}", runPredict)
}

func runPredict(args []string) error {
	fs := flag.NewFlagSet("predict", flag.ContinueOnError)
	modelPath := fs.String("model", "weights/avmnist-tts-int8.i2m2", "model file")
	path := fs.String("path", model.DefaultPath.String(), "kernels: reference, float32 or int8")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("want one input JSON file (or - for stdin)")
	}
	b, err := os.ReadFile(*modelPath)
	if err != nil {
		return err
	}
	m, err := model.Read(b)
	if err != nil {
		return fmt.Errorf("%s: %w", *modelPath, err)
	}
	var raw []byte
	if fs.Arg(0) == "-" {
		raw, err = io.ReadAll(os.Stdin)
	} else {
		raw, err = os.ReadFile(fs.Arg(0))
	}
	if err != nil {
		return err
	}
	var in model.Inputs
	if err := json.Unmarshal(raw, &in); err != nil {
		return fmt.Errorf("input JSON: %w", err)
	}
	p, err := parsePath(*path)
	if err != nil {
		return err
	}
	r, err := m.Predict(p, in)
	if err != nil {
		return err
	}
	fmt.Printf("I2M2: %s (p=%.3f)  experts used: %v\n", m.Classes[r.Label], r.Probs[r.Label], r.Used)
	if r.HasIntraOnly {
		fmt.Printf("  intra-only product: %s (p=%.3f)\n", m.Classes[r.IntraOnly.Label], r.IntraOnly.Probs[r.IntraOnly.Label])
	}
	for _, e := range r.Experts {
		if e.Used {
			fmt.Printf("  expert %-6s: %s (p=%.3f)\n", e.Name, m.Classes[e.Label], e.Probs[e.Label])
		}
	}
	return nil
}

// parsePath is model.ParsePath (kept under this name so that the branch
// rewriting this file merges mechanically; call model.ParsePath directly).
func parsePath(s string) (model.Path, error) { return model.ParsePath(s) }
