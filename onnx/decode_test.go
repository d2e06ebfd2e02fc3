package onnx

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
)

func TestDecodeMalformed(t *testing.T) {
	good, err := os.ReadFile(filepath.Join(dir, "op-gemm.onnx"))
	if err != nil {
		t.Fatal(err)
	}
	tensor := func(fields ...[]byte) []byte { // a ModelProto with one initializer
		var t []byte
		for _, f := range fields {
			t = append(t, f...)
		}
		g := protowire.AppendTag(nil, 5, protowire.BytesType)
		g = protowire.AppendBytes(g, t)
		m := protowire.AppendTag(nil, 7, protowire.BytesType)
		return protowire.AppendBytes(m, g)
	}
	varint := func(num protowire.Number, v uint64) []byte {
		return protowire.AppendVarint(protowire.AppendTag(nil, num, protowire.VarintType), v)
	}
	bytesF := func(num protowire.Number, b []byte) []byte {
		return protowire.AppendBytes(protowire.AppendTag(nil, num, protowire.BytesType), b)
	}
	for _, tc := range []struct {
		name string
		b    []byte
	}{
		{"empty (no graph)", nil},
		{"truncated", good[:len(good)/2]},
		{"bad tag", []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}},
		{"graph as varint", varint(7, 1)},
		{"raw bytes of the wrong length", tensor(varint(1, 3), varint(2, typeFloat), bytesF(9, make([]byte, 11)))},
		{"floats missing", tensor(varint(1, 4), varint(2, typeFloat))},
		{"huge dims", tensor(varint(1, 1<<40), varint(2, typeFloat))},
		{"negative dim", tensor(varint(1, ^uint64(0)), varint(2, typeFloat))},
		{"external data", tensor(varint(1, 1), varint(2, typeFloat), varint(14, 1))},
		{"segment", tensor(bytesF(3, nil))},
		{"packed floats not a multiple of 4", tensor(varint(1, 1), varint(2, typeFloat), bytesF(4, []byte{1, 2, 3}))},
	} {
		if _, err := Decode(tc.b); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: err %v, want ErrMalformed", tc.name, err)
		}
	}
}

// FuzzDecode: no input makes Decode or Import panic, hang or allocate
// beyond the limits; every failure wraps one of the package's errors.
func FuzzDecode(f *testing.F) {
	for _, name := range []string{"op-gemm.onnx", "op-reshape-view.onnx", "op-avgpool.onnx", "op-concat.onnx", "op-conv-nobias-bn.onnx", "refuse-residual-add.onnx"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		g, err := Decode(b)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("Decode error %v does not wrap ErrMalformed", err)
			}
			return
		}
		m, _, err := Import(Spec{Sources: []Source{{Expert: "e", Graph: g}}})
		if err != nil {
			return
		}
		if _, err := m.MarshalBinary(); err != nil {
			t.Fatalf("imported model does not encode: %v", err)
		}
	})
}
