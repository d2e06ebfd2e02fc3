#!/usr/bin/env bash
# Tests of the JS-callable module: the Go bridge under GOOS=js (node),
# then the built dist/ in Node (node:test), in real Chromium (worker, main
# thread, workers: 2, Cache API, CSP, file://, wrong wasm URLs) and in a Vite 7
# consumer app. Expectations come from the native Go engine (e2e/module/golden),
# generated here, never hand-written.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:$(go env GOROOT)/lib/wasm"

echo "test-30-wasm: go vet + go test ./wasm (GOOS=js GOARCH=wasm, node)"
GOOS=js GOARCH=wasm go vet ./wasm/
GOOS=js GOARCH=wasm go test -count=1 ./wasm/

echo "test-30-wasm: the wasm links model/ and features/ only (no gorgonia, no gonum)"
if GOOS=js GOARCH=wasm go list -deps ./wasm | grep -E 'gorgonia|gonum|vugu|syumai'; then
	echo "test-30-wasm: FAIL: the browser wasm links a native-only module" >&2
	exit 1
fi

# A private build folder: other work rebuilding dist/ meanwhile cannot disturb the tests.
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
export I2M2_DIST=$TMP/dist
echo "test-30-wasm: build $I2M2_DIST (scripts/build-10-wasm.sh, as for dist/)"
bash scripts/build-10-wasm.sh

echo "test-30-wasm: dist/wasm_exec.js is the one of the Go that built the wasm"
cmp "$I2M2_DIST"/wasm_exec.js "$(go env GOROOT)/lib/wasm/wasm_exec.js"
cmp "$I2M2_DIST"/pkg/wasm_exec.js "$(go env GOROOT)/lib/wasm/wasm_exec.js"

echo "test-30-wasm: no eval / new Function in the shipped JavaScript (CSP script-src 'self' 'wasm-unsafe-eval')"
if (cd "$I2M2_DIST" && grep -nE '\beval\(|new Function\b|\bFunction\(' i2m2*.mjs wasm_exec.js i2m2.classic.js) | cut -c1-200; then
	echo "test-30-wasm: FAIL: eval-like code in the module" >&2
	exit 1
fi

echo "test-30-wasm: golden expectations from the native Go engine -> $I2M2_DIST/module-test-golden.{json,js}"
go run ./e2e/module/golden -weights "$I2M2_DIST"/weights -demo weights/demo -o "$I2M2_DIST"/module-test-golden

echo "test-30-wasm: the hostile model corpus -> $I2M2_DIST/hostile (internal/hostile/write)"
go run ./internal/hostile/write -o "$I2M2_DIST"/hostile

echo "test-30-wasm: node:test (Node, the worker protocol over a MessageChannel, Chromium, Vite consumer)"
node --test --test-concurrency=1 e2e/module/node.test.mjs e2e/module/protocol.test.mjs e2e/module/tasks.test.mjs e2e/module/hostile.test.mjs e2e/module/browser.test.mjs e2e/module/browser-hostile.test.mjs e2e/module/vite.test.mjs
