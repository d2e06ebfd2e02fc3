// Package errfmt formats the engine's messages the way fmt does, for the verbs
// and types they use, without fmt: fmt, encoding/json and the reflection they
// bring were ~170 KB of the ~1.07 MB gzip of the browser engine's wasm
// (bench/README.md, "Size of the engine in wasm"), and a browser downloads
// and compiles every byte. Errorf wraps its %w operands like fmt.Errorf.
//
// Verbs: %v %s %d %q %x %w and %%. Operands: strings, integers, floats, bools,
// errors, fmt.Stringer-like values (String() string), []string, []int (pass a
// model.Shape, a named [3]int, as s[:]: a type switch cannot see it) and
// []byte. Anything else prints as %!v(?) — a mistake the tests catch, as fmt's
// own %!verb(type) would show. Flags and widths are not supported.
package errfmt

import (
	"strconv"
)

// Errorf is fmt.Errorf for the supported verbs.
func Errorf(format string, a ...any) error {
	var ws []error
	s := appendf(nil, format, a, &ws)
	switch len(ws) {
	case 0:
		return &plain{string(s)}
	case 1:
		return &wrapped{string(s), ws[0]}
	}
	return &wrappedN{string(s), ws}
}

// Sprintf is fmt.Sprintf for the supported verbs (%w prints as %v).
func Sprintf(format string, a ...any) string { return string(appendf(nil, format, a, nil)) }

type plain struct{ s string }

func (e *plain) Error() string { return e.s }

type wrapped struct {
	s string
	w error
}

func (e *wrapped) Error() string { return e.s }
func (e *wrapped) Unwrap() error { return e.w }

type wrappedN struct {
	s  string
	ws []error
}

func (e *wrappedN) Error() string   { return e.s }
func (e *wrappedN) Unwrap() []error { return e.ws }

func appendf(b []byte, format string, a []any, ws *[]error) []byte {
	ai := 0
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c != '%' || i+1 == len(format) {
			b = append(b, c)
			continue
		}
		i++
		verb := format[i]
		if verb == '%' {
			b = append(b, '%')
			continue
		}
		if ai >= len(a) {
			b = append(b, "%!"...)
			b = append(b, verb)
			b = append(b, "(MISSING)"...)
			continue
		}
		v := a[ai]
		ai++
		if verb == 'w' {
			if err, ok := v.(error); ok && ws != nil {
				*ws = append(*ws, err)
			}
			verb = 'v'
		}
		b = appendValue(b, verb, v)
	}
	return b
}

func appendValue(b []byte, verb byte, v any) []byte {
	switch x := v.(type) {
	case string:
		if verb == 'q' {
			return strconv.AppendQuote(b, x)
		}
		return append(b, x...)
	case []byte:
		if verb == 'x' {
			const digits = "0123456789abcdef"
			for _, c := range x {
				b = append(b, digits[c>>4], digits[c&15])
			}
			return b
		}
	case error:
		if x == nil {
			return append(b, "<nil>"...)
		}
		return append(b, x.Error()...)
	case interface{ String() string }:
		if verb == 'q' {
			return strconv.AppendQuote(b, x.String())
		}
		return append(b, x.String()...)
	case int:
		return strconv.AppendInt(b, int64(x), 10)
	case int8:
		return strconv.AppendInt(b, int64(x), 10)
	case int16:
		return strconv.AppendInt(b, int64(x), 10)
	case int32:
		return strconv.AppendInt(b, int64(x), 10)
	case int64:
		return strconv.AppendInt(b, x, 10)
	case uint:
		return strconv.AppendUint(b, uint64(x), 10)
	case uint8:
		return strconv.AppendUint(b, uint64(x), 10)
	case uint16:
		return strconv.AppendUint(b, uint64(x), 10)
	case uint32:
		return strconv.AppendUint(b, uint64(x), 10)
	case uint64:
		return strconv.AppendUint(b, x, 10)
	case float32:
		return appendFloat(b, float64(x), 32)
	case float64:
		return appendFloat(b, x, 64)
	case bool:
		return strconv.AppendBool(b, x)
	case []string:
		b = append(b, '[')
		for i, s := range x {
			if i > 0 {
				b = append(b, ' ')
			}
			b = appendValue(b, verb, s)
		}
		return append(b, ']')
	case []int:
		b = append(b, '[')
		for i, n := range x {
			if i > 0 {
				b = append(b, ' ')
			}
			b = strconv.AppendInt(b, int64(n), 10)
		}
		return append(b, ']')
	case nil:
		return append(b, "<nil>"...)
	}
	b = append(b, "%!"...)
	b = append(b, verb)
	return append(b, "(?)"...)
}

// appendFloat prints f as fmt's %v does: %g with the shortest representation
// (NaN, +Inf, -Inf as strconv writes them).
func appendFloat(b []byte, f float64, bits int) []byte {
	return strconv.AppendFloat(b, f, 'g', -1, bits)
}

// Hex is the lowercase hex of b (encoding/hex.EncodeToString, whose package
// imports fmt).
func Hex(b []byte) string { return string(appendValue(nil, 'x', b)) }
