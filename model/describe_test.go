package model

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestDescribe(t *testing.T) {
	m := buildAVMNIST(t, 40, 40, 4)
	mustQuantize(t, m)
	d := m.Describe(Quantized)
	if d.Name != m.Name || len(d.Modalities) != 2 || len(d.Classes) != 10 || d.Quantization != "int8" || d.Path != "int8" ||
		d.MACs != int(m.cost().MACs) || d.MACs <= 0 {
		t.Fatalf("Describe = %+v", d)
	}
	want := []expertInfo{{"image", []string{"image"}, true}, {"audio", []string{"audio"}, true}, {"inter", []string{"image", "audio"}, false}}
	if len(d.Experts) != len(want) {
		t.Fatalf("experts %+v, want %+v", d.Experts, want)
	}
	for i, e := range d.Experts {
		if e.Name != want[i].Name || strings.Join(e.Inputs, ",") != strings.Join(want[i].Inputs, ",") || e.Intra != want[i].Intra {
			t.Errorf("expert %d = %+v, want %+v", i, e, want[i])
		}
	}
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{`"name":`, `"modalities":[{"name":"image","shape":[1,28,28]}`, `"classes":["0"`, `"experts":[{"name":"image","inputs":["image"],"intra":true}`,
		`"quantization":"int8"`, `"path":"int8"`, `"macs":`, `"provenance":`} {
		if !strings.Contains(string(b), k) {
			t.Errorf("JSON %s lacks %s", b, k)
		}
	}
}
