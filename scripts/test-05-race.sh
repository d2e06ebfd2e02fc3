#!/usr/bin/env bash
# The model is shared between goroutines (one Predictor each, or Model.Predict's
# pool): run model/'s tests under the race detector.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "go test -race ./model/..." >&2
go test -race -count=1 ./model/...
