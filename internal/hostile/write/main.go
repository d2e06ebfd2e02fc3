// Command write saves the hostile corpus (internal/hostile) for the
// JavaScript end-to-end tests: one .i2m2 file per case and index.json,
// [{"name", "file", "error", "nonFinite"}], where error is the message of
// the model error Read must return ("" when the file is accepted). Run by
// scripts/test-30-wasm.sh:
//
//	go run ./internal/hostile/write -o <dir>
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/i2m2-wasm/i2m2/internal/hostile"
)

type entry struct {
	Name      string `json:"name"`
	File      string `json:"file"`
	Error     string `json:"error"`
	NonFinite bool   `json:"nonFinite"`
}

func main() {
	out := flag.String("o", "", "output directory")
	large := flag.Bool("large", false, "include the ~10 MB near-cap memory case")
	flag.Parse()
	if *out == "" {
		exit(errors.New("-o is required"))
	}
	if err := write(*out, *large); err != nil {
		exit(err)
	}
}

// exit reports err as the command's failure (exit status 1).
func exit(err error) {
	fmt.Fprintln(os.Stderr, "hostile/write:", err)
	os.Exit(1)
}

// write writes the corpus (with the large case if large) into dir.
func write(dir string, large bool) error {
	cs, err := hostile.Corpus(large)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var idx []entry
	for i, c := range cs {
		if c.File == nil {
			return fmt.Errorf("%s", c.Name)
		}
		e := entry{Name: c.Name, File: fmt.Sprintf("hostile-%02d.i2m2", i), NonFinite: c.NonFinite}
		if c.Want != nil {
			e.Error = c.Text // the rule's own message: every error of the category starts with it
		}
		if err := os.WriteFile(filepath.Join(dir, e.File), c.File, 0o644); err != nil {
			return err
		}
		idx = append(idx, e)
	}
	b, err := json.MarshalIndent(idx, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "index.json"), b, 0o644)
}
