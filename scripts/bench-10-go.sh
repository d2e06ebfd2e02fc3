#!/usr/bin/env bash
# Go benchmarks of the inference engine (model/): the whole I2M2 (AV-MNIST
# LeNet experts, random weights) at 40x40 and 112x112 audio on every path,
# and each kernel beside its naive baseline, natively and under GOOS=js in
# node. Prints markdown tables (fastest run of each benchmark over
# BENCH_GO_COUNT rounds) and writes them to build/bench-go/results.md; raw
# output in build/bench-go/*.txt. bench/README.md (go kernels) explains them.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:$(go env GOROOT)/lib/wasm"
out=build/bench-go
mkdir -p "$out"
count=${BENCH_GO_COUNT:-3}
n=${BENCH_GO_N:-20}

echo "bench-10-go: building test binaries (native and GOOS=js GOARCH=wasm)" >&2
go test -c -o "$out/model.native" ./model/
go test -c -o "$out/kern.native" ./model/internal/kern/
GOOS=js GOARCH=wasm go test -c -o "$out/model.wasm" ./model/
GOOS=js GOARCH=wasm go test -c -o "$out/kern.wasm" ./model/internal/kern/

run() { # name binary args...
	local name=$1 bin=$2
	shift 2
	echo "bench-10-go: $name: $bin $*" >&2
	if [[ $bin == *.wasm ]]; then
		go_js_wasm_exec "$bin" "$@" >"$out/$name.txt"
	else
		"$bin" "$@" >"$out/$name.txt"
	fi
	grep -q '^PASS' "$out/$name.txt" || { cat "$out/$name.txt" >&2; echo "bench-10-go: $name failed" >&2; exit 1; }
}
run model-native "$out/model.native" -test.run '^$' -test.bench '^BenchmarkModel$' -test.benchtime "${n}x" -test.count "$count"
run model-wasm "$out/model.wasm" -test.run '^$' -test.bench '^BenchmarkModel$' -test.benchtime "${n}x" -test.count "$count"
run kern-native "$out/kern.native" -test.run '^$' -test.bench '^Benchmark(Conv|Dense)$' -test.benchtime "$((n * 5))x" -test.count "$count"
run kern-wasm "$out/kern.wasm" -test.run '^$' -test.bench '^Benchmark(Conv|Dense)$' -test.benchtime "$((n * 5))x" -test.count "$count"

# best(file, metric [, sign]): "name value" with the smallest value of metric
# per name (the largest with sign -1)
best() {
	awk -v metric="$2" -v sign="${3:-1}" '$1 ~ /^Benchmark/ {
		name = $1; sub(/-[0-9]+$/, "", name)
		for (i = 2; i <= NF; i++) if ($i == metric) { v = sign * $(i-1); if (!(name in b) || v < b[name]) b[name] = v; if (!(name in o)) { o[name] = ++k; ord[k] = name } }
	} END { for (i = 1; i <= k; i++) print ord[i], sign * b[ord[i]] }' "$1"
}

# paths(file): "size/path ms" with the smallest <path>-ms of BenchmarkModel
paths() {
	awk '$1 ~ /^BenchmarkModel\/audio=/ {
		sz = $1; sub(/^BenchmarkModel\/audio=/, "", sz); sub(/-[0-9]+$/, "", sz)
		for (i = 2; i <= NF; i++) if ($i ~ /-ms$/) { name = sz "/" substr($i, 1, length($i) - 3); v = $(i-1) + 0; if (!(name in b) || v < b[name]) b[name] = v }
	} END { for (n in b) print n, b[n] }' "$1" | sort
}

{
	echo "### Whole model, batch 1 (fastest of $((count * n)) predictions per path, paths interleaved)"
	echo
	echo "| audio | path | native ms | wasm (node) ms | wasm GMAC/s | wasm / native | wasm speed-up vs reference |"
	echo "| --- | --- | --- | --- | --- | --- | --- |"
	join <(paths "$out/model-native.txt") <(paths "$out/model-wasm.txt") |
		awk '{ nat[$1] = $2; wasm[$1] = $3; names[++k] = $1 }
		END {
			for (i = 1; i <= k; i++) {
				split(names[i], p, "/"); sz = p[1]
				macs = (sz == "40x40") ? 2174520 : 15498840
				ref = wasm[sz "/reference"]
				printf "| %s | %s | %.2f | %.2f | %.2f | %.1fx | %.1fx |\n", sz, p[2], nat[names[i]], wasm[names[i]], macs / wasm[names[i]] / 1e6, wasm[names[i]] / nat[names[i]], ref / wasm[names[i]]
			}
		}' | sort -t'|' -k2,2 -k3,3
	echo
	echo "### Kernels on the model's shapes (fastest run, microseconds)"
	echo
	echo "| kernel / shape / variant | native us | wasm (node) us | wasm best GMAC/s |"
	echo "| --- | --- | --- | --- |"
	join <(best "$out/kern-native.txt" min-us/op | sort) <(best "$out/kern-wasm.txt" min-us/op | sort) >"$out/k.txt"
	join "$out/k.txt" <(best "$out/kern-wasm.txt" best-GMAC/s -1 | sort) |
		awk '{ n = $1; sub(/^Benchmark/, "", n); printf "| %s | %.1f | %.1f | %.3f |\n", n, $2, $3, $4 }'
} >"$out/results.md"
cat "$out/results.md"
