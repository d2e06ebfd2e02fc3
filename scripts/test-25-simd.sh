#!/usr/bin/env bash
# The engine's Go tests under GOOS=js again, now with the SIMD kernels: the
# go test -exec wrapper scripts/go-simd-exec rewrites each test binary with
# model/internal/kern/simdgen and runs it in node (build.sh's go test stage
# ran the scalar ones). kern's TestDot* compare every kernel with its Go
# definition bit for bit, the model tests compare whole predictions with the
# reference loops, and TestKernelsAsRequested checks the binary really is SIMD.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:$(go env GOROOT)/lib/wasm"
echo "test-25-simd: simdgen's own tests (native)"
go test -count=1 ./model/internal/kern/simdgen
echo "test-25-simd: GOOS=js go test ./model/... with SIMD kernels (scripts/go-simd-exec)"
# -s=false: go test strips test binaries by default; the pass finds the kernels by name.
GOOS=js GOARCH=wasm go test -count=1 -ldflags=-s=false -exec "$PWD/scripts/go-simd-exec" ./model/...
