#!/usr/bin/env bash
# Bring your own model: experts exported from PyTorch to ONNX (the committed
# fixtures in onnx/testdata/import, made by scripts/onnx-fixtures/make.py; no
# torch needed here) are imported with `i2m2 import-onnx`, then run by the JS
# module in Node and Chromium (e2e/module/imported.test.mjs) and by the worker
# in workerd (e2e/worker, with the imported model embedded), each checked
# against PyTorch's own outputs, and loaded in the lab's "your model" card
# (e2e/ui/yourmodel.test.mjs). The importer's unit, parity, refusal and fuzz
# tests run in the Go stages (native and GOOS=js).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export PATH="$PATH:$(go env GOROOT)/lib/wasm"
F=onnx/testdata/import
TMP=$(mktemp -d)
PIDS=()
cleanup() {
	local rc=$? p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	if [ "$rc" = 0 ]; then rm -rf "$TMP"; else echo "test-45-import: kept $TMP" >&2; fi
}
trap cleanup EXIT

echo "test-45-import: i2m2 import-onnx (a graph per expert, float32; one graph with an output per expert, --int8)"
go build -o "$TMP/i2m2" ./cmd/i2m2
"$TMP/i2m2" import-onnx --name avmnist-pytorch --expert image=$F/avmnist-image.onnx --expert audio=$F/avmnist-audio.onnx \
	--expert inter=$F/avmnist-inter.onnx:img=image,aud=audio --out "$TMP/imported-f32.i2m2"
"$TMP/i2m2" import-onnx --name avmnist-pytorch --graph $F/avmnist-all.onnx --int8 --out "$TMP/imported-int8.i2m2" | tail -1

echo "test-45-import: the JS module (Node, Chromium) on the imported files"
export I2M2_DIST=$TMP/dist
bash scripts/build-10-wasm.sh >/dev/null
mkdir -p "$I2M2_DIST/imported"
cp "$TMP"/imported-*.i2m2 $F/avmnist.json "$I2M2_DIST/imported/"
I2M2_IMPORTED=$I2M2_DIST/imported node --test --test-concurrency=1 e2e/module/imported.test.mjs

echo "test-45-import: the lab (ui/your-model.vugu) in Chromium: a chosen and a dropped file"
bash scripts/build-20-ui.sh >/dev/null
node --test --test-concurrency=1 e2e/ui/yourmodel.test.mjs

echo "test-45-import: the worker in workerd with the imported model embedded"
mkdir -p "$TMP/worker"
cp worker/workerd.capnp "$TMP/worker/"
I2M2_WORKER_OUT=$TMP/worker/build I2M2_WORKER_EMBED=$TMP/imported-f32.i2m2 bash scripts/build-30-worker.sh
source scripts/lib-net.sh # freeport, waitup
P1=$(freeport); P2=$(freeport)
while [ "$P2" = "$P1" ]; do P2=$(freeport); done
node_modules/@cloudflare/workerd-linux-64/bin/workerd serve "$TMP/worker/workerd.capnp" \
	--socket-addr "http=127.0.0.1:$P1" --socket-addr "fresh=127.0.0.1:$P2" >"$TMP/workerd.log" 2>&1 &
PIDS+=($!)
waitup "http://127.0.0.1:$P1" || { cat "$TMP/workerd.log" >&2; exit 1; }
I2M2_WORKER_URL="http://127.0.0.1:$P1" I2M2_WORKER_MODEL="$TMP/imported-f32.i2m2" I2M2_WORKER_PYTORCH_REF="$ROOT/$F/avmnist.json" \
	go test -count=1 -v -run 'TestImportedModel|TestSamplesMatchNative|TestBadInputs' ./e2e/worker/ 2>&1 | grep -v '^=== RUN'
echo "test-45-import: ok"
