# shellcheck shell=bash
# What the training scripts (train.sh, train-real.sh, train-tasks.sh, validate-real.sh) share, sourced
# after each has set its defaults (RUNS; THREADS and STAGES where it has them):
#   GOMAXPROCS from THREADS (default 1: one Go thread per process on the shared machine), $RUNS made,
#   stamp MESSAGE (a UTC time and the minutes since the script started), has STAGE (STAGES names it),
#   and the i2m2 command built into $BIN (one binary per process: two stages may run at once).
export GOMAXPROCS=${THREADS:-1}
mkdir -p "$RUNS"
start=$(date +%s)
stamp() { echo "== $(date -u +%T) (+$(( ($(date +%s) - start) / 60 )) min) $*"; }
has() { [[ " ${STAGES:-} " == *" $1 "* ]]; }
BIN=$RUNS/i2m2-$$
stamp "building i2m2"
go build -o "$BIN" ./cmd/i2m2
