#!/usr/bin/env bash
# One entry point: build, serve, test, bench.
#   ./build.sh build   build dist/ (the static site: page, JS module, wasm, weights)
#   ./build.sh serve   build, then serve dist/ on http://127.0.0.1:${PORT:-8080}/
#   ./build.sh test    every test: Go (native and GOOS=js under node), browser, worker
#   ./build.sh bench   the benchmarks (bench/README.md)
# Parts of the build and test live in scripts/build-*.sh and scripts/test-*.sh,
# run in name order; each part owns its folder.
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$PWD
export PATH="$PATH:$(go env GOROOT)/lib/wasm:$(go env GOROOT)/bin"

deps() {
	# npm packages for tests, benchmarks and workerd (package-lock.json pins them).
	if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
		npm ci --no-audit --no-fund >&2
	fi
}

stages=0 # test stages that passed (set -e stops at the first failure)
testing=0
# The closing line reports a failure too: set -e ends the run at the first failing stage.
closing() {
	local rc=$?
	if [ "$testing" = 1 ] && [ "$rc" != 0 ]; then
		echo "stages: $stages passed, 1 failed"
	fi
	return "$rc"
}
trap closing EXIT

parts() { # run scripts/$1-*.sh in order
	local s
	for s in scripts/"$1"-*.sh; do
		[ -e "$s" ] || continue
		echo "== $s" >&2
		bash "$s"
		stages=$((stages + 1))
	done
}

cmd=${1:-build}
shift || true
case "$cmd" in
build)
	deps
	mkdir -p dist
	go build -o dist/bin/i2m2 ./cmd/i2m2
	parts build
	;;
serve)
	"$0" build
	exec bash scripts/serve.sh "$@"
	;;
test)
	testing=1
	deps
	echo "== go vet" >&2
	go vet ./...
	GOOS=js GOARCH=wasm go vet ./model/... ./features/... ./onnx/...
	stages=1
	echo "== go test (native)" >&2
	go test -count=1 ./...
	stages=2
	echo "== go test (GOOS=js GOARCH=wasm, node)" >&2
	GOOS=js GOARCH=wasm go test -count=1 ./model/... ./features/... ./onnx/...
	stages=3
	parts test
	echo "== all tests passed"
	echo "stages: $stages passed, 0 failed"
	testing=0
	;;
bench)
	deps
	parts bench
	;;
*)
	echo "usage: $0 build|serve|test|bench" >&2
	exit 2
	;;
esac
