// Command simdgen is a post-link pass over a GOOS=js GOARCH=wasm binary: it
// gives the scalar assembly kernels of model/internal/kern (dot_wasm.s) SIMD
// bodies (128-bit WebAssembly SIMD, written by this package, no outside
// toolchain) with the same Go ABI, so the same Go code runs either set. A
// binary using SIMD instructions is rejected whole by an engine without
// them, so the pass writes a second binary and the host picks one with a
// feature probe (wasm/i2m2.kernels.mjs).
//
//	simdgen -in a.wasm [-scalar a.wasm] [-simd a.simd.wasm] [-hunks h.json] [-strip] [-optional]
//
// -in must keep its function names (link without -s); -strip drops them
// from both outputs (as -s would). -hunks writes the edit turning the scalar
// output into the SIMD one (JSON [{at, del, ins(base64)}]), for the classic
// build, which inlines one binary. -optional copies a binary that does not
// link the kernels unchanged (test binaries of other packages).
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"regexp"
)

// kernPkg is the link name prefix of the kernels' package (Go's linker writes
// the import path with every character other than [\w.] replaced by '_').
var kernPkg = regexp.MustCompile(`[^\w.]`).ReplaceAllString("github.com/i2m2-wasm/i2m2/model/internal/kern", "_") + "."

func main() {
	in := flag.String("in", "", "input wasm, linked with function names")
	scalar := flag.String("scalar", "", "write the scalar binary here")
	simd := flag.String("simd", "", "write the SIMD binary here")
	hunks := flag.String("hunks", "", "write the scalar -> SIMD edit here (JSON)")
	strip := flag.Bool("strip", false, "drop the name section from both outputs")
	optional := flag.Bool("optional", false, "copy a binary without the kernels unchanged")
	flag.Parse()
	if *in == "" || flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(*in, *scalar, *simd, *hunks, *strip, *optional); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(in, scalarOut, simdOut, hunksOut string, strip, optional bool) error {
	b, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	out, err := patch(b, strip, optional)
	if err != nil {
		return fmt.Errorf("%s: %w", in, err)
	}
	for _, w := range []struct {
		path string
		b    []byte
	}{{scalarOut, out.scalar}, {simdOut, out.simd}} {
		if w.path != "" {
			if err := os.WriteFile(w.path, w.b, 0o644); err != nil {
				return err
			}
		}
	}
	if hunksOut != "" {
		j, err := json.Marshal(out.hunks)
		if err != nil {
			return err
		}
		return os.WriteFile(hunksOut, j, 0o644)
	}
	return nil
}

type patched struct {
	scalar, simd []byte
	hunks        []hunk // scalar -> simd
}

func patch(b []byte, strip, optional bool) (patched, error) {
	m, err := parse(b)
	if err != nil {
		return patched{}, err
	}
	ks := kernels()
	found := 0
	for name := range ks {
		if _, ok := m.names[kernPkg+name]; ok {
			found++
		}
	}
	if found == 0 && optional && len(m.names) > 0 {
		return patched{scalar: b, simd: b}, nil
	}
	hs, err := m.replace(ks, func(n string) string { return kernPkg + n }, func(n string) bool { return n == flagKernel })
	if err != nil {
		return patched{}, err
	}
	var stripHunks []hunk
	if strip && m.nameSec.end > 0 {
		if m.nameSec.start < hs[len(hs)-1].At {
			return patched{}, fmt.Errorf("simdgen: the name section is not after the code section")
		}
		stripHunks = []hunk{{At: m.nameSec.start, Del: m.nameSec.end - m.nameSec.start}}
	}
	return patched{
		scalar: apply(b, stripHunks),
		simd:   apply(b, append(append([]hunk(nil), hs...), stripHunks...)),
		hunks:  hs,
	}, nil
}
