package model

import (
	"math"
	"strconv"
	"unicode/utf8"
)

// The header's JSON is decoded by hand, straight into the header struct:
// no encoding/json, reflect or fmt on the load path (in wasm, encoding/json
// took ~10 of the 21-35 ms a cold model.Read took). The decoder is strict,
// so that every reader of a file sees the same model (FORMAT.md, "JSON
// header"): RFC 8259 JSON, valid UTF-8, no \u escape of a UTF-16 surrogate
// (encoding/json would replace a lone one by U+FFFD, JavaScript keep it),
// every key one of the schema's spelled exactly (no case folding), no key
// twice in an object, no data after the header, nesting at most
// maxHeaderDepth. As with encoding/json, null leaves a field at its zero
// value and a number must fit its field (an integer for the int fields).
// FuzzHeader checks it against an independent parser.

// maxHeaderDepth bounds the nesting of the JSON header (the schema needs 5).
const maxHeaderDepth = 16

// headerError is a malformed header: it wraps errHeader.
type headerError struct{ msg string }

func (e *headerError) Error() string { return errHeader.Error() + ": " + e.msg }
func (e *headerError) Unwrap() error { return errHeader }

// decodeHeader decodes a header strictly.
func decodeHeader(b []byte) (header, error) {
	var h header
	if !utf8.Valid(b) {
		return h, &headerError{"the header is not valid UTF-8"}
	}
	d := &hdec{b: b}
	err := d.fields("header",
		field{"name", to(d.str, &h.Name)},
		field{"quantization", to(d.str, &h.Quantization)},
		field{"classes", to(d.strs, &h.Classes)},
		field{"modalities", func() error { return each(d, &h.Modalities, d.modality) }},
		field{"experts", func() error { return each(d, &h.Experts, d.expert) }},
		field{"provenance", to(d.provenance, &h.Provenance)})
	if err != nil {
		return header{}, err
	}
	if d.ws(); d.i != len(b) {
		return header{}, d.fail("data after the JSON header")
	}
	return h, nil
}

func (d *hdec) modality(md *hModality) error {
	return d.fields("modality",
		field{"name", to(d.str, &md.Name)},
		field{"shape", func() error { return each(d, &md.Shape, d.int) }})
}

func (d *hdec) expert(e *hExpert) error {
	return d.fields("expert",
		field{"name", to(d.str, &e.Name)},
		field{"inputs", to(d.strs, &e.Inputs)},
		field{"branches", func() error { return each(d, &e.Branches, d.layers) }},
		field{"head", to(d.layers, &e.Head)})
}

func (d *hdec) provenance(pv *Provenance) error {
	return d.fields("provenance",
		field{"data", to(d.str, &pv.Data)},
		field{"created", to(d.str, &pv.Created)},
		field{"seed", to(d.int64, &pv.Seed)},
		field{"metrics", func() error {
			return d.object("metrics", func(key string) error {
				if pv.Metrics == nil {
					pv.Metrics = map[string]float64{}
				}
				if _, dup := pv.Metrics[key]; dup {
					return d.fail("metrics has the key " + strconv.Quote(key) + " twice")
				}
				v := 0.0
				err := d.float(&v)
				pv.Metrics[key] = v
				return err
			})
		}})
}

// hdec reads JSON values from b at i.
type hdec struct {
	b     []byte
	i     int
	depth int
	at    string   // the object being read, for unknown keys
	seen  []string // strings read so far (intern)
}

// maxInterned bounds hdec.seen: a header of many distinct strings costs a
// search of at most this many per string.
const maxInterned = 64

// intern returns b as a string, the same string each time the header repeats
// it: every layer spells the same keys and kinds, and allocating each anew
// was most of the load's allocations (see leaf.go for why they matter). Not
// inlined: its loop belongs in a leaf, not in str.
//
//go:noinline
func (d *hdec) intern(b []byte) string {
	for _, s := range d.seen {
		if string(b) == s {
			return s
		}
	}
	s := string(b)
	if len(d.seen) < maxInterned {
		d.seen = append(d.seen, s)
	}
	return s
}

func (d *hdec) fail(msg string) error {
	return &headerError{msg + " (at byte " + strconv.Itoa(d.i) + ")"}
}

func (d *hdec) unknown(key string) error {
	return d.fail(d.at + " has an unknown key " + strconv.Quote(key) + " (keys are case-sensitive)")
}

func (d *hdec) ws() {
	for d.i < len(d.b) && (d.b[d.i] == ' ' || d.b[d.i] == '\t' || d.b[d.i] == '\n' || d.b[d.i] == '\r') {
		d.i++
	}
}

// null consumes a null literal if one comes next.
func (d *hdec) null() bool {
	d.ws()
	if d.i+4 <= len(d.b) && string(d.b[d.i:d.i+4]) == "null" {
		d.i += 4
		return true
	}
	return false
}

// enter and leave bound the nesting.
func (d *hdec) enter(open byte, what string) error {
	d.ws()
	if d.i >= len(d.b) || d.b[d.i] != open {
		return d.fail("want " + what)
	}
	d.i++
	if d.depth++; d.depth > maxHeaderDepth {
		return d.fail("the header nests deeper than " + strconv.Itoa(maxHeaderDepth))
	}
	return nil
}

// object reads an object (or null) named at, calling field for every key
// with the reader at its value; a key seen before is an error.
func (d *hdec) object(at string, field func(key string) error) error {
	seen := make([]string, 0, 8) // schema objects have a few keys; metrics checks its own
	return d.list('{', '}', "an object for "+at, "want ',' or '}' in "+at, func() error {
		var key string
		if err := d.str(&key); err != nil {
			return err
		}
		if at != "metrics" {
			for _, k := range seen {
				if k == key {
					return d.fail(at + " has the key " + strconv.Quote(key) + " twice")
				}
			}
			seen = append(seen, key)
		}
		if d.ws(); d.i >= len(d.b) || d.b[d.i] != ':' {
			return d.fail("want ':'")
		}
		d.i++
		d.at = at
		return field(key)
	})
}

// array reads an array (or null), calling elem with the reader at each element.
func (d *hdec) array(elem func() error) error {
	return d.list('[', ']', "an array", "want ',' or ']'", elem)
}

// list reads an object or an array (or null): open, members separated by
// commas (member reads one, the reader at its start), close.
func (d *hdec) list(open, close byte, what, wantClose string, member func() error) error {
	if d.null() {
		return nil
	}
	if err := d.enter(open, what); err != nil {
		return err
	}
	for first := true; ; first = false {
		d.ws()
		if first && d.i < len(d.b) && d.b[d.i] == close {
			break
		}
		if err := member(); err != nil {
			return err
		}
		if d.ws(); d.i < len(d.b) && d.b[d.i] == ',' {
			d.i++
			continue
		}
		break
	}
	if d.ws(); d.i >= len(d.b) || d.b[d.i] != close {
		return d.fail(wantClose)
	}
	d.i++
	d.depth--
	return nil
}

// field is one key of a schema object and how to read its value.
type field struct {
	key  string
	read func() error
}

// fields reads an object (or null) named at whose keys are those of fs.
func (d *hdec) fields(at string, fs ...field) error {
	return d.object(at, func(key string) error {
		for _, f := range fs {
			if f.key == key {
				return f.read()
			}
		}
		return d.unknown(key)
	})
}

// to is read(p) as a field's reader.
func to[T any](read func(*T) error, p *T) func() error {
	return func() error { return read(p) }
}

// each reads an array (or null), appending an element to *dst for each
// and reading it with elem.
func each[T any](d *hdec, dst *[]T, elem func(*T) error) error {
	return d.array(func() error {
		var z T
		*dst = append(*dst, z)
		return elem(&(*dst)[len(*dst)-1])
	})
}

func (d *hdec) strs(dst *[]string) error { return each(d, dst, d.str) }

func (d *hdec) layers(dst *[]hLayer) error {
	return each(d, dst, func(l *hLayer) error {
		return d.object("layer", func(key string) error {
			if key == "kind" {
				return d.str(&l.Kind)
			}
			for _, f := range l.ints() {
				if key == f.key {
					return d.int(f.v)
				}
			}
			return d.unknown(key)
		})
	})
}

// str reads a string (or null) into dst. A string without escapes (the
// common case: names and kinds) takes the short path; str stays small for
// V8's sake (see leaf.go), escaped does the rest.
func (d *hdec) str(dst *string) error {
	if d.null() {
		return nil
	}
	if d.i >= len(d.b) || d.b[d.i] != '"' {
		return d.fail("want a string")
	}
	start := d.i + 1
	d.i = start + plainRun(d.b[start:])
	if d.i < len(d.b) && d.b[d.i] == '"' {
		*dst = d.intern(d.b[start:d.i])
		d.i++
		return nil
	}
	return d.escaped(dst, start)
}

// escaped reads the rest of the string whose bytes from start to d.i are
// plain, from d.i on.
func (d *hdec) escaped(dst *string, start int) error {
	out := append([]byte{}, d.b[start:d.i]...)
	for d.i < len(d.b) {
		c := d.b[d.i]
		switch {
		case c == '"':
			*dst = string(out)
			d.i++
			return nil
		case c < 0x20:
			return d.fail("control character in a string")
		case c == '\\':
			if d.i+1 >= len(d.b) {
				return d.fail("bad escape")
			}
			e := d.b[d.i+1]
			d.i += 2
			switch e {
			case '"', '\\', '/':
				out = append(out, e)
			case 'b':
				out = append(out, '\b')
			case 'f':
				out = append(out, '\f')
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 't':
				out = append(out, '\t')
			case 'u':
				if d.i+4 > len(d.b) {
					return d.fail("bad \\u escape")
				}
				n, err := strconv.ParseUint(string(d.b[d.i:d.i+4]), 16, 16)
				if err != nil {
					return d.fail("bad \\u escape")
				}
				if n >= 0xd800 && n <= 0xdfff {
					d.i -= 2
					return d.fail("\\" + string(d.b[d.i+1:d.i+6]) + " escapes a UTF-16 surrogate (write the character as UTF-8)")
				}
				d.i += 4
				out = utf8.AppendRune(out, rune(n))
			default:
				return d.fail("bad escape")
			}
		default:
			n := plainRun(d.b[d.i:])
			out = append(out, d.b[d.i:d.i+n]...)
			d.i += n
		}
	}
	return d.fail("unterminated string")
}

// plainRun returns the length of b's leading run of bytes that a JSON string
// holds as they are (no quote, backslash or control character). A leaf: see
// leaf.go.
//
//go:noinline
func plainRun(b []byte) int {
	for i, c := range b {
		if c == '"' || c == '\\' || c < 0x20 {
			return i
		}
	}
	return len(b)
}

// number returns the literal of a JSON number (RFC 8259 grammar) and
// whether it is an integer (no fraction or exponent).
func (d *hdec) number() (lit []byte, integer bool, err error) {
	d.ws()
	start := d.i
	digits := func() int {
		n := 0
		for d.i < len(d.b) && d.b[d.i] >= '0' && d.b[d.i] <= '9' {
			d.i++
			n++
		}
		return n
	}
	if d.i < len(d.b) && d.b[d.i] == '-' {
		d.i++
	}
	if d.i < len(d.b) && d.b[d.i] == '0' {
		d.i++
	} else if digits() == 0 {
		return nil, false, d.fail("want a number")
	}
	integer = true
	if d.i < len(d.b) && d.b[d.i] == '.' {
		d.i++
		integer = false
		if digits() == 0 {
			return nil, false, d.fail("bad number")
		}
	}
	if d.i < len(d.b) && (d.b[d.i] == 'e' || d.b[d.i] == 'E') {
		d.i++
		integer = false
		if d.i < len(d.b) && (d.b[d.i] == '+' || d.b[d.i] == '-') {
			d.i++
		}
		if digits() == 0 {
			return nil, false, d.fail("bad number")
		}
	}
	return d.b[start:d.i], integer, nil
}

func (d *hdec) int64(dst *int64) error   { return d.num(dst) }
func (d *hdec) int(dst *int) error       { return d.num(dst) }
func (d *hdec) float(dst *float64) error { return d.num(dst) }

// num reads a number (or null, which leaves the field as it is) into dst,
// an *int64, *int or *float64, which it must fit.
func (d *hdec) num(dst any) error {
	if d.null() {
		return nil
	}
	lit, integer, err := d.number()
	if err != nil {
		return err
	}
	if p, ok := dst.(*float64); ok {
		v, perr := strconv.ParseFloat(string(lit), 64)
		if perr != nil || math.IsInf(v, 0) {
			return d.fail("the number " + string(lit) + " is out of range")
		}
		*p = v
		return nil
	}
	v, ok := parseInt(lit)
	if !integer || !ok {
		return d.fail("the number " + string(lit) + " is not a 64-bit integer")
	}
	switch p := dst.(type) {
	case *int64:
		*p = v
	case *int:
		if int64(int(v)) != v {
			return d.fail("the number " + strconv.FormatInt(v, 10) + " does not fit an int")
		}
		*p = int(v)
	}
	return nil
}

// parseInt returns the value of lit, a JSON number without fraction or
// exponent (number checked its grammar), and whether it fits an int64: what
// strconv.ParseInt(string(lit), 10, 64) returns, without the string.
func parseInt(lit []byte) (int64, bool) {
	neg := len(lit) > 0 && lit[0] == '-'
	if neg {
		lit = lit[1:]
	}
	var u uint64
	for _, c := range lit {
		if u > (math.MaxUint64-9)/10 {
			return 0, false
		}
		u = u*10 + uint64(c-'0')
	}
	if neg {
		if u > 1<<63 {
			return 0, false
		}
		return int64(-u), true
	}
	if u > math.MaxInt64 {
		return 0, false
	}
	return int64(u), true
}
