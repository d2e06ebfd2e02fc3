package main

import (
	"fmt"
	"io"
	"os"

	"github.com/i2m2-wasm/i2m2/model/quant"
)

func runQuantize(args []string) error {
	fs := newFlags("quantize")
	in := fs.String("in", "", "float32 model file")
	out := fs.String("out", "", "int8 model file to write")
	stats := fs.String("stats", "", "also write the per-tensor error table (markdown) here")
	if err := parseFlags(fs, args, "in", "out"); err != nil {
		return err
	}
	m, err := readModel(*in)
	if err != nil {
		return err
	}
	if m.Quantization != "float32" {
		return fmt.Errorf("%s is already %v", *in, m.Quantization)
	}
	st, err := quant.Quantize(m)
	if err != nil {
		return err
	}
	b, err := m.MarshalBinary()
	if err != nil {
		return err
	}
	if err := os.WriteFile(*out, b, 0o644); err != nil {
		return err
	}
	writeQuantStats(os.Stdout, *in, st)
	if *stats != "" {
		f, err := os.Create(*stats)
		if err != nil {
			return err
		}
		writeQuantStats(f, *in, st)
		if err := f.Close(); err != nil {
			return err
		}
	}
	fmt.Fprintf(os.Stderr, "wrote %s (%d bytes)\n", *out, len(b))
	return nil
}

// writeQuantStats prints the per-tensor int8 error (llama2.c's export does the same).
func writeQuantStats(w io.Writer, src string, st []quant.Stat) {
	fmt.Fprintf(w, "Max int8 quantisation error per tensor (symmetric, one scale per output row) of %s:\n\n", src)
	fmt.Fprintln(w, "| tensor | max abs error | max abs weight | relative |")
	fmt.Fprintln(w, "| --- | --- | --- | --- |")
	for _, s := range st {
		rel := 0.0
		if s.MaxW > 0 {
			rel = float64(s.MaxAbs / s.MaxW)
		}
		fmt.Fprintf(w, "| %s | %.3g | %.3g | %.3g |\n", s.Tensor, s.MaxAbs, s.MaxW, rel)
	}
}
