package e2eworker

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/i2m2-wasm/i2m2/internal/torchref"
	"github.com/i2m2-wasm/i2m2/worker/api"
)

// TestImportedModel runs against a worker embedding a model imported from
// PyTorch's ONNX exports (scripts/test-45-import.sh sets
// I2M2_WORKER_PYTORCH_REF to onnx/testdata/import/avmnist.json, the inputs
// and PyTorch's log-probabilities): GET /model shows the manifest entry the
// build wrote for the embedded file ("embedded": true) and where the model
// came from, and every prediction matches PyTorch's.
func TestImportedModel(t *testing.T) {
	url := env(t, "I2M2_WORKER_URL", "")
	refPath := env(t, "I2M2_WORKER_PYTORCH_REF", "")
	ref, err := torchref.Read(refPath)
	if err != nil {
		t.Fatal(err)
	}

	var info struct {
		Experts    []struct{ Name string }
		Provenance struct{ Data, Created string }
		Manifest   json.RawMessage
	}
	getJSON(t, url, "/model", &info)
	var entry struct {
		SHA256   string
		Embedded bool
	}
	if json.Unmarshal(info.Manifest, &entry) != nil || len(entry.SHA256) != 64 || !entry.Embedded || !strings.Contains(info.Provenance.Data, "imported from ONNX") || len(info.Experts) != 3 {
		t.Fatalf("GET /model: manifest %s, provenance %+v, experts %+v", info.Manifest, info.Provenance, info.Experts)
	}

	const tol = 1e-4 // float32 log-probs vs PyTorch, as onnx/import_test.go
	worst := 0.0
	check := func(what string, got, want []float32) {
		t.Helper()
		if len(got) != len(want) {
			t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
		}
		for i := range got {
			d := math.Abs(float64(got[i] - want[i]))
			worst = math.Max(worst, d)
			if d > tol {
				t.Errorf("%s[%d] = %g, PyTorch %g", what, i, got[i], want[i])
			}
		}
	}
	for si, s := range ref.Samples {
		body, _ := json.Marshal(s.Inputs)
		code, rb, _, err := post(url, body)
		if err != nil || code != 200 {
			t.Fatalf("sample %d: %d %v %s", si, code, err, rb)
		}
		var r api.Result
		if err := json.Unmarshal(rb, &r); err != nil || r.IntraOnly == nil {
			t.Fatalf("sample %d: %v %.200s", si, err, rb)
		}
		check(fmt.Sprintf("sample %d product", si), r.LogProbs, s.Product)
		check(fmt.Sprintf("sample %d intra-only", si), r.IntraOnly.LogProbs, s.IntraOnly)
		for name, want := range s.Experts {
			check(fmt.Sprintf("sample %d expert %s", si, name), r.Experts[name].LogProbs, want)
		}
	}
	t.Logf("imported model in the worker: %d samples, max |log-prob - PyTorch| %.3g", len(ref.Samples), worst)
}
