package api

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strings"

	"github.com/i2m2-wasm/i2m2/manifest"
)

// A Server serves its default model and, added with AddModel, more models under names (the
// manifest's tasks: "digit", "same", "digit-or-mismatch"): POST /predict?model=<name> and
// GET /model?model=<name> choose one, GET /models lists them. Each is decoded on first use and
// must be vouched for by the manifest like the default model (fail closed).

// validName is what a model's name may be: it goes into a query string and into messages.
var validName = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)

// AddModel serves the .i2m2 file b (not copied) under name too. A file with the default
// model's bytes is the default model under another name (one decode, one set of run states).
func (s *Server) AddModel(name string, b []byte) error {
	if !validName.MatchString(name) {
		return fmt.Errorf("model name %q: want 1-64 of a-z, 0-9, '.', '_', '-', starting with a letter or digit", name)
	}
	if name == s.Name() || s.others[name] != nil {
		return fmt.Errorf("model name %q is already served", name)
	}
	if s.others == nil {
		s.others = map[string]*Server{}
	}
	if hexSHA256(b) == hexSHA256(s.file) {
		s.others[name] = s
		return nil
	}
	o := New(b, s.opt)
	o.opt.Name = name
	s.others[name] = o
	return nil
}

// Name is the default model's name (Options.Name, else "default").
func (s *Server) Name() string {
	if s.opt.Name != "" {
		return s.opt.Name
	}
	return "default"
}

// Names lists every name a model is served under, the default's first, then the others sorted.
func (s *Server) Names() []string {
	var out []string
	for n := range s.others {
		out = append(out, n)
	}
	sort.Strings(out)
	return append([]string{s.Name()}, out...)
}

// pick returns the model the request names (?model=), the default without one; for an unknown
// name it answers 404 listing the names and returns nil.
func (s *Server) pick(w http.ResponseWriter, r *http.Request) *Server {
	q := r.URL.Query()
	if !q.Has("model") {
		return s
	}
	name := q.Get("model")
	if name == s.Name() {
		return s
	}
	if o := s.others[name]; o != nil {
		return o
	}
	writeJSON(w, http.StatusNotFound, struct {
		Error  string   `json:"error"`
		Models []string `json:"models"`
	}{fmt.Sprintf("no model named %q: this server has %s (GET /models)", name, strings.Join(s.Names(), ", ")), s.Names()})
	return nil
}

// listed is one model of GET /models.
type listed struct {
	Name       string   `json:"name"`
	Default    bool     `json:"default"`
	Task       string   `json:"task,omitempty"`  // the manifest task it answers
	Title      string   `json:"title,omitempty"` // that task's question
	File       string   `json:"file,omitempty"`  // its file in the manifest
	SHA256     string   `json:"sha256"`
	Bytes      int      `json:"bytes"`
	Classes    []string `json:"classes,omitempty"`
	Modalities any      `json:"modalities,omitempty"`
	Experts    []string `json:"experts,omitempty"`
	Error      string   `json:"error,omitempty"` // why the model cannot be served (503 on use)
}

// models answers GET /models: every model served, with its classes and sha256, and the manifest's
// tasks by name. Each model is decoded (and checked) on the first call.
func (s *Server) models(w http.ResponseWriter) {
	mf, _ := manifest.Parse(s.opt.Manifest) // nil when there is none or it does not parse
	out := struct {
		Default string            `json:"default"`
		Models  []listed          `json:"models"`
		Tasks   map[string]string `json:"tasks"` // task -> the name its model is served under
	}{Default: s.Name(), Tasks: map[string]string{}}
	for _, n := range s.Names() {
		x := s
		if n != s.Name() {
			x = s.others[n]
		}
		e := listed{Name: n, Default: n == s.Name(), SHA256: hexSHA256(x.file), Bytes: len(x.file)}
		if mf != nil {
			if me, ok := mf.BySHA256(e.SHA256); ok { // models, baselines and the tasks' models
				e.File = me.File
			}
			if t := mf.Tasks[n]; t != nil {
				e.Task, e.Title = n, t.Title
				out.Tasks[n] = n
			}
		}
		if m, path, err := x.Model(); err != nil {
			e.Error = err.Error()
		} else {
			d := m.Describe(path)
			e.Classes, e.Modalities = d.Classes, d.Modalities
			for _, ex := range d.Experts {
				e.Experts = append(e.Experts, ex.Name)
			}
		}
		out.Models = append(out.Models, e)
	}
	writeJSON(w, http.StatusOK, out)
}

// vouched reports whether the manifest lists a file with sha256 sum: among its models, baselines
// or the models of one of its tasks.
func vouched(mf []byte, sum string) bool {
	_, ok := entryOf(mf, sum)
	return ok
}

// EntryName is the name the manifest gives the model file b (its entry's "name"), or "default".
func EntryName(mf, b []byte) string {
	if e, ok := entryOf(mf, hexSHA256(b)); ok && validName.MatchString(e.Name) {
		return e.Name
	}
	return "default"
}

// entryOf is the entry of mf (weights/manifest.json, read by package manifest) whose sha256 is
// sum; ok is false when there is none or mf does not parse.
func entryOf(mf []byte, sum string) (manifest.Entry, bool) {
	m, err := manifest.Parse(mf)
	if err != nil {
		return manifest.Entry{}, false
	}
	return m.BySHA256(sum)
}

func hexSHA256(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// CheckAll decodes and checks every model served (natively, `i2m2 serve` fails at start rather
// than per request).
func (s *Server) CheckAll() error {
	for _, n := range s.Names() {
		x := s
		if n != s.Name() {
			x = s.others[n]
		}
		if _, _, err := x.Model(); err != nil {
			return fmt.Errorf("model %s: %w", n, err)
		}
	}
	return nil
}
