package model

import (
	"math"
	"strconv"
	"unicode/utf8"
)

// The header decoder's scalars (strict.go has the decoder and its schema):
// strings, read without allocating where they repeat, and numbers, with the
// JSON grammar checked here and the value checked against its field.

// maxInterned bounds hdec.interned: a header of many distinct strings costs a
// search of at most this many per string.
const maxInterned = 64

// intern returns b as a string, the same string each time the header repeats
// it: every layer spells the same keys and kinds, and allocating each anew
// was most of the load's allocations (see leaf.go for why they matter). Not
// inlined: its loop belongs in a leaf, not in str.
//
//go:noinline
func (d *hdec) intern(b []byte) string {
	for _, s := range d.interned {
		if string(b) == s {
			return s
		}
	}
	s := string(b)
	if len(d.interned) < maxInterned {
		d.interned = append(d.interned, s)
	}
	return s
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
