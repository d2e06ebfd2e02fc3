package api

import (
	"encoding/json"
	"math"
	"testing"
	"time"
)

// sampleArrays returns the number arrays of testdata/sample.json (one per
// modality), as raw JSON.
func sampleArrays(t testing.TB) map[string]json.RawMessage {
	t.Helper()
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(readFile(t, "sample.json"), &raw); err != nil {
		t.Fatal(err)
	}
	return raw
}

// TestNumbersMatchStdlib: on the benchmark's arrays the parser and the
// encoding/json baseline produce the same values (so BenchmarkNumbers times
// the same work).
func TestNumbersMatchStdlib(t *testing.T) {
	for name, arr := range sampleArrays(t) {
		var want []float32
		if err := json.Unmarshal(arr, &want); err != nil {
			t.Fatal(err)
		}
		ps := parser{b: arr}
		got, err := ps.numbers(len(want), false)
		if err != nil || len(got) != len(want) {
			t.Fatalf("%s: %d values, %v", name, len(got), err)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("%s value %d: parser %v, encoding/json %v", name, i, got[i], want[i])
			}
		}
	}
}

// BenchmarkNumbers parses the sample's arrays with the parser and with
// encoding/json into []float32, interleaved in every iteration so a loaded
// machine slows both alike, and reports the fastest run of each in µs and
// their ratio (stdlib/parser > 1: the parser is faster).
//
//	go test -run x -bench Numbers ./worker/api/
//	GOOS=js GOARCH=wasm go test -run x -bench Numbers ./worker/api/   (node)
func BenchmarkNumbers(b *testing.B) {
	var arrs []json.RawMessage
	var lens []int
	for _, arr := range sampleArrays(b) {
		var v []float32
		if err := json.Unmarshal(arr, &v); err != nil {
			b.Fatal(err)
		}
		arrs, lens = append(arrs, arr), append(lens, len(v))
	}
	best := [2]time.Duration{math.MaxInt64, math.MaxInt64}
	b.ReportAllocs()
	for b.Loop() {
		t0 := time.Now()
		for i, arr := range arrs {
			ps := parser{b: arr}
			if _, err := ps.numbers(lens[i], false); err != nil {
				b.Fatal(err)
			}
		}
		t1 := time.Now()
		for _, arr := range arrs {
			var v []float32
			if err := json.Unmarshal(arr, &v); err != nil {
				b.Fatal(err)
			}
		}
		t2 := time.Now()
		best[0], best[1] = min(best[0], t1.Sub(t0)), min(best[1], t2.Sub(t1))
	}
	b.ReportMetric(best[0].Seconds()*1e6, "parser-us")
	b.ReportMetric(best[1].Seconds()*1e6, "encoding-json-us")
	b.ReportMetric(float64(best[1])/float64(best[0]), "stdlib/parser")
}
