#!/usr/bin/env bash
# Serves dist/ on 127.0.0.1 with correct MIME types (application/wasm) and the strict
# Content-Security-Policy the lab runs under (scripts/staticserve, StrictCSP).
set -euo pipefail
cd "$(dirname "$0")/.."
exec go run ./scripts/staticserve -dir dist -addr "127.0.0.1:${PORT:-8080}"
