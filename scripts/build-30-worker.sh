#!/usr/bin/env bash
# Builds the Cloudflare Worker into worker/build/ (gitignored):
#   worker.mjs (worker/js/worker.mjs), worker-fresh.mjs (syumai's stock entry,
#   a Go instance per request), runtime.mjs, wasm_exec.js (this Go's, with
#   syumai's runtime-context patch), app.wasm (GOOS=js ./worker/, model embedded).
# The model: weights/avmnist-real-int8.i2m2 + weights/manifest.json when they
# exist; otherwise the random-weight stand-in of wasm/internal/standin, announced.
# I2M2_WORKER_EMBED=<file.i2m2> embeds that file instead, through a go build
# overlay that leaves worker/assets alone, with a manifest of one entry written
# here (file, bytes, sha256, "embedded": true): whoever builds the worker with
# their own file vouches for it, and the worker, which refuses a model nothing
# vouches for, checks the embedded bytes against it. I2M2_WORKER_OUT=<dir> builds
# into <dir> instead of worker/build (scripts/test-45-import.sh uses both).
# The manifest's tasks' models are embedded too (assets/tasks/, POST /predict?model=<task>);
# I2M2_WORKER_STANDIN_TASKS=1 adds random-weight stand-in tasks instead (a test fixture).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${I2M2_WORKER_OUT:-worker/build}
mkdir -p "$OUT"
OVERLAY=()
rm -rf worker/assets/tasks
mkdir -p worker/assets/tasks

# embed_tasks DIR: the model each task of DIR/manifest.json runs (picked as the JS module picks
# it), served as POST /predict?model=<task>: assets/tasks/<task>.i2m2, or <task>.alias when it is
# the default model.
embed_tasks() {
	node --input-type=module -e 'import { readFileSync } from "node:fs"; import { taskModel } from "./wasm/i2m2.fetch.mjs";
const m = JSON.parse(readFileSync(process.argv[1], "utf8"));
for (const t of Object.keys(m.tasks || {})) console.log(t, taskModel(m, t, process.argv[1]).file);' "$1/manifest.json" |
		while read -r task file; do
			if cmp -s "$1/$file" worker/assets/model.i2m2; then : > "worker/assets/tasks/$task.alias"; else cp "$1/$file" "worker/assets/tasks/$task.i2m2"; fi
		done
}

if [ -n "${I2M2_WORKER_EMBED:-}" ]; then
	echo "worker: embedding $I2M2_WORKER_EMBED (overlay, manifest entry written at build time)"
	ovl=$(mktemp -d)
	trap 'rm -rf "$ovl"' EXIT
	printf '{"models":[{"file":"%s","bytes":%d,"sha256":"%s","embedded":true}]}\n' "$(basename "$I2M2_WORKER_EMBED")" \
		"$(stat -c %s "$I2M2_WORKER_EMBED")" "$(sha256sum "$I2M2_WORKER_EMBED" | cut -d' ' -f1)" > "$ovl/manifest.json"
	printf '{"Replace":{"%s":"%s","%s":"%s"}}\n' "$PWD/worker/assets/model.i2m2" "$(realpath "$I2M2_WORKER_EMBED")" \
		"$PWD/worker/assets/manifest.json" "$ovl/manifest.json" > "$ovl/overlay.json"
	OVERLAY=(-overlay "$ovl/overlay.json")
elif [ -f weights/avmnist-real-int8.i2m2 ] && [ -f weights/manifest.json ]; then
	echo "worker: embedding weights/avmnist-real-int8.i2m2"
	cp weights/avmnist-real-int8.i2m2 worker/assets/model.i2m2
	cp weights/manifest.json worker/assets/manifest.json
	embed_tasks weights
else
	echo "worker: WARNING weights/avmnist-real-int8.i2m2 not found: embedding a RANDOM-WEIGHT stand-in (not a trained model)"
	standin=$(mktemp -d)
	go run ./wasm/internal/standin -o "$standin"
	cp "$standin"/avmnist-real-int8.i2m2 worker/assets/model.i2m2
	cp "$standin"/manifest.json worker/assets/manifest.json
	rm -rf "$standin"
fi

if [ -n "${I2M2_WORKER_STANDIN_TASKS:-}" ]; then
	# A test fixture (scripts/test-40-worker.sh, while weights/manifest.json lists no tasks): the
	# multi-model API with random-weight stand-in task models (wasm/internal/standin -tasks).
	echo "worker: TEST FIXTURE: adding random-weight stand-in task models to the embedded manifest"
	fx=$(mktemp -d)
	cp worker/assets/manifest.json "$fx/"
	go run ./wasm/internal/standin -tasks -o "$fx"
	embed_tasks "$fx"
	cp "$fx/manifest.json" worker/assets/manifest.json
	rm -rf "$fx"
fi

echo "worker: assets (syumai/workers workers-assets-gen) -> $OUT"
go run github.com/syumai/workers/cmd/workers-assets-gen -mode=go -o "$OUT" >/dev/null
mv "$OUT/worker.mjs" "$OUT/worker-fresh.mjs"
cp worker/js/worker.mjs "$OUT/worker.mjs"

# wasm_exec.js must come from the Go that builds the wasm: take this Go's and
# apply syumai's patch (Go.run(instance, context) exposes `context` to Go).
node - "$(go env GOROOT)/lib/wasm/wasm_exec.js" "$OUT/wasm_exec.js" <<'JS'
const fs = require("fs");
let s = fs.readFileSync(process.argv[2], "utf8");
const edits = [
  ["async run(instance) {", "async run(instance, context) {"],
  ["this._inst = instance;\n\t\t\tthis.mem = new DataView(this._inst.exports.mem.buffer);\n",
   "this._inst = instance;\n\t\t\tthis.mem = new DataView(this._inst.exports.mem.buffer);\n\t\t\tconst globalProxy = new Proxy(globalThis, {\n\t\t\t\tget(target, prop) {\n\t\t\t\t\tif (prop === 'context') {\n\t\t\t\t\t\treturn context;\n\t\t\t\t\t}\n\t\t\t\t\treturn Reflect.get(target, prop, target);\n\t\t\t\t}\n\t\t\t})\n"],
  ["\t\t\t\tglobalThis,\n\t\t\t\tthis,\n", "\t\t\t\tglobalProxy,\n\t\t\t\tthis,\n"],
  ["[globalThis, 5],", "[globalProxy, 5],"],
];
for (const [from, to] of edits) {
  const n = s.split(from).length - 1;
  if (n !== 1) { console.error(`wasm_exec.js patch: ${JSON.stringify(from)} found ${n} times, want 1 (Go changed wasm_exec.js?)`); process.exit(1); }
  s = s.replace(from, to);
}
fs.writeFileSync(process.argv[3], s);
JS

# syumai/workers v0.33.0 leaks a js.Func per awaited promise: build with
# worker/patches/syumai-workers-v0.33.0.patch applied (README.md there), after
# checking that the module's files are the ones the patch was made from.
SYUMAI=$(go list -m -f '{{.Dir}}' github.com/syumai/workers)
(cd "$SYUMAI" && sha256sum --quiet -c "$OLDPWD/worker/patches/upstream.sha256") ||
	{ echo "worker: github.com/syumai/workers changed: update worker/patches/ (README.md there)" >&2; exit 1; }
# Go refuses to overlay files of the module cache, so build against a patched
# copy of the module (a replace directive in a private go.mod, -modfile).
rm -rf "$OUT/syumai-workers"
cp -r "$SYUMAI" "$OUT/syumai-workers"
chmod -R u+w "$OUT/syumai-workers"
# git apply outside any repository (the ceiling stops it finding this one), as patch(1) would.
(cd "$OUT/syumai-workers" && GIT_CEILING_DIRECTORIES="$(dirname "$PWD")" git apply -p1 "$OLDPWD/worker/patches/syumai-workers-v0.33.0.patch")
cp go.mod "$OUT/worker.mod"
cp go.sum "$OUT/worker.sum"
go mod edit -modfile="$OUT/worker.mod" -replace "github.com/syumai/workers=$(cd "$OUT/syumai-workers" && pwd)"

echo "worker: GOOS=js GOARCH=wasm go build ./worker (syumai/workers patched: worker/patches/) -> $OUT/app.wasm (scalar kernels), $OUT/app.simd.wasm (SIMD)"
# As for dist/i2m2.wasm (scripts/build-10-wasm.sh): one link with names, then
# the SIMD pass writes both binaries; worker.mjs picks one by the feature probe.
GOOS=js GOARCH=wasm go build "${OVERLAY[@]}" -trimpath -modfile="$OUT/worker.mod" -ldflags="-w" -o "$OUT/app.named.wasm" ./worker/
go run ./model/internal/kern/simdgen -strip -in "$OUT/app.named.wasm" -scalar "$OUT/app.wasm" -simd "$OUT/app.simd.wasm"
rm "$OUT/app.named.wasm"
cp wasm/i2m2.kernels.mjs "$OUT/i2m2.kernels.mjs"
raw=$(stat -c %s "$OUT/app.wasm")
gz=$(gzip -9 -c "$OUT/app.wasm" | wc -c)
echo "worker: app.wasm $raw bytes raw, $gz bytes gzip -9 (model embedded: $(stat -c %s "${I2M2_WORKER_EMBED:-worker/assets/model.i2m2}") bytes; tasks' models: $(cat worker/assets/tasks/*.i2m2 2>/dev/null | wc -c) bytes)"
