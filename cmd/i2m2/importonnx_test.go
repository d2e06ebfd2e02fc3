package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const fixtures = "../../onnx/testdata/import/"

func TestImportONNXCommand(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "c.json")
	if err := os.WriteFile(cfg, []byte(`{"name":"avmnist-torch","classes":["0","1","2","3","4","5","6","7","8","9"],
		"modalities":[{"name":"image","shape":[1,28,28]},{"name":"audio","shape":[1,40,40]}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		q    string
	}{
		{"per-expert", []string{"--config", cfg, "--expert", "image=" + fixtures + "avmnist-image.onnx",
			"--expert", "audio=" + fixtures + "avmnist-audio.onnx", "--expert", "inter=" + fixtures + "avmnist-inter.onnx:img=image,aud=audio"}, "float32"},
		{"one-graph-int8", []string{"--graph", fixtures + "avmnist-all.onnx", "--int8", "--modality", "image=1x28x28", "--modality", "audio=1x40x40"}, "int8"},
		{"outputs", []string{"--graph", fixtures + "avmnist-all.onnx", "--output", "i=logits_image", "--output", "x=logits_inter"}, "float32"},
	} {
		out := filepath.Join(dir, tc.name+".i2m2")
		if err := runImportONNX(append(tc.args, "--out", out)); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		m, err := readModel(out)
		if err != nil {
			t.Fatal(err)
		}
		if m.Quantization != tc.q || len(m.Classes) != 10 || len(m.Modalities) != 2 {
			t.Errorf("%s: %v, %d classes, modalities %v", tc.name, m.Quantization, len(m.Classes), m.Modalities)
		}
		if tc.name == "outputs" {
			if len(m.Experts) != 2 || m.Experts[0].Name != "i" || len(m.Experts[1].Inputs) != 2 {
				t.Errorf("%s: experts %+v", tc.name, m.Experts)
			}
		} else if len(m.Experts) != 3 || m.Experts[2].Name != "inter" || len(m.Experts[2].Inputs) != 2 {
			t.Errorf("%s: experts %+v", tc.name, m.Experts)
		}
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{}, "usage"},
		{[]string{"--expert", "e=" + fixtures + "refuse-sigmoid.onnx"}, `node "/body/Sigmoid" (Sigmoid)`},
		{[]string{"--expert", "e=" + fixtures + "nope.onnx"}, "no such file"},
		{[]string{"--expert", "e"}, "NAME=FILE.onnx"},
		{[]string{"--expert", "inter=" + fixtures + "avmnist-inter.onnx:img"}, "INPUT=MODALITY"},
		{[]string{"--expert", "inter=" + fixtures + "avmnist-inter.onnx:foo=image"}, `no graph input "foo"`},
		{[]string{"--graph", fixtures + "op-gemm.onnx"}, "logits_<expert>"},
		{[]string{"--graph", fixtures + "avmnist-all.onnx", "--output", "a=nope"}, `no graph output "nope"`},
		{[]string{"--graph", fixtures + "avmnist-all.onnx", "--modality", "image=1x28"}, "shape"},
		{[]string{"--graph", fixtures + "avmnist-all.onnx", "--classes", "a,b"}, "classes"},
		{[]string{"--expert", "e=" + fixtures + "avmnist.json"}, "onnx: malformed"},
	} {
		err := runImportONNX(append(tc.args, "--out", filepath.Join(dir, "x.i2m2")))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: err %v, want %q", tc.args, err, tc.want)
		}
	}
}
