# Sourced by scripts/build-10-wasm.sh and build-20-ui.sh: strict mode, the repository root as the
# working folder, GOROOT, and D, the folder they build into: dist/, or <dir> with I2M2_DIST=<dir>
# (the tests use a private folder).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
GOROOT=$(go env GOROOT)
D=${I2M2_DIST:-dist}
mkdir -p "$D"

# sizes FILE prints its size raw and gzip -9.
sizes() { echo "$(wc -c < "$1") bytes raw, $(gzip -9 -c "$1" | wc -c) bytes gzip -9"; }
