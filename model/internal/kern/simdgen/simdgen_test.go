package main

import (
	"bytes"
	"errors"
	"os/exec"
	"strings"
	"testing"
)

// sec appends a section with the given id and contents.
func sec(b []byte, id byte, body []byte) []byte {
	return append(appendUleb(append(b, id), uint64(len(body))), body...)
}

func name(s string) []byte { return append(appendUleb(nil, uint64(len(s))), s...) }

// goLike builds a module shaped like Go's linker output: one imported
// function, the Go function type (i32) -> i32, a memory, the SP global, one
// function per name (a body returning 0) and a name section after the code.
func goLike(names []string) []byte {
	b := []byte("\x00asm\x01\x00\x00\x00")
	b = sec(b, 1, []byte{1, 0x60, 1, i32, 1, i32})
	imp := append([]byte{1}, name("gojs")...)
	imp = append(imp, name("runtime.wasmExit")...)
	b = sec(b, 2, append(imp, 0, 0))
	fn := appendUleb(nil, uint64(len(names)))
	for range names {
		fn = append(fn, 0)
	}
	b = sec(b, 3, fn)
	b = sec(b, 5, []byte{1, 0, 1})                           // memory: min 1 page
	b = sec(b, 6, []byte{1, i32, 1, 0x41, 0x80, 0x08, 0x0b}) // SP = 1024
	code := appendUleb(nil, uint64(len(names)))
	for range names {
		code = append(code, 4, 0, 0x41, 0, 0x0b)
	}
	// A 5-byte section size, as Go's linker writes it.
	b = append(b, 10, 0x80|byte(len(code)&0x7f), 0x80|byte(len(code)>>7), 0x80, 0x80, 0)
	b = append(b, code...)
	nm := appendUleb(nil, uint64(len(names)))
	for i, n := range names {
		nm = appendUleb(nm, uint64(i+1))
		nm = append(nm, name(n)...)
	}
	return sec(b, 0, append(append(name("name"), 1), append(appendUleb(nil, uint64(len(nm))), nm...)...))
}

func kernNames(skip string) []string {
	var ns []string
	for k := range kernels() {
		if k != skip {
			ns = append(ns, kernPkg+k)
		}
	}
	return append(ns, "main.main")
}

func TestPatch(t *testing.T) {
	in := goLike(kernNames(""))
	out, err := patch(in, true, false)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(apply(out.scalar, out.hunks), out.simd) {
		t.Fatal("the hunks do not turn the scalar output into the SIMD one")
	}
	for _, b := range [][]byte{out.scalar, out.simd} {
		m, err := parse(b)
		if err != nil {
			t.Fatal(err)
		}
		if m.nameSec.end != 0 || len(m.names) != 0 {
			t.Fatal("-strip left the name section")
		}
		if len(m.bodies) != len(kernels())+1 {
			t.Fatalf("%d bodies, want %d", len(m.bodies), len(kernels())+1)
		}
	}
	if !bytes.Equal(out.scalar, in[:len(out.scalar)]) {
		t.Fatal("the scalar output is not the input without its names")
	}
	validate(t, out.simd, true)
	validate(t, out.scalar, true)
}

func TestPatchMissing(t *testing.T) {
	// kern.SIMD's function is optional (the linker drops it when unused)...
	if _, err := patch(goLike(kernNames(flagKernel)), false, false); err != nil {
		t.Fatal(err)
	}
	// ...a dot kernel is not.
	if _, err := patch(goLike(kernNames("dot2x4asm")), false, false); err == nil || !strings.Contains(err.Error(), "dot2x4asm not found") {
		t.Fatalf("a missing kernel: err %v", err)
	}
	// A binary without the kernels: an error, or unchanged with -optional.
	other := goLike([]string{"main.main"})
	if _, err := patch(other, false, false); err == nil {
		t.Fatal("no kernels and not -optional: no error")
	}
	out, err := patch(other, false, true)
	if err != nil || !bytes.Equal(out.simd, other) {
		t.Fatalf("-optional: %v", err)
	}
	// A stripped binary has no names to find the kernels by.
	stripped, _ := patch(goLike(kernNames("")), true, false)
	if _, err := patch(stripped.scalar, false, false); err == nil {
		t.Fatal("a stripped binary: no error")
	}
}

func TestParseRejects(t *testing.T) {
	good := goLike(kernNames(""))
	for name, b := range map[string][]byte{
		"empty":     nil,
		"not wasm":  []byte("<!doctype html>"),
		"version 2": append([]byte("\x00asm\x02\x00\x00\x00"), good[8:]...),
		"truncated": good[:len(good)-3],
		"no code":   []byte("\x00asm\x01\x00\x00\x00"),
	} {
		if _, err := parse(b); !errors.Is(err, errFormat) {
			t.Errorf("%s: err %v, want errFormat", name, err)
		}
	}
}

// FuzzParse: any bytes give a module or an error, never a panic, and a
// patch of a parsed module stays within it.
func FuzzParse(f *testing.F) {
	f.Add(goLike(kernNames("")))
	f.Add([]byte("\x00asm\x01\x00\x00\x00\x0a\x01\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if _, err := parse(b); err != nil {
			return
		}
		if out, err := patch(b, true, true); err == nil && len(out.simd) == 0 {
			t.Fatal("empty output")
		}
	})
}

// validate runs WebAssembly.validate in node when node is installed (the
// kernels themselves run in scripts/test-25-simd.sh).
func validate(t *testing.T, b []byte, want bool) {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Log("node not found: WebAssembly.validate skipped")
		return
	}
	cmd := exec.Command(node, "-e", `let b=[];process.stdin.on('data',d=>b.push(d)).on('end',()=>console.log(WebAssembly.validate(Buffer.concat(b))))`)
	cmd.Stdin = bytes.NewReader(b)
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(string(out)) == "true"; got != want {
		t.Fatalf("WebAssembly.validate: %s, want %v", out, want)
	}
}
