package model

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzHeader: whatever header the reader accepts, a second, independent and
// strict JSON parser (below, written from RFC 8259) must accept too and see
// the same model: the same names, shapes, classes, layers and provenance.
// A header with a duplicate key, a key spelled differently from the schema,
// invalid UTF-8 or a surrogate escape must not be accepted (FORMAT.md).
func FuzzHeader(f *testing.F) {
	for _, name := range []string{"testdata/tiny-f32.i2m2", "testdata/tiny-int8.i2m2"} {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b[fixedHeader : fixedHeader+int(binary.LittleEndian.Uint32(b[8:]))])
	}
	for _, h := range []string{
		`{"name":"t","modalities":[{"name":"a","shape":[1,2,2]}],"classes":["x","y"],"quantization":"float32","experts":[{"name":"a","inputs":["a"],"branches":[[{"kind":"flatten"}]],"head":[{"kind":"dense","in":4,"out":2}]}],"provenance":{"seed":3,"metrics":{"acc":0.5}}}`,
		`{"name":"t","name":"u"}`, `{"KIND":1}`, "{\"\u212aind\":1}", `{"name":"\ud800"}`, "{\"name\":\"\xff\"}",
	} {
		f.Add([]byte(h))
	}
	f.Fuzz(func(t *testing.T, h []byte) {
		m, err := parseHeader(h, budget{})
		if err != nil {
			return
		}
		v, perr := strictParse(h)
		if perr != nil {
			t.Fatalf("the reader accepted a header the strict parser rejects (%v): %q", perr, h)
		}
		if err := sameModel(m, v); err != nil {
			t.Fatalf("the reader's view differs from the strict parser's: %v\nheader %q", err, h)
		}
	})
}

// TestStrictHeaderRejects: the header tricks give errHeader.
func TestStrictHeaderRejects(t *testing.T) {
	base := `{"name":"t","modalities":[{"name":"a","shape":[1,2,2]}],"classes":["x","y"],"quantization":"float32","experts":[{"name":"a","inputs":["a"],"branches":[[{"kind":"flatten"}]],"head":[{"kind":"dense","in":4,"out":2}]}],"provenance":{}}`
	if _, err := parseHeader([]byte(base), budget{}); err != nil {
		t.Fatal(err)
	}
	for name, h := range map[string]string{
		"upper-case key":      replace1(base, `"kind":"flatten"`, `"KIND":"flatten"`),
		"Kelvin sign":         replace1(base, `"kind":"flatten"`, "\"\u212aind\":\"flatten\""),
		"duplicate top key":   replace1(base, `"name":"t"`, `"name":"u","name":"t"`),
		"duplicate in metric": replace1(base, `"provenance":{}`, `"provenance":{"metrics":{"a":1,"a":2}}`),
		"invalid UTF-8":       replace1(base, `"name":"t"`, "\"name\":\"t\xff\""),
		"overlong UTF-8":      replace1(base, `"name":"t"`, "\"name\":\"\xc0\xaf\""),
		"lone surrogate":      replace1(base, `"name":"t"`, `"name":"\udc00"`),
		"surrogate pair":      replace1(base, `"name":"t"`, `"name":"\ud83d\ude00"`),
		"unknown key":         replace1(base, `"provenance":{}`, `"provenance":{},"extra":1`),
		"deep nesting":        replace1(base, `"provenance":{}`, `"provenance":{"metrics":`+nest(40)+`}`),
	} {
		if _, err := parseHeader([]byte(h), budget{}); !errors.Is(err, errHeader) {
			t.Errorf("%s: %v, want errHeader", name, err)
		}
	}
	// An escaped backslash before "ud800" is not an escape of a surrogate.
	if _, err := parseHeader([]byte(replace1(base, `"name":"t"`, `"name":"t\\ud800"`)), budget{}); err != nil {
		t.Errorf(`"t\\ud800": %v`, err)
	}
}

func replace1(s, from, to string) string {
	for i := 0; i+len(from) <= len(s); i++ {
		if s[i:i+len(from)] == from {
			return s[:i] + to + s[i+len(from):]
		}
	}
	panic("replace1: " + from + " not found")
}

func nest(n int) string {
	s := "1"
	for i := 0; i < n; i++ {
		s = `{"a":` + s + `}`
	}
	return s
}

// strictParse is the independent parser: RFC 8259 JSON, objects as
// map[string]any (a repeated key is an error), arrays as []any, numbers as
// their literal (numLit), strings valid UTF-8 with no escaped surrogates.
func strictParse(b []byte) (any, error) {
	p := &sp{b: b}
	v, err := p.value(0)
	if err != nil {
		return nil, err
	}
	p.ws()
	if p.i != len(b) {
		return nil, fmt.Errorf("trailing data at %d", p.i)
	}
	return v, nil
}

type numLit string

type sp struct {
	b []byte
	i int
}

func (p *sp) ws() {
	for p.i < len(p.b) && (p.b[p.i] == ' ' || p.b[p.i] == '\t' || p.b[p.i] == '\n' || p.b[p.i] == '\r') {
		p.i++
	}
}

func (p *sp) lit(s string, v any) (any, error) {
	if p.i+len(s) > len(p.b) || string(p.b[p.i:p.i+len(s)]) != s {
		return nil, fmt.Errorf("bad literal at %d", p.i)
	}
	p.i += len(s)
	return v, nil
}

func (p *sp) value(depth int) (any, error) {
	if depth > 100 {
		return nil, errors.New("too deep")
	}
	p.ws()
	if p.i >= len(p.b) {
		return nil, errors.New("unexpected end")
	}
	switch c := p.b[p.i]; {
	case c == '{':
		p.i++
		obj := map[string]any{}
		p.ws()
		if p.i < len(p.b) && p.b[p.i] == '}' {
			p.i++
			return obj, nil
		}
		for {
			p.ws()
			k, err := p.str()
			if err != nil {
				return nil, err
			}
			if _, dup := obj[k]; dup {
				return nil, fmt.Errorf("duplicate key %q", k)
			}
			p.ws()
			if p.i >= len(p.b) || p.b[p.i] != ':' {
				return nil, errors.New("want ':'")
			}
			p.i++
			if obj[k], err = p.value(depth + 1); err != nil {
				return nil, err
			}
			if more, err := p.next('}'); !more {
				return obj, err
			}
		}
	case c == '[':
		p.i++
		arr := []any{}
		p.ws()
		if p.i < len(p.b) && p.b[p.i] == ']' {
			p.i++
			return arr, nil
		}
		for {
			v, err := p.value(depth + 1)
			if err != nil {
				return nil, err
			}
			arr = append(arr, v)
			if more, err := p.next(']'); !more {
				return arr, err
			}
		}
	case c == '"':
		return p.str()
	case c == 't':
		return p.lit("true", true)
	case c == 'f':
		return p.lit("false", false)
	case c == 'n':
		return p.lit("null", nil)
	default:
		return p.num()
	}
}

// jsonNumber is RFC 8259's number grammar (section 6).
var jsonNumber = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`)

func (p *sp) num() (any, error) {
	lit := jsonNumber.Find(p.b[p.i:])
	if lit == nil {
		return nil, fmt.Errorf("bad number at %d", p.i)
	}
	p.i += len(lit)
	return numLit(lit), nil
}

// next reads what follows a member of an object or array: ',' (more
// follow) or its closing byte (the end).
func (p *sp) next(closing byte) (more bool, err error) {
	p.ws()
	if p.i < len(p.b) && p.b[p.i] == ',' {
		p.i++
		return true, nil
	}
	if p.i < len(p.b) && p.b[p.i] == closing {
		p.i++
		return false, nil
	}
	return false, fmt.Errorf("want ',' or '%c'", closing)
}

func (p *sp) str() (string, error) {
	if p.i >= len(p.b) || p.b[p.i] != '"' {
		return "", fmt.Errorf("want a string at %d", p.i)
	}
	p.i++
	var out []byte
	for p.i < len(p.b) {
		c := p.b[p.i]
		switch {
		case c == '"':
			p.i++
			return string(out), nil
		case c < 0x20:
			return "", errors.New("control character in a string")
		case c == '\\':
			if p.i+1 >= len(p.b) {
				return "", errors.New("bad escape")
			}
			e := p.b[p.i+1]
			p.i += 2
			if r, ok := map[byte]byte{'"': '"', '\\': '\\', '/': '/', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t'}[e]; ok {
				out = append(out, r)
				continue
			}
			if e != 'u' || p.i+4 > len(p.b) {
				return "", errors.New("bad escape")
			}
			n, err := strconv.ParseUint(string(p.b[p.i:p.i+4]), 16, 16)
			if err != nil {
				return "", errors.New("bad \\u escape")
			}
			p.i += 4
			if n >= 0xd800 && n <= 0xdfff {
				return "", errors.New("escaped surrogate")
			}
			out = utf8.AppendRune(out, rune(n))
		default:
			r, size := utf8.DecodeRune(p.b[p.i:])
			if r == utf8.RuneError && size == 1 {
				return "", errors.New("invalid UTF-8")
			}
			out = append(out, p.b[p.i:p.i+size]...)
			p.i += size
		}
	}
	return "", errors.New("unterminated string")
}

// sameModel compares the reader's model with the strict parse v of its header.
func sameModel(m *Model, v any) error {
	top, ok := v.(map[string]any)
	if !ok {
		return errors.New("header is not an object")
	}
	c := &cmp{}
	c.keys(top, "name", "modalities", "classes", "quantization", "experts", "provenance")
	c.str(top["name"], m.Name, "name")
	c.str(top["quantization"], m.quantization(), "quantization")
	mods := c.arr(top["modalities"], len(m.Modalities), "modalities")
	for i, x := range mods {
		o := c.obj(x, "modality")
		c.keys(o, "name", "shape")
		c.str(o["name"], m.Modalities[i].Name, "modality name")
		for j, d := range c.arr(o["shape"], 3, "shape") {
			c.num(d, float64(m.Modalities[i].Shape[j]), "shape")
		}
	}
	for i, x := range c.arr(top["classes"], len(m.Classes), "classes") {
		c.str(x, m.Classes[i], "class")
	}
	for i, x := range c.arr(top["experts"], len(m.Experts), "experts") {
		e := &m.Experts[i]
		o := c.obj(x, "expert")
		c.keys(o, "name", "inputs", "branches", "head")
		c.str(o["name"], e.Name, "expert name")
		for j, in := range c.arr(o["inputs"], len(e.Inputs), "inputs") {
			c.str(in, e.Inputs[j], "input")
		}
		for j, br := range c.arr(o["branches"], len(e.Branches), "branches") {
			c.layers(br, e.Branches[j])
		}
		c.layers(o["head"], e.Head)
	}
	if pv, ok := top["provenance"].(map[string]any); ok {
		c.keys(pv, "data", "seed", "created", "metrics")
		c.str(pv["data"], m.Provenance.Data, "provenance.data")
		c.str(pv["created"], m.Provenance.Created, "provenance.created")
		c.num(pv["seed"], float64(m.Provenance.Seed), "provenance.seed")
		if mt, ok := pv["metrics"].(map[string]any); ok {
			if len(mt) != len(m.Provenance.Metrics) {
				c.fail("metrics: %d keys, reader %d", len(mt), len(m.Provenance.Metrics))
			}
			for k, x := range mt {
				c.num(x, m.Provenance.Metrics[k], "metric "+k)
			}
		} else if pv["metrics"] != nil || len(m.Provenance.Metrics) > 0 {
			c.fail("metrics differ")
		}
	} else if top["provenance"] != nil {
		c.fail("provenance is not an object")
	}
	return c.err
}

type cmp struct{ err error }

func (c *cmp) fail(format string, a ...any) {
	if c.err == nil {
		c.err = fmt.Errorf(format, a...)
	}
}

func (c *cmp) keys(o map[string]any, allowed ...string) {
	for k := range o {
		ok := false
		for _, a := range allowed {
			ok = ok || k == a
		}
		if !ok {
			c.fail("key %q is not in the schema, yet the reader accepted it", k)
		}
	}
}

func (c *cmp) obj(v any, what string) map[string]any {
	o, ok := v.(map[string]any)
	if !ok {
		c.fail("%s is not an object", what)
	}
	return o
}

func (c *cmp) arr(v any, n int, what string) []any {
	a, ok := v.([]any)
	if v == nil && n == 0 {
		return nil
	}
	if !ok || len(a) != n {
		c.fail("%s: %v, the reader has %d", what, v, n)
		return nil
	}
	return a
}

func (c *cmp) str(v any, want, what string) {
	s, ok := v.(string)
	if v == nil {
		s, ok = "", true
	}
	if !ok || s != want {
		c.fail("%s: %q, the reader has %q", what, v, want)
	}
}

func (c *cmp) num(v any, want float64, what string) {
	if v == nil {
		if want != 0 {
			c.fail("%s: null, the reader has %v", what, want)
		}
		return
	}
	l, ok := v.(numLit)
	f, err := strconv.ParseFloat(string(l), 64)
	if !ok || err != nil || f != want {
		c.fail("%s: %v, the reader has %v", what, v, want)
	}
}

func (c *cmp) layers(v any, ls []Layer) {
	for i, x := range c.arr(v, len(ls), "layers") {
		l := ls[i]
		o := c.obj(x, "layer")
		c.keys(o, "kind", "in_channels", "out_channels", "kernel_h", "kernel_w", "stride", "pad", "in", "out")
		c.str(o["kind"], l.Kind.String(), "kind")
		for k, want := range map[string]int{"in_channels": l.InC, "out_channels": l.OutC, "kernel_h": l.KH, "kernel_w": l.KW, "stride": l.Stride, "pad": l.Pad, "in": l.In, "out": l.Out} {
			c.num(o[k], float64(want), k)
		}
	}
}

// FuzzParseInt: parseInt agrees with strconv.ParseInt on every integer
// literal of JSON's grammar (and on what number would not let through).
func FuzzParseInt(f *testing.F) {
	for _, s := range []string{"0", "-0", "7", "-42", "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809", "18446744073709551615", "18446744073709551616", "99999999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		digits := strings.TrimPrefix(s, "-")
		if digits == "" || strings.Trim(digits, "0123456789") != "" {
			return // not an integer literal: number rejects it first
		}
		want, err := strconv.ParseInt(s, 10, 64)
		got, ok := parseInt([]byte(s))
		if ok != (err == nil) || (ok && got != want) {
			t.Fatalf("%q: parseInt %d %v, strconv %d %v", s, got, ok, want, err)
		}
	})
}
