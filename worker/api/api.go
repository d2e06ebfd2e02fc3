// Package api is the HTTP API of the I2M2 worker, a plain net/http handler:
// the Cloudflare Worker (worker/main.go, github.com/syumai/workers) and
// `i2m2 serve` run the same code.
//
//	POST /predict  {"image": [784 floats], "audio": [1600 floats]} -> the JS API's result
//	               {"batch": [{...}, ...]}                          -> {"results": [...]}
//	POST /predict?model=same                                        -> the same with the model named "same"
//	GET  /model    the model's info and its weights/manifest.json entry (?model= as above)
//	GET  /models   every model served (name, task, classes, sha256) (models.go)
//	GET  /healthz  {"status": "ok", ...}
//
// Every response is JSON and carries CORS headers; errors are {"error": "..."}
// with 400 (malformed JSON, unknown modality, wrong length, NaN/Inf, a
// request target that is not a path), 404, 405 (with Allow), 408 (a body
// slower than BodyTimeout), 413 (body over MaxBodyBytes, batch over MaxBatch)
// or 503 (a model file that is unusable or that nothing vouches for).
// worker/README.md documents the API.
package api

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/i2m2-wasm/i2m2/model"
)

// Default limits. One sample is about 20-60 KB of JSON (2,384 numbers), so
// a full batch fits well under the body limit.
const (
	DefaultMaxBodyBytes = 2 << 20
	DefaultMaxBatch     = 32
	// DefaultBodyTimeout bounds the time to receive a request body: a 2 MiB
	// body needs 200 KiB/s, a one-sample body (20-60 KB) 6 KiB/s.
	DefaultBodyTimeout = 10 * time.Second
)

// Options configures a Server. The zero value uses the defaults.
type Options struct {
	MaxBodyBytes int64                // request body limit (413 beyond it)
	MaxBatch     int                  // samples per batch request (413 beyond it)
	Logf         func(string, ...any) // where internal errors go; log.Printf if nil
	Manifest     []byte               // weights/manifest.json: its entry with the file's sha256 vouches for the model
	Now          func() time.Time     // clock for /healthz uptime; time.Now if nil
	BodyTimeout  time.Duration        // time to receive a request body (408 beyond it)

	// The model file must be vouched for (fail closed): its sha256 must equal
	// SHA256 (hex), or, without SHA256, be listed in Manifest. Otherwise
	// every endpoint but /healthz answers 503, unless Unverified opts out.
	SHA256     string
	Unverified bool

	// Name is the default model's name in GET /models and ?model= ("default" if empty).
	Name string
}

// Server serves the API for one model file. The model is decoded on first
// use (not in New), so a fresh instance answers /healthz without paying for
// it: the Workers runtime may start a new Go instance per request.
type Server struct {
	file []byte
	opt  Options

	once    sync.Once
	m       *model.Model
	path    model.Path
	loadErr error
	loadUs  atomic.Int64 // model decode time in µs once loaded, else -1

	infoOnce sync.Once
	info     []byte

	mu   sync.Mutex
	free []*slot // idle run states; not a sync.Pool, which a GC empties

	started  time.Time
	requests atomic.Int64

	others map[string]*Server // more models by name (AddModel); an alias of the default is s itself
}

// New returns a Server for the .i2m2 file b (not copied; it must not change).
func New(b []byte, opt Options) *Server {
	if opt.MaxBodyBytes <= 0 {
		opt.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if opt.MaxBatch <= 0 {
		opt.MaxBatch = DefaultMaxBatch
	}
	if opt.Logf == nil {
		opt.Logf = log.Printf
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.BodyTimeout <= 0 {
		opt.BodyTimeout = DefaultBodyTimeout
	}
	s := &Server{file: b, opt: opt, started: opt.Now()}
	s.loadUs.Store(-1)
	return s
}

// Model decodes the model file on first call and returns it, the kernels
// predictions run (model.DefaultPath) and the error.
func (s *Server) Model() (*model.Model, model.Path, error) {
	s.once.Do(func() {
		t := s.opt.Now()
		if len(s.file) == 0 {
			s.loadErr = errors.New("no model file (the worker build copies weights/avmnist-real-int8.i2m2 into worker/assets/)")
		} else if s.loadErr = s.verify(); s.loadErr == nil {
			s.m, s.loadErr = model.Read(s.file)
		}
		if s.loadErr != nil {
			s.loadErr = fmt.Errorf("the server's model file is unusable: %w", s.loadErr)
			return
		}
		s.loadUs.Store(s.opt.Now().Sub(t).Microseconds())
		s.path = model.DefaultPath
	})
	return s.m, s.path, s.loadErr
}

// verify checks that Options.SHA256 or the manifest vouches for the file.
func (s *Server) verify() error {
	sum := sha256.Sum256(s.file)
	got := hex.EncodeToString(sum[:])
	if want := strings.ToLower(s.opt.SHA256); want != "" {
		if got != want {
			return fmt.Errorf("integrity check failed: the model file's sha256 is %s, expected %s", got, want)
		}
		return nil
	}
	if vouched(s.opt.Manifest, got) || s.opt.Unverified {
		return nil
	}
	why := "no manifest"
	if len(s.opt.Manifest) > 0 {
		why = "the manifest has no entry with that sha256 (or is not valid JSON)"
	}
	return fmt.Errorf("cannot verify the model file (sha256 %s): no expected sha256 given and %s; give the sha256 or a manifest listing it, or opt out explicitly (i2m2 serve -integrity=false)", got, why)
}

const (
	allowPredict = "POST, OPTIONS"
	allowGet     = "GET, HEAD, OPTIONS"
	allowAny     = "GET, HEAD, POST, OPTIONS"
)

// ServeHTTP routes a request. A panic (a bug, never expected from input) is
// recovered into a 500 so the instance keeps serving.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.requests.Add(1)
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", "*")
	defer func() {
		if v := recover(); v != nil {
			s.opt.Logf("i2m2 worker: panic serving %s %s: %v", r.Method, r.URL.Path, v)
			writeError(w, http.StatusInternalServerError, fmt.Sprintf("internal error: %v", v))
		}
	}()
	if r.Method == http.MethodConnect {
		h.Set("Allow", allowAny)
		writeError(w, http.StatusMethodNotAllowed, "CONNECT is not supported (this is not a proxy): try POST /predict, GET /model, GET /healthz")
		return
	}
	if !strings.HasPrefix(r.URL.Path, "/") { // "OPTIONS *" (server-wide) or another non-path target
		h.Set("Allow", allowAny)
		writeError(w, http.StatusBadRequest, fmt.Sprintf("%s %q: the request target must be a path such as /predict (OPTIONS * is not supported; ask OPTIONS /predict)", r.Method, r.RequestURI))
		return
	}
	var allow string
	switch r.URL.Path {
	case "/predict":
		allow = allowPredict
	case "/model", "/models", "/healthz", "/":
		allow = allowGet
	default:
		writeError(w, http.StatusNotFound, fmt.Sprintf("no such endpoint %q: try POST /predict, GET /model, GET /models, GET /healthz", r.URL.Path))
		return
	}
	if r.Method == http.MethodOptions { // CORS preflight
		h.Set("Allow", allow)
		h.Set("Access-Control-Allow-Methods", allow)
		h.Set("Access-Control-Allow-Headers", "Content-Type")
		h.Set("Access-Control-Max-Age", "86400")
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if (allow == allowPredict && r.Method != http.MethodPost) ||
		(allow == allowGet && r.Method != http.MethodGet && r.Method != http.MethodHead) {
		h.Set("Allow", allow)
		writeError(w, http.StatusMethodNotAllowed, fmt.Sprintf("%s %s is not allowed (allowed: %s)", r.Method, r.URL.Path, allow))
		return
	}
	switch r.URL.Path {
	case "/predict":
		if x := s.pick(w, r); x != nil {
			x.predict(w, r)
		}
	case "/model":
		if x := s.pick(w, r); x != nil {
			x.modelInfo(w)
		}
	case "/models":
		s.models(w)
	case "/healthz":
		s.healthz(w, r.URL.Query().Get("gc") == "1")
	case "/":
		writeJSON(w, http.StatusOK, map[string]any{
			"service":   "I2M2 (NeurIPS 2024) product-of-experts classifier",
			"endpoints": []string{"POST /predict", "GET /model", "GET /models", "GET /healthz"},
			"models":    s.Names(),
		})
	}
}

func (s *Server) predict(w http.ResponseWriter, r *http.Request) {
	if r.ContentLength > s.opt.MaxBodyBytes {
		writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body of %d bytes is larger than the limit of %d bytes", r.ContentLength, s.opt.MaxBodyBytes))
		return
	}
	m, path, err := s.Model()
	if err != nil {
		writeError(w, http.StatusServiceUnavailable, err.Error())
		return
	}
	if r.Body == nil {
		writeError(w, http.StatusBadRequest, "empty request body: want a JSON object such as {\"image\": [...], \"audio\": [...]}")
		return
	}
	req, err := s.readRequest(w, r, m)
	if err != nil {
		writeErr(w, err)
		return
	}
	sl, err := s.get(m, path)
	if err != nil {
		writeError(w, http.StatusServiceUnavailable, err.Error())
		return
	}
	defer s.put(sl)
	results := make([]*Result, len(req.samples))
	for i, in := range req.samples {
		// ErrInput / ErrNoExpert / ErrNonFinite (Predict never returns a NaN,
		// so every result can be written as JSON): the request's fault.
		if err := sl.p.Predict(in, sl.r); err != nil {
			msg := err.Error()
			if errors.Is(err, model.ErrNonFinite) {
				msg += " (inputs are expected in [0, 1])"
			}
			if req.batch {
				// the reason as the JS module gives it: the engine's message without "i2m2: "
				err = &batchError{i, fmt.Sprintf("batch[%d]: %s", i, msg), strings.TrimPrefix(msg, "i2m2: ")}
			} else {
				err = badRequest("%s", msg)
			}
			writeErr(w, err)
			return
		}
		results[i] = newResult(m, sl.r)
	}
	if req.batch {
		writeJSON(w, http.StatusOK, struct {
			Results []*Result `json:"results"`
		}{results})
		return
	}
	writeJSON(w, http.StatusOK, results[0])
}

// slot is one caller's run state: the engine's activation buffers and a
// result, reused across requests (making them is the expensive part of a
// prediction in wasm, where it sets off garbage collections).
type slot struct {
	p *model.Predictor
	r *model.Result
}

// maxFree bounds the idle slots kept (one per concurrently running request).
const maxFree = 64

func (s *Server) get(m *model.Model, path model.Path) (*slot, error) {
	s.mu.Lock()
	if n := len(s.free); n > 0 {
		sl := s.free[n-1]
		s.free = s.free[:n-1]
		s.mu.Unlock()
		return sl, nil
	}
	s.mu.Unlock()
	p, err := m.NewPredictor(path)
	if err != nil {
		return nil, err
	}
	return &slot{p, m.NewResult()}, nil
}

func (s *Server) put(sl *slot) {
	s.mu.Lock()
	if len(s.free) < maxFree {
		s.free = append(s.free, sl)
	}
	s.mu.Unlock()
}

// healthz reports the instance's state; with gc it first runs a garbage
// collection, so that goLiveHeapBytes is the live heap now (leak tests).
func (s *Server) healthz(w http.ResponseWriter, gc bool) {
	if gc {
		runtime.GC()
	}
	v := map[string]any{
		"status":           "ok",
		"instanceRequests": s.requests.Load(),
		"instanceUptimeMs": ms(s.opt.Now().Sub(s.started)),
		"modelLoaded":      false,
	}
	if us := s.loadUs.Load(); us >= 0 {
		v["modelLoaded"], v["modelLoadMs"] = true, float64(us)/1000
	}
	// Go memory, to tell a leak from heap growth: live heap as of the last
	// collection, and all memory the Go runtime holds (in wasm, the linear
	// memory it has grown to; it never shrinks).
	sm := []metrics.Sample{{Name: "/gc/heap/live:bytes"}, {Name: "/memory/classes/total:bytes"}, {Name: "/gc/cycles/total:gc-cycles"}}
	metrics.Read(sm)
	v["goLiveHeapBytes"], v["goTotalBytes"], v["goGCCycles"] = sm[0].Value.Uint64(), sm[1].Value.Uint64(), sm[2].Value.Uint64()
	writeJSON(w, http.StatusOK, v)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// Info is the body of GET /model: the model's description (model.Describe,
// the same fields as the JS API's model.info) and what this server adds.
type Info struct {
	model.Description
	SHA256   string             `json:"sha256"` // of the whole model file
	Bytes    int                `json:"bytes"`
	Manifest json.RawMessage    `json:"manifest"` // the weights/manifest.json entry whose sha256 matches; null if none
	Limits   map[string]float64 `json:"limits"`
}

func (s *Server) modelInfo(w http.ResponseWriter) {
	m, path, err := s.Model()
	if err != nil {
		writeError(w, http.StatusServiceUnavailable, err.Error())
		return
	}
	s.infoOnce.Do(func() { // hashing and encoding once per instance, and only when asked
		sum := sha256.Sum256(s.file)
		in := Info{
			Description: m.Describe(path), SHA256: hex.EncodeToString(sum[:]), Bytes: len(s.file),
			Limits: map[string]float64{"maxBodyBytes": float64(s.opt.MaxBodyBytes), "maxBatch": float64(s.opt.MaxBatch)},
		}
		in.Manifest = ManifestEntry(s.opt.Manifest, in.SHA256)
		s.info, _ = json.Marshal(in) // only finite numbers and strings: cannot fail
	})
	writeRaw(w, http.StatusOK, s.info)
}

// ManifestEntry returns the entry of mf (weights/manifest.json, read by package manifest)
// whose sha256 is sum, or JSON null when there is none or mf does not parse.
func ManifestEntry(mf []byte, sum string) json.RawMessage {
	e, ok := entryOf(mf, sum)
	if !ok {
		return json.RawMessage("null")
	}
	b, _ := json.Marshal(e) // strings and finite numbers: cannot fail
	return b
}

func writeErr(w http.ResponseWriter, err error) {
	if he, ok := err.(*httpError); ok {
		writeError(w, he.status, he.msg)
		return
	}
	if be, ok := err.(*batchError); ok {
		writeJSON(w, http.StatusBadRequest, struct {
			Error  string `json:"error"`
			Sample int    `json:"sample"`
			Reason string `json:"reason"`
		}{be.msg, be.sample, be.reason})
		return
	}
	writeError(w, http.StatusBadRequest, err.Error())
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, struct {
		Error string `json:"error"`
	}{msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil { // only finite numbers reach here; a failure is a bug
		status, b = http.StatusInternalServerError, []byte(`{"error":"internal error: encoding the response"}`)
	}
	writeRaw(w, status, b)
}

func writeRaw(w http.ResponseWriter, status int, b []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(b)+1))
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(b)
	w.Write([]byte{'\n'})
}
