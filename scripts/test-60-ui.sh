#!/usr/bin/env bash
# The modality-swap lab. Its component tests (Vugu static rendering) run natively in
# `go test ./...`; this script vets the UI for GOOS=js, builds the site (build-10-wasm.sh, then
# build-20-ui.sh, as ./build.sh build does, into a private folder) and runs e2e/ui/lab.test.mjs in Debian's
# Chromium against it, served on 127.0.0.1 by scripts/staticserve (under its strict Content-Security-Policy)
# and opened from file://, then e2e/ui/keyboard.test.mjs walks it with the keyboard only; axe-core checks
# every state the tests visit, and the frame gaps during the shuffle experiment are printed. Screenshots and timings:
# e2e/ui/artifacts/. Frame gaps of two builds side by side: node e2e/ui/framegaps.mjs before=<dist> after=<dist>.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "test-60-ui: GOOS=js GOARCH=wasm go vet ./ui/..."
GOOS=js GOARCH=wasm go vet ./ui/...

# A private build folder (the same steps as ./build.sh build): other work rebuilding dist/ meanwhile
# cannot disturb the tests.
tmp=$(mktemp -d -t i2m2-ui.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
export I2M2_DIST=$tmp/dist
echo "test-60-ui: building $I2M2_DIST (build-10-wasm.sh, build-20-ui.sh)"
bash scripts/build-10-wasm.sh >/dev/null
bash scripts/build-20-ui.sh
go build -o "$tmp/staticserve" ./scripts/staticserve

echo "test-60-ui: e2e/ui in Chromium (http and file://)"
export I2M2_STATICSERVE="$tmp/staticserve" CHROMIUM="$(command -v chromium || echo /usr/bin/chromium)"
node e2e/ui/lab.test.mjs
echo "test-60-ui: e2e/ui/first (the first answer before the UI)"
node e2e/ui/first.test.mjs
echo "test-60-ui: e2e/ui keyboard only"
node e2e/ui/keyboard.test.mjs
echo "test-60-ui: e2e/ui/tasks (stand-in models of other shapes, the task switch, the flip on a shipped \"same\")"
node e2e/ui/tasks.test.mjs

echo "test-60-ui: e2e/ui/realinput (fake microphone with held-out recordings, pointer drawing, input feedback)"
go build -o "$tmp/i2m2" ./cmd/i2m2
I2M2_BIN="$tmp/i2m2" node e2e/ui/realinput.test.mjs
