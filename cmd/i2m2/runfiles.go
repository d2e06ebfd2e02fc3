package main

import (
	"encoding/json"
	"os"
	"path/filepath"

	"github.com/i2m2-wasm/i2m2/model"
	"github.com/i2m2-wasm/i2m2/train"
)

// writeModels writes each of models to dir/<name>.i2m2, in train.ModelNames order; a model type
// the run did not train (train --only) is skipped. `i2m2 train` and `i2m2 tasks` runs hold them.
func writeModels(dir string, models map[string]*model.Model) error {
	for _, name := range train.ModelNames {
		if models[name] == nil {
			continue
		}
		b, err := models[name].MarshalBinary()
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, name+".i2m2"), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// writeRunJSON writes v to dir/name, indented by one space and, as the JSON files of a run
// directory (history.json, val.json, eval.json) always were, without a final newline.
func writeRunJSON(dir, name string, v any) error {
	b, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, name), b, 0o644)
}

// writeJSON writes v to path indented by one space, with a final newline: the results and demo
// files under weights/.
func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}
