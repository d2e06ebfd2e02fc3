//go:build !(js && wasm)

package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "the modality-swap lab runs in a browser: ./build.sh serve, then open http://127.0.0.1:8080/")
	os.Exit(2)
}
