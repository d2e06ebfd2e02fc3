package model

import (
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
	b        []byte
	i        int
	depth    int
	at       string   // the object being read, for unknown keys
	interned []string // strings read so far (intern)
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
