package api

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
)

// The number loop of POST /predict: a sample's arrays hold most of a body's
// bytes (784 image and 1600 audio values), so they are parsed here without
// encoding/json's reflection (BenchmarkNumbers measures both side by side).

// numbers parses null (nil) or an array of exactly n finite float32 numbers
// (u8: integers 0..255, scaled by 1/255). Syntax errors come back as
// *httpError, problems with a value as plain errors.
func (ps *parser) numbers(n int, u8 bool) ([]float32, error) {
	b := ps.b
	if bytes.HasPrefix(b[ps.p:], []byte("null")) {
		ps.p += 4
		return nil, nil
	}
	if ps.p >= len(b) || b[ps.p] != '[' {
		if kind := valueKind(b[ps.p:]); kind != "" {
			return nil, fmt.Errorf("want an array of %d numbers, got %s", n, kind)
		}
		return nil, ps.syntax("want an array")
	}
	ps.p++
	x := make([]float32, n)
	for i := 0; ; i++ {
		ps.ws()
		if ps.p >= len(b) {
			return nil, ps.syntax("")
		}
		if i == 0 && b[ps.p] == ']' {
			ps.p++
			return nil, fmt.Errorf("0 values, want %d", n)
		}
		start := ps.p
		end := numberEnd(b, start)
		if end < 0 {
			if kind := valueKind(b[start:]); kind != "" && kind != "a number" {
				return nil, fmt.Errorf("value %d is %s, not a number (JSON has no NaN or Infinity)", i, kind)
			}
			return nil, ps.syntax("bad number")
		}
		if i == n {
			return nil, fmt.Errorf("more than %d values, want %d", n, n)
		}
		// The bytes are a valid JSON number, so the only possible error is ErrRange.
		v, _ := strconv.ParseFloat(string(b[start:end]), 32)
		if math.IsInf(v, 0) {
			return nil, fmt.Errorf("value %d (%.40s) is outside the float32 range", i, b[start:end])
		}
		if u8 {
			if v < 0 || v > 255 || v != math.Trunc(v) {
				return nil, fmt.Errorf("value %d (%.40s) is not an integer 0-255", i, b[start:end])
			}
			v /= 255
		}
		x[i] = float32(v)
		ps.p = end
		ps.ws()
		if ps.p >= len(b) {
			return nil, ps.syntax("")
		}
		switch b[ps.p] {
		case ',':
			ps.p++
		case ']':
			ps.p++
			if i+1 != n {
				return nil, fmt.Errorf("%d values, want %d", i+1, n)
			}
			return x, nil
		default:
			return nil, ps.syntax("want ',' or ']' in an array")
		}
	}
}

// numberEnd returns the end of the JSON number starting at b[p] (RFC 8259
// §6: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?), or -1.
func numberEnd(b []byte, p int) int {
	digits := func() int {
		s := p
		for p < len(b) && b[p] >= '0' && b[p] <= '9' {
			p++
		}
		return p - s
	}
	if p < len(b) && b[p] == '-' {
		p++
	}
	if p < len(b) && b[p] == '0' {
		p++
	} else if p >= len(b) || b[p] < '1' || b[p] > '9' || digits() == 0 {
		return -1
	}
	if p < len(b) && b[p] == '.' {
		p++
		if digits() == 0 {
			return -1
		}
	}
	if p < len(b) && (b[p] == 'e' || b[p] == 'E') {
		p++
		if p < len(b) && (b[p] == '+' || b[p] == '-') {
			p++
		}
		if digits() == 0 {
			return -1
		}
	}
	return p
}

// valueKind names the JSON value starting at b, or "" if no JSON value
// starts there.
func valueKind(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	switch c := b[0]; {
	case c == '"':
		return "a string"
	case c == '{':
		return "an object"
	case c == '[':
		return "an array"
	case bytes.HasPrefix(b, []byte("true")), bytes.HasPrefix(b, []byte("false")):
		return "a boolean"
	case bytes.HasPrefix(b, []byte("null")):
		return "null"
	case c == '-' || c >= '0' && c <= '9':
		return "a number"
	}
	return ""
}
