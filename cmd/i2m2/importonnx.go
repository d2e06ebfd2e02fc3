package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/i2m2-wasm/i2m2/internal/limits"
	"github.com/i2m2-wasm/i2m2/model"
	"github.com/i2m2-wasm/i2m2/model/quant"
	"github.com/i2m2-wasm/i2m2/onnx"
)

// multi is a repeatable string flag.
type multi []string

func (m *multi) String() string     { return strings.Join(*m, " ") }
func (m *multi) Set(s string) error { *m = append(*m, s); return nil }

// importConfig is the optional --config file: the model's name, classes
// and modalities.
type importConfig struct {
	Name       string           `json:"name"`
	Classes    []string         `json:"classes"`
	Modalities []model.Modality `json:"modalities"`
}

const importUsage = `usage: i2m2 import-onnx --out model.i2m2 [--int8] [--config c.json | --classes a,b,... --modality name=CxHxW ...]
         --expert NAME=FILE.onnx[:INPUT=MODALITY,...] ...   one graph per expert
      or --graph FILE.onnx [--output NAME=OUTPUT ...]        one graph, an output per expert
                                                              (default: outputs logits_<expert>)`

func runImportONNX(args []string) error {
	fs := newFlags("import-onnx")
	var experts, outputs, modalities multi
	fs.Var(&experts, "expert", "NAME=FILE.onnx[:INPUT=MODALITY,...]: an expert's graph and how its inputs map to modalities (repeat)")
	graph := fs.String("graph", "", "one ONNX graph with an output per expert")
	fs.Var(&outputs, "output", "with --graph: NAME=OUTPUT, the graph output holding expert NAME's scores (repeat)")
	fs.Var(&modalities, "modality", "NAME=CxHxW, a modality and its shape, in model order (repeat; default: from the graph inputs)")
	classes := fs.String("classes", "", "comma-separated class names (default 0..K-1)")
	config := fs.String("config", "", "JSON file {name, classes, modalities: [{name, shape}]} instead of the flags above")
	name := fs.String("name", "", "model name (default \"imported\")")
	int8 := fs.Bool("int8", false, "quantise the weights to int8 (per output row, as i2m2 quantize) and report the error")
	out := fs.String("out", "", "output .i2m2 file")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *out == "" || fs.NArg() != 0 || (len(experts) == 0) == (*graph == "") || len(outputs) > 0 && *graph == "" {
		return fmt.Errorf("%s", importUsage)
	}
	spec := onnx.Spec{Name: *name}
	if *config != "" {
		var c importConfig
		b, err := os.ReadFile(*config)
		if err != nil {
			return err
		}
		dec := json.NewDecoder(strings.NewReader(string(b)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&c); err != nil {
			return fmt.Errorf("%s: %w", *config, err)
		}
		spec.Classes, spec.Modalities = c.Classes, c.Modalities
		if spec.Name == "" {
			spec.Name = c.Name
		}
	}
	if *classes != "" {
		spec.Classes = strings.Split(*classes, ",")
	}
	for _, s := range modalities {
		md, err := parseModality(s)
		if err != nil {
			return err
		}
		spec.Modalities = append(spec.Modalities, md)
	}
	for _, s := range experts {
		src, err := parseExpert(s)
		if err != nil {
			return err
		}
		spec.Sources = append(spec.Sources, src)
	}
	if *graph != "" {
		srcs, err := graphSources(*graph, outputs)
		if err != nil {
			return err
		}
		spec.Sources = srcs
	}
	m, notes, err := onnx.Import(spec)
	if err != nil {
		return err
	}
	for _, n := range notes {
		fmt.Fprintln(os.Stderr, "note:", n)
	}
	if *int8 {
		st, err := quant.Quantize(m)
		if err != nil {
			return err
		}
		writeQuantStats(os.Stdout, "the imported weights", st)
		worst := quant.Stat{}
		for _, s := range st {
			if s.MaxAbs >= worst.MaxAbs {
				worst = s
			}
		}
		fmt.Printf("\nmax int8 weight error: %.3g (%s)\n", worst.MaxAbs, worst.Tensor)
	}
	b, err := m.MarshalBinary()
	if err != nil {
		return err
	}
	if err := os.WriteFile(*out, b, 0o644); err != nil {
		return err
	}
	describe(os.Stderr, m)
	fmt.Fprintf(os.Stderr, "wrote %s (%d bytes, %s)\n", *out, len(b), m.Quantization)
	return nil
}

func describe(w io.Writer, m *model.Model) {
	fmt.Fprintf(w, "model %q: classes %s\n", m.Name, strings.Join(m.Classes, ","))
	for _, md := range m.Modalities {
		fmt.Fprintf(w, "  modality %s %v\n", md.Name, md.Shape)
	}
	for _, e := range m.Experts {
		kinds := func(ls []model.Layer) string {
			s := make([]string, len(ls))
			for i, l := range ls {
				s[i] = l.Kind.String()
			}
			return strings.Join(s, " ")
		}
		fmt.Fprintf(w, "  expert %s (inputs %s): ", e.Name, strings.Join(e.Inputs, ", "))
		for i, br := range e.Branches {
			fmt.Fprintf(w, "[%s: %s] ", e.Inputs[i], kinds(br))
		}
		fmt.Fprintf(w, "head: %s\n", kinds(e.Head))
	}
	fmt.Fprintf(w, "  %d multiply-adds per prediction\n", m.Describe(model.DefaultPath).MACs)
}

func readONNX(path string) (*onnx.Model, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.Size() > onnx.MaxBytes {
		return nil, fmt.Errorf("%s: %d bytes (limit %d)", path, st.Size(), onnx.MaxBytes)
	}
	return decodeFile(path, onnx.Decode)
}

// parseExpert reads NAME=FILE.onnx[:INPUT=MODALITY,...].
func parseExpert(s string) (onnx.Source, error) {
	name, rest, ok := strings.Cut(s, "=")
	if !ok || name == "" || rest == "" {
		return onnx.Source{}, fmt.Errorf("--expert %q: want NAME=FILE.onnx[:INPUT=MODALITY,...]", s)
	}
	file, maps, _ := strings.Cut(rest, ":")
	src := onnx.Source{Expert: name, File: file}
	if maps != "" {
		src.Inputs = map[string]string{}
		for _, kv := range strings.Split(maps, ",") {
			in, mod, ok := strings.Cut(kv, "=")
			if !ok || in == "" || mod == "" {
				return onnx.Source{}, fmt.Errorf("--expert %q: input mapping %q is not INPUT=MODALITY", s, kv)
			}
			src.Inputs[in] = mod
		}
	}
	g, err := readONNX(file)
	src.Graph = g
	return src, err
}

// graphSources makes one Source per expert output of one graph.
func graphSources(file string, outputs []string) ([]onnx.Source, error) {
	g, err := readONNX(file)
	if err != nil {
		return nil, err
	}
	var srcs []onnx.Source
	for _, s := range outputs {
		name, out, ok := strings.Cut(s, "=")
		if !ok || name == "" || out == "" {
			return nil, fmt.Errorf("--output %q: want NAME=OUTPUT", s)
		}
		srcs = append(srcs, onnx.Source{Expert: name, File: file, Graph: g, Output: out})
	}
	if len(outputs) == 0 {
		for _, out := range g.Outputs() {
			if name, ok := strings.CutPrefix(out, "logits_"); ok {
				srcs = append(srcs, onnx.Source{Expert: name, File: file, Graph: g, Output: out})
			}
		}
		if len(srcs) == 0 {
			return nil, fmt.Errorf("%s: no output is named logits_<expert> (outputs: %s): name them with --output NAME=OUTPUT", file, strings.Join(g.Outputs(), ", "))
		}
	}
	return srcs, nil
}

// parseModality reads NAME=CxHxW (or NAME=F for a vector).
func parseModality(s string) (model.Modality, error) {
	name, dims, ok := strings.Cut(s, "=")
	parts := strings.Split(dims, "x")
	if !ok || name == "" || len(parts) > 3 {
		return model.Modality{}, fmt.Errorf("--modality %q: want NAME=CxHxW", s)
	}
	md := model.Modality{Name: name, Shape: model.Shape{1, 1, 1}}
	for i, p := range parts {
		v, err := strconv.Atoi(p)
		if err != nil || v < 1 || v > limits.Dim {
			return model.Modality{}, fmt.Errorf("--modality %q: bad dimension %q", s, p)
		}
		md.Shape[i] = v
	}
	return md, nil
}
