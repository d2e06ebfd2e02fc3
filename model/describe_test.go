package model

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestParsePath(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Path
		err  bool
	}{{"", DefaultPath, false}, {"int8", Quantized, false}, {"float32", Fast, false}, {"reference", Reference, false},
		{"f32", 0, true}, {"INT8", 0, true}, {"path(3)", 0, true}, {" int8", 0, true}} {
		p, err := ParsePath(tc.in)
		if (err != nil) != tc.err || (err == nil && p != tc.want) {
			t.Errorf("ParsePath(%q) = %v, %v; want %v (error %v)", tc.in, p, err, tc.want, tc.err)
		}
		if err != nil && !errors.Is(err, ErrInput) {
			t.Errorf("ParsePath(%q): %v does not wrap ErrInput", tc.in, err)
		}
	}
	for p := Path(0); int(p) < numPaths; p++ { // every path's name parses back
		if q, err := ParsePath(p.String()); err != nil || q != p {
			t.Errorf("ParsePath(%q) = %v, %v", p, q, err)
		}
	}
}

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
