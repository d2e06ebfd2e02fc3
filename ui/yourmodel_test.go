package ui

import (
	"strings"
	"testing"
)

// avInfo is model.info of a model imported from PyTorch (the JSON the JS module gives).
const avInfo = `{"name":"avmnist-pytorch","modalities":[{"name":"image","shape":[1,28,28]},{"name":"audio","shape":[1,40,40]}],
"classes":["0","1","2","3","4","5","6","7","8","9"],"experts":[{"name":"image","inputs":["image"],"intra":true},
{"name":"audio","inputs":["audio"],"intra":true},{"name":"inter","inputs":["image","audio"],"intra":false}],
"quantization":"float32","path":"float32","sha256":"ab","bytes":451936,"macs":2174520,"stride":0,
"provenance":{"data":"imported from ONNX; not trained or verified by this project","created":"i2m2 import-onnx"},
"verified":false,"cached":false,"mode":"worker","workers":1}`

func TestYourInfo(t *testing.T) {
	in, err := ParseYourInfo(avInfo)
	if err != nil {
		t.Fatal(err)
	}
	lab := avDesc.Modalities
	if f := in.Feeds(lab); f["image"] != "image" || f["audio"] != "audio" || len(f) != 2 {
		t.Fatalf("feeds %v", f)
	}
	ok, note := in.Runnable(lab)
	if !ok || !strings.Contains(note, "image ← the lab's image") || !strings.Contains(note, "audio ← the lab's audio") {
		t.Fatalf("runnable %v %q", ok, note)
	}
	// Other modality names, same shapes: fed by shape.
	other, err := ParseYourInfo(strings.NewReplacer(`"image"`, `"pixels"`, `"audio"`, `"spec"`).Replace(avInfo))
	if err != nil {
		t.Fatal(err)
	}
	if f := other.Feeds(lab); f["pixels"] != "image" || f["spec"] != "audio" {
		t.Fatalf("feeds by shape %v", f)
	}
	// Shapes the lab cannot feed: described, not run, and the note says why.
	odd, err := ParseYourInfo(strings.NewReplacer("[1,28,28]", "[3,32,32]", "[1,40,40]", "[1,64,64]").Replace(avInfo))
	if err != nil {
		t.Fatal(err)
	}
	if ok, note := odd.Runnable(lab); ok || !strings.Contains(note, "image [3 32 32]") {
		t.Fatalf("odd shapes: runnable %v %q", ok, note)
	}
	for _, bad := range []string{``, `{`, `[]`, `{"classes":[]}`, `{"classes":["a"],"experts":[],"modalities":[]}`, `{"classes":"x"}`} {
		if _, err := ParseYourInfo(bad); err == nil {
			t.Errorf("ParseYourInfo(%q) accepted", bad)
		}
	}
}

func TestYourRows(t *testing.T) {
	in, _ := ParseYourInfo(avInfo)
	p := func(k int) []float64 {
		x := make([]float64, 10)
		for i := range x {
			x[i] = 0.05
		}
		x[k] = 0.55
		return x
	}
	rows, err := YourRows(in, [][]float64{p(3), nil, p(4)}, p(3))
	if err != nil {
		t.Fatal(err)
	}
	want := []YourRow{
		{Name: "image", Inputs: "image", Used: true, Class: "3", Conf: 0.55},
		{Name: "audio", Inputs: "audio"},
		{Name: "inter", Inputs: "image + audio", Used: true, Class: "4", Conf: 0.55},
		{Name: "I2M2 product", Inputs: "experts that ran", Used: true, Class: "3", Conf: 0.55},
	}
	for i := range want {
		if rows[i] != want[i] {
			t.Errorf("row %d = %+v, want %+v", i, rows[i], want[i])
		}
	}
	if _, err := YourRows(in, [][]float64{p(1)}, p(1)); err == nil {
		t.Error("accepted 1 expert result for 3 experts")
	}
	if _, err := YourRows(in, [][]float64{p(1), p(1), {0.5, 0.5}}, p(1)); err == nil {
		t.Error("accepted 2 probabilities for 10 classes")
	}
}
