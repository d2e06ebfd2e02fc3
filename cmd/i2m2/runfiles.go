// The files the commands read and write: model files, the files of a run directory (`i2m2
// train`, `i2m2 tasks`) and the JSON results files.

package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/i2m2-wasm/i2m2/model"
	"github.com/i2m2-wasm/i2m2/train"
)

// runHistory is a run directory's history.json as `i2m2 train` writes it: the trainer's record,
// the recipe and the sample limit.
type runHistory struct {
	*train.Run
	Recipe train.Recipe `json:"recipe"`
	Limit  int          `json:"limit"`
}

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

// readModel reads the model file path.
func readModel(path string) (*model.Model, error) { return decodeFile(path, model.Read) }

// decodeFile reads the file path and decodes it; a decoding error names the file.
func decodeFile[T any](path string, decode func([]byte) (T, error)) (v T, err error) {
	b, err := os.ReadFile(path)
	if err == nil {
		if v, err = decode(b); err != nil {
			err = fmt.Errorf("%s: %w", path, err)
		}
	}
	return v, err
}

// readModels reads dir/<name>.i2m2 for every model type of train.ModelNames.
func readModels(dir string) (map[string]*model.Model, error) {
	models := map[string]*model.Model{}
	for _, name := range train.ModelNames {
		m, err := readModel(filepath.Join(dir, name+".i2m2"))
		if err != nil {
			return nil, err
		}
		models[name] = m
	}
	return models, nil
}

// readRunJSON reads dir/name into v; a parse error names the file.
func readRunJSON(dir, name string, v any) error {
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s/%s: %w", dir, name, err)
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
