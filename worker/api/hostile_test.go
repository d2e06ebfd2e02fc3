package api

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/i2m2-wasm/i2m2/internal/hostile"
)

// TestIntegrity: the model file must be vouched for by Options.SHA256 or a
// manifest entry (fail closed); Unverified opts out.
func TestIntegrity(t *testing.T) {
	sum := sha256.Sum256(testFile())
	good := hex.EncodeToString(sum[:])
	entry := []byte(`{"models":[{"file":"m.i2m2","sha256":"` + good + `"}]}`)
	for _, c := range []struct {
		name string
		opt  Options
		ok   bool
		msg  string
	}{
		{"no manifest, no sha256", Options{}, false, "cannot verify the model file"},
		{"manifest without the entry", Options{Manifest: []byte(`{"models":[{"file":"m.i2m2","sha256":"00"}]}`)}, false, "no entry"},
		{"manifest not JSON", Options{Manifest: []byte(`<!doctype html>`)}, false, "cannot verify"},
		{"wrong sha256", Options{SHA256: strings.Repeat("0", 64), Manifest: entry}, false, "integrity check failed"},
		{"sha256 (upper case)", Options{SHA256: strings.ToUpper(good)}, true, ""},
		{"manifest entry", Options{Manifest: entry}, true, ""},
		{"unverified: opted out", Options{Unverified: true}, true, ""},
	} {
		s := New(testFile(), c.opt)
		for _, req := range [][2]string{{"POST", "/predict"}, {"GET", "/model"}} {
			res := do(s, req[0], req[1], bytes.NewReader(readFile(t, "sample.json")))
			if c.ok && res.status != 200 || !c.ok && (res.status != http.StatusServiceUnavailable || !bytes.Contains(res.body, []byte(c.msg))) {
				t.Errorf("%s: %s %s: %d %.200s", c.name, req[0], req[1], res.status, res.body)
			}
		}
	}
}

// TestMethodMatrix: every method and request target gets a JSON answer, 4xx
// for what the API does not serve (CONNECT, OPTIONS *, unknown methods).
func TestMethodMatrix(t *testing.T) {
	s, _ := testServer(t, Options{})
	for _, c := range []struct {
		method, target string
		status         int
	}{
		{"CONNECT", "127.0.0.1:8787", 405},
		{"OPTIONS", "*", 400},
		{"FOO", "/predict", 405},
		{"PROPFIND", "/model", 405},
		{"TRACE", "/model", 405},
		{"DELETE", "/predict", 405},
		{"PUT", "/healthz", 405},
		{"GET", "/nope", 404},
		{"OPTIONS", "/predict", 204},
		{"HEAD", "/model", 200},
	} {
		req := httptest.NewRequest("GET", "/", nil)
		req.Method, req.RequestURI = c.method, c.target
		if c.target == "*" {
			req.URL.Path = "*"
		} else if !strings.HasPrefix(c.target, "/") {
			req.URL.Path, req.URL.Host = "", c.target
		} else {
			req.URL.Path = c.target
		}
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if rec.Code != c.status {
			t.Errorf("%s %s: %d, want %d", c.method, c.target, rec.Code, c.status)
		}
		if c.status >= 400 {
			var e struct{ Error string }
			if json.Unmarshal(rec.Body.Bytes(), &e) != nil || e.Error == "" || rec.Header().Get("Allow") == "" && c.status == 405 {
				t.Errorf("%s %s: %d %q is not a JSON error with Allow", c.method, c.target, rec.Code, rec.Body)
			}
		}
	}
}

// trickle is a body that sends its first bytes, then nothing until closed.
type trickle struct {
	first  []byte
	closed chan struct{}
}

func (b *trickle) Read(p []byte) (int, error) {
	if len(b.first) > 0 {
		n := copy(p, b.first)
		b.first = b.first[n:]
		return n, nil
	}
	<-b.closed
	return 0, io.ErrUnexpectedEOF
}

func (b *trickle) Close() error {
	select {
	case <-b.closed:
	default:
		close(b.closed)
	}
	return nil
}

// TestSlowBody: a body that stops arriving gets a 408 after BodyTimeout, and
// the body is closed (its pending read ends).
func TestSlowBody(t *testing.T) {
	s, _ := testServer(t, Options{BodyTimeout: 50 * time.Millisecond})
	body := &trickle{first: []byte(`{"image": [0.5, 0.25`), closed: make(chan struct{})}
	req := httptest.NewRequest("POST", "/predict", nil)
	req.Body, req.ContentLength = body, -1
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	if rec.Code != http.StatusRequestTimeout || !bytes.Contains(rec.Body.Bytes(), []byte("did not arrive within 50ms")) {
		t.Fatalf("slow body: %d %s", rec.Code, rec.Body)
	}
	<-body.closed // closed by the server; a hang here fails the test by its timeout
	if res := do(s, "POST", "/predict", bytes.NewReader(readFile(t, "sample.json"))); res.status != 200 {
		t.Fatalf("after a slow body: %d %s", res.status, res.body)
	}
}

// TestNonFiniteModel: a model whose finite weights overflow float32 answers
// 400 naming the expert, never NaN in JSON.
func TestNonFiniteModel(t *testing.T) {
	cs, err := hostile.Corpus(false)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		if !c.NonFinite {
			continue
		}
		s := New(c.File, Options{Unverified: true})
		res := do(s, "POST", "/predict", strings.NewReader(`{"x":[`+strings.TrimSuffix(strings.Repeat("0.5,", 16), ",")+`]}`))
		if res.status != 400 || !bytes.Contains(res.body, []byte(`non-finite output: expert \"x\"`)) {
			t.Errorf("%s: %d %s", c.Name, res.status, res.body)
		}
	}
}

// TestHealthzGC: GET /healthz?gc=1 runs a collection before reporting.
func TestHealthzGC(t *testing.T) {
	s, _ := testServer(t, Options{})
	var a, b map[string]any
	json.Unmarshal(do(s, "GET", "/healthz", nil).body, &a)
	json.Unmarshal(do(s, "GET", "/healthz?gc=1", nil).body, &b)
	if b["goGCCycles"].(float64) <= a["goGCCycles"].(float64) {
		t.Fatalf("healthz?gc=1 did not collect: %v -> %v cycles", a["goGCCycles"], b["goGCCycles"])
	}
}
