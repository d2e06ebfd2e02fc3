#!/usr/bin/env bash
# A Model is shared between goroutines (one Predictor each, or Model.Predict's
# pool): run model/'s concurrency test, and the tests that exercise every
# path, under the race detector.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "test-05-race: go test -race -run 'Concurrent|Golden|PathsAgree|MissingModality' ./model/" >&2
go test -race -count=1 -run 'Concurrent|Golden|PathsAgree|MissingModality' ./model/
