#!/usr/bin/env bash
# Coverage-guided fuzzing of every parser: builds the harness (JIT), instruments the worker
# assembly with SharpFuzz, replays the committed crash reproducers (crashes/TARGET/*) through
# an uninstrumented build, then runs AFL++ on each target for SECONDS, prints executions,
# coverage, stability and crashes per target. Exit 1 if any target crashed or a reproducer
# throws (inputs under tests/fuzz/findings/).
#
#   tests/fuzz/run.sh [SECONDS] [TARGET ...]     default 60 s, every target
#
# Environment: FUZZ_OUT / FUZZ_FINDINGS (default out/, findings/ here), FUZZ_SKIP_BUILD=1 reuses
# a harness already built in FUZZ_OUT (parallel runs), FUZZ_EXECS=N stops a target after about N executions (AFL's -E; SECONDS still
# bounds it), FUZZ_NICE=N runs afl-fuzz under nice -n N, MSW_FUZZ_MODE=out-of-process uses
# SharpFuzz's out-of-process server throughout.
#
# Mode: SharpFuzz's in-process server (Fuzzer.Run) runs 2-3x more executions per second than
# the out-of-process one, and reports exceptions as crashes, but a stack overflow kills it and
# with it AFL's fork server. When that happens the input that killed it (AFL's .cur_input) is
# saved as a crash (findings/TARGET/died/) and fuzzing resumes (-i -) for the time left; after 3 such deaths a
# target finishes out of process, where the child's death is reported as a crash.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
SECONDS_PER_TARGET="${1:-60}"
shift || true
OUT="${FUZZ_OUT:-$HERE/out}"
FINDINGS="${FUZZ_FINDINGS:-$HERE/findings}"
TOOLS="$ROOT/obj/tools"
log() { printf '\033[1m[fuzz]\033[0m %s\n' "$*" >&2; }

if ! command -v afl-fuzz >/dev/null; then
  log "installing afl++ (Debian)"
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends afl++ >/dev/null
fi

if [ "${FUZZ_SKIP_BUILD:-0}" = 1 ] && [ -f "$OUT/Mediasoup.Worker.Fuzz.dll" ]; then
  log "using the harness already built in $OUT"
else
  # Only a build instruments (lanes that reuse a harness start at once and would race here).
  if [ ! -x "$TOOLS/sharpfuzz" ]; then
    log "installing the SharpFuzz instrumenter (dotnet tool SharpFuzz.CommandLine 2.3.0)"
    dotnet tool install SharpFuzz.CommandLine --version 2.3.0 --tool-path "$TOOLS" >/dev/null
  fi
  log "building the harness"
  rm -rf "$OUT"
  dotnet build "$HERE/Fuzz.csproj" -c Release -o "$OUT" --nologo -v quiet 1>&2
  # The uninstrumented copy replays inputs (instrumented code needs AFL's shared memory).
  rm -rf "$OUT-plain"
  cp -r "$OUT" "$OUT-plain"
  log "instrumenting mediasoup-worker.dll"
  "$TOOLS/sharpfuzz" "$OUT/mediasoup-worker.dll" >/dev/null
fi

targets=("$@")
if ((${#targets[@]} == 0)); then
  mapfile -t targets < <(dotnet "$OUT/Mediasoup.Worker.Fuzz.dll" --list)
fi

# The fork server is a .NET process: on a loaded machine it may need more than AFL's default to start.
export AFL_FORKSRV_INIT_TMOUT="${AFL_FORKSRV_INIT_TMOUT:-60000}"
export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_NO_AFFINITY=1 AFL_SKIP_CPUFREQ=1 \
  AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_CRASH_README=1 AFL_QUIET=1
mkdir -p "$FINDINGS"
status=0
# Every crash once found (and fixed) stays as a reproducer: it must not throw any more.
for t in "${targets[@]}"; do
  if [ -d "$HERE/crashes/$t" ] && ! dotnet "$OUT-plain/Mediasoup.Worker.Fuzz.dll" "$t" --replay "$HERE/crashes/$t" >/dev/null; then
    log "$t: a committed crash reproducer (tests/fuzz/crashes/$t) fails again"; status=1
  fi
done
printf '%-22s %12s %9s %9s %9s %7s %8s\n' target executions exec/s coverage stability corpus crashes
for t in "${targets[@]}"; do
  dir="$FINDINGS/$t"
  rm -rf "$dir"
  : >"$dir.log"
  end=$((SECONDS + SECONDS_PER_TARGET))
  input=(-i "$HERE/seeds/$t")
  mode="${MSW_FUZZ_MODE:-in-process}"
  deaths=0
  starts=0
  while :; do
    left=$((end - SECONDS))
    ((left > 0)) || break
    limits=(-V "$left")
    [ -n "${FUZZ_EXECS:-}" ] && limits+=(-E "$FUZZ_EXECS")
    # -t: a slow first input (JIT) must not count as a hang; -m none: the CLR reserves a lot.
    MSW_FUZZ_MODE="$mode" nice -n "${FUZZ_NICE:-0}" afl-fuzz "${input[@]}" -o "$dir" "${limits[@]}" -t 10000 -m none \
      -- dotnet "$OUT/Mediasoup.Worker.Fuzz.dll" "$t" >>"$dir.log" 2>&1 || true
    # Once in a while on a loaded machine the first dry run sees an empty coverage map (CI,
    # srtp), or the .NET fork server takes too long to come up, and afl-fuzz gives up before
    # fuzzing at all: start that target again (twice at most).
    if tail -c 4000 "$dir.log" | grep -q -e 'No instrumentation detected' -e 'Timeout while initializing fork server' \
      && ((starts < 2)); then
      starts=$((starts + 1))
      log "$t: afl-fuzz saw no coverage on its dry run; starting it again"
      rm -rf "$dir"
      continue
    fi
    tail -c 4000 "$dir.log" | grep -q 'Unable to communicate with fork server' || break
    # The in-process server died (stack overflow): what it was running is a crash.
    deaths=$((deaths + 1))
    mkdir -p "$dir/died"
    cp "$dir/default/.cur_input" "$dir/died/id:$deaths,sig:06" 2>/dev/null || true
    log "$t: the fuzzed process died (stack overflow?); input saved, resuming"
    ((deaths < 3)) || mode=out-of-process
    input=(-i -)
    [ -n "${FUZZ_EXECS:-}" ] && [ -f "$dir/default/fuzzer_stats" ] \
      && (($(awk -F' *: *' '$1 == "execs_done" { print $2 }' "$dir/default/fuzzer_stats") >= FUZZ_EXECS)) && break
  done
  stats="$dir/default/fuzzer_stats"
  if [ ! -f "$stats" ]; then
    log "$t: afl-fuzz did not start (see $dir.log)"; tail -5 "$dir.log" >&2; status=1; continue
  fi
  get() { awk -F' *: *' -v k="$1" '$1 == k { print $2 }' "$stats"; }
  # AFL renames crashes/ to crashes.DATE when it resumes.
  crashes=$({ find "$dir/died" "$dir"/default/crashes* -type f -name 'id:*' 2>/dev/null || true; } | wc -l)
  printf '%-22s %12s %9s %9s %9s %7s %8s\n' "$t" "$(get execs_done)" "$(get execs_per_sec)" "$(get bitmap_cvg)" "$(get stability)" "$(get corpus_count)" "$crashes"
  if [ "${crashes:-0}" != 0 ]; then
    status=1
    find "$dir/died" "$dir"/default/crashes* -type f -name 'id:*' 2>/dev/null >&2 || true
  fi
done
exit $status
