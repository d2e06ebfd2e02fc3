package jsonw

import (
	"encoding/json"
	"testing"
)

// TestLikeEncodingJSON: strings and floats come out byte for byte as
// encoding/json writes them.
func TestLikeEncodingJSON(t *testing.T) {
	for _, s := range []string{"", "plain", "q\"b\\s/", "\n\r\t\x00\x01\x1f\x7f", "<script>&amp;", "é 😀 \u2028\u2029", "bad \xff\xfe utf8 \xc0\xaf", "\u00a0"} {
		want, _ := json.Marshal(s)
		if got := String(nil, s); string(got) != string(want) {
			t.Errorf("%q: %s, encoding/json %s", s, got, want)
		}
	}
	for _, ss := range [][]string{nil, {}, {"a", "<b>"}} {
		want, _ := json.Marshal(ss)
		if got := Strings(nil, ss); string(got) != string(want) {
			t.Errorf("%q: %s, encoding/json %s", ss, got, want)
		}
	}
	for _, f := range []float64{0, 1, -0.5, 1e-6, 9.99e-7, 1e-7, 1.5e-10, 1e20, 1e21, -3e300, 123456789.125, 0.1, 5e-324} {
		want, _ := json.Marshal(f)
		if got := Float(nil, f); string(got) != string(want) {
			t.Errorf("%v: %s, encoding/json %s", f, got, want)
		}
	}
}

func TestProvenance(t *testing.T) {
	type prov struct {
		Data    string             `json:"data,omitempty"`
		Seed    int64              `json:"seed,omitempty"`
		Created string             `json:"created,omitempty"`
		Metrics map[string]float64 `json:"metrics,omitempty"`
	}
	for _, p := range []prov{{}, {Seed: 3}, {Data: "d<", Seed: -1, Created: "c", Metrics: map[string]float64{"z": 1, "a": 1e-9, "m": 0}}, {Metrics: map[string]float64{"x": 0.25}}} {
		want, _ := json.Marshal(p)
		if got := Provenance(nil, p.Data, p.Seed, p.Created, p.Metrics); string(got) != string(want) {
			t.Errorf("%+v: %s, encoding/json %s", p, got, want)
		}
	}
}

// FuzzString: String writes what encoding/json writes, for any bytes.
func FuzzString(f *testing.F) {
	for _, s := range []string{"", "plain", "q\"b\\s/", "\n\x00\x1f\x7f", "<&>", "é 😀 \u2028", "bad \xff\xc0\xaf", "long plain run then \\ and \"quotes\""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, _ := json.Marshal(s)
		if got := String(nil, s); string(got) != string(want) {
			t.Fatalf("%q: %s, encoding/json %s", s, got, want)
		}
	})
}
