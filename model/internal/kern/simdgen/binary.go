package main

import (
	"bytes"
	"errors"
	"fmt"
)

// A module is the parts of a WebAssembly binary this pass needs: where the
// code section and each function body are, and the function names (the
// "name" custom section Go's linker writes unless -s).
type module struct {
	b        []byte
	imported int // imported functions (they come first in the function index space)
	code     section
	bodies   []span         // per defined function: its size LEB and body
	names    map[string]int // function name -> function index
	nameSec  span           // the "name" custom section (header included), if any
}

// A section: head is the offset of its id byte, [start, end) its contents.
type section struct {
	id               byte
	head, start, end int
}

type span struct{ start, end int }

var errFormat = errors.New("simdgen: not a WebAssembly module this pass understands")

type reader struct {
	b   []byte
	off int
	err error
}

func (r *reader) byte() byte {
	if r.err != nil || r.off >= len(r.b) {
		r.fail("unexpected end")
		return 0
	}
	c := r.b[r.off]
	r.off++
	return c
}

func (r *reader) fail(msg string) {
	if r.err == nil {
		r.err = fmt.Errorf("%w: %s at byte %d", errFormat, msg, r.off)
	}
}

func (r *reader) uleb() uint64 {
	var v uint64
	for shift := 0; shift < 64; shift += 7 {
		c := r.byte()
		v |= uint64(c&0x7f) << shift
		if c&0x80 == 0 {
			return v
		}
	}
	r.fail("LEB128 too long")
	return 0
}

func (r *reader) bytes(n uint64) []byte {
	if r.err != nil || n > uint64(len(r.b)-r.off) {
		r.fail("length past the end")
		return nil
	}
	s := r.b[r.off : r.off+int(n)]
	r.off += int(n)
	return s
}

func (r *reader) name() string { return string(r.bytes(r.uleb())) }

func (r *reader) limits() {
	if r.byte()&1 != 0 {
		r.uleb()
	}
	r.uleb()
}

// parse reads the section layout, the imports, the code section and the
// function names of b.
func parse(b []byte) (*module, error) {
	if len(b) < 8 || !bytes.Equal(b[:8], []byte("\x00asm\x01\x00\x00\x00")) {
		return nil, fmt.Errorf("%w: no \\0asm version 1 header", errFormat)
	}
	m := &module{b: b, names: map[string]int{}}
	r := &reader{b: b, off: 8}
	for r.off < len(b) && r.err == nil {
		s := section{head: r.off}
		s.id = r.byte()
		size := r.uleb()
		s.start = r.off
		r.bytes(size)
		s.end = r.off
		if r.err != nil {
			break
		}
		sr := &reader{b: b[:s.end], off: s.start}
		switch s.id {
		case 2: // imports
			for n := sr.uleb(); n > 0 && sr.err == nil; n-- {
				sr.name()
				sr.name()
				switch sr.byte() {
				case 0:
					sr.uleb()
					m.imported++
				case 1:
					sr.byte()
					sr.limits()
				case 2:
					sr.limits()
				case 3:
					sr.byte()
					sr.byte()
				default:
					sr.fail("unknown import kind")
				}
			}
		case 10: // code
			m.code = s
			for n := sr.uleb(); n > 0 && sr.err == nil; n-- {
				at := sr.off
				sr.bytes(sr.uleb())
				m.bodies = append(m.bodies, span{at, sr.off})
			}
		case 0:
			if sr.name() != "name" {
				break
			}
			m.nameSec = span{s.head, s.end}
			for sr.off < s.end && sr.err == nil {
				sub := sr.byte()
				n := sr.uleb()
				end := sr.off + int(n)
				if sub != 1 {
					sr.bytes(n)
					continue
				}
				for k := sr.uleb(); k > 0 && sr.err == nil; k-- {
					idx := sr.uleb()
					m.names[sr.name()] = int(idx)
				}
				if sr.off != end {
					sr.fail("function name map length")
				}
			}
		}
		if sr.err != nil {
			return nil, sr.err
		}
	}
	if r.err != nil {
		return nil, r.err
	}
	if m.code.end == 0 {
		return nil, fmt.Errorf("%w: no code section", errFormat)
	}
	return m, nil
}

// A hunk replaces Del bytes at At (an offset in the input) with Ins.
type hunk struct {
	At  int    `json:"at"`
	Del int    `json:"del"`
	Ins []byte `json:"ins"`
}

// apply returns b with the hunks (sorted by At, not overlapping) applied.
// wasm/i2m2.kernels.mjs (applyHunks) is the same loop in JavaScript.
func apply(b []byte, hs []hunk) []byte {
	var out []byte
	at := 0
	for _, h := range hs {
		out = append(out, b[at:h.At]...)
		out = append(out, h.Ins...)
		at = h.At + h.Del
	}
	return append(out, b[at:]...)
}

func appendUleb(b []byte, v uint64) []byte {
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if v == 0 {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}

// replace returns the hunks that give each named function the new body
// (locals and code, without the size) and fix the code section's size,
// sorted by offset. It fails if a name is
// missing and not optional (the linker drops unused functions), so a
// renamed kernel cannot silently stay scalar.
func (m *module) replace(bodies map[string][]byte, suffix func(string) string, optional func(string) bool) ([]hunk, error) {
	var hs []hunk
	grow := 0
	for name, body := range bodies {
		full := suffix(name)
		idx, ok := m.names[full]
		if !ok && optional(name) {
			continue
		}
		if !ok {
			return nil, fmt.Errorf("simdgen: function %s not found (is the binary stripped, or the kernel renamed?)", full)
		}
		i := idx - m.imported
		if i < 0 || i >= len(m.bodies) {
			return nil, fmt.Errorf("simdgen: function %s has index %d outside the code section", full, idx)
		}
		old := m.bodies[i]
		ins := append(appendUleb(nil, uint64(len(body))), body...)
		hs = append(hs, hunk{At: old.start, Del: old.end - old.start, Ins: ins})
		grow += len(ins) - (old.end - old.start)
	}
	// The code section's size: rewrite its LEB with the same width when it fits
	// (Go's linker writes 5 bytes), else wider.
	r := &reader{b: m.b, off: m.code.head + 1}
	r.uleb()
	width := r.off - (m.code.head + 1)
	size := uint64(m.code.end - m.code.start + grow)
	enc := appendUleb(nil, size)
	if len(enc) < width {
		enc = enc[:0]
		for i := 0; i < width; i++ {
			c := byte(size & 0x7f)
			size >>= 7
			if i < width-1 {
				c |= 0x80
			}
			enc = append(enc, c)
		}
	}
	hs = append(hs, hunk{At: m.code.head + 1, Del: width, Ins: enc})
	sortHunks(hs)
	for i := 1; i < len(hs); i++ {
		if hs[i].At < hs[i-1].At+hs[i-1].Del {
			return nil, fmt.Errorf("%w: two kernels share a body", errFormat)
		}
	}
	return hs, nil
}

func sortHunks(hs []hunk) {
	for i := 1; i < len(hs); i++ {
		for j := i; j > 0 && hs[j].At < hs[j-1].At; j-- {
			hs[j], hs[j-1] = hs[j-1], hs[j]
		}
	}
}
