#!/usr/bin/env bash
# Imports the Free Spoken Digit Dataset recordings (CC BY-SA 4.0) into weights/data/fsdd.bin.gz
# (mu-law, gzip; sha256 in weights/data/index.json). Training and CI read only the committed file.
#
#   scripts/dataset/fsdd.sh DIR    # DIR holds recordings/*.wav and SHA256SUMS
#                                  # (github.com/Jakobovski/free-spoken-digit-dataset, commit 26eb9aaf)
set -euo pipefail
cd "$(dirname "$0")/../.."
go run ./dataset/cmd/avmnist-data -root . -fsdd "${1:?usage: fsdd.sh DIR}"
