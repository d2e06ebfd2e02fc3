package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/i2m2-wasm/i2m2/model"
)

// U8Suffix marks a modality given as integers 0..255 ("image_u8"); each value
// v becomes v/255, the scaling the model's [0,1] inputs use (data.md).
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

// request is a decoded POST /predict body: one sample, or a batch.
type request struct {
	samples []model.Inputs
	batch   bool // the body was {"batch": [...]}
}

// decodeRequest reads a /predict body from r (which the caller bounds) and
// checks every modality's name, length and values against m. The body is
// either one sample {"image": [...], "audio": [...]} or {"batch": [sample,
// ...]} with at most maxBatch samples. A sample maps modality names to arrays
// of finite numbers (or "<name>_u8" to integers 0..255, or null for a missing
// modality). JSON has no NaN or Infinity; strings ("NaN") and numbers beyond
// float32 range (1e39, 1e999) are rejected with the index of the value.
func decodeRequest(m *model.Model, r io.Reader, maxBatch int) (*request, error) {
	dec := json.NewDecoder(r)
	fields, err := decodeObject(dec, "request body")
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		if err == nil {
			return nil, badRequest("malformed JSON: data after the request object")
		}
		return nil, jsonError(err)
	}
	if raw, ok := fields.get("batch"); ok {
		if len(fields) != 1 {
			return nil, badRequest("a batch request has only the field \"batch\" (got %d fields)", len(fields))
		}
		var items []json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil || items == nil {
			return nil, badRequest("\"batch\" must be an array of sample objects")
		}
		if len(items) == 0 {
			return nil, badRequest("\"batch\" is empty")
		}
		if len(items) > maxBatch {
			return nil, &httpError{http.StatusRequestEntityTooLarge, fmt.Sprintf("batch has %d samples, the limit is %d", len(items), maxBatch)}
		}
		req := &request{batch: true, samples: make([]model.Inputs, len(items))}
		for i, it := range items {
			d := json.NewDecoder(bytes.NewReader(it))
			f, err := decodeObject(d, fmt.Sprintf("batch[%d]", i))
			if err != nil {
				return nil, err
			}
			if req.samples[i], err = sampleInputs(m, f, fmt.Sprintf("batch[%d].", i)); err != nil {
				return nil, err
			}
		}
		return req, nil
	}
	in, err := sampleInputs(m, fields, "")
	if err != nil {
		return nil, err
	}
	return &request{samples: []model.Inputs{in}}, nil
}

// field is one member of a JSON object, its value kept raw (already checked
// to be well-formed JSON by the decoder).
type field struct {
	name string
	raw  json.RawMessage
}

type fieldList []field

func (fs fieldList) get(name string) (json.RawMessage, bool) {
	for _, f := range fs {
		if f.name == name {
			return f.raw, true
		}
	}
	return nil, false
}

// maxFields bounds the members of one object (the model has a handful of
// modalities; anything beyond is an error anyway).
const maxFields = 64

// decodeObject reads one JSON object member by member, rejecting duplicate
// names (which encoding/json would silently resolve to the last one).
func decodeObject(dec *json.Decoder, what string) (fieldList, error) {
	tok, err := dec.Token()
	if err != nil {
		if err == io.EOF {
			return nil, badRequest("empty %s: want a JSON object such as {\"image\": [...], \"audio\": [...]}", what)
		}
		return nil, jsonError(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, badRequest("%s must be a JSON object, got %s", what, tokenKind(tok))
	}
	var fs fieldList
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, jsonError(err)
		}
		name, _ := tok.(string) // inside an object the decoder only yields string keys
		if _, dup := fs.get(name); dup {
			return nil, badRequest("%s: field %q appears twice", what, name)
		}
		if len(fs) == maxFields {
			return nil, badRequest("%s has more than %d fields", what, maxFields)
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, jsonError(err)
		}
		fs = append(fs, field{name, raw})
	}
	if _, err := dec.Token(); err != nil { // the closing '}'
		return nil, jsonError(err)
	}
	return fs, nil
}

func tokenKind(tok json.Token) string {
	switch t := tok.(type) {
	case json.Delim:
		if t == '[' {
			return "an array"
		}
		return string(t)
	case string:
		return "a string"
	case float64, json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", tok)
}

// jsonError turns a decoder error into a 400 (or a 413 when the body limit
// was hit).
func jsonError(err error) error {
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		return &httpError{http.StatusRequestEntityTooLarge, fmt.Sprintf("request body is larger than the limit of %d bytes", mb.Limit)}
	}
	if err == io.ErrUnexpectedEOF || err == io.EOF {
		return badRequest("malformed JSON: unexpected end of the body")
	}
	var he *httpError
	if errors.As(err, &he) {
		return he
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return badRequest("malformed JSON at byte %d: %v", se.Offset, err)
	}
	return badRequest("malformed JSON: %v", err)
}

// sampleInputs maps one sample's fields to model inputs.
func sampleInputs(m *model.Model, fs fieldList, where string) (model.Inputs, error) {
	in := make(model.Inputs, len(fs))
	for _, f := range fs {
		name, u8 := f.name, false
		mi := m.Modality(name)
		if mi < 0 && strings.HasSuffix(name, U8Suffix) {
			name, u8 = strings.TrimSuffix(name, U8Suffix), true
			mi = m.Modality(name)
		}
		if mi < 0 {
			return nil, badRequest("%sunknown modality %q (this model takes %s; %q gives a modality as integers 0-255)", where, f.name, modalityList(m), "<name>"+U8Suffix)
		}
		if _, dup := in[name]; dup {
			return nil, badRequest("%sgive %q or %q, not both", where, name, name+U8Suffix)
		}
		md := m.Modalities[mi]
		x, err := parseNumbers(f.raw, md.Shape.Size(), u8)
		if err != nil {
			return nil, badRequest("%s%s: %v", where, f.name, err)
		}
		in[name] = x // nil for JSON null: the modality is missing
	}
	return in, nil
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

// parseNumbers parses raw, a well-formed JSON value, as an array of exactly n
// finite float32 numbers (u8: integers 0..255, scaled by 1/255). JSON null
// gives nil (a missing modality).
func parseNumbers(raw []byte, n int, u8 bool) ([]float32, error) {
	raw = bytes.TrimSpace(raw)
	if string(raw) == "null" {
		return nil, nil
	}
	if len(raw) == 0 || raw[0] != '[' {
		return nil, fmt.Errorf("want an array of %d numbers, got %s", n, valueKind(raw))
	}
	x := make([]float32, n)
	i := 0
	p := 1
	for {
		p = skipSpace(raw, p)
		if p >= len(raw) {
			return nil, fmt.Errorf("unterminated array") // unreachable for decoder-checked JSON
		}
		if raw[p] == ']' {
			break
		}
		if i > 0 {
			if raw[p] != ',' {
				return nil, fmt.Errorf("malformed array at value %d", i)
			}
			p = skipSpace(raw, p+1)
		}
		end := p
		for end < len(raw) && isNumberByte(raw[end]) {
			end++
		}
		if end == p || p >= len(raw) {
			return nil, fmt.Errorf("value %d is %s, not a number (JSON has no NaN or Infinity)", i, valueKind(raw[p:]))
		}
		if i == n {
			return nil, fmt.Errorf("more than %d values, want %d", n, n)
		}
		v, err := strconv.ParseFloat(string(raw[p:end]), 32)
		if err != nil && !errors.Is(err, strconv.ErrRange) {
			return nil, fmt.Errorf("value %d (%.40s) is not a number", i, raw[p:end])
		}
		if math.IsInf(v, 0) || math.IsNaN(v) {
			return nil, fmt.Errorf("value %d (%.40s) is outside the float32 range", i, raw[p:end])
		}
		if u8 {
			if v < 0 || v > 255 || v != math.Trunc(v) {
				return nil, fmt.Errorf("value %d (%.40s) is not an integer 0-255", i, raw[p:end])
			}
			v /= 255
		}
		x[i] = float32(v)
		i++
		p = end
	}
	if i != n {
		return nil, fmt.Errorf("%d values, want %d", i, n)
	}
	return x, nil
}

func skipSpace(b []byte, p int) int {
	for p < len(b) && (b[p] == ' ' || b[p] == '\t' || b[p] == '\n' || b[p] == '\r') {
		p++
	}
	return p
}

func isNumberByte(c byte) bool {
	return c >= '0' && c <= '9' || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E'
}

// valueKind names the JSON value starting at b.
func valueKind(b []byte) string {
	if len(b) == 0 {
		return "nothing"
	}
	switch b[0] {
	case '"':
		return "a string"
	case '{':
		return "an object"
	case '[':
		return "an array"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}
