//go:build js && wasm

package main

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/i2m2-wasm/i2m2/model"
	"github.com/i2m2-wasm/i2m2/model/arch"
)

// TestInfoJSON: the hand-written model.info JSON is what encoding/json writes
// for the same struct, byte for byte, with names that need escaping, every
// provenance field (and none), and metrics that encoding/json writes in
// exponent form.
func TestInfoJSON(t *testing.T) {
	m, err := arch.AVMNIST(40, 40, 4).Build()
	if err != nil {
		t.Fatal(err)
	}
	for _, pv := range []model.Provenance{{}, {Data: "d \"q\" \\ <b>&\n\t\x01 \u2028 é 😀", Seed: -3, Created: "x",
		Metrics: map[string]float64{"b": 1e-7, "a": 0.5, "big": 1e21, "neg": -2.5e-9, "z": 0, "i": 12345678}}} {
		m.Name = "n\"</script>\u2029"
		m.Provenance = pv
		for _, path := range []model.Path{model.Fast, model.Reference} {
			got, err := infoOf(m, path, "ab12", 99)
			if err != nil {
				t.Fatal(err)
			}
			want, err := json.Marshal(infoJSON{Description: m.Describe(path), SHA256: "ab12", Bytes: 99, Stride: Stride(len(m.Classes), len(m.Experts))})
			if err != nil {
				t.Fatal(err)
			}
			var g, w any
			if err := json.Unmarshal([]byte(got), &g); err != nil {
				t.Fatalf("not JSON (%v): %s", err, got)
			}
			if err := json.Unmarshal(want, &w); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(g, w) || got != string(want) {
				t.Fatalf("hand-written:\n%s\nencoding/json:\n%s", got, want)
			}
		}
	}
}
