package onnx

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/i2m2-wasm/i2m2/internal/limits"
)

// Errors of the importer; every error wraps one of them.
var (
	// ErrMalformed: the bytes are not a well-formed ONNX ModelProto (or use
	// a part of it this importer does not read, such as external data).
	ErrMalformed = errors.New("onnx: malformed model")
	// ErrUnsupported: a node, attribute or graph shape the importer cannot
	// express as an I2M2 expert; the message names the node and its op.
	ErrUnsupported = errors.New("onnx: unsupported graph")
)

// Limits of the decoder, so that a hostile file cannot make it allocate or
// recurse without bound. MaxBytes is checked by callers reading files.
const (
	MaxBytes     = 512 << 20
	maxNodes     = 4096
	maxTensorLen = limits.Params
	maxRank      = 8
)

// ONNX TensorProto data types read here (onnx.proto).
const (
	typeFloat = 1
	typeInt32 = 6
	typeInt64 = 7
	typeBool  = 9
)

// Model is a decoded ONNX ModelProto: the parts an I2M2 import reads.
type Model struct {
	Producer string // producer_name and producer_version
	Opset    int64  // version of the default ("" / "ai.onnx") domain
	graph    graphProto
}

type graphProto struct {
	nodes   []*nodeProto
	inits   []*tensor
	inputs  []graphIO
	outputs []graphIO
}

type nodeProto struct {
	name, op, domain string
	in, out          []string
	attrs            []attr
}

type attr struct {
	name   string
	f      float32
	i      int64
	s      string
	t      *tensor
	floats []float32
	ints   []int64
}

// tensor is a constant: an initializer, a Constant node's value, or the
// result of folding shape arithmetic. Int tensors may hold batchDim.
type tensor struct {
	name  string
	dims  []int64
	dtype int32
	f     []float32 // typeFloat
	i     []int64   // typeInt32, typeInt64, typeBool
}

func (t *tensor) size() int {
	n := 1
	for _, d := range t.dims {
		n *= int(d)
	}
	return n
}

type graphIO struct {
	name string
	elem int64
	dims []dim
}

// dim is one dimension of a graph input or output: a value, or symbolic.
type dim struct {
	value int64
	param string
}

// Decode parses a serialised ONNX ModelProto.
func Decode(b []byte) (*Model, error) {
	if len(b) > MaxBytes {
		return nil, fmt.Errorf("%w: %d bytes (limit %d)", ErrMalformed, len(b), MaxBytes)
	}
	m := &Model{Opset: -1}
	var prodName, prodVer string
	haveGraph := false
	err := fields(b, func(f field) error {
		switch f.num {
		case 2:
			return f.str(&prodName)
		case 3:
			return f.str(&prodVer)
		case 8:
			var dom string
			var ver int64
			if err := f.msg(func(g field) error {
				switch g.num {
				case 1:
					return g.str(&dom)
				case 2:
					return g.int(&ver)
				}
				return nil
			}); err != nil {
				return err
			}
			if dom == "" || dom == "ai.onnx" {
				m.Opset = ver
			}
		case 7:
			haveGraph = true
			return f.msg(m.graph.field)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if !haveGraph {
		return nil, fmt.Errorf("%w: no graph", ErrMalformed)
	}
	m.Producer = prodName
	if prodVer != "" {
		m.Producer += " " + prodVer
	}
	return m, nil
}

func (g *graphProto) field(f field) error {
	switch f.num {
	case 1:
		if len(g.nodes) >= maxNodes {
			return fmt.Errorf("%w: more than %d nodes", ErrMalformed, maxNodes)
		}
		n := &nodeProto{}
		g.nodes = append(g.nodes, n)
		return f.msg(n.field)
	case 5:
		if len(g.inits) >= maxNodes {
			return fmt.Errorf("%w: more than %d initializers", ErrMalformed, maxNodes)
		}
		t, err := decodeTensor(f)
		g.inits = append(g.inits, t)
		return err
	case 11, 12:
		var v graphIO
		if err := f.msg(v.field); err != nil {
			return err
		}
		if f.num == 11 {
			g.inputs = append(g.inputs, v)
		} else {
			g.outputs = append(g.outputs, v)
		}
	}
	return nil
}

func (n *nodeProto) field(f field) error {
	switch f.num {
	case 1, 2:
		var s string
		if err := f.str(&s); err != nil {
			return err
		}
		if f.num == 1 {
			n.in = append(n.in, s)
		} else {
			n.out = append(n.out, s)
		}
	case 3:
		return f.str(&n.name)
	case 4:
		return f.str(&n.op)
	case 7:
		return f.str(&n.domain)
	case 5:
		var a attr
		if err := f.msg(a.field); err != nil {
			return err
		}
		n.attrs = append(n.attrs, a)
	}
	return nil
}

func (a *attr) field(f field) error {
	switch f.num {
	case 1:
		return f.str(&a.name)
	case 2:
		if f.typ != protowire.Fixed32Type {
			return f.wrongType()
		}
		a.f = math.Float32frombits(uint32(f.x))
	case 3:
		return f.int(&a.i)
	case 4:
		return f.str(&a.s)
	case 5:
		t, err := decodeTensor(f)
		a.t = t
		return err
	case 7:
		return f.floats(&a.floats, maxTensorLen)
	case 8:
		return f.ints(&a.ints, maxTensorLen)
	}
	return nil
}

func (v *graphIO) field(f field) error {
	switch f.num {
	case 1:
		return f.str(&v.name)
	case 2: // TypeProto
		return f.msg(func(t field) error {
			if t.num != 1 { // tensor_type
				return nil
			}
			return t.msg(func(tt field) error {
				switch tt.num {
				case 1:
					return tt.int(&v.elem)
				case 2: // TensorShapeProto
					return tt.msg(func(s field) error {
						if s.num != 1 {
							return nil
						}
						if len(v.dims) >= maxRank {
							return fmt.Errorf("%w: %q has rank > %d", ErrMalformed, v.name, maxRank)
						}
						var d dim
						err := s.msg(func(x field) error {
							switch x.num {
							case 1:
								return x.int(&d.value)
							case 2:
								return x.str(&d.param)
							}
							return nil
						})
						v.dims = append(v.dims, d)
						return err
					})
				}
				return nil
			})
		})
	}
	return nil
}

func decodeTensor(f field) (*tensor, error) {
	t := &tensor{}
	var raw []byte
	external := false
	err := f.msg(func(g field) error {
		switch g.num {
		case 1:
			if len(t.dims) >= maxRank {
				return fmt.Errorf("%w: tensor of rank > %d", ErrMalformed, maxRank)
			}
			return g.ints(&t.dims, maxRank)
		case 2:
			var d int64
			err := g.int(&d)
			t.dtype = int32(d)
			return err
		case 3:
			return fmt.Errorf("%w: segmented tensor", ErrMalformed)
		case 4:
			return g.floats(&t.f, maxTensorLen)
		case 5, 7:
			return g.ints(&t.i, maxTensorLen)
		case 8:
			return g.str(&t.name)
		case 9:
			if g.typ != protowire.BytesType {
				return g.wrongType()
			}
			raw = g.b
		case 13:
			external = true
		case 14:
			var loc int64
			if err := g.int(&loc); err != nil {
				return err
			}
			external = external || loc == 1
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if external {
		return nil, fmt.Errorf("%w: tensor %q stores its data in an external file (export with the weights inside the .onnx)", ErrMalformed, t.name)
	}
	n := 1
	for _, d := range t.dims {
		if d < 0 || d > maxTensorLen || n*int(d) > maxTensorLen {
			return nil, fmt.Errorf("%w: tensor %q has dims %v", ErrMalformed, t.name, t.dims)
		}
		n *= int(d)
	}
	switch t.dtype {
	case typeFloat:
		if raw != nil {
			if len(raw) != 4*n {
				return nil, fmt.Errorf("%w: tensor %q has %d raw bytes for %d floats", ErrMalformed, t.name, len(raw), n)
			}
			t.f = make([]float32, n)
			for i := range t.f {
				t.f[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
			}
		}
		if len(t.f) != n {
			return nil, fmt.Errorf("%w: tensor %q has %d floats for dims %v", ErrMalformed, t.name, len(t.f), t.dims)
		}
	case typeInt64, typeInt32, typeBool:
		if raw != nil {
			w := map[int32]int{typeInt64: 8, typeInt32: 4, typeBool: 1}[t.dtype]
			if len(raw) != w*n {
				return nil, fmt.Errorf("%w: tensor %q has %d raw bytes for %d ints", ErrMalformed, t.name, len(raw), n)
			}
			t.i = make([]int64, n)
			for i := range t.i {
				switch w {
				case 8:
					t.i[i] = int64(binary.LittleEndian.Uint64(raw[8*i:]))
				case 4:
					t.i[i] = int64(int32(binary.LittleEndian.Uint32(raw[4*i:])))
				default:
					t.i[i] = int64(raw[i])
				}
			}
		}
		if len(t.i) != n {
			return nil, fmt.Errorf("%w: tensor %q has %d ints for dims %v", ErrMalformed, t.name, len(t.i), t.dims)
		}
	default:
		// Kept as an opaque tensor: refused only if a node uses it.
		t.f, t.i = nil, nil
	}
	return t, nil
}
