#!/usr/bin/env bash
# Long fuzzing runs: targets one after another (nice 19), each until FUZZ_EXECS executions
# (default 10 M) or its share of the time left before DEADLINE (date -d syntax), whichever
# comes first. Uses a harness built once into obj/fuzz-long, so several lanes can run at once:
#
#   tests/fuzz/long-run.sh DEADLINE TARGET ...     e.g. long-run.sh 06:15 rtp rtcp
#
# Results: obj/fuzz-long/findings/TARGET (AFL output), one table row per target on stdout.
# Give each target to one lane only: a lane starting a target clears its findings directory.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
deadline=$(date -d "$1" +%s)
shift
export FUZZ_OUT="$ROOT/obj/fuzz-long/out" FUZZ_FINDINGS="$ROOT/obj/fuzz-long/findings" FUZZ_SKIP_BUILD=1
export FUZZ_EXECS="${FUZZ_EXECS:-10000000}" FUZZ_NICE="${FUZZ_NICE:-19}"
remaining=$#
for t in "$@"; do
  share=$(( (deadline - $(date +%s)) / remaining ))
  remaining=$((remaining - 1))
  ((share > 0)) || { echo "$t: no time left"; continue; }
  "$HERE/run.sh" "$share" "$t" | tail -n 1
done
