package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/i2m2-wasm/i2m2/model"
)

// U8Suffix marks a modality given as integers 0..255 ("image_u8"); each value
// v becomes v/255, the scaling the model's [0,1] inputs use (docs/data-sources.md).
const U8Suffix = "_u8"

// httpError is an error with the status code the client gets.
type httpError struct {
	status int
	msg    string
}

func (e *httpError) Error() string { return e.msg }

func badRequest(format string, a ...any) error {
	return &httpError{http.StatusBadRequest, fmt.Sprintf(format, a...)}
}

// batchError is the 400 about one sample of a batch: sample is its index and reason what is wrong
// with it, as the JS module's errors carry error.sample and error.reason (wasm/i2m2.d.ts); msg is
// the whole message ("batch[1].audio: 1 values, want 1600", reason "audio: 1 values, want 1600").
type batchError struct {
	sample      int
	msg, reason string
}

func (e *batchError) Error() string { return e.msg }

// ofSample makes err, if it is a 400 about sample i (its message starts with where, "batch[i]"),
// that sample's batchError; malformed JSON stays the body's.
func ofSample(err error, i int, where string) error {
	var he *httpError
	if !errors.As(err, &he) || he.status != http.StatusBadRequest || !strings.HasPrefix(he.msg, where) {
		return err
	}
	return &batchError{i, he.msg, strings.TrimLeft(strings.TrimPrefix(he.msg, where), ".: ")}
}

// request is a decoded POST /predict body: one sample, or a batch.
type request struct {
	samples []map[string][]float32
	batch   bool // the body was {"batch": [...]}
}

// decodeRequest reads a /predict body from r (which the caller bounds) and
// checks every modality's name, length and values against m. The body is
// either one sample {"image": [...], "audio": [...]} or {"batch": [sample,
// ...]} with at most maxBatch samples. A sample maps modality names to arrays
// of finite numbers (or "<name>_u8" to integers 0..255, or null for a missing
// modality). JSON has no NaN or Infinity; strings ("NaN") and numbers beyond
// float32 range (1e39, 1e999) are rejected with the index of the value.
//
// The body is parsed in one pass by a small parser for exactly this schema:
// under wasm, encoding/json took about as long as the model's int8 forward
// pass on a sample, this parser about half of encoding/json's time
// (BenchmarkDecodeRequest).
// It accepts only valid JSON (FuzzDecodeMatchesStdlib checks it against
// encoding/json) and stops at the first problem.
func decodeRequest(m *model.Model, r io.Reader, maxBatch int) (*request, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, readError(err)
	}
	ps := &parser{b: b}
	ps.ws()
	if ps.p == len(b) {
		return nil, badRequest("empty request body: want a JSON object such as {\"image\": [...], \"audio\": [...]}")
	}
	req := &request{}
	var single map[string][]float32
	err = ps.object("request body", func(key string, n int) error {
		if key == "batch" {
			if n > 0 {
				return badRequest("a batch request has only the field \"batch\"")
			}
			req.batch = true
			return ps.batch(m, maxBatch, req)
		}
		if req.batch {
			return badRequest("a batch request has only the field \"batch\"")
		}
		if single == nil {
			single = map[string][]float32{}
		}
		return ps.modality(m, key, single, "")
	})
	if err != nil {
		return nil, err
	}
	if ps.ws(); ps.p != len(b) {
		return nil, ps.syntax("data after the request object")
	}
	if !req.batch {
		if single == nil {
			single = map[string][]float32{}
		}
		req.samples = []map[string][]float32{single}
	}
	return req, nil
}

// readError turns a body read error into a 413 (the limit was hit) or a 400.
func readError(err error) error {
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		return &httpError{http.StatusRequestEntityTooLarge, fmt.Sprintf("request body is larger than the limit of %d bytes", mb.Limit)}
	}
	return badRequest("reading the request body: %v", err)
}

// parser is a cursor over a request body.
type parser struct {
	b []byte
	p int
}

func (ps *parser) ws() {
	for ps.p < len(ps.b) {
		switch ps.b[ps.p] {
		case ' ', '\t', '\n', '\r':
			ps.p++
		default:
			return
		}
	}
}

func (ps *parser) syntax(what string) error {
	if ps.p >= len(ps.b) {
		return badRequest("malformed JSON: unexpected end of the body")
	}
	return badRequest("malformed JSON at byte %d: %s", ps.p, what)
}

// sep consumes what follows a member or element: ',' (more follow) or close
// (the object or array ends, done); anything else is the syntax error bad.
// The number loop of floats keeps its own inline copy (hot path).
func (ps *parser) sep(close byte, bad string) (done bool, err error) {
	ps.ws()
	if ps.p >= len(ps.b) {
		return false, ps.syntax("")
	}
	switch ps.b[ps.p] {
	case ',':
		ps.p++
		return false, nil
	case close:
		ps.p++
		return true, nil
	}
	return false, ps.syntax(bad)
}

// object parses {"key": value, ...}, calling member for each key (n is the
// number of members before it) with the cursor on the value, which member
// must consume. Duplicate keys are rejected (encoding/json would silently
// keep the last).
func (ps *parser) object(what string, member func(key string, n int) error) error {
	ps.ws()
	if ps.p >= len(ps.b) {
		return ps.syntax("want an object")
	}
	if c := ps.b[ps.p]; c != '{' {
		if kind := valueKind(ps.b[ps.p:]); kind != "" {
			return badRequest("%s must be a JSON object, got %s", what, kind)
		}
		return ps.syntax(fmt.Sprintf("unexpected %q", c))
	}
	ps.p++
	var seen []string
	for n := 0; ; n++ {
		ps.ws()
		if n == 0 && ps.p < len(ps.b) && ps.b[ps.p] == '}' {
			ps.p++
			return nil
		}
		key, err := ps.str()
		if err != nil {
			return err
		}
		for _, k := range seen {
			if k == key {
				return badRequest("%s: field %q appears twice", what, key)
			}
		}
		if len(seen) == maxFields {
			return badRequest("%s has more than %d fields", what, maxFields)
		}
		seen = append(seen, key)
		if ps.ws(); ps.p >= len(ps.b) || ps.b[ps.p] != ':' {
			return ps.syntax("want ':' after an object key")
		}
		ps.p++
		ps.ws()
		if err := member(key, n); err != nil {
			return err
		}
		if done, err := ps.sep('}', "want ',' or '}' in an object"); done || err != nil {
			return err
		}
	}
}

// maxFields bounds the members of one object (the model has a handful of
// modalities; anything beyond is an error anyway).
const maxFields = 64

// str parses a JSON string. Escapes are rare in keys: that case is handed to
// encoding/json.
func (ps *parser) str() (string, error) {
	if ps.p >= len(ps.b) || ps.b[ps.p] != '"' {
		return "", ps.syntax("want a string (object key)")
	}
	start := ps.p
	esc := false
	for i := ps.p + 1; i < len(ps.b); i++ {
		switch c := ps.b[i]; {
		case c == '\\':
			esc = true
			i++
		case c == '"':
			ps.p = i + 1
			if !esc {
				if !utf8.Valid(ps.b[start+1 : i]) {
					return "", badRequest("malformed JSON at byte %d: invalid UTF-8 in a string", start)
				}
				return string(ps.b[start+1 : i]), nil
			}
			var s string
			if err := json.Unmarshal(ps.b[start:i+1], &s); err != nil {
				ps.p = start
				return "", ps.syntax("bad escape in a string")
			}
			return s, nil
		case c < 0x20:
			ps.p = i
			return "", ps.syntax("control character in a string")
		}
	}
	ps.p = len(ps.b)
	return "", ps.syntax("")
}

// batch parses [sample, ...] into req.samples.
func (ps *parser) batch(m *model.Model, maxBatch int, req *request) error {
	if ps.p >= len(ps.b) || ps.b[ps.p] != '[' {
		if kind := valueKind(ps.b[ps.p:]); kind != "" {
			return badRequest("\"batch\" must be an array of sample objects, got %s", kind)
		}
		return ps.syntax("want an array")
	}
	ps.p++
	for i := 0; ; i++ {
		ps.ws()
		if i == 0 && ps.p < len(ps.b) && ps.b[ps.p] == ']' {
			ps.p++
			return badRequest("\"batch\" is empty")
		}
		if i == maxBatch {
			return &httpError{http.StatusRequestEntityTooLarge, fmt.Sprintf("batch has more than %d samples, the limit is %d", maxBatch, maxBatch)}
		}
		in := map[string][]float32{}
		where := fmt.Sprintf("batch[%d]", i)
		if err := ps.object(where, func(key string, _ int) error { return ps.modality(m, key, in, where+".") }); err != nil {
			return ofSample(err, i, where)
		}
		req.samples = append(req.samples, in)
		if done, err := ps.sep(']', "want ',' or ']' in an array"); done || err != nil {
			return err
		}
	}
}

// modality parses the value of field key (a modality name, or one with the
// _u8 suffix) into in.
func (ps *parser) modality(m *model.Model, key string, in map[string][]float32, where string) error {
	name, u8 := key, false
	mi := m.ModalityIndex(name)
	if mi < 0 && strings.HasSuffix(name, U8Suffix) {
		name, u8 = strings.TrimSuffix(name, U8Suffix), true
		mi = m.ModalityIndex(name)
	}
	if mi < 0 {
		return badRequest("%sunknown modality %q (this model takes %s; %q gives a modality as integers 0-255)", where, key, modalityList(m), "<name>"+U8Suffix)
	}
	if _, dup := in[name]; dup {
		return badRequest("%sgive %q or %q, not both", where, name, name+U8Suffix)
	}
	x, err := ps.numbers(m.Modalities[mi].Shape.Size(), u8)
	if err != nil {
		var he *httpError
		if errors.As(err, &he) {
			return err
		}
		return badRequest("%s%s: %v", where, key, err)
	}
	in[name] = x // nil for JSON null: the modality is missing
	return nil
}

func modalityList(m *model.Model) string {
	var b strings.Builder
	for i, md := range m.Modalities {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%q (%d values, shape %v)", md.Name, md.Shape.Size(), md.Shape)
	}
	return b.String()
}
