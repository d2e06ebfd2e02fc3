// Command demo-first writes the first pair of a demo file alone, in the same format
// (dataset.Demo.FirstPair): scripts/build-10-wasm.sh makes weights/demo/first-pair.bin with it, the
// pair the lab answers before its UI loads (ui/web/first.js).
//
//	go run ./dataset/cmd/demo-first IN.bin OUT.bin
package main

import (
	"fmt"
	"os"

	"github.com/i2m2-wasm/i2m2/dataset"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "demo-first:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) != 2 {
		return fmt.Errorf("usage: demo-first IN.bin OUT.bin")
	}
	b, err := os.ReadFile(args[0])
	if err != nil {
		return err
	}
	d, err := dataset.ParseDemo(b)
	if err != nil {
		return err
	}
	if d.N < 1 {
		return fmt.Errorf("%s holds no pair", args[0])
	}
	return os.WriteFile(args[1], d.FirstPair().Encode(), 0o644)
}
