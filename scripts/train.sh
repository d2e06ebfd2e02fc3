#!/usr/bin/env bash
# The full training pipeline: for each seed, `i2m2 train` pre-trains
# the image, audio and inter experts and fine-tunes the intra-only and I2M2
# products (paper recipe, train/pipeline.go); the seeds run as parallel
# processes (one Go thread each). Then `i2m2 release` evaluates every model
# on the test split with the Go inference engine, writes the shipped weights
# (weights/avmnist-tts-{int8,f32}.i2m2, baselines), weights/manifest.json and
# the tables in weights/results/.
#
# Background-friendly:  nohup bash scripts/train.sh > /tmp/train.log 2>&1 &
# Environment: SEEDS (default "1 2 3"); UNI/INTER/FINE epochs and UNI_SIZE/INTER_SIZE/FINE_SIZE samples
# per epoch (a fresh random subset each epoch; 0 = all 55,000). Defaults: experts 1x55k, inter 2x55k,
# fine-tuning 2x10k samples (the paper trains 30 epochs per stage): 17 minutes for three seeds
# on the 2-core machine at load average 5-6, reproducing the committed files byte for byte (up to ~15x
# longer when the machine is busy; see
# weights/results/README-section.md). LIMIT (samples per split, 0 = all); RUNS (default /tmp/i2m2-runs);
# WEIGHTS, RESULTS (default weights, weights/results; point them elsewhere for a smoke run); THREADS
# (GOMAXPROCS of the evaluation, default 2; training runs one thread per seed).
set -euo pipefail
cd "$(dirname "$0")/.."
SEEDS=${SEEDS:-"1 2 3"}
UNI=${UNI:-1}
INTER=${INTER:-2}
FINE=${FINE:-2}
UNI_SIZE=${UNI_SIZE:-0}
INTER_SIZE=${INTER_SIZE:-0}
FINE_SIZE=${FINE_SIZE:-10000}
LIMIT=${LIMIT:-0}
RUNS=${RUNS:-/tmp/i2m2-runs}
WEIGHTS=${WEIGHTS:-weights}          # where the shipped models and manifest.json go
RESULTS=${RESULTS:-weights/results}  # where the tables and logs go
THREADS=${THREADS:-2}
mkdir -p "$WEIGHTS" "$RESULTS"
. scripts/lib-train.sh # stamp, $BIN
stamp "training seeds [$SEEDS]: epochs x samples (0 = all): uni ${UNI}x$UNI_SIZE, inter ${INTER}x$INTER_SIZE, fine ${FINE}x$FINE_SIZE, limit $LIMIT, runs in $RUNS"
pids=()
dirs=()
for s in $SEEDS; do
	d=$RUNS/seed$s
	rm -rf "$d"
	mkdir -p "$d"
	dirs+=("$d")
	( GOMAXPROCS=1 "$BIN" train --seed "$s" --uni "$UNI" --inter "$INTER" --fine "$FINE" \
		--uni-size "$UNI_SIZE" --inter-size "$INTER_SIZE" --fine-size "$FINE_SIZE" --limit "$LIMIT" --out "$d" 2>&1 |
		tee "$d/train.log" ) &
	pids+=($!)
done
fail=0
for p in "${pids[@]}"; do
	wait "$p" || fail=1
done
for d in "${dirs[@]}"; do
	[ -s "$d/history.json" ] || fail=1
done
if [ "$fail" != 0 ]; then
	echo "== training failed (logs in $RUNS/seed*/train.log)" >&2
	exit 1
fi
stamp "training done; evaluating"
"$BIN" release --limit "$LIMIT" --runs "$(IFS=,; echo "${dirs[*]}")" --weights "$WEIGHTS" --results "$RESULTS"
for s in $SEEDS; do
	cp "$RUNS/seed$s/train.log" "$RESULTS/train-seed$s.log"
	cp "$RUNS/seed$s/history.json" "$RESULTS/history-seed$s.json"
	cp "$RUNS/seed$s/eval.json" "$RESULTS/eval-seed$s.json"
done
stamp "done: $WEIGHTS/manifest.json, $RESULTS/"
