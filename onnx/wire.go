package onnx

import (
	"encoding/binary"
	"fmt"
	"math"

	"google.golang.org/protobuf/encoding/protowire"
)

// The protobuf wire reading the decoder (decode.go) is built on: every field
// goes through protowire, and a known field with the wrong wire type is an
// error (ErrMalformed), never skipped.

// field is one protobuf field: its number, wire type and value (x for
// varint and fixed types, b for length-delimited ones).
type field struct {
	num protowire.Number
	typ protowire.Type
	x   uint64
	b   []byte
}

// fields calls fn for every field of the message b, in order.
func fields(b []byte, fn func(field) error) error {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return fmt.Errorf("%w: %v", ErrMalformed, protowire.ParseError(n))
		}
		b = b[n:]
		f := field{num: num, typ: typ}
		switch typ {
		case protowire.VarintType:
			f.x, n = protowire.ConsumeVarint(b)
		case protowire.Fixed32Type:
			var v uint32
			v, n = protowire.ConsumeFixed32(b)
			f.x = uint64(v)
		case protowire.Fixed64Type:
			f.x, n = protowire.ConsumeFixed64(b)
		case protowire.BytesType:
			f.b, n = protowire.ConsumeBytes(b)
		default:
			n = protowire.ConsumeFieldValue(num, typ, b)
		}
		if n < 0 {
			return fmt.Errorf("%w: field %d: %v", ErrMalformed, num, protowire.ParseError(n))
		}
		b = b[n:]
		if err := fn(f); err != nil {
			return err
		}
	}
	return nil
}

func (f field) wrongType() error {
	return fmt.Errorf("%w: field %d has wire type %d", ErrMalformed, f.num, f.typ)
}

func (f field) msg(fn func(field) error) error {
	if f.typ != protowire.BytesType {
		return f.wrongType()
	}
	return fields(f.b, fn)
}

func (f field) str(s *string) error {
	if f.typ != protowire.BytesType {
		return f.wrongType()
	}
	*s = string(f.b)
	return nil
}

func (f field) int(v *int64) error {
	if f.typ != protowire.VarintType {
		return f.wrongType()
	}
	*v = int64(f.x)
	return nil
}

// ints appends a repeated int field, packed or not.
func (f field) ints(v *[]int64, limit int) error {
	switch f.typ {
	case protowire.VarintType:
		*v = append(*v, int64(f.x))
	case protowire.BytesType:
		for b := f.b; len(b) > 0; {
			x, n := protowire.ConsumeVarint(b)
			if n < 0 {
				return fmt.Errorf("%w: field %d: %v", ErrMalformed, f.num, protowire.ParseError(n))
			}
			if len(*v) >= limit {
				return fmt.Errorf("%w: field %d has more than %d values", ErrMalformed, f.num, limit)
			}
			*v = append(*v, int64(x))
			b = b[n:]
		}
	default:
		return f.wrongType()
	}
	if len(*v) > limit {
		return fmt.Errorf("%w: field %d has more than %d values", ErrMalformed, f.num, limit)
	}
	return nil
}

// floats appends a repeated float field, packed or not.
func (f field) floats(v *[]float32, limit int) error {
	switch f.typ {
	case protowire.Fixed32Type:
		*v = append(*v, math.Float32frombits(uint32(f.x)))
	case protowire.BytesType:
		if len(f.b)%4 != 0 || len(*v)+len(f.b)/4 > limit {
			return fmt.Errorf("%w: field %d: packed floats of %d bytes", ErrMalformed, f.num, len(f.b))
		}
		for i := 0; i < len(f.b); i += 4 {
			*v = append(*v, math.Float32frombits(binary.LittleEndian.Uint32(f.b[i:])))
		}
	default:
		return f.wrongType()
	}
	if len(*v) > limit {
		return fmt.Errorf("%w: field %d has more than %d values", ErrMalformed, f.num, limit)
	}
	return nil
}
