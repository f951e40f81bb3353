#!/usr/bin/env bash
# Coverage-guided fuzzing of every parser: builds the harness (JIT), instruments the worker
# assembly with SharpFuzz, runs AFL++ on each target for SECONDS, prints executions, coverage
# and crashes per target. Exit 1 if any target crashed (inputs under tests/fuzz/findings/).
#
#   tests/fuzz/run.sh [SECONDS] [TARGET ...]     default 60 s, every target
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
SECONDS_PER_TARGET="${1:-60}"
shift || true
OUT="$HERE/out"
FINDINGS="$HERE/findings"
TOOLS="$ROOT/obj/tools"
log() { printf '\033[1m[fuzz]\033[0m %s\n' "$*" >&2; }

if ! command -v afl-fuzz >/dev/null; then
  log "installing afl++ (Debian)"
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends afl++ >/dev/null
fi
if [ ! -x "$TOOLS/sharpfuzz" ]; then
  log "installing the SharpFuzz instrumenter (dotnet tool SharpFuzz.CommandLine 2.3.0)"
  dotnet tool install SharpFuzz.CommandLine --version 2.3.0 --tool-path "$TOOLS" >/dev/null
fi

log "building the harness"
rm -rf "$OUT"
dotnet build "$HERE/Fuzz.csproj" -c Release -o "$OUT" --nologo -v quiet 1>&2
log "instrumenting mediasoup-worker.dll"
"$TOOLS/sharpfuzz" "$OUT/mediasoup-worker.dll" >/dev/null

targets=("$@")
if ((${#targets[@]} == 0)); then
  mapfile -t targets < <(dotnet "$OUT/Mediasoup.Worker.Fuzz.dll" --list)
fi

export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_NO_AFFINITY=1 AFL_SKIP_CPUFREQ=1 \
  AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_CRASH_README=1 AFL_QUIET=1
mkdir -p "$FINDINGS"
status=0
printf '%-12s %14s %10s %8s %8s\n' target executions exec/s coverage crashes
for t in "${targets[@]}"; do
  dir="$FINDINGS/$t"
  rm -rf "$dir"
  # -t: a slow first input (JIT) must not count as a hang; -m none: the CLR reserves a lot.
  afl-fuzz -i "$HERE/seeds/$t" -o "$dir" -V "$SECONDS_PER_TARGET" -t 10000 -m none \
    -- dotnet "$OUT/Mediasoup.Worker.Fuzz.dll" "$t" >"$dir.log" 2>&1 || true
  stats="$dir/default/fuzzer_stats"
  if [ ! -f "$stats" ]; then
    log "$t: afl-fuzz did not start (see $dir.log)"; tail -5 "$dir.log" >&2; status=1; continue
  fi
  get() { awk -F' *: *' -v k="$1" '$1 == k { print $2 }' "$stats"; }
  crashes=$(get saved_crashes); crashes=${crashes:-$(get unique_crashes)}
  printf '%-12s %14s %10s %8s %8s\n' "$t" "$(get execs_done)" "$(get execs_per_sec)" "$(get bitmap_cvg)" "$crashes"
  if [ "${crashes:-0}" != 0 ]; then
    status=1
    ls "$dir/default/crashes" | grep -v README >&2 || true
  fi
done
exit $status
