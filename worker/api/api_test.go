package api

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/i2m2-wasm/i2m2/model"
	"github.com/i2m2-wasm/i2m2/model/arch"
	"github.com/i2m2-wasm/i2m2/model/quant"
)

var update = flag.Bool("update", false, "rewrite testdata/golden-*.json")

// testFile is a random-weight int8 AVMNIST(40, 40, 4) model file (the
// project's contract shapes), made once per test binary.
var testFile = sync.OnceValue(func() []byte { return randomFile(3, true) })

// randomFile is an AVMNIST(40, 40, 4) model file with random weights from
// seed, quantised when int8, with classes (none: the digits).
func randomFile(seed uint64, int8 bool, classes ...string) []byte {
	a := arch.AVMNIST(40, 40, 4)
	if len(classes) > 0 {
		a.Classes = classes
	}
	m, err := a.Build()
	if err == nil {
		err = arch.InitRandom(m, seed)
	}
	if err == nil && int8 {
		_, err = quant.Quantize(m)
	}
	var b []byte
	if err == nil {
		b, err = m.MarshalBinary()
	}
	if err != nil {
		panic(err) // fixed shapes: a bug
	}
	return b
}

func testServer(t testing.TB, opt Options) (*Server, *model.Model) {
	t.Helper()
	if opt.SHA256 == "" && opt.Manifest == nil && !opt.Unverified {
		sum := sha256.Sum256(testFile())
		opt.SHA256 = hex.EncodeToString(sum[:]) // the test vouches for its model
	}
	s := New(testFile(), opt)
	m, _, err := s.Model()
	if err != nil {
		t.Fatal(err)
	}
	return s, m
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func do(s http.Handler, method, path string, body io.Reader) response {
	req := httptest.NewRequest(method, path, body)
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	return response{rec.Code, rec.Header(), rec.Body.Bytes()}
}

func readFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// wire mirrors the JSON of a prediction.
type wire struct {
	Label     int                  `json:"label"`
	Probs     []float32            `json:"probs"`
	LogProbs  []float32            `json:"logProbs"`
	Used      []string             `json:"used"`
	Experts   map[string]ExpertOut `json:"experts"`
	IntraOnly *Dist                `json:"intraOnly"`
}

func decodeWire(t testing.TB, b []byte) wire {
	t.Helper()
	var w wire
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&w); err != nil {
		t.Fatalf("response %.200s: %v", b, err)
	}
	return w
}

// sameAsEngine checks a response against the engine's result for the same
// inputs: natively the handler runs the same code, so every number is exact.
func sameAsEngine(t *testing.T, got wire, r *model.Result) {
	t.Helper()
	eq := func(what string, a, b []float32) {
		if len(a) != len(b) {
			t.Fatalf("%s: %d values, engine %d", what, len(a), len(b))
		}
		for i := range a {
			if a[i] != b[i] {
				t.Fatalf("%s[%d] = %v, engine %v", what, i, a[i], b[i])
			}
		}
	}
	if got.Label != r.Label {
		t.Fatalf("label %d, engine %d", got.Label, r.Label)
	}
	eq("probs", got.Probs, r.Probs)
	eq("logProbs", got.LogProbs, r.LogProbs)
	if fmt.Sprint(got.Used) != fmt.Sprint(r.Used) {
		t.Fatalf("used %v, engine %v", got.Used, r.Used)
	}
	if (got.IntraOnly != nil) != r.HasIntraOnly {
		t.Fatalf("intraOnly %v, engine has it: %v", got.IntraOnly, r.HasIntraOnly)
	}
	if r.HasIntraOnly {
		eq("intraOnly.probs", got.IntraOnly.Probs, r.IntraOnly.Probs)
		if got.IntraOnly.Label != r.IntraOnly.Label {
			t.Fatalf("intraOnly label %d, engine %d", got.IntraOnly.Label, r.IntraOnly.Label)
		}
	}
	if len(got.Experts) != len(r.Experts) {
		t.Fatalf("%d experts, engine %d", len(got.Experts), len(r.Experts))
	}
	for _, e := range r.Experts {
		g, ok := got.Experts[e.Name]
		if !ok || g.Used != e.Used {
			t.Fatalf("expert %s: %+v, engine used=%v", e.Name, g, e.Used)
		}
		if !e.Used {
			if g.Label != -1 || g.Probs != nil || g.Logits != nil {
				t.Fatalf("unused expert %s: %+v", e.Name, g)
			}
			continue
		}
		eq(e.Name+".logits", g.Logits, e.Logits)
		eq(e.Name+".probs", g.Probs, e.Probs)
		eq(e.Name+".logProbs", g.LogProbs, e.LogProbs)
		if g.Label != e.Label {
			t.Fatalf("expert %s label %d, engine %d", e.Name, g.Label, e.Label)
		}
	}
}

// inputsOf parses a testdata sample with encoding/json (independently of
// the handler's decoder), applying the documented _u8 rule v/255.
func inputsOf(t testing.TB, b []byte) map[string][]float32 {
	t.Helper()
	var raw map[string][]float64
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	in := map[string][]float32{}
	for k, v := range raw {
		scale := 1.0
		if name, ok := strings.CutSuffix(k, "_u8"); ok {
			k, scale = name, 255
		}
		if v == nil {
			in[k] = nil
			continue
		}
		x := make([]float32, len(v))
		for i := range v {
			x[i] = float32(v[i] / scale)
		}
		in[k] = x
	}
	return in
}

func TestPredictMatchesEngine(t *testing.T) {
	s, m := testServer(t, Options{})
	for _, name := range []string{"sample.json", "sample-u8.json", "image-only.json"} {
		t.Run(name, func(t *testing.T) {
			body := readFile(t, name)
			res := do(s, "POST", "/predict", bytes.NewReader(body))
			if res.status != 200 {
				t.Fatalf("status %d: %s", res.status, res.body)
			}
			want, err := m.Predict(model.DefaultPath, inputsOf(t, body))
			if err != nil {
				t.Fatal(err)
			}
			sameAsEngine(t, decodeWire(t, res.body), want)
		})
	}
}

func TestMissingModality(t *testing.T) {
	s, _ := testServer(t, Options{})
	res := do(s, "POST", "/predict", bytes.NewReader(readFile(t, "image-only.json")))
	w := decodeWire(t, res.body)
	if fmt.Sprint(w.Used) != "[image]" || w.Experts["audio"].Used || w.Experts["inter"].Used || !w.Experts["image"].Used {
		t.Fatalf("image only: used %v, experts %+v", w.Used, w.Experts)
	}
	// With one intra expert the product is that expert, and so is intra-only.
	if w.Label != w.Experts["image"].Label || w.IntraOnly == nil || w.IntraOnly.Label != w.Label {
		t.Fatalf("image only: label %d, image expert %d, intraOnly %+v", w.Label, w.Experts["image"].Label, w.IntraOnly)
	}
	// audio: null is the same as leaving audio out.
	var in map[string]any
	json.Unmarshal(readFile(t, "image-only.json"), &in)
	in["audio"] = nil
	b, _ := json.Marshal(in)
	res2 := do(s, "POST", "/predict", bytes.NewReader(b))
	if res2.status != 200 || !bytes.Equal(res2.body, res.body) {
		t.Fatalf("audio: null gave %d %.200s, want the image-only result", res2.status, res2.body)
	}
}

func TestU8IsFloatOver255(t *testing.T) {
	s, _ := testServer(t, Options{})
	u8 := readFile(t, "sample-u8.json")
	var in map[string][]float64
	json.Unmarshal(u8, &in)
	f := make([]float32, len(in["image_u8"]))
	for i, v := range in["image_u8"] {
		f[i] = float32(v / 255)
	}
	b, _ := json.Marshal(map[string]any{"image": f, "audio": in["audio"]})
	a := do(s, "POST", "/predict", bytes.NewReader(u8))
	c := do(s, "POST", "/predict", bytes.NewReader(b))
	if a.status != 200 || !bytes.Equal(a.body, c.body) {
		t.Fatalf("image_u8 (%d) and image=v/255 (%d) differ:\n%.300s\n%.300s", a.status, c.status, a.body, c.body)
	}
}

func TestBatch(t *testing.T) {
	s, m := testServer(t, Options{})
	body := readFile(t, "batch.json")
	res := do(s, "POST", "/predict", bytes.NewReader(body))
	if res.status != 200 {
		t.Fatalf("status %d: %s", res.status, res.body)
	}
	var got struct{ Results []json.RawMessage }
	if err := json.Unmarshal(res.body, &got); err != nil {
		t.Fatal(err)
	}
	var req struct{ Batch []json.RawMessage }
	json.Unmarshal(body, &req)
	if len(got.Results) != len(req.Batch) {
		t.Fatalf("%d results for %d samples", len(got.Results), len(req.Batch))
	}
	for i, sample := range req.Batch {
		want, err := m.Predict(model.DefaultPath, inputsOf(t, sample))
		if err != nil {
			t.Fatal(err)
		}
		sameAsEngine(t, decodeWire(t, got.Results[i]), want)
	}
}

// TestGolden pins the response to testdata/sample.json from the float32
// seed-3 model (float32: the int8 kernels may change their rounding; go test
// -update rewrites the file after an intended engine change).
func TestGolden(t *testing.T) {
	f32 := randomFile(3, false)
	s := New(f32, Options{Unverified: true})
	res := do(s, "POST", "/predict", bytes.NewReader(readFile(t, "sample.json")))
	golden := filepath.Join("testdata", "golden-predict.json")
	if *update {
		os.WriteFile(golden, res.body, 0o644)
	}
	want := readFile(t, "golden-predict.json")
	g, w := decodeWire(t, res.body), decodeWire(t, want)
	// Tolerance: 1e-5 absolute, for an engine that changes summation order.
	const tol = 1e-5
	close := func(what string, a, b []float32) {
		if len(a) != len(b) {
			t.Fatalf("%s: %d values, golden %d", what, len(a), len(b))
		}
		for i := range a {
			if math.Abs(float64(a[i]-b[i])) > tol {
				t.Fatalf("%s[%d] = %v, golden %v", what, i, a[i], b[i])
			}
		}
	}
	if g.Label != w.Label || fmt.Sprint(g.Used) != fmt.Sprint(w.Used) {
		t.Fatalf("label %d used %v, golden %d %v", g.Label, g.Used, w.Label, w.Used)
	}
	close("probs", g.Probs, w.Probs)
	close("intraOnly", g.IntraOnly.Probs, w.IntraOnly.Probs)
	for name, e := range w.Experts {
		close(name+".logits", g.Experts[name].Logits, e.Logits)
	}
}

func TestModelInfo(t *testing.T) {
	sum := sha256.Sum256(testFile())
	hexSum := hex.EncodeToString(sum[:])
	manifest := fmt.Sprintf(`{"models":[{"file":"other.i2m2","sha256":"00"},{"file":"avmnist-tts-int8.i2m2","bytes":%d,"sha256":%q,"quantization":"int8","default":true}],"results":{}}`, len(testFile()), hexSum)
	s, m := testServer(t, Options{Manifest: []byte(manifest)})
	res := do(s, "GET", "/model", nil)
	if res.status != 200 {
		t.Fatalf("status %d: %s", res.status, res.body)
	}
	var in Info
	if err := json.Unmarshal(res.body, &in); err != nil {
		t.Fatal(err)
	}
	if in.SHA256 != hexSum || in.Bytes != len(testFile()) || in.MACs != m.Describe(model.DefaultPath).MACs || in.Quantization != "int8" || in.Path != model.DefaultPath.String() {
		t.Fatalf("info %+v", in)
	}
	if len(in.Modalities) != 2 || in.Modalities[1] != (model.Modality{Name: "audio", Shape: model.Shape{1, 40, 40}}) || len(in.Classes) != 10 {
		t.Fatalf("modalities %+v classes %v", in.Modalities, in.Classes)
	}
	if len(in.Experts) != 3 || !in.Experts[0].Intra || in.Experts[2].Intra || fmt.Sprint(in.Experts[2].Inputs) != "[image audio]" {
		t.Fatalf("experts %+v", in.Experts)
	}
	var entry struct{ File string }
	if json.Unmarshal(in.Manifest, &entry); entry.File != "avmnist-tts-int8.i2m2" {
		t.Fatalf("manifest entry %s", in.Manifest)
	}
	// No manifest, or none matching: null.
	s2, _ := testServer(t, Options{Manifest: []byte(`{"models":[{"sha256":"00"}]}`), Unverified: true})
	json.Unmarshal(do(s2, "GET", "/model", nil).body, &in)
	if string(in.Manifest) != "null" {
		t.Fatalf("unmatched manifest entry %s", in.Manifest)
	}
}

func TestHealthz(t *testing.T) {
	s := New(testFile(), Options{Unverified: true})
	var h map[string]any
	json.Unmarshal(do(s, "GET", "/healthz", nil).body, &h)
	if h["status"] != "ok" || h["modelLoaded"] != false {
		t.Fatalf("fresh server healthz %v: the model must load lazily", h)
	}
	do(s, "GET", "/model", nil)
	json.Unmarshal(do(s, "GET", "/healthz", nil).body, &h)
	if h["modelLoaded"] != true || h["instanceRequests"].(float64) != 3 {
		t.Fatalf("healthz after /model: %v", h)
	}
}

func TestUnusableModel(t *testing.T) {
	for name, file := range map[string][]byte{
		"none":      nil,
		"truncated": testFile()[:1000],
		"tampered":  append(append([]byte{}, testFile()[:3000]...), append([]byte{testFile()[3000] ^ 1}, testFile()[3001:]...)...),
	} {
		s := New(file, Options{Unverified: true})
		for _, path := range []string{"/predict", "/model"} {
			method := "GET"
			if path == "/predict" {
				method = "POST"
			}
			res := do(s, method, path, bytes.NewReader(readFile(t, "sample.json")))
			if res.status != http.StatusServiceUnavailable || !bytes.Contains(res.body, []byte("model file")) {
				t.Errorf("%s model, %s: %d %s", name, path, res.status, res.body)
			}
		}
		if res := do(s, "GET", "/healthz", nil); res.status != 200 {
			t.Errorf("%s model: healthz %d", name, res.status)
		}
	}
}

func TestCORS(t *testing.T) {
	s, _ := testServer(t, Options{})
	res := do(s, "OPTIONS", "/predict", nil)
	if res.status != 204 || res.header.Get("Access-Control-Allow-Origin") != "*" ||
		!strings.Contains(res.header.Get("Access-Control-Allow-Methods"), "POST") ||
		!strings.Contains(res.header.Get("Access-Control-Allow-Headers"), "Content-Type") {
		t.Fatalf("preflight: %d %v", res.status, res.header)
	}
	for _, r := range []response{
		do(s, "POST", "/predict", bytes.NewReader(readFile(t, "sample.json"))),
		do(s, "GET", "/model", nil),
		do(s, "POST", "/predict", strings.NewReader("{")),
		do(s, "GET", "/nope", nil),
	} {
		if r.header.Get("Access-Control-Allow-Origin") != "*" || !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
			t.Fatalf("%d response headers %v", r.status, r.header)
		}
	}
}

// chunked hides the length of a body (no Content-Length: the limit must be
// enforced while reading).
type chunked struct{ io.Reader }

func zeros(n int) string { return strings.Repeat(",0", n-1) }

// badCases is the bad-input matrix, shared with the e2e test against workerd
// (e2e/worker keeps its own copy of the expectations).
func badCases(t testing.TB) []struct {
	name, method, path, body string
	status                   int
	errHas                   string
} {
	n := strings.Repeat
	img, aud := "[0"+zeros(784)+"]", "[0"+zeros(1600)+"]"
	return []struct {
		name, method, path, body string
		status                   int
		errHas                   string
	}{
		{"syntax", "POST", "/predict", `{"image":[0,1,`, 400, "malformed JSON"},
		{"not json", "POST", "/predict", `hello`, 400, "malformed JSON"},
		{"empty body", "POST", "/predict", ``, 400, "empty"},
		{"array body", "POST", "/predict", `[1,2]`, 400, "must be a JSON object"},
		{"null body", "POST", "/predict", `null`, 400, "must be a JSON object"},
		{"trailing data", "POST", "/predict", `{"image":` + img + `} {}`, 400, "after the request object"},
		{"unknown modality", "POST", "/predict", `{"video":[1,2]}`, 400, `unknown modality "video"`},
		{"short", "POST", "/predict", `{"image":[0,1,0.5]}`, 400, "3 values, want 784"},
		{"long", "POST", "/predict", `{"image":[0` + zeros(785) + `]}`, 400, "more than 784 values"},
		{"empty array", "POST", "/predict", `{"image":[]}`, 400, "0 values, want 784"},
		{"NaN string", "POST", "/predict", `{"image":["NaN"` + zeros(784) + `]}`, 400, "value 0 is a string"},
		{"NaN literal", "POST", "/predict", `{"image":[NaN]}`, 400, "malformed JSON"},
		{"Infinity literal", "POST", "/predict", `{"image":[Infinity]}`, 400, "malformed JSON"},
		{"1e999", "POST", "/predict", `{"audio":[0,1e999` + zeros(1599) + `]}`, 400, "value 1 (1e999) is outside the float32 range"},
		{"-1e39 beyond float32", "POST", "/predict", `{"audio":[-1e39` + zeros(1600) + `]}`, 400, "outside the float32 range"},
		{"null element", "POST", "/predict", `{"image":[null` + zeros(784) + `]}`, 400, "value 0 is null"},
		{"nested array", "POST", "/predict", `{"image":[[0]` + zeros(784) + `]}`, 400, "value 0 is an array"},
		{"object modality", "POST", "/predict", `{"image":{"x":1}}`, 400, "want an array of 784 numbers, got an object"},
		{"string modality", "POST", "/predict", `{"image":"0,0"}`, 400, "got a string"},
		{"image and image_u8", "POST", "/predict", `{"image":` + img + `,"image_u8":` + img + `}`, 400, "not both"},
		{"u8 over 255", "POST", "/predict", `{"image_u8":[256` + zeros(784) + `]}`, 400, "not an integer 0-255"},
		{"u8 fraction", "POST", "/predict", `{"image_u8":[0.5` + zeros(784) + `]}`, 400, "not an integer 0-255"},
		{"u8 negative", "POST", "/predict", `{"image_u8":[-1` + zeros(784) + `]}`, 400, "not an integer 0-255"},
		{"duplicate field", "POST", "/predict", `{"image":` + img + `,"image":` + img + `}`, 400, "appears twice"},
		{"no modality", "POST", "/predict", `{}`, 400, "no expert can run"},
		{"all null", "POST", "/predict", `{"image":null,"audio":null}`, 400, "no expert can run"},
		{"batch empty", "POST", "/predict", `{"batch":[]}`, 400, "empty"},
		{"batch not array", "POST", "/predict", `{"batch":{"image":[]}}`, 400, "must be an array"},
		{"batch plus modality", "POST", "/predict", `{"batch":[{"audio":null}],"image":` + img + `}`, 400, "only the field"},
		{"batch bad sample", "POST", "/predict", `{"batch":[{"audio":` + aud + `},{"audio":[1]}]}`, 400, "batch[1].audio: 1 values, want 1600"},
		{"batch sample not object", "POST", "/predict", `{"batch":[1]}`, 400, "batch[0] must be a JSON object"},
		{"batch too large", "POST", "/predict", `{"batch":[` + strings.TrimSuffix(n(`{"audio":null},`, DefaultMaxBatch+1), ",") + `]}`, 413, "limit is 32"},
		{"body too large", "POST", "/predict", `{"audio":[` + n("0.000000001,", DefaultMaxBodyBytes/12+1) + `0]}`, 413, "larger than the limit"},
		{"GET predict", "GET", "/predict", ``, 405, "not allowed"},
		{"PUT predict", "PUT", "/predict", `{}`, 405, "not allowed"},
		{"POST model", "POST", "/model", `{}`, 405, "not allowed"},
		{"DELETE healthz", "DELETE", "/healthz", ``, 405, "not allowed"},
		{"unknown path", "GET", "/nope", ``, 404, "no such endpoint"},
		{"predict subpath", "POST", "/predict/x", `{}`, 404, "no such endpoint"},
	}
}

// TestBatchErrorFields: an error about one sample of a batch names it in "sample" and "reason"
// (the message keeps its "batch[i]" prefix); other errors carry neither.
func TestBatchErrorFields(t *testing.T) {
	s, _ := testServer(t, Options{})
	aud := `{"audio":[0` + zeros(1600) + `]}`
	for _, c := range []struct {
		body, msg string
		sample    int // -1: no sample field
		reason    string
	}{
		{`{"batch":[` + aud + `,{"audio":[1]}]}`, "batch[1].audio: 1 values, want 1600", 1, "audio: 1 values, want 1600"},
		{`{"batch":[1]}`, "batch[0] must be a JSON object, got a number", 0, "must be a JSON object, got a number"},
		{`{"batch":[` + aud + `,` + aud + `,{"video":[1]}]}`, `batch[2].unknown modality "video"`, 2, `unknown modality "video"`},
		{`{"batch":[` + aud + `,{}]}`, "batch[1]: ", 1, "no expert can run"},
		{`{"batch":[` + aud + `,{"audio":[0,1,`, "malformed JSON", -1, ""},
		{`{"audio":[1]}`, "audio: 1 values, want 1600", -1, ""},
		{`{}`, "no expert can run", -1, ""},
	} {
		res := do(s, "POST", "/predict", strings.NewReader(c.body))
		var e struct {
			Error  string
			Sample *int
			Reason *string
		}
		if err := json.Unmarshal(res.body, &e); err != nil || res.status != 400 {
			t.Fatalf("%.80s: %d %.200q (%v)", c.body, res.status, res.body, err)
		}
		if !strings.Contains(e.Error, c.msg) {
			t.Errorf("%.80s: error %q, want it to contain %q", c.body, e.Error, c.msg)
		}
		if c.sample < 0 {
			if e.Sample != nil || e.Reason != nil {
				t.Errorf("%.80s: sample and reason on an error of the whole body: %s", c.body, res.body)
			}
			continue
		}
		if e.Sample == nil || *e.Sample != c.sample || e.Reason == nil || !strings.HasPrefix(*e.Reason, c.reason) || !strings.HasSuffix(e.Error, *e.Reason) {
			t.Errorf("%.80s: %s, want sample %d and a reason starting %q that ends the message", c.body, res.body, c.sample, c.reason)
		}
	}
}

func TestBadInput(t *testing.T) {
	s, _ := testServer(t, Options{})
	for _, c := range badCases(t) {
		t.Run(c.name, func(t *testing.T) {
			for _, hide := range []bool{false, true} {
				var body io.Reader = strings.NewReader(c.body)
				if hide {
					body = chunked{body}
				}
				res := do(s, c.method, c.path, body)
				var e struct{ Error string }
				if err := json.Unmarshal(res.body, &e); err != nil {
					t.Fatalf("body %.200q is not JSON: %v", res.body, err)
				}
				if res.status != c.status || !strings.Contains(e.Error, c.errHas) {
					t.Fatalf("(no length: %v) got %d %q, want %d containing %q", hide, res.status, e.Error, c.status, c.errHas)
				}
				if c.status == 405 && res.header.Get("Allow") == "" {
					t.Fatalf("405 without Allow")
				}
			}
		})
	}
	// The instance still works after all of that.
	if res := do(s, "POST", "/predict", bytes.NewReader(readFile(t, "sample.json"))); res.status != 200 {
		t.Fatalf("after the bad inputs: %d %s", res.status, res.body)
	}
}

// Finite inputs far outside [0, 1] can overflow the float32 path: a 400 that
// says so, never a 500 or a JSON encoding failure. (The int8 path may stay
// finite: 200, or 400 the same way.)
func TestHugeValues(t *testing.T) {
	f32 := randomFile(3, false)
	body := `{"image":[3e38` + strings.Repeat(",3e38", 783) + `],"audio":[3e38` + strings.Repeat(",-3e38", 1599) + `]}`
	for _, c := range []struct {
		name   string
		file   []byte
		status int
		has    string
	}{{"float32", f32, 400, "non-finite"}, {"int8", testFile(), 200, "label"}} {
		res := do(New(c.file, Options{Unverified: true}), "POST", "/predict", strings.NewReader(body))
		if c.name == "int8" && res.status == 400 {
			c.status, c.has = 400, "non-finite"
		}
		if res.status != c.status || !bytes.Contains(res.body, []byte(c.has)) {
			t.Errorf("%s model: %d %.200s, want %d with %q", c.name, res.status, res.body, c.status, c.has)
		}
	}
}

// The stated limit is exact: a body of MaxBodyBytes is read, one more byte is 413.
func TestBodyLimitEdge(t *testing.T) {
	s, _ := testServer(t, Options{MaxBodyBytes: 64})
	fit := `{"image":null,"audio":null}`
	fit += strings.Repeat(" ", 64-len(fit))
	for _, hide := range []bool{false, true} {
		mk := func(s string) io.Reader {
			if hide {
				return chunked{strings.NewReader(s)}
			}
			return strings.NewReader(s)
		}
		if r := do(s, "POST", "/predict", mk(fit)); r.status != 400 || !bytes.Contains(r.body, []byte("no expert")) {
			t.Fatalf("64-byte body: %d %s", r.status, r.body)
		}
		if r := do(s, "POST", "/predict", mk(fit+" ")); r.status != 413 {
			t.Fatalf("65-byte body: %d %s", r.status, r.body)
		}
	}
}

func TestConcurrent(t *testing.T) {
	s, m := testServer(t, Options{})
	body := readFile(t, "sample.json")
	want, _ := m.Predict(model.DefaultPath, inputsOf(t, body))
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			for range 5 {
				res := do(s, "POST", "/predict", bytes.NewReader(body))
				if res.status != 200 || decodeWire(t, res.body).Label != want.Label {
					errs <- fmt.Errorf("status %d %.100s", res.status, res.body)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

// FuzzPredictRequest feeds arbitrary bodies to POST /predict: never a 5xx,
// always a JSON body, an error exactly when the status is not 200.
func FuzzPredictRequest(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.json")
	for _, name := range files {
		if !strings.Contains(name, "golden") {
			b, _ := os.ReadFile(name)
			f.Add(b)
		}
	}
	for _, c := range badCases(f) {
		if c.method == "POST" && len(c.body) < 20000 {
			f.Add([]byte(c.body))
		}
	}
	s, _ := testServer(f, Options{MaxBodyBytes: 64 << 10, MaxBatch: 4})
	f.Fuzz(func(t *testing.T, body []byte) {
		res := do(s, "POST", "/predict", bytes.NewReader(body))
		if res.status >= 500 {
			t.Fatalf("status %d for %.200q: %s", res.status, body, res.body)
		}
		var v map[string]json.RawMessage
		if err := json.Unmarshal(res.body, &v); err != nil {
			t.Fatalf("response is not a JSON object: %.200q", res.body)
		}
		_, isErr := v["error"]
		if isErr != (res.status != 200) {
			t.Fatalf("status %d with body %.200s", res.status, res.body)
		}
	})
}

// FuzzDecodeMatchesStdlib checks the hand-written request parser against
// encoding/json: it accepts only valid JSON, and what it accepts it reads as
// encoding/json does (numbers parsed straight to float32, the _u8 rule v/255).
func FuzzDecodeMatchesStdlib(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.json")
	for _, name := range files {
		b, _ := os.ReadFile(name)
		f.Add(b)
	}
	f.Add([]byte(`{"im\u0061ge": null, "audio": [0` + zeros(1600) + `]}`))
	f.Add([]byte(`{"batch":[{"image":null,"audio":[-0.0e+0` + zeros(1600) + `]}]}`))
	for _, c := range badCases(f) {
		if len(c.body) < 20000 {
			f.Add([]byte(c.body))
		}
	}
	_, m := testServer(f, Options{})
	small, _ := arch.AVMNIST(8, 8, 2).Build() // 64-value audio: short inputs reach the accepting paths
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, mm := range []*model.Model{m, small} {
			req, err := decodeRequest(mm, bytes.NewReader(body), 4)
			if err != nil {
				if _, ok := err.(*batchError); ok {
					continue // a 400 about one sample
				}
				if he, ok := err.(*httpError); !ok || (he.status != 400 && he.status != 413) {
					t.Fatalf("error %#v", err)
				}
				continue
			}
			if !json.Valid(body) {
				t.Fatalf("accepted invalid JSON %q", body)
			}
			dec := json.NewDecoder(bytes.NewReader(body))
			dec.UseNumber()
			var v map[string]any
			if err := dec.Decode(&v); err != nil {
				t.Fatalf("accepted %q, encoding/json: %v", body, err)
			}
			objs := []any{v}
			if b, ok := v["batch"]; ok {
				objs = b.([]any)
			}
			if len(objs) != len(req.samples) || req.batch != (v["batch"] != nil) {
				t.Fatalf("%d samples, encoding/json %d", len(req.samples), len(objs))
			}
			for i, o := range objs {
				want := o.(map[string]any)
				got := req.samples[i]
				if len(got) != len(want) {
					t.Fatalf("sample %d: %d modalities, encoding/json %d", i, len(got), len(want))
				}
				for k, val := range want {
					name, u8 := strings.CutSuffix(k, U8Suffix)
					if mm.ModalityIndex(k) >= 0 {
						name, u8 = k, false
					}
					x, ok := got[name]
					if !ok {
						t.Fatalf("sample %d: %q missing", i, k)
					}
					if val == nil {
						if x != nil {
							t.Fatalf("sample %d: %q null read as %v", i, k, x)
						}
						continue
					}
					arr := val.([]any)
					if len(arr) != len(x) {
						t.Fatalf("sample %d: %q %d values, encoding/json %d", i, k, len(x), len(arr))
					}
					for j, e := range arr {
						w, err := strconv.ParseFloat(string(e.(json.Number)), 32)
						if u8 {
							w /= 255
						}
						if err != nil || float32(w) != x[j] {
							t.Fatalf("sample %d: %s[%d] = %v, encoding/json %v (%v)", i, k, j, x[j], e, err)
						}
					}
				}
			}
		}
	})
}

// panicky panics on its first Write, as a bug deep in a handler would.
type panicky struct {
	*httptest.ResponseRecorder
	n int
}

func (p *panicky) Write(b []byte) (int, error) {
	if p.n++; p.n == 1 {
		panic("boom")
	}
	return p.ResponseRecorder.Write(b)
}

// A panic becomes a 500 with a JSON error, and the server keeps serving.
func TestRecover(t *testing.T) {
	s, _ := testServer(t, Options{Logf: func(string, ...any) {}})
	w := &panicky{ResponseRecorder: httptest.NewRecorder()}
	s.ServeHTTP(w, httptest.NewRequest("GET", "/healthz", nil))
	if w.Code != 200 && w.Code != 500 || !bytes.Contains(w.Body.Bytes(), []byte(`"error":"internal error: boom"`)) {
		t.Fatalf("after a panic: %d %s", w.Code, w.Body)
	}
	if res := do(s, "POST", "/predict", bytes.NewReader(readFile(t, "sample.json"))); res.status != 200 {
		t.Fatalf("after a panic: %d %s", res.status, res.body)
	}
}
