#!/usr/bin/env bash
# The Cloudflare Worker in the real Workers runtime (npm workerd) on 127.0.0.1:
# builds it, runs the handler's tests under GOOS=js, checks its dependencies
# (no gorgonia/gonum in the wasm), starts
# workerd (trap stops it), then e2e/worker: demo/generated samples equal to the
# native engine's answers, GET /model, the bad-input matrix, a load test
# (I2M2_LOAD_N=2000 requests at I2M2_LOAD_C=16, p50/p99, workerd RSS) and the
# instance start-up measurement. Then the same API natively (`i2m2 serve`).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
WORKERD=node_modules/@cloudflare/workerd-linux-64/bin/workerd
[ -x "$WORKERD" ] || { echo "test-40-worker: $WORKERD missing (npm ci)" >&2; exit 1; }

# The multi-model API (GET /models, POST /predict?model=) runs on the shipped tasks' models; until
# the manifest lists tasks, on random-weight stand-ins (a test fixture, never deployed).
if ! node -e 'process.exit(JSON.parse(require("fs").readFileSync("weights/manifest.json", "utf8")).tasks ? 0 : 1)' 2>/dev/null; then
	export I2M2_WORKER_STANDIN_TASKS=1
fi
bash scripts/build-30-worker.sh

echo "worker: GOOS=js go vet ./worker/..., the handler's tests under wasm (node), dependency check"
GOOS=js GOARCH=wasm go vet ./worker/...
PATH="$PATH:$(go env GOROOT)/lib/wasm" GOOS=js GOARCH=wasm go test -count=1 ./worker/api
if GOOS=js GOARCH=wasm go list -deps ./worker | grep -E 'gorgonia|gonum'; then
	echo "test-40-worker: the worker wasm must not link gorgonia or gonum" >&2
	exit 1
fi

source scripts/lib-net.sh # freeport, waitup
P1=$(freeport); P2=$(freeport)
while [ "$P2" = "$P1" ]; do P2=$(freeport); done
LOG=$(mktemp -t workerd.XXXXXX.log)
PIDS=()
cleanup() {
	local rc=$? p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	if [ "$rc" = 0 ]; then rm -f "$LOG"; fi
}
trap cleanup EXIT

echo "worker: starting workerd (http 127.0.0.1:$P1 reused instance, fresh 127.0.0.1:$P2 instance per request; log $LOG)"
"$WORKERD" serve worker/workerd.capnp --socket-addr "http=127.0.0.1:$P1" --socket-addr "fresh=127.0.0.1:$P2" >"$LOG" 2>&1 &
WPID=$!
PIDS+=("$WPID")

waitup "http://127.0.0.1:$P1" || { cat "$LOG" >&2; exit 1; }

echo "worker: e2e/worker against workerd"
I2M2_WORKER_URL="http://127.0.0.1:$P1" I2M2_WORKER_FRESH_URL="http://127.0.0.1:$P2" I2M2_WORKERD_PID=$WPID I2M2_WORKER_KERNELS=simd \
	I2M2_WORKER_MODEL="$ROOT/worker/assets/model.i2m2" \
	go test -count=1 -v ./e2e/worker/ 2>&1 | grep -v '^=== RUN' || { echo "--- workerd log:" >&2; tail -50 "$LOG" >&2; exit 1; }
if ! kill -0 "$WPID" 2>/dev/null; then
	echo "test-40-worker: workerd died during the tests" >&2
	tail -50 "$LOG" >&2
	exit 1
fi

echo "worker: the same API natively (i2m2 serve)"
P3=$(freeport)
go build -o worker/build/i2m2 ./cmd/i2m2
TASKS=()
for f in worker/assets/tasks/*.i2m2 worker/assets/tasks/*.alias; do
	[ -e "$f" ] || continue
	name=$(basename "$f"); name=${name%.*}
	if [ "${f##*.}" = alias ]; then TASKS+=(-task "$name=worker/assets/model.i2m2"); else TASKS+=(-task "$name=$f"); fi
done
worker/build/i2m2 serve -addr "127.0.0.1:$P3" -model worker/assets/model.i2m2 -manifest worker/assets/manifest.json "${TASKS[@]}" &
PIDS+=($!)
waitup "http://127.0.0.1:$P3"
I2M2_WORKER_URL="http://127.0.0.1:$P3" I2M2_WORKER_MODEL="$ROOT/worker/assets/model.i2m2" I2M2_LOAD_N=400 I2M2_WORKER_RUNTIME=native \
	go test -count=1 -v -run 'TestSamplesMatchNative|TestModelEndpoint|TestModelsEndpoint|TestBadInputs|TestLoad|TestMethods|TestSlowBody' ./e2e/worker/ 2>&1 | grep -v '^=== RUN'
echo "worker: ok"
