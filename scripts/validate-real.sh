#!/usr/bin/env bash
# Recipe choices for the real-input model, made on validation only (never on the test speakers or
# MNIST test): leave-one-speaker-out among the three training speakers (`i2m2 train --val-speaker`:
# train on two, validate on the third one's clean recordings and the clean MNIST validation digits).
#
#   audio: the audio expert alone (`--only audio`) for each candidate audio recipe x held-out speaker;
#   fine:  the whole pipeline for each fine-tuning objective (--expert-nll lambda) x held-out speaker,
#          reading each I2M2 expert alone and the product on validation.
#
# Each run writes <RUNS>/<stage>/<speaker>-<name>/val.json; the summary is <RESULTS>/validation.md.
# Environment: STAGES (default "audio fine"), SPEAKERS (default george,jackson,yweweler), SEED (1),
# LANES (parallel processes, default 2), UNI/INTER/FINE epochs and FINE_SIZE (as scripts/train-real.sh),
# UNI_SIZE/INTER_SIZE (samples per pre-training epoch of the fine stage, default 20000: minutes per run),
# FINE_AUDIO (the audio recipe flags of the fine stage), LAMBDAS (default "0 1"), FINES (fine-stage
# candidates "name:flags;name:flags", default one "lambda<l>:--expert-nll <l>" per LAMBDAS), RUNS, RESULTS.
#
#   nohup nice -n 5 bash scripts/validate-real.sh > /tmp/validate-real.log 2>&1 &
set -euo pipefail
cd "$(dirname "$0")/.."
STAGES=${STAGES:-audio fine}
SPEAKERS=${SPEAKERS:-george,jackson,yweweler}
SEED=${SEED:-1}
LANES=${LANES:-2}
UNI=${UNI:-4}
INTER=${INTER:-1}
FINE=${FINE:-2}
FINE_SIZE=${FINE_SIZE:-10000}
UNI_SIZE=${UNI_SIZE:-20000} # the fine stage's pre-training, shortened (samples per epoch)
INTER_SIZE=${INTER_SIZE:-20000}
FINE_AUDIO=${FINE_AUDIO:-}
LAMBDAS=${LAMBDAS:-0 1}
if [ -z "${FINES:-}" ]; then
	FINES=""
	for l in $LAMBDAS; do FINES="$FINES${FINES:+;}lambda$l:--expert-nll $l"; done
fi
RUNS=${RUNS:-/tmp/i2m2-real-val}
RESULTS=${RESULTS:-weights/results/real}
mkdir -p "$RESULTS"
. scripts/lib-train.sh # $BIN

# Candidate audio recipes: name and flags.
AUDIO=(
	"default:"
	"noisy0.4:--noisy-share 0.4"
	"synth1of4:--synthetic-every 4"
	"noisy0.4-synth1of4:--noisy-share 0.4 --synthetic-every 4"
	"nosynth:--no-aug synthetic"
	"noisy0.4-nosynth:--noisy-share 0.4 --no-aug synthetic"
)
jobs=()
for sp in ${SPEAKERS//,/ }; do
	if [[ " $STAGES " == *" audio "* ]]; then
		for r in "${AUDIO[@]}"; do
			jobs+=("audio/$sp-${r%%:*}|--only audio --uni $UNI ${r#*:} --val-speaker $sp")
		done
	fi
	if [[ " $STAGES " == *" fine "* ]]; then
		IFS=';' read -ra fines <<< "$FINES"
		for f in "${fines[@]}"; do
			jobs+=("fine/$sp-${f%%:*}|--uni $UNI --uni-size $UNI_SIZE --inter $INTER --inter-size $INTER_SIZE --fine $FINE --fine-size $FINE_SIZE $FINE_AUDIO ${f#*:} --val-speaker $sp")
		done
	fi
done
lane() { # run every LANES-th job starting at $1
	for ((k = $1; k < ${#jobs[@]}; k += LANES)); do
		local name=${jobs[k]%%|*} flags=${jobs[k]#*|}
		mkdir -p "$RUNS/$(dirname "$name")"
		echo "== $(date -u +%T) $name: $flags"
		# shellcheck disable=SC2086
		"$BIN" train --data real --seed "$SEED" $flags --out "$RUNS/$name" > "$RUNS/$name.log" 2>&1
	done
}
for ((l = 0; l < LANES; l++)); do lane "$l" & done
wait
node scripts/validate-real-summary.mjs "$RUNS" > "$RESULTS/validation.md"
cat "$RESULTS/validation.md"
