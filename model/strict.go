package model

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"unicode/utf8"
)

// maxHeaderDepth bounds the nesting of the JSON header (the schema needs 5).
const maxHeaderDepth = 16

// strictHeader checks what encoding/json lets through but a second reader of
// the same file could read differently (FORMAT.md, "JSON header"): the header
// must be valid UTF-8 without \u escapes of UTF-16 surrogates (encoding/json
// replaces a lone one by U+FFFD), every key must be one of the schema's keys
// spelled exactly (encoding/json matches keys case-insensitively and with
// Unicode folding), and no object may repeat a key (encoding/json keeps the
// last). The schema is the header struct's json tags.
func strictHeader(b []byte) error {
	if !utf8.Valid(b) {
		return fmt.Errorf("%w: the header is not valid UTF-8", errHeader)
	}
	for i := 0; i+1 < len(b); i++ {
		if b[i] != '\\' {
			continue
		}
		if b[i+1] == 'u' && i+5 < len(b) && (b[i+2]|0x20) == 'd' && strings.ContainsRune("89abcdefABCDEF", rune(b[i+3])) {
			return fmt.Errorf("%w: \\%s at byte %d escapes a UTF-16 surrogate (write the character as UTF-8)", errHeader, b[i+1:i+6], i)
		}
		i++ // skip the escaped character (it may be a backslash)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := walkStrict(dec, reflect.TypeFor[header](), "header", 0); err != nil {
		return err
	}
	return nil
}

// walkStrict reads one JSON value of Go type t (nil: any) from dec and checks
// its object keys.
func walkStrict(dec *json.Decoder, t reflect.Type, at string, depth int) error {
	if depth > maxHeaderDepth {
		return fmt.Errorf("%w: %s nests deeper than %d", errHeader, at, maxHeaderDepth)
	}
	tok, err := dec.Token()
	if err != nil {
		return fmt.Errorf("%w: %v", errHeader, err)
	}
	d, ok := tok.(json.Delim)
	if !ok {
		return nil // a scalar: decoding checks its type
	}
	switch d {
	case '{':
		seen := map[string]bool{}
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return fmt.Errorf("%w: %v", errHeader, err)
			}
			key, _ := kt.(string)
			if seen[key] {
				return fmt.Errorf("%w: %s has the key %q twice", errHeader, at, key)
			}
			seen[key] = true
			var vt reflect.Type
			switch {
			case t != nil && t.Kind() == reflect.Struct:
				if vt, ok = fieldType(t, key); !ok {
					return fmt.Errorf("%w: %s has an unknown key %q (keys are case-sensitive)", errHeader, at, key)
				}
			case t != nil && t.Kind() == reflect.Map:
				vt = t.Elem()
			}
			if err := walkStrict(dec, vt, at+"."+key, depth+1); err != nil {
				return err
			}
		}
	case '[':
		var et reflect.Type
		if t != nil && t.Kind() == reflect.Slice {
			et = t.Elem()
		}
		for i := 0; dec.More(); i++ {
			if err := walkStrict(dec, et, fmt.Sprintf("%s[%d]", at, i), depth+1); err != nil {
				return err
			}
		}
	}
	if _, err := dec.Token(); err != nil { // the closing delimiter
		return fmt.Errorf("%w: %v", errHeader, err)
	}
	return nil
}

// fieldType returns the type of struct t's field whose json name is key.
func fieldType(t reflect.Type, key string) (reflect.Type, bool) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == key && f.IsExported() {
			return f.Type, true
		}
	}
	return nil, false
}
