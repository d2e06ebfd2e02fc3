package model

import (
	"errors"
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
