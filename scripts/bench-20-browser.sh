#!/usr/bin/env bash
# Browser benchmark: ours (the module's defaults in a worker and on the main
# thread, the scalar binary, the int8 kernels, the minimal bridge) vs
# onnxruntime-web 1.30 (wasm, 1 thread, graph optimisation all; 2 threads in a
# cross-origin-isolated page) vs tfjs-backend-wasm 4.22 (fused ops), in Node
# and headless Chromium, one run; and the lab page's first prediction. Writes bench/results.json, bench/results.md and
# the browser section of bench/README.md. BENCH_QUICK=1 for a short smoke run.
set -euo pipefail
cd "$(dirname "$0")/.."
gen=build/bench
mkdir -p "$gen"
[ -d node_modules/onnxruntime-web ] || npm ci --no-audit --no-fund
echo "bench-20-browser: go run ./bench/prep -out $gen (model, ONNX, tfjs graph)"
go run ./bench/prep -out "$gen"
echo "bench-20-browser: GOOS=js GOARCH=wasm go build ./bench/ourwasm -> $gen/ours.wasm"
GOOS=js GOARCH=wasm go build -trimpath -ldflags='-s -w' -o "$gen/ours.wasm" ./bench/ourwasm
cp "$(go env GOROOT)/lib/wasm/wasm_exec.js" "$gen/wasm_exec.js"
# Ours through the project's JS module as it ships: the whole site built from
# the current wasm/, model/ and ui/ into $gen/site (dist/ is left alone), whose
# module files the harness serves as /module/ (without it the harness falls
# back to bench/ourwasm).
rm -rf "$gen/module" "$gen/site"
echo "bench-20-browser: the site -> $gen/site (scripts/build-10-wasm.sh, build-20-ui.sh)"
I2M2_DIST="$gen/site" bash scripts/build-10-wasm.sh > "$gen/site-build.log"
I2M2_DIST="$gen/site" bash scripts/build-20-ui.sh >> "$gen/site-build.log"
ln -s site "$gen/module"
echo "bench-20-browser: profile in Node (V8 sampling profiler): the module with its SIMD engine, function names kept"
GOOS=js GOARCH=wasm go build -trimpath -o "$gen/module-prof.named.wasm" ./wasm
go run ./model/internal/kern/simdgen -in "$gen/module-prof.named.wasm" -simd "$gen/module-prof.wasm"
rm "$gen/module-prof.named.wasm"
BENCH_PROFILE_KERNELS=simd node bench/profile.mjs "$gen" 300 >/dev/null
# The lab page: navigation -> first prediction and the bytes requested before
# it (bench/page.mjs -> $gen/page.json, which bench/run.mjs reads). BENCH_PAGE=0 to skip.
rm -f "$gen/page.json"
if [ "${BENCH_PAGE:-1}" != 0 ]; then
	echo "bench-20-browser: node bench/page.mjs ($gen/site)"
	node bench/page.mjs --dist "$gen/site" --runs "${BENCH_PAGE_RUNS:-5}" --out "$gen/page.json"
fi
echo "bench-20-browser: node bench/run.mjs (Node, then Chromium: latency, throughput, cold start, bytes, memory)"
# On a shared machine, run the measurement (and the browsers it starts) at a
# higher priority when allowed, so other jobs disturb it less; BENCH_NICE=0 to skip.
nice=()
if [ "${BENCH_NICE:-1}" != 0 ] && [ "$(id -u)" = 0 ]; then nice=(nice -n -10); fi
"${nice[@]}" node bench/run.mjs --gen "$gen" ${BENCH_QUICK:+--quick}
