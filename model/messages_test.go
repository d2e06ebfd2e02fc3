package model_test

import (
	"math"
	"strings"
	"testing"

	"github.com/i2m2-wasm/i2m2/model"
)

// TestMessagesFormatted: the engine's messages (internal/errfmt, which
// prints an operand it does not know as %!v(?)) are fully formatted: every
// error of the hostile corpus and of bad inputs.
func TestMessagesFormatted(t *testing.T) {
	check := func(what string, err error) {
		if err != nil && strings.Contains(err.Error(), "%!") {
			t.Errorf("%s: unformatted operand in %q", what, err)
		}
	}
	var good *model.Model
	for _, c := range corpus(t) {
		m, err := model.Read(c.File)
		check(c.Name, err)
		if err == nil && good == nil {
			good = m
		}
	}
	if good == nil {
		t.Skip("no readable model in the corpus")
	}
	in := constInputs(good, 0.5)
	for name := range in {
		bad := map[string][]float32{}
		for k, v := range in {
			bad[k] = v
		}
		bad[name] = bad[name][1:]
		_, err := good.Predict(model.Fast, bad)
		check("short "+name, err)
		bad[name] = append([]float32{float32(math.Inf(1))}, in[name][1:]...)
		_, err = good.Predict(model.Fast, bad)
		check("infinite "+name, err)
	}
	_, err := good.Predict(model.Fast, map[string][]float32{"nope": {1}})
	check("unknown modality", err)
	_, err = good.Predict(model.Fast, map[string][]float32{})
	check("no modality", err)
}
