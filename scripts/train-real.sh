#!/usr/bin/env bash
# The real-input training pipeline: the model the lab ships (weights/avmnist-real-{int8,f32}.i2m2,
# the manifest's default), trained on AV-MNIST-Real (dataset/real.go: augmented MNIST digits and
# drawn digits, FSDD recordings of three speakers with speed/gain/noise/reverb/band/offset
# augmentation, plus the benchmark's synthetic voices; FSDD lucas and theo are held out for test).
#
#   1. `i2m2 train --data real --seeds 1,2,3`: the paper's recipe for every seed, data built once;
#   2. `i2m2 ship`: the I2M2 of the seed with the best validation accuracy, as float32 and int8,
#      into weights/ and weights/manifest.json (the benchmark's entries are kept);
#   3. `i2m2 matrix`: every model type of both recipes x every test condition -> weights/results/real/;
#   4. the ablation: one expert per run (`--only`), each augmentation of the recipe switched off in turn
#      (ABL_FLAGS and ABL_OFF: the recipe's data flags and the augmentations it already leaves out).
#
# The benchmark model (the paper's protocol) is scripts/train.sh; its seeds' run directories, when
# present in BENCH_RUNS (default /tmp/i2m2-runs/seed{1,2,3}), join the matrix; otherwise the shipped
# benchmark files stand for it (one seed). MATRIX_BENCH=0 leaves the benchmark recipe out of the matrix
# (its files unchanged, its rows are what the previous matrix said).
#
# Background-friendly:  nohup nice -n 10 bash scripts/train-real.sh > /tmp/train-real.log 2>&1 &
# Environment: STAGES (default "train ship matrix ablation"; e.g. STAGES=ablation in a second process),
# SEEDS (default 1,2,3), RECIPE (train flags chosen on validation by scripts/validate-real.sh; see
# weights/results/real/validation.md), PARALLEL (1: one training process per seed), UNI/INTER/FINE
# epochs, FINE_SIZE samples per fine-tuning epoch, ABL_EPOCHS (default 1), ABL_KINDS (default "audio
# image": whose rows; one kind writes ablation-<kind>.{md,json}), ABL_FLAGS/ABL_OFF (the recipe's data
# flags and switched-off augmentations, default "--noisy-share 0.4" and "synthetic"), RESUME (1: keep
# finished ablation runs), THREADS (GOMAXPROCS, default 1), RUNS, N (test pairs per column, 0 = all),
# WEIGHTS, RESULTS.
set -euo pipefail
cd "$(dirname "$0")/.."
SEEDS=${SEEDS:-1,2,3}
STAGES=${STAGES:-train ship matrix ablation}
UNI=${UNI:-4}
INTER=${INTER:-1}
FINE=${FINE:-2}
FINE_SIZE=${FINE_SIZE:-10000}
RECIPE=${RECIPE---noisy-share 0.4 --no-aug synthetic --expert-nll 1 --fine-lr 0.001}
ABL_FLAGS=${ABL_FLAGS---noisy-share 0.4}
ABL_OFF=${ABL_OFF-synthetic}
ABL_KINDS=${ABL_KINDS:-audio image}
PARALLEL=${PARALLEL:-0}
ABL_EPOCHS=${ABL_EPOCHS:-1}
THREADS=${THREADS:-1}
RUNS=${RUNS:-/tmp/i2m2-real-runs}
N=${N:-0}
LIMIT=${LIMIT:-0}
WEIGHTS=${WEIGHTS:-weights}
RESULTS=${RESULTS:-weights/results/real}
mkdir -p "$RESULTS"
. scripts/lib-train.sh # stamp, has, $BIN

dirs=""
for s in ${SEEDS//,/ }; do dirs="$dirs${dirs:+,}$RUNS/real/seed$s"; done
if has train; then
stamp "training seeds $SEEDS: uni ${UNI}x55k, inter ${INTER}x55k, fine ${FINE}x$FINE_SIZE, recipe: $RECIPE"
rm -rf "$RUNS/real"
# shellcheck disable=SC2086
trainseeds() { "$BIN" train --data real --seeds "$1" --uni "$UNI" --inter "$INTER" --fine "$FINE" --fine-size "$FINE_SIZE" \
	$RECIPE --limit "$LIMIT" --out "$RUNS/real" > "$2" 2>&1; }
if [ "$PARALLEL" = 1 ]; then # one process per seed (each builds the data itself)
	pids=()
	for s in ${SEEDS//,/ }; do
		trainseeds "$s" "$RUNS/train-real-seed$s.log" &
		pids+=($!)
	done
	for p in "${pids[@]}"; do wait "$p"; done
	for s in ${SEEDS//,/ }; do cat "$RUNS/train-real-seed$s.log"; done > "$RUNS/train-real.log"
else
	trainseeds "$SEEDS" "$RUNS/train-real.log"
fi
cat "$RUNS/train-real.log"
cp "$RUNS/train-real.log" "$RESULTS/train.log"
for s in ${SEEDS//,/ }; do cp "$RUNS/real/seed$s/history.json" "$RESULTS/history-seed$s.json"; done
fi

if has ship; then
stamp "shipping"
"$BIN" ship --runs "$dirs" --weights "$WEIGHTS" --n "$N" 2>&1 | tee "$RESULTS/ship.log"
fi

# The benchmark recipe's runs: its seeds if trained here, else the shipped files (seed 1).
bench=""
for s in 1 2 3; do
	d=${BENCH_RUNS:-/tmp/i2m2-runs}/seed$s
	[ -f "$d/i2m2.i2m2" ] && bench="$bench${bench:+,}$d"
done
if [ -z "$bench" ]; then
	bench=$RUNS/bench-shipped
	mkdir -p "$bench"
	cp "$WEIGHTS/avmnist-tts-f32.i2m2" "$bench/i2m2.i2m2"
	for m in image_only audio_only intra_only inter_only; do cp "$WEIGHTS/baseline-${m//_/-}.i2m2" "$bench/$m.i2m2"; done
fi
if has matrix; then
stamp "evaluation matrix"
brun=(--runs "benchmark=$bench")
[ "${MATRIX_BENCH:-1}" = 0 ] && brun=()
"$BIN" matrix --n "$N" --runs "real-input=$dirs" "${brun[@]}" --out "$RESULTS/matrix"
fi

if has ablation; then
	# The recipe's augmentations, each switched off in turn, one expert per run (1 seed, ABL_EPOCHS epochs).
	abl=()
	run() { # name only no-aug
		local d=$RUNS/ablation/$1 off=$3
		[ "$2" = audio ] && [ "$off" != all ] && off=$ABL_OFF${ABL_OFF:+${off:+,}}$off
		abl+=(--runs "$1=$d")
		if [ "${RESUME:-0}" = 1 ] && [ -f "$d/$2_only.i2m2" ]; then
			stamp "ablation $1: kept (RESUME=1)"
			return
		fi
		rm -rf "$d"
		stamp "ablation $1 (--only $2 $ABL_FLAGS --no-aug '$off')"
		# shellcheck disable=SC2086
		"$BIN" train --data real --only "$2" $ABL_FLAGS --no-aug "$off" --uni "$ABL_EPOCHS" --limit "$LIMIT" --out "$d" > "$d.log" 2>&1
	}
	mkdir -p "$RUNS/ablation"
	kinds=" $ABL_KINDS "
	if [[ $kinds == *" audio "* ]]; then
		run audio-all audio ""
		run audio-none audio all
		for a in speed gain noise reverb,band offset; do run "audio-no-${a//,/-}" audio "$a"; done
		# what the augmentations the recipe leaves out (ABL_OFF) would add
		[ -n "$ABL_OFF" ] && ABL_OFF="" run "audio-with-${ABL_OFF//,/-}" audio ""
	fi
	if [[ $kinds == *" image "* ]]; then
		run image-all image ""
		run image-none image all
		for a in degraded thickness,blur affine drawn; do run "image-no-${a//,/-}" image "$a"; done
	fi
	out=$RESULTS/ablation
	[ "$ABL_KINDS" = "audio image" ] || out=$RESULTS/ablation-${ABL_KINDS// /-}
	stamp "ablation matrix: $out"
	"$BIN" matrix --n "$N" "${abl[@]}" --out "$out"
	cp "$RUNS"/ablation/*.log "$RESULTS/" 2>/dev/null || true
fi
stamp "done: $WEIGHTS/manifest.json, $RESULTS/"
