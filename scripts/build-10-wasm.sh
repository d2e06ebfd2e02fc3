#!/usr/bin/env bash
# Builds the JS-callable module into dist/:
#   dist/i2m2.wasm          GOOS=js bridge (wasm/*.go) linking model/ and features/
#   dist/i2m2.simd.wasm     the same with SIMD kernels; i2m2.simd.wasm.gz, gzip -9 of it (what i2m2.mjs fetches)
#   dist/wasm_exec.js       copied from the Go that built the wasm
#   dist/i2m2.mjs, i2m2.worker.mjs  the ES module and its worker, each one file (wasm/build-classic.mjs)
#   dist/i2m2.{core,fetch,load,...}.mjs, i2m2.d.ts   the modules they inline, types
#   dist/i2m2.classic.js    classic-script build for file:// (wasm + default model inlined)
#   dist/weights/           model files + manifest.json + demo/ (random-weight stand-ins when weights/ has no models)
#   dist/weights/demo/first-pair.bin   the demo set's first pair alone (the lab's first answer, ui/web/first.js)
#   dist/pkg/, dist/i2m2-<version>.tgz   the npm package (npm pack)
#   dist/module-test*.html  pages for the module's browser tests (e2e/module/page)
# I2M2_DIST=<dir> builds into <dir> instead of dist/ (scripts/lib-dist.sh).
. "$(dirname "$0")/lib-dist.sh"

echo "build-10-wasm: go build (GOOS=js GOARCH=wasm) ./wasm -> $D/i2m2.wasm, $D/i2m2.simd.wasm"
# Linked with function names (no -s), which the SIMD pass needs; it strips
# them from both outputs. i2m2.simd.hunks.json (the scalar -> SIMD edit) is
# for the classic build, which inlines one binary.
GOOS=js GOARCH=wasm go build -trimpath -ldflags='-w' -o "$D/i2m2.named.wasm" ./wasm
go run ./model/internal/kern/simdgen -strip -in "$D/i2m2.named.wasm" -scalar "$D/i2m2.wasm" -simd "$D/i2m2.simd.wasm" -hunks "$D/i2m2.simd.hunks.json"
rm "$D/i2m2.named.wasm"
# The module fetches this copy where DecompressionStream exists (wasm/i2m2.fetch.mjs):
# hosts that do not compress .wasm send a quarter of the bytes. -n: no name or time, same bytes each build.
gzip -9 -n -c "$D/i2m2.simd.wasm" > "$D/i2m2.simd.wasm.gz"
cp "$GOROOT/lib/wasm/wasm_exec.js" "$D"/wasm_exec.js
cp wasm/i2m2*.mjs wasm/i2m2.d.ts "$D"/ # the entry points and every module (wasm/i2m2.core.mjs lists them)

echo "build-10-wasm: weights -> $D/weights"
rm -rf "$D"/weights
mkdir -p "$D"/weights
if [ -f weights/manifest.json ] && [ -f weights/avmnist-real-int8.i2m2 ]; then
	cp weights/manifest.json "$D"/weights/
	for f in weights/*.i2m2; do cp "$f" "$D"/weights/; done
else
	echo "build-10-wasm: weights/ has no trained model yet: writing RANDOM-WEIGHT STAND-INS (manifest says standIn: true)"
	go run ./wasm/internal/standin -o "$D"/weights
fi
if [ -d weights/demo ]; then cp -r weights/demo "$D"/weights/demo; fi
# the demo set's first pair alone, in the same format (dataset.Demo.FirstPair), for the lab's first
# answer before its UI (ui/web/first.js)
if [ -f "$D"/weights/demo/avmnist-tts-demo.bin ]; then
	go run ./dataset/cmd/demo-first "$D"/weights/demo/avmnist-tts-demo.bin "$D"/weights/demo/first-pair.bin
fi
# the tasks' results plots, which the lab shows (manifest tasks.*.plot)
if ls weights/results/tasks/*.svg >/dev/null 2>&1; then mkdir -p "$D"/weights/results/tasks && cp weights/results/tasks/*.svg "$D"/weights/results/tasks/; fi
if [ -f weights/LICENSES.md ]; then cp weights/LICENSES.md "$D"/weights/; fi

echo "build-10-wasm: classic build -> $D/i2m2.classic.js; one-file entry points -> $D/i2m2.mjs, $D/i2m2.worker.mjs"
node wasm/build-classic.mjs "$D"

echo "build-10-wasm: pin the default model's sha256 into $D/i2m2.mjs"
node wasm/pin-default.mjs "$D"

echo "build-10-wasm: test pages -> $D/module-test*"
cp e2e/module/page/* "$D"/

echo "build-10-wasm: npm package -> $D/pkg, npm pack"
rm -rf "$D"/pkg "$D"/i2m2-*.tgz
mkdir -p "$D"/pkg/weights
cp wasm/package.json wasm/README.md LICENSE "$D"/pkg/
cp "$D"/i2m2*.mjs "$D"/i2m2.d.ts "$D"/i2m2.wasm "$D"/i2m2.simd.wasm "$D"/i2m2.simd.wasm.gz "$D"/i2m2.classic.js "$D"/wasm_exec.js "$D"/pkg/
cp "$D"/weights/manifest.json "$D"/weights/avmnist-real-int8.i2m2 "$D"/pkg/weights/
# the model each of the manifest's tasks runs, for load({task}) (picked as the module picks it)
node --input-type=module -e 'import { readFileSync } from "node:fs"; import { taskModel } from "./wasm/i2m2.fetch.mjs";
const m = JSON.parse(readFileSync(process.argv[1], "utf8"));
for (const t of Object.keys(m.tasks || {})) console.log(taskModel(m, t, "manifest.json").file);' "$D/weights/manifest.json" | sort -u | while read -r f; do cp "$D/weights/$f" "$D"/pkg/weights/; done
if [ -f "$D"/weights/LICENSES.md ]; then cp "$D"/weights/LICENSES.md "$D"/pkg/weights/; fi
(cd "$D"/pkg && npm pack --silent --pack-destination .. >/dev/null)
ls "$D"/i2m2-*.tgz

echo "build-10-wasm: i2m2.wasm $(sizes "$D"/i2m2.wasm); i2m2.simd.wasm $(sizes "$D"/i2m2.simd.wasm); i2m2.simd.wasm.gz $(wc -c < "$D"/i2m2.simd.wasm.gz) bytes; i2m2.mjs $(sizes "$D"/i2m2.mjs); i2m2.classic.js $(sizes "$D"/i2m2.classic.js)"
