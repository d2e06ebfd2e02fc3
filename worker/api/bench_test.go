package api

import (
	"bytes"
	"net/http/httptest"
	"testing"

	"github.com/i2m2-wasm/i2m2/model"
)

// Benchmarks of one POST /predict and its parts: what a request costs
// besides the model itself. Natively: go test -bench . ./worker/api; under
// wasm: GOOS=js GOARCH=wasm go test -bench . ./worker/api (with
// $(go env GOROOT)/lib/wasm on PATH).

// benchBody is the body the benchmarks send (testdata/sample.json), with b set to report
// allocations and bytes per request.
func benchBody(b *testing.B) []byte {
	body := readFile(b, "sample.json")
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	return body
}

func BenchmarkServePredict(b *testing.B) {
	s, _ := testServer(b, Options{})
	body := benchBody(b)
	for b.Loop() {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest("POST", "/predict", bytes.NewReader(body)))
		if rec.Code != 200 {
			b.Fatal(rec.Code)
		}
	}
}

func BenchmarkDecodeRequest(b *testing.B) {
	_, m := testServer(b, Options{})
	body := benchBody(b)
	for b.Loop() {
		if _, err := decodeRequest(m, bytes.NewReader(body), 1); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEngineOnly(b *testing.B) {
	_, m := testServer(b, Options{})
	in := inputsOf(b, readFile(b, "sample.json"))
	p, _ := m.NewPredictor(model.Quantized)
	r := m.NewResult()
	b.ReportAllocs()
	for b.Loop() {
		if err := p.Predict(in, r); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeResult(b *testing.B) {
	_, m := testServer(b, Options{})
	r, _ := m.Predict(model.Quantized, inputsOf(b, readFile(b, "sample.json")))
	b.ReportAllocs()
	for b.Loop() {
		writeJSON(httptest.NewRecorder(), 200, newResult(m, r))
	}
}

// BenchmarkModelRead is the start-up work of a fresh Go instance's first
// prediction: decoding the embedded file and making a predictor.
func BenchmarkModelRead(b *testing.B) {
	f := testFile()
	b.ReportAllocs()
	b.SetBytes(int64(len(f)))
	for b.Loop() {
		m, err := model.Read(f)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := m.NewPredictor(model.Quantized); err != nil {
			b.Fatal(err)
		}
	}
}
