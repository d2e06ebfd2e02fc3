#!/usr/bin/env bash
# Builds the JS-callable module into dist/ (issue 4):
#   dist/i2m2.wasm          GOOS=js bridge (wasm/*.go) linking model/ and features/
#   dist/wasm_exec.js       copied from the Go that built the wasm
#   dist/i2m2.mjs, i2m2.core.mjs, i2m2.worker.mjs, i2m2.d.ts   the ES module, its worker, types
#   dist/i2m2.classic.js    classic-script build for file:// (wasm + default model inlined)
#   dist/weights/           model files + manifest.json + demo/ (random-weight stand-ins when weights/ has no models)
#   dist/pkg/, dist/i2m2-<version>.tgz   the npm package (npm pack)
#   dist/module-test*.html  pages for the module's browser tests (e2e/module/page)
set -euo pipefail
cd "$(dirname "$0")/.."
GOROOT=$(go env GOROOT)
mkdir -p dist

echo "build-10-wasm: go build (GOOS=js GOARCH=wasm) ./wasm -> dist/i2m2.wasm"
GOOS=js GOARCH=wasm go build -trimpath -ldflags='-s -w' -o dist/i2m2.wasm ./wasm
cp "$GOROOT/lib/wasm/wasm_exec.js" dist/wasm_exec.js
cp wasm/i2m2.mjs wasm/i2m2.core.mjs wasm/i2m2.worker.mjs wasm/i2m2.d.ts dist/

echo "build-10-wasm: weights -> dist/weights"
rm -rf dist/weights
mkdir -p dist/weights
if [ -f weights/manifest.json ] && [ -f weights/avmnist-tts-int8.i2m2 ]; then
	cp weights/manifest.json dist/weights/
	for f in weights/*.i2m2; do cp "$f" dist/weights/; done
else
	echo "build-10-wasm: weights/ has no trained model yet: writing RANDOM-WEIGHT STAND-INS (manifest says standIn: true)"
	go run ./wasm/internal/standin -o dist/weights
fi
if [ -d weights/demo ]; then cp -r weights/demo dist/weights/demo; fi

echo "build-10-wasm: classic build -> dist/i2m2.classic.js"
node wasm/build-classic.mjs dist

echo "build-10-wasm: test pages -> dist/module-test*"
cp e2e/module/page/* dist/

echo "build-10-wasm: npm package -> dist/pkg, npm pack"
rm -rf dist/pkg dist/i2m2-*.tgz
mkdir -p dist/pkg/weights
cp wasm/package.json wasm/README.md dist/pkg/
cp dist/i2m2.mjs dist/i2m2.core.mjs dist/i2m2.worker.mjs dist/i2m2.d.ts dist/i2m2.wasm dist/i2m2.classic.js dist/wasm_exec.js dist/pkg/
cp dist/weights/manifest.json dist/weights/avmnist-tts-int8.i2m2 dist/pkg/weights/
(cd dist/pkg && npm pack --silent --pack-destination .. >/dev/null)
ls dist/i2m2-*.tgz

raw=$(wc -c < dist/i2m2.wasm)
gz=$(gzip -9 -c dist/i2m2.wasm | wc -c)
echo "build-10-wasm: i2m2.wasm $raw bytes raw, $gz bytes gzip -9; i2m2.classic.js $(wc -c < dist/i2m2.classic.js) bytes ($(gzip -9 -c dist/i2m2.classic.js | wc -c) gzip)"
