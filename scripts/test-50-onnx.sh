#!/usr/bin/env bash
# ONNX export and TensorFlow.js parity with the Go engine:
# bench/prep writes the model (shipped weights, else a labelled random
# stand-in), its ONNX export, the tfjs graph and the Go float32 outputs on
# fixed inputs; bench/parity.mjs runs onnxruntime-web (wasm, 1 thread) and
# tfjs-backend-wasm under Node and checks probabilities within 1e-4.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
echo "test-50-onnx: go run ./bench/prep -out $dir"
go run ./bench/prep -out "$dir"
echo "test-50-onnx: node bench/parity.mjs (onnxruntime-web, tfjs-backend-wasm vs Go float32)"
node bench/parity.mjs "$dir"
echo "test-50-onnx: the same on a model with unusual geometry (go run ./bench/prep -odd)"
go run ./bench/prep -odd -out "$dir/odd"
node bench/parity.mjs "$dir/odd"
# The check must be able to fail: shift one expected probability by 1e-3.
node -e '
const fs = require("fs"), f = process.argv[1] + "/cases.json";
const c = JSON.parse(fs.readFileSync(f)); c[0].probs[c[0].label] += 1e-3; fs.writeFileSync(f, JSON.stringify(c));' "$dir"
if node bench/parity.mjs "$dir" ort >/dev/null 2>&1; then
	echo "test-50-onnx: parity accepted a tampered expectation" >&2
	exit 1
fi
echo "test-50-onnx: OK (a tampered expectation is rejected)"
