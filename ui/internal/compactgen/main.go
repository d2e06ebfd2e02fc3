// Command compactgen rewrites a vugugen output file in place without its indentation-only text
// nodes (see package compact). It runs from ui/gen.go after vugugen.
package main

import (
	"fmt"
	"os"

	"github.com/i2m2-wasm/i2m2/ui/internal/compact"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: compactgen file.go")
		os.Exit(2)
	}
	b, err := os.ReadFile(os.Args[1])
	if err == nil {
		err = os.WriteFile(os.Args[1], compact.Code(b), 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "compactgen:", err)
		os.Exit(1)
	}
}
