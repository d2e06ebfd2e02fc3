#!/usr/bin/env bash
# Installs what the tests need on a fresh Debian machine with Go and Node:
# Debian's chromium (browser tests; never a downloaded browser) and the npm
# packages pinned in package-lock.json. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v chromium >/dev/null 2>&1; then
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
fi
npm ci --no-audit --no-fund
go mod download
