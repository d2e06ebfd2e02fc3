package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/i2m2-wasm/i2m2/model"
	"github.com/i2m2-wasm/i2m2/model/arch"
	"github.com/i2m2-wasm/i2m2/model/quant"
)

// standInTask is a task of random-weight stand-in models, for tests of the lab's task switch and
// of models of other shapes before (and beside) the trained task models: never shipped.
type standInTask struct {
	key, title string
	classes    []string
	extra      []model.Modality // modalities beyond image and audio
}

func digitNames(extra ...string) []string {
	var out []string
	for i := range 10 {
		out = append(out, strconv.Itoa(i))
	}
	return append(out, extra...)
}

var standInTasks = []standInTask{
	{key: "digit", title: "Which digit?", classes: digitNames()},
	{key: "same", title: "Same digit?", classes: []string{"no", "yes"}},
	{key: "digit-or-mismatch", title: "Digit or mismatch?", classes: digitNames("mismatch")},
	{key: "three-inputs", title: "Three inputs", classes: digitNames(), extra: []model.Modality{{Name: "depth", Shape: model.Shape{1, 16, 16}}}},
}

// writeTasks writes one int8 stand-in model per standInTasks entry into dir and sets the "tasks"
// member of dir/manifest.json (the file must exist; its other members are kept), each task marked
// "standIn": true.
func writeTasks(dir string, seed uint64) error {
	p := filepath.Join(dir, "manifest.json")
	b, err := os.ReadFile(p)
	if err != nil {
		return err
	}
	var man map[string]json.RawMessage
	if err := json.Unmarshal(b, &man); err != nil {
		return fmt.Errorf("%s: %v", p, err)
	}
	tasks := map[string]any{}
	for i, t := range standInTasks {
		var files []map[string]any
		// I2M2, and for "same" the two conventional models the lab compares it with: intra-only
		// (the per-modality experts alone) and inter-only (the joint expert alone)
		kinds := []string{"i2m2"}
		if t.key == "same" {
			kinds = append(kinds, "intra_only", "inter_only")
		}
		for _, kind := range kinds {
			a := arch.AVMNIST(40, 40, 4)
			a.Classes = t.classes
			for _, md := range t.extra {
				a.Modalities = append(a.Modalities, md)
				a.Blocks = append(a.Blocks, 1)
			}
			m, err := a.Build()
			if err != nil {
				return err
			}
			switch kind {
			case "intra_only":
				m.Experts = m.Experts[:len(m.Experts)-1]
			case "inter_only":
				m.Experts = m.Experts[len(m.Experts)-1:]
			}
			m.Name = "standin-" + t.key + "-" + kind
			if err := arch.InitRandom(m, seed+uint64(i)+1); err != nil {
				return err
			}
			m.Provenance = model.Provenance{Data: "none: random weights (a test fixture of the lab's task switch)", Seed: int64(seed), Created: "wasm/internal/standin -tasks"}
			if _, err := quant.Quantize(m); err != nil {
				return err
			}
			if err := m.Validate(); err != nil {
				return err
			}
			mb, err := m.MarshalBinary()
			if err != nil {
				return err
			}
			file := "standin-task-" + t.key + "-" + strings.ReplaceAll(kind, "_", "-") + "-int8.i2m2"
			if err := os.WriteFile(filepath.Join(dir, file), mb, 0o644); err != nil {
				return err
			}
			sum := sha256.Sum256(mb)
			files = append(files, map[string]any{"file": file, "bytes": len(mb), "sha256": hex.EncodeToString(sum[:]), "quantization": "int8",
				"name": m.Name, "kind": kind, "classes": t.classes, "modalities": m.Modalities})
		}
		tasks[t.key] = map[string]any{"title": t.title, "classes": t.classes, "standIn": true, "default": files[0]["file"], "models": files}
	}
	tb, err := json.Marshal(tasks)
	if err != nil {
		return err
	}
	man["tasks"] = tb
	out, err := json.MarshalIndent(man, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(p, append(out, '\n'), 0o644)
}
