// Package e2eworker tests the I2M2 worker running in the real Workers runtime
// (workerd). scripts/test-40-worker.sh builds the worker, starts workerd on
// 127.0.0.1 and runs these tests with:
//
//	I2M2_WORKER_URL        the worker (one Go instance per isolate, reused)
//	I2M2_WORKER_FRESH_URL  the same wasm behind syumai's stock entry (a Go instance per request)
//	I2M2_WORKERD_PID       workerd's pid, for its memory (/proc/<pid>/status)
//	I2M2_WORKER_MODEL      the model file embedded in the worker (default worker/assets/model.i2m2)
//	I2M2_LOAD_N, I2M2_LOAD_C  load test size (default 2000 requests at concurrency 16)
//
// Without I2M2_WORKER_URL the tests skip (plain `go test ./...`).
package e2eworker

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/i2m2-wasm/i2m2/dataset"
	"github.com/i2m2-wasm/i2m2/model"
	"github.com/i2m2-wasm/i2m2/worker/api"
)

const repo = "../.."

func env(t testing.TB, name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	if def == "" {
		t.Skipf("%s not set (scripts/test-40-worker.sh runs these tests against workerd)", name)
	}
	return def
}

func envInt(t testing.TB, name string, def int) int {
	v, err := strconv.Atoi(env(t, name, strconv.Itoa(def)))
	if err != nil || v < 1 {
		t.Fatalf("%s: want a positive integer", name)
	}
	return v
}

var client = &http.Client{
	Transport: &http.Transport{MaxIdleConnsPerHost: 32, MaxConnsPerHost: 32},
	Timeout:   2 * time.Minute,
}

// sample is one request body and the native engine's answer for it.
type sample struct {
	name  string
	body  []byte
	want  *model.Result
	label int // the pair's true class for demo samples, else -1
}

// nativeModel reads the model file the worker embeds.
func nativeModel(t testing.TB) ([]byte, *model.Model) {
	path := env(t, "I2M2_WORKER_MODEL", filepath.Join(repo, "worker/assets/model.i2m2"))
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	m, err := model.Read(b)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return b, m
}

// samples are demo pairs (weights/demo, when built) or, without them, seeded
// random inputs in [0, 1]; each also sent in the image_u8/audio_u8 form and
// with one modality missing.
func samples(t testing.TB, m *model.Model) []sample {
	var imgs, auds [][]uint8
	var labels []int
	var src string
	if b, err := os.ReadFile(filepath.Join(repo, "weights/demo/avmnist-tts-demo.bin")); err == nil {
		d, err := dataset.ParseDemo(b)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < min(d.N, 20); i++ {
			imgs = append(imgs, d.Images[i*784:(i+1)*784])
			auds = append(auds, d.Audio[i*1600:(i+1)*1600])
			labels = append(labels, int(d.Labels[i]))
		}
		src = "demo"
	} else {
		r := rand.New(rand.NewPCG(42, 1))
		for i := 0; i < 20; i++ {
			im, au := make([]uint8, 784), make([]uint8, 1600)
			for j := range im {
				im[j] = uint8(r.IntN(256))
			}
			for j := range au {
				au[j] = uint8(r.IntN(256))
			}
			imgs, auds, labels = append(imgs, im), append(auds, au), append(labels, -1)
		}
		src = "random"
	}
	f := func(u []uint8) []float32 {
		x := make([]float32, len(u))
		for i, v := range u {
			x[i] = float32(float64(v) / 255) // the _u8 rule, v/255
		}
		return x
	}
	var out []sample
	label := -1
	add := func(name string, body map[string]any, in map[string][]float32) {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		r, err := m.Predict(model.DefaultPath, in)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, sample{name, b, r, label})
	}
	for i := range imgs {
		im, au := f(imgs[i]), f(auds[i])
		name := fmt.Sprintf("%s %d", src, i)
		label = labels[i]
		switch i % 4 {
		case 0, 1:
			add(name+" floats", map[string]any{"image": im, "audio": au}, map[string][]float32{"image": im, "audio": au})
		case 2:
			add(name+" u8", map[string]any{"image_u8": ints(imgs[i]), "audio_u8": ints(auds[i])}, map[string][]float32{"image": im, "audio": au})
		case 3:
			if i%8 == 3 {
				add(name+" image only", map[string]any{"image_u8": ints(imgs[i])}, map[string][]float32{"image": im})
			} else {
				add(name+" audio only", map[string]any{"audio": au, "image": nil}, map[string][]float32{"audio": au})
			}
		}
	}
	return out
}

// ints keeps encoding/json from writing a []uint8 as base64.
func ints(u []uint8) []int {
	x := make([]int, len(u))
	for i, v := range u {
		x[i] = int(v)
	}
	return x
}

// tol bounds |worker - native| per number. The wasm build runs the same Go
// code as the native engine; exp/log may differ in the last bit between the
// amd64 and portable math routines.
const tol = 1e-6

// compare returns the largest difference between a response and the native
// result, or an error for a structural mismatch (label, experts used).
func compare(b []byte, want *model.Result) (float64, error) {
	var w api.Result
	if err := json.Unmarshal(b, &w); err != nil {
		return 0, fmt.Errorf("response %.200s: %v", b, err)
	}
	worst := 0.0
	diff := func(a, b []float32) error {
		if len(a) != len(b) {
			return fmt.Errorf("%d values, native %d", len(a), len(b))
		}
		for i := range a {
			worst = math.Max(worst, math.Abs(float64(a[i]-b[i])))
		}
		return nil
	}
	if w.Label != want.Label || !slices.Equal(w.Used, want.Used) || (w.IntraOnly != nil) != want.HasIntraOnly {
		return 0, fmt.Errorf("label %d used %v intraOnly %v; native %d %v %v", w.Label, w.Used, w.IntraOnly != nil, want.Label, want.Used, want.HasIntraOnly)
	}
	if err := firstError(diff(w.Probs, want.Probs), diff(w.LogProbs, want.LogProbs)); err != nil {
		return 0, err
	}
	if want.HasIntraOnly {
		if w.IntraOnly.Label != want.IntraOnly.Label {
			return 0, fmt.Errorf("intraOnly label %d, native %d", w.IntraOnly.Label, want.IntraOnly.Label)
		}
		if err := diff(w.IntraOnly.Probs, want.IntraOnly.Probs); err != nil {
			return 0, err
		}
	}
	for _, e := range want.Experts {
		g, ok := w.Experts[e.Name]
		if !ok || g.Used != e.Used || (e.Used && g.Label != e.Label) {
			return 0, fmt.Errorf("expert %s: used %v label %d; native %v %d", e.Name, g.Used, g.Label, e.Used, e.Label)
		}
		if e.Used {
			if err := firstError(diff(g.Logits, e.Logits), diff(g.Probs, e.Probs), diff(g.LogProbs, e.LogProbs)); err != nil {
				return 0, fmt.Errorf("expert %s: %v", e.Name, err)
			}
		}
	}
	return worst, nil
}

func firstError(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func post(url string, body []byte) (int, []byte, time.Duration, error) {
	t0 := time.Now()
	res, err := client.Post(url+"/predict", "application/json", bytes.NewReader(body))
	if err != nil {
		return 0, nil, 0, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return res.StatusCode, b, time.Since(t0), err
}

// call sends GET url+path (body nil) or POST with body as JSON and returns the status and the
// response body; a request that fails fails t.
func call(t testing.TB, url, path string, body []byte) (int, []byte) {
	t.Helper()
	var res *http.Response
	var err error
	if body == nil {
		res, err = client.Get(url + path)
	} else {
		res, err = client.Post(url+path, "application/json", bytes.NewReader(body))
	}
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, b
}

// getJSON is GET url+path decoded into v; anything but a 200 with JSON fails t.
func getJSON(t testing.TB, url, path string, v any) {
	t.Helper()
	if code, b := call(t, url, path, nil); code != 200 || json.Unmarshal(b, v) != nil {
		t.Fatalf("GET %s: %d %.400s", path, code, b)
	}
}

func TestSamplesMatchNative(t *testing.T) {
	url := env(t, "I2M2_WORKER_URL", "")
	_, m := nativeModel(t)
	ss := samples(t, m)
	worst := 0.0
	correct, labelled := 0, 0
	for _, s := range ss {
		status, b, _, err := post(url, s.body)
		if err != nil || status != 200 {
			t.Fatalf("%s: %d %.300s %v", s.name, status, b, err)
		}
		if s.label >= 0 {
			labelled++
			var w api.Result
			json.Unmarshal(b, &w)
			if w.Label == s.label {
				correct++
			}
		}
		d, err := compare(b, s.want)
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		worst = math.Max(worst, d)
	}
	if worst > tol {
		t.Fatalf("largest |worker - native| = %g, over %g", worst, tol)
	}
	t.Logf("%d samples (%s): labels, experts used and intra-only equal the native engine's; largest |worker - native| over every probability, log-probability and logit: %g", len(ss), ss[0].name, worst)
	if labelled > 0 {
		t.Logf("worker's label = the demo pair's true digit on %d of %d (some with one modality missing; a sanity check, not an accuracy figure)", correct, labelled)
	}

	// A batch of all of them answers each as the single requests did.
	var batch []json.RawMessage
	for _, s := range ss {
		batch = append(batch, s.body)
	}
	body, _ := json.Marshal(map[string]any{"batch": batch})
	status, b, _, err := post(url, body)
	if err != nil || status != 200 {
		t.Fatalf("batch of %d: %d %.300s %v", len(ss), status, b, err)
	}
	var res struct{ Results []json.RawMessage }
	if err := json.Unmarshal(b, &res); err != nil || len(res.Results) != len(ss) {
		t.Fatalf("batch: %d results, %v", len(res.Results), err)
	}
	for i, s := range ss {
		if _, err := compare(res.Results[i], s.want); err != nil {
			t.Fatalf("batch[%d] (%s): %v", i, s.name, err)
		}
	}
}

func TestModelEndpoint(t *testing.T) {
	url := env(t, "I2M2_WORKER_URL", "")
	file, m := nativeModel(t)
	var info struct {
		Name, SHA256, Quantization, Kernels string
		Bytes, MACs                         int
		Classes                             []string
		Manifest                            struct {
			File, SHA256 string
			Bytes        int
		}
	}
	getJSON(t, url, "/model", &info)
	sum := sha256.Sum256(file)
	if info.SHA256 != hex.EncodeToString(sum[:]) || info.Bytes != len(file) || info.Name != m.Name || info.MACs != m.Describe(model.DefaultPath).MACs || len(info.Classes) != len(m.Classes) {
		t.Fatalf("GET /model %+v does not describe the embedded file (%d bytes, sha256 %x)", info, len(file), sum)
	}
	if info.Manifest.SHA256 != info.SHA256 || info.Manifest.Bytes != len(file) || info.Manifest.File == "" {
		t.Fatalf("manifest entry %+v does not match the model", info.Manifest)
	}
	// workerd's V8 validates WebAssembly SIMD, so worker.mjs runs app.simd.wasm;
	// natively the kernels are Go code ("scalar").
	if want := env(t, "I2M2_WORKER_KERNELS", "scalar"); info.Kernels != want {
		t.Errorf("GET /model: kernels %q, want %q", info.Kernels, want)
	}
	t.Logf("GET /model: %s, %s, %s kernels, %d bytes, manifest entry %s", info.Name, info.Quantization, info.Kernels, info.Bytes, info.Manifest.File)
}

// lengthless hides a body's length: the client sends it chunked.
type lengthless struct{ io.Reader }

func TestBadInputs(t *testing.T) {
	url := env(t, "I2M2_WORKER_URL", "")
	zeros := func(n int) string { return "[0" + strings.Repeat(",0", n-1) + "]" }
	big := `{"audio":[` + strings.Repeat("0.000000001,", 1<<20) + `0]}` // 12 MB
	cases := []struct {
		name, method, path, body string
		chunked                  bool
		status                   int
		errHas                   string
	}{
		{"malformed JSON", "POST", "/predict", `{"image":[0,1,`, false, 400, "malformed JSON"},
		{"not an object", "POST", "/predict", `[1,2]`, false, 400, "must be a JSON object"},
		{"empty body", "POST", "/predict", ``, false, 400, "empty"},
		{"trailing data", "POST", "/predict", `{"image":null,"audio":null} x`, false, 400, "malformed JSON"},
		{"unknown modality", "POST", "/predict", `{"video":[1]}`, false, 400, `unknown modality "video"`},
		{"wrong length", "POST", "/predict", `{"image":[0,1,0.5]}`, false, 400, "3 values, want 784"},
		{"too long", "POST", "/predict", `{"audio":` + zeros(1601) + `}`, false, 400, "more than 1600 values"},
		{"NaN string", "POST", "/predict", `{"image":["NaN"` + strings.Repeat(",0", 783) + `]}`, false, 400, "is a string, not a number"},
		{"NaN literal", "POST", "/predict", `{"image":[NaN]}`, false, 400, "malformed JSON"},
		{"1e999", "POST", "/predict", `{"audio":[1e999` + strings.Repeat(",0", 1599) + `]}`, false, 400, "outside the float32 range"},
		{"1e39", "POST", "/predict", `{"audio":[1e39` + strings.Repeat(",0", 1599) + `]}`, false, 400, "outside the float32 range"},
		{"null value", "POST", "/predict", `{"image":[null` + strings.Repeat(",0", 783) + `]}`, false, 400, "is null"},
		{"u8 out of range", "POST", "/predict", `{"image_u8":[300` + strings.Repeat(",0", 783) + `]}`, false, 400, "not an integer 0-255"},
		{"image and image_u8", "POST", "/predict", `{"image":` + zeros(784) + `,"image_u8":` + zeros(784) + `}`, false, 400, "not both"},
		{"duplicate field", "POST", "/predict", `{"image":` + zeros(784) + `,"image":` + zeros(784) + `}`, false, 400, "appears twice"},
		{"no modality", "POST", "/predict", `{}`, false, 400, "no expert can run"},
		{"bad batch sample", "POST", "/predict", `{"batch":[{"audio":[1]}]}`, false, 400, "batch[0].audio"},
		{"batch over limit", "POST", "/predict", `{"batch":[` + strings.Repeat(`{"audio":null},`, 32) + `{"audio":null}]}`, false, 413, "limit is 32"},
		{"body over limit", "POST", "/predict", big, false, 413, "larger than the limit"},
		{"body over limit, chunked", "POST", "/predict", big, true, 413, "larger than the limit"},
		{"GET /predict", "GET", "/predict", ``, false, 405, "not allowed"},
		{"POST /model", "POST", "/model", `{}`, false, 405, "not allowed"},
		{"PUT /healthz", "PUT", "/healthz", `{}`, false, 405, "not allowed"},
		{"unknown path", "GET", "/nope", ``, false, 404, "no such endpoint"},
	}
	before := healthz(t, url)
	for _, c := range cases {
		var body io.Reader = strings.NewReader(c.body)
		if c.chunked {
			body = lengthless{body}
		}
		req, _ := http.NewRequest(c.method, url+c.path, body)
		var res *http.Response
		var err error
		if len(c.body) > 1<<20 {
			res, err = earlyResponse(req)
		} else {
			res, err = client.Do(req)
		}
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		var e struct{ Error string }
		if json.Unmarshal(b, &e) != nil || res.StatusCode != c.status || !strings.Contains(e.Error, c.errHas) {
			t.Errorf("%s: %d %.200q, want %d with an error containing %q", c.name, res.StatusCode, b, c.status, c.errHas)
			continue
		}
		if res.Header.Get("Access-Control-Allow-Origin") != "*" || (c.status == 405 && res.Header.Get("Allow") == "") {
			t.Errorf("%s: headers %v", c.name, res.Header)
		}
	}
	// An error about one sample of a batch names it: "sample" and "reason" beside the message, from
	// the parser (sample 1's values) and from the engine (sample 2 gives no modality).
	for _, c := range []struct {
		body, reason string
		sample       int
	}{
		{`{"batch":[{"audio":null,"image":` + zeros(784) + `},{"audio":[1]}]}`, "audio: 1 values, want 1600", 1},
		{`{"batch":[{"audio":null,"image":` + zeros(784) + `},{"image":` + zeros(784) + `},{}]}`, "no expert can run", 2},
	} {
		code, b := call(t, url, "/predict", []byte(c.body))
		var e struct {
			Error, Reason string
			Sample        *int
		}
		if json.Unmarshal(b, &e) != nil || code != 400 || e.Sample == nil || *e.Sample != c.sample ||
			!strings.HasPrefix(e.Reason, c.reason) || !strings.HasPrefix(e.Error, fmt.Sprintf("batch[%d]", c.sample)) {
			t.Errorf("batch with a bad sample %d: %d %.300s, want 400 with sample %d and a reason starting %q", c.sample, code, b, c.sample, c.reason)
		}
	}
	// CORS preflight.
	req, _ := http.NewRequest("OPTIONS", url+"/predict", nil)
	req.Header.Set("Origin", "https://example.org")
	req.Header.Set("Access-Control-Request-Method", "POST")
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 204 || res.Header.Get("Access-Control-Allow-Origin") != "*" || !strings.Contains(res.Header.Get("Access-Control-Allow-Methods"), "POST") {
		t.Errorf("preflight: %d %v", res.StatusCode, res.Header)
	}
	// Same instance before and after: none of that killed it.
	after := healthz(t, url)
	t.Logf("%d bad requests answered 4xx with JSON errors; instance requests %v -> %v", len(cases)+1, before["instanceRequests"], after["instanceRequests"])
	if after["instanceRequests"].(float64) < before["instanceRequests"].(float64)+float64(len(cases)) {
		t.Errorf("the Go instance was restarted during the bad inputs (requests %v -> %v)", before["instanceRequests"], after["instanceRequests"])
	}
}

// earlyResponse sends req on its own connection and reads the response while
// the body is still being written: a server that rejects a body by its
// length answers 413 and closes the connection without reading it, which
// http.Client may report as a broken pipe instead of the response.
func earlyResponse(req *http.Request) (*http.Response, error) {
	conn, err := net.Dial("tcp", req.URL.Host)
	if err != nil {
		return nil, err
	}
	go func() {
		req.Write(conn) // fails with a broken pipe once the server has answered and closed
	}()
	conn.SetReadDeadline(time.Now().Add(2 * time.Minute))
	res, err := http.ReadResponse(bufio.NewReader(conn), req)
	if err != nil {
		conn.Close()
		return nil, err
	}
	b, err := io.ReadAll(res.Body)
	conn.Close()
	res.Body = io.NopCloser(bytes.NewReader(b))
	return res, err
}

func healthz(t testing.TB, url string) map[string]any {
	var h map[string]any
	if getJSON(t, url, "/healthz", &h); h["status"] != "ok" {
		t.Fatalf("healthz %v", h)
	}
	return h
}

func rssKB(t testing.TB) (rss, hwm int) {
	pid := os.Getenv("I2M2_WORKERD_PID")
	if pid == "" {
		return -1, -1
	}
	b, err := os.ReadFile("/proc/" + pid + "/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 && f[0] == "VmRSS:" {
			rss, _ = strconv.Atoi(f[1])
		}
		if len(f) >= 2 && f[0] == "VmHWM:" {
			hwm, _ = strconv.Atoi(f[1])
		}
	}
	return rss, hwm
}

func quantile(d []time.Duration, q float64) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[min(len(s)-1, int(q*float64(len(s))))]
}

func msf(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }

// TestLoad sends I2M2_LOAD_N predictions at concurrency I2M2_LOAD_C and
// checks every answer against the native engine. The deadline is a guard
// against a hung runtime, not a performance threshold.
func TestLoad(t *testing.T) {
	url := env(t, "I2M2_WORKER_URL", "")
	n, c := envInt(t, "I2M2_LOAD_N", 2000), envInt(t, "I2M2_LOAD_C", 16)
	_, m := nativeModel(t)
	ss := samples(t, m)
	rss0, _ := rssKB(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	var next, fail5xx, other, wrong atomic.Int64
	lat := make([]time.Duration, n)
	var mu sync.Mutex
	var firstErr string
	note := func(s string) {
		mu.Lock()
		if firstErr == "" {
			firstErr = s
		}
		mu.Unlock()
	}
	t0 := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < c; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				s := ss[i%len(ss)]
				status, b, d, err := post(url, s.body)
				lat[i] = d
				switch {
				case err != nil:
					other.Add(1)
					note(err.Error())
				case status >= 500:
					fail5xx.Add(1)
					note(fmt.Sprintf("%d %.200s", status, b))
				case status != 200:
					other.Add(1)
					note(fmt.Sprintf("%d %.200s", status, b))
				default:
					if d, err := compare(b, s.want); err != nil || d > tol {
						wrong.Add(1)
						note(fmt.Sprintf("%s: %v (diff %g)", s.name, err, d))
					}
				}
			}
		}()
	}
	wg.Wait()
	wall := time.Since(t0)
	if ctx.Err() != nil {
		t.Fatalf("load test hit its 10-minute guard after %d of %d requests", next.Load(), n)
	}
	rss1, hwm := rssKB(t)
	t.Logf("load: %d POST /predict at concurrency %d in %.1f s (%.1f req/s): p50 %s, p90 %s, p99 %s, max %s; 5xx %d, other failures %d, wrong answers %d",
		n, c, wall.Seconds(), float64(n)/wall.Seconds(), msf(quantile(lat, 0.5)), msf(quantile(lat, 0.9)), msf(quantile(lat, 0.99)), msf(slices.Max(lat)), fail5xx.Load(), other.Load(), wrong.Load())
	if rss0 >= 0 {
		t.Logf("workerd memory: VmRSS %.1f MB before, %.1f MB after (VmHWM %.1f MB)", float64(rss0)/1024, float64(rss1)/1024, float64(hwm)/1024)
	}
	if fail5xx.Load()+other.Load()+wrong.Load() > 0 {
		t.Fatalf("failures; first: %s", firstErr)
	}
}

// TestStartup separates per-request instance start-up from the work of a
// prediction: sequential requests to the reusing entry (warm Go instance)
// and to the stock entry (a new Go instance, Go runtime start-up and model
// decoding each time). Reported, never asserted on.
func TestStartup(t *testing.T) {
	url := env(t, "I2M2_WORKER_URL", "")
	fresh := env(t, "I2M2_WORKER_FRESH_URL", "")
	_, m := nativeModel(t)
	s := samples(t, m)[0]
	const reps = 30
	measure := func(base string, predict bool) time.Duration {
		var d []time.Duration
		for i := 0; i < reps+2; i++ {
			t0 := time.Now()
			if predict {
				status, b, _, err := post(base, s.body)
				if err != nil || status != 200 {
					t.Fatalf("%s: %d %.200s %v", base, status, b, err)
				}
				if _, err := compare(b, s.want); err != nil {
					t.Fatal(err)
				}
			} else {
				healthz(t, base)
			}
			if i >= 2 { // the first two warm the connection and compile
				d = append(d, time.Since(t0))
			}
		}
		return quantile(d, 0.5)
	}
	// Interleave the four series twice so that load from elsewhere hits them alike.
	var rh, rp, fh, fp []time.Duration
	for k := 0; k < 2; k++ {
		rh = append(rh, measure(url, false))
		rp = append(rp, measure(url, true))
		fh = append(fh, measure(fresh, false))
		fp = append(fp, measure(fresh, true))
	}
	med := func(d []time.Duration) time.Duration { return (d[0] + d[1]) / 2 }
	t.Logf("sequential medians (%d requests each, mean of 2 rounds):", reps)
	t.Logf("  reused instance: GET /healthz %s, POST /predict %s", msf(med(rh)), msf(med(rp)))
	t.Logf("  fresh instance:  GET /healthz %s (Go instance start-up), POST /predict %s (start-up + model decode + predict)", msf(med(fh)), msf(med(fp)))
	t.Logf("  instance start-up ~ fresh healthz - reused healthz = %s; model decode + first-use cost ~ fresh predict - fresh healthz - (reused predict - reused healthz) = %s",
		msf(med(fh)-med(rh)), msf(med(fp)-med(fh)-(med(rp)-med(rh))))
	h := healthz(t, url)
	t.Logf("  reused instance reports: %v requests served; its model decode (first /predict, cold code) took %v ms by the Go clock inside workerd", h["instanceRequests"], h["modelLoadMs"])
}
