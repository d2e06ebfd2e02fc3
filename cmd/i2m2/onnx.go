package main

import (
	"fmt"
	"os"

	"github.com/i2m2-wasm/i2m2/onnx"
)

func runExportONNX(args []string) error {
	fs := newFlags("export-onnx")
	modelPath := fs.String("model", "weights/avmnist-tts-f32.i2m2", "model file (.i2m2; int8 models are exported dequantised)")
	out := fs.String("out", "", "output .onnx file")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *out == "" || fs.NArg() != 0 {
		return fmt.Errorf("usage: i2m2 export-onnx --model f.i2m2 --out f.onnx")
	}
	m, err := readModel(*modelPath)
	if err != nil {
		return err
	}
	o, err := onnx.Export(m)
	if err != nil {
		return err
	}
	if err := os.WriteFile(*out, o, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "wrote %s (%d bytes, ONNX opset %d)\n", *out, len(o), onnx.Opset)
	return nil
}
