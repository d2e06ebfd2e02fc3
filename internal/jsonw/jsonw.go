// Package jsonw writes JSON values byte for byte as encoding/json does, for
// the engine's two JSON outputs written by hand (the model file's header,
// model/format.go, and the JS API's model.info, wasm/result.go): encoding/json
// and the reflection it needs are a tenth of the browser engine's download
// (bench/README.md, "Size of the engine in wasm"). Tests compare with
// encoding/json.
package jsonw

import (
	"sort"
	"strconv"
	"unicode/utf8"
)

const hex = "0123456789abcdef"

// String appends s quoted as encoding/json quotes it: HTML-safe (<, >, &
// escaped), U+2028 and U+2029 escaped, invalid UTF-8 as U+FFFD.
func String(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); {
		n := safeRun(s[i:])
		b = append(b, s[i:i+n]...)
		if i += n; i == len(s) {
			break
		}
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c == '\b':
				b = append(b, '\\', 'b')
			case c == '\f':
				b = append(b, '\\', 'f')
			case c < 0x20 || c == '<' || c == '>' || c == '&':
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&15])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, `\ufffd`...)
		case r == 0x2028 || r == 0x2029:
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&15])
		default:
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}

// safeRun returns the length of s's leading run of ASCII bytes that String
// writes as they are. A leaf the compiler may not inline: the per-byte loop
// stays out of String, which V8 would otherwise recompile whole while a cold
// engine loads (model/leaf.go says why).
//
//go:noinline
func safeRun(s string) int {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= utf8.RuneSelf || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return i
		}
	}
	return len(s)
}

// Strings appends ss as a JSON array of strings (nil: null).
func Strings(b []byte, ss []string) []byte {
	if ss == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = String(b, s)
	}
	return append(b, ']')
}

// Array appends a JSON array of n elements, each written by elem (null when
// isNil, as encoding/json writes a nil slice).
func Array(b []byte, n int, isNil bool, elem func(b []byte, i int) []byte) []byte {
	if isNil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i := 0; i < n; i++ {
		if i > 0 {
			b = append(b, ',')
		}
		b = elem(b, i)
	}
	return append(b, ']')
}

// Float appends a finite f as encoding/json writes a float64.
func Float(b []byte, f float64) []byte {
	abs := f
	if abs < 0 {
		abs = -abs
	}
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		b = strconv.AppendFloat(b, f, 'e', -1, 64)
		// encoding/json writes e-07 as e-7.
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
		return b
	}
	return strconv.AppendFloat(b, f, 'f', -1, 64)
}

// Key appends ,"k": (no comma when first).
func Key(b []byte, k string, first bool) []byte {
	if !first {
		b = append(b, ',')
	}
	b = String(b, k)
	return append(b, ':')
}

// Provenance appends a model's provenance object (model.Provenance, whose
// fields are all omitempty): {"data", "seed", "created", "metrics"} with the
// metrics' keys sorted, as encoding/json writes a map.
func Provenance(b []byte, data string, seed int64, created string, metrics map[string]float64) []byte {
	b = append(b, '{')
	first := true
	if data != "" {
		b, first = String(Key(b, "data", first), data), false
	}
	if seed != 0 {
		b, first = strconv.AppendInt(Key(b, "seed", first), seed, 10), false
	}
	if created != "" {
		b, first = String(Key(b, "created", first), created), false
	}
	if len(metrics) > 0 {
		b = Key(b, "metrics", first)
		keys := make([]string, 0, len(metrics))
		for k := range metrics {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b = append(b, '{')
		for i, k := range keys {
			b = Float(Key(b, k, i == 0), metrics[k])
		}
		b = append(b, '}')
	}
	return append(b, '}')
}
