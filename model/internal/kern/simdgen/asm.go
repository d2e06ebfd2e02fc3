package main

// A tiny WebAssembly assembler: just the instructions the kernels use.
// Opcodes: WebAssembly core spec 2.0, section 5.4 (and 5.4.8 for the
// 0xfd-prefixed 128-bit SIMD instructions).

type code struct{ b []byte }

// Value types of locals.
const (
	i32  = 0x7f
	i64  = 0x7e
	f32  = 0x7d
	v128 = 0x7b
)

func (c *code) op(b ...byte) *code { c.b = append(c.b, b...); return c }

func (c *code) uleb(v uint64) *code { c.b = appendUleb(c.b, v); return c }

// simd emits a 0xfd-prefixed instruction (its opcode as an unsigned LEB).
func (c *code) simd(op uint64) *code { return c.op(0xfd).uleb(op) }

// memarg: alignment exponent and offset.
func (c *code) mem(align, off uint64) *code { return c.uleb(align).uleb(off) }

func (c *code) get(l uint64) *code        { return c.op(0x20).uleb(l) }
func (c *code) set(l uint64) *code        { return c.op(0x21).uleb(l) }
func (c *code) i32c(v int32) *code        { c.op(0x41); c.b = appendSleb(c.b, int64(v)); return c }
func (c *code) sp() *code                 { return c.op(0x23, 0) } // global.get SP (global 0 in Go's linker)
func (c *code) i32load(off uint64) *code  { return c.op(0x28).mem(2, off) }
func (c *code) i64load(off uint64) *code  { return c.op(0x29).mem(3, off) }
func (c *code) f32load(off uint64) *code  { return c.op(0x2a).mem(2, off) }
func (c *code) v128load(off uint64) *code { return c.simd(0).mem(0, off) }
func (c *code) v128store(off uint64) *code {
	return c.simd(11).mem(0, off)
}

// Instructions without immediates.
const (
	opI32Eqz     = 0x45
	opI32Add     = 0x6a
	opI32Sub     = 0x6b
	opI32Shl     = 0x74
	opI32ShrU    = 0x76
	opI32Wrap    = 0xa7
	opI64Sub     = 0x7d
	opI64ShrS    = 0x87
	opI64ExtendS = 0xac
	opI32Ne      = 0x47
	opI32LtS     = 0x48
	opI32GtS     = 0x4a
	opI32LeS     = 0x4c
	opI32GeS     = 0x4e
	opI32Mul     = 0x6c
	opI32Load8U  = 0x2d
	opF32Store   = 0x38
)

// SIMD opcodes (after 0xfd).
const (
	simdV128Load32Splat  = 9
	simdV128Const        = 12
	simdI8x16Shuffle     = 13
	simdI32x4Splat       = 17
	simdI64x2Splat       = 18
	simdF32x4Splat       = 19
	simdF32x4ExtractLane = 31
	simdF32x4Lt          = 67
	simdV128And          = 78
	simdV128AndNot       = 79
	simdV128Store32Lane  = 90
	simdV128Store64Lane  = 91
	simdV128Load32Zero   = 92
	simdV128Load64Zero   = 93
	simdI16x8ExtLowU     = 137
	simdI32x4ExtLowU     = 169
	simdI32x4ShrS        = 172
	simdI32x4Add         = 174
	simdI32x4Sub         = 177
	simdI32x4Mul         = 181
	simdI64x2ExtLowS     = 199
	simdI64x2ExtHighS    = 200
	simdI64x2ExtLowU     = 201
	simdI64x2ExtHighU    = 202
	simdI64x2Shl         = 203
	simdI64x2Add         = 206
	simdF32x4Add         = 228
	simdF32x4Mul         = 230
	simdF32x4PMax        = 235
)

func (c *code) v128zero() *code {
	c.simd(simdV128Const)
	c.b = append(c.b, make([]byte, 16)...)
	return c
}

// shuffle emits i8x16.shuffle with the 16 lane indices.
func (c *code) shuffle(lanes [16]byte) *code {
	c.simd(simdI8x16Shuffle)
	c.b = append(c.b, lanes[:]...)
	return c
}

// Structured control.
func (c *code) block() *code        { return c.op(0x02, 0x40) }
func (c *code) loop() *code         { return c.op(0x03, 0x40) }
func (c *code) end() *code          { return c.op(0x0b) }
func (c *code) br(d uint64) *code   { return c.op(0x0c).uleb(d) }
func (c *code) brIf(d uint64) *code { return c.op(0x0d).uleb(d) }

// goReturn is the epilogue of a Go assembly function with a zero-size frame
// (cmd/internal/obj/wasm, ARET): pop the 8-byte return address, return 0 (no
// unwinding).
func (c *code) goReturn() *code {
	c.sp().i32c(8).op(opI32Add).op(0x24, 0)
	return c.i32c(0).op(0x0f)
}

// arg pushes the i32 address argument at frame offset off (the low word of
// the 8-byte slot; wasm addresses are below 4 GiB).
func (c *code) arg(off uint64) *code { return c.sp().i32load(8 + off) }

// args loads the arguments at the frame offsets offs into locals 1, 2, ...
func (c *code) args(offs ...uint64) *code { return c.argsAt(1, offs...) }

// argsAt loads the arguments at the frame offsets offs into locals l, l+1, ...
func (c *code) argsAt(l uint64, offs ...uint64) *code {
	for i, off := range offs {
		c.arg(off).set(l + uint64(i))
	}
	return c
}

// countdown runs body while the i32 local n is not 0, decrementing it after
// each run.
func (c *code) countdown(n uint64, body func()) *code {
	c.block().loop()
	c.get(n).op(opI32Eqz).brIf(1)
	body()
	c.get(n).i32c(1).op(opI32Sub).set(n)
	c.br(0).end().end()
	return c
}

func appendSleb(b []byte, v int64) []byte {
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if (v == 0 && c&0x40 == 0) || (v == -1 && c&0x40 != 0) {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}

// functionI32V128 is function with nI32 i32 locals, then nV128 v128 ones.
func functionI32V128(nI32, nV128 int, c *code) []byte {
	var locals []byte
	for i := 0; i < nI32; i++ {
		locals = append(locals, i32)
	}
	for i := 0; i < nV128; i++ {
		locals = append(locals, v128)
	}
	return function(locals, c)
}

// function returns the body (local declarations, then code, then end) of a
// Go-ABI function (one i32 parameter, PC_B, local 0) whose locals after the
// parameter have the given types, in order.
func function(locals []byte, c *code) []byte {
	var b []byte
	b = appendUleb(b, uint64(len(locals)))
	for _, t := range locals {
		b = append(b, 1, t)
	}
	b = append(b, c.b...)
	return append(b, 0x0b)
}
