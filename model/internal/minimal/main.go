// Command minimal is the smallest program that links only model/ (and the
// standard library it needs): it reads an .i2m2 file and predicts one
// all-zero sample on model.DefaultPath, as every program does unless told
// otherwise (FORMAT.md, "Kernels"). Its
// GOOS=js size is the engine's share of a browser download:
//
//	GOOS=js GOARCH=wasm go build -trimpath -ldflags='-s -w' -o minimal.wasm ./model/internal/minimal
//	node $(go env GOROOT)/lib/wasm/wasm_exec_node.js minimal.wasm model/testdata/tiny-int8.i2m2
package main

import (
	"os"

	"github.com/i2m2-wasm/i2m2/model"
)

func main() {
	if len(os.Args) != 2 {
		os.Stderr.WriteString("usage: minimal file.i2m2\n")
		os.Exit(2)
	}
	b, err := os.ReadFile(os.Args[1])
	if err != nil {
		os.Stderr.WriteString(err.Error() + "\n")
		os.Exit(1)
	}
	m, err := model.Read(b)
	if err != nil {
		os.Stderr.WriteString(err.Error() + "\n")
		os.Exit(1)
	}
	in := map[string][]float32{}
	for _, md := range m.Modalities {
		in[md.Name] = make([]float32, md.Shape.Size())
	}
	r, err := m.Predict(model.DefaultPath, in)
	if err != nil {
		os.Stderr.WriteString(err.Error() + "\n")
		os.Exit(1)
	}
	os.Stdout.WriteString(m.Classes[r.Label] + "\n")
}
