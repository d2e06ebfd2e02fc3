// Which kernels this engine runs. The build writes two binaries from one
// link (model/internal/kern/simdgen): i2m2.wasm with scalar kernels and
// i2m2.simd.wasm whose inner loops use 128-bit WebAssembly SIMD. An engine
// without SIMD rejects the second binary whole, so the host asks first.

// A function returning i8x16.popcnt(i8x16.splat(0)): it validates only where
// 128-bit SIMD is supported (the probe of the wasm-feature-detect project).
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11,
]);

let simd = null;

// simdSupported reports whether this engine validates WebAssembly SIMD.
export function simdSupported() {
  if (simd === null) {
    try {
      simd = typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE);
    } catch {
      simd = false;
    }
  }
  return simd;
}

// applyHunks returns base with the edits [{at, del, ins}] (sorted by at; ins
// a Uint8Array) applied: the classic build inlines the scalar binary and the
// edit giving the SIMD one. simdgen's apply (binary.go) is the same loop in Go.
export function applyHunks(base, hunks) {
  let n = base.length;
  for (const h of hunks) n += h.ins.length - h.del;
  const out = new Uint8Array(n);
  let at = 0;
  let o = 0;
  for (const h of hunks) {
    out.set(base.subarray(at, h.at), o);
    o += h.at - at;
    out.set(h.ins, o);
    o += h.ins.length;
    at = h.at + h.del;
  }
  out.set(base.subarray(at), o);
  return out;
}
