// Receive-side bandwidth estimation and REMB, with scripted plain-RTP senders on UDP sockets.
//
// 1. A REMB sender (abs-send-time + "goog-remb", no transport-cc) at a fixed rate with no
//    bottleneck: the worker's REMB estimate follows what the sender actually sent (the same
//    run's bytes over time), not far above it (the estimate may lead the rate by up to 1.5x).
// 2. The same sender closes the loop like a libwebrtc sender (sends at the last REMB) behind a
//    simulated bottleneck (a FIFO of fixed capacity with a 300 ms drop-tail buffer, its packets
//    stamped with their sending time and put on the wire when they leave the bottleneck): the
//    REMBs settle near the bottleneck's capacity.
// 3. setMaxIncomingBitrate caps the REMBs at once; lifting it lets the estimate through again.
// 4. A transport-cc sender gets the cap as REMB every 1.5 s, and REMBs of 0 (no limit) when lifted.
// availableIncomingBitrate in getStats: the estimate (REMB), 0 (transport-cc).
// Prints "N passed, N failed" last; exit 1 on failure.
import dgram from 'node:dgram';
import { mediasoup, check, sleep, finish } from './lib/harness.mjs';

const ABS_ID = 3;
const TCC_ID = 5;
const PT = 101;
const nowUs = () => Math.round(performance.now() * 1000);
// abs-send-time: 24-bit 6.18 fixed-point seconds.
const absSendTime = (us) => Math.floor(((us % 64e6) * 262144) / 1e6) & 0xffffff;

// RTP with a one-byte header extension block (RFC 8285 §4.2): abs-send-time, or transport-wide seq.
function rtp(ssrc, seq, ts, size, ext) {
  const b = Buffer.alloc(size);
  b[0] = 0x90; b[1] = PT; b.writeUInt16BE(seq & 0xffff, 2); b.writeUInt32BE(ts >>> 0, 4); b.writeUInt32BE(ssrc, 8);
  b.writeUInt16BE(0xbede, 12); b.writeUInt16BE(1, 14);
  if (ext.abs !== undefined) {
    b[16] = (ABS_ID << 4) | 2; b[17] = (ext.abs >> 16) & 0xff; b[18] = (ext.abs >> 8) & 0xff; b[19] = ext.abs & 0xff;
  } else {
    b[16] = (TCC_ID << 4) | 1; b.writeUInt16BE(ext.wide & 0xffff, 17); b[19] = 0;
  }
  // VP8 payload descriptor (non-reference delta frame) so the producer accepts it.
  b[20] = 0x10; b[21] = 0x00;
  return b;
}

/** REMBs (PSFB FMT 15, 'REMB') in an RTCP compound: [{ bitrate, ssrcs }]. */
function parseRembs(m) {
  const out = [];
  for (let off = 0; off + 4 <= m.length;) {
    const len = (m.readUInt16BE(off + 2) + 1) * 4;
    if (m[off + 1] === 206 && (m[off] & 0x1f) === 15 && off + 20 <= m.length && m.readUInt32BE(off + 12) === 0x52454d42) {
      const n = m[off + 16];
      const exp = m[off + 17] >> 2;
      const mantissa = ((m[off + 17] & 3) << 16) | m.readUInt16BE(off + 18);
      const ssrcs = [];
      for (let i = 0; i < n; i++) ssrcs.push(m.readUInt32BE(off + 20 + 4 * i));
      out.push({ bitrate: mantissa * 2 ** exp, ssrcs, at: Date.now() });
    }
    off += len;
  }
  return out;
}

async function udpPeer() {
  const sock = dgram.createSocket('udp4');
  await new Promise((r) => sock.bind(0, '127.0.0.1', r));
  const rembs = [];
  sock.on('message', (m) => {
    if (m.length >= 8 && m[1] >= 200 && m[1] <= 206) rembs.push(...parseRembs(m));
  });
  return { sock, rembs };
}

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / Math.max(xs.length, 1);
const kbps = (bps) => `${Math.round(bps / 1000)} kbit/s`;

/**
 * A sender ticking every 5 ms: 30 frames a second at rate() bits/s, paced at 2.5x the rate
 * (send times stamped as abs-send-time), through an optional bottleneck of capacityBps with a
 * 300 ms drop-tail buffer; packets are put on the wire when they leave it. Counts what it sent.
 */
function startSender({ sock, port, ssrc, rate, capacityBps = 0, transportCc = false }) {
  const state = { sentBytes: 0, since: nowUs(), dropped: 0 };
  const queue = []; // [departureUs, packet]
  let seq = 1, wide = 1, nextFrameUs = nowUs(), pacerFreeUs = 0, linkFreeUs = 0, ts = 0;
  const timer = setInterval(() => {
    const now = nowUs();
    while (now >= nextFrameUs) {
      const r = rate();
      let frameBytes = Math.max(Math.floor(r / 8 / 30), 200);
      let t = Math.max(nextFrameUs, pacerFreeUs);
      while (frameBytes > 0) {
        const size = Math.min(frameBytes, 1100);
        frameBytes -= size;
        const sendUs = t;
        t += (size * 8 * 1e6) / (r * 2.5);
        const pkt = rtp(ssrc, seq++, ts, Math.max(size, 24), transportCc ? { wide: wide++ } : { abs: absSendTime(sendUs) });
        let departure = sendUs;
        if (capacityBps > 0) {
          if (linkFreeUs - sendUs > 300_000) { state.dropped++; continue; }
          departure = Math.max(sendUs, linkFreeUs) + (pkt.length * 8 * 1e6) / capacityBps;
          linkFreeUs = departure;
        }
        queue.push([departure, pkt]);
      }
      pacerFreeUs = t;
      ts += 3000;
      nextFrameUs += 33_333;
    }
    while (queue.length && queue[0][0] <= now) {
      const [, pkt] = queue.shift();
      sock.send(pkt, port, '127.0.0.1');
      state.sentBytes += pkt.length;
    }
  }, 5);
  state.stop = () => clearInterval(timer);
  state.rateSince = (fromUs) => (state.sentBytes * 8 * 1e6) / (nowUs() - fromUs);
  return state;
}

/** Bits/s the sender put on the wire over [t0, now), from a byte count taken at t0. */
const rateOver = (sender, t0Us, bytes0) => ((sender.sentBytes - bytes0) * 8 * 1e6) / (nowUs() - t0Us);

let worker;
const peers = [];
try {
  worker = await mediasoup.createWorker({ logLevel: 'warn' });
  const router = await worker.createRouter({
    mediaCodecs: [{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000, preferredPayloadType: PT }],
  });
  const listenInfo = { protocol: 'udp', ip: '127.0.0.1' };

  // ---- REMB sender ----
  const rembT = await router.createPlainTransport({ listenInfo, comedia: true });
  const SSRC = 0x22334455;
  await rembT.produce({
    kind: 'video',
    rtpParameters: {
      codecs: [{ mimeType: 'video/VP8', payloadType: PT, clockRate: 90000, rtcpFeedback: [{ type: 'goog-remb' }] }],
      headerExtensions: [{ uri: 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time', id: ABS_ID }],
      encodings: [{ ssrc: SSRC }],
    },
  });
  const peer = await udpPeer();
  peers.push(peer);

  // 1. Open loop at 600 kbit/s, no bottleneck.
  let fixed = 600_000;
  let sender = startSender({ sock: peer.sock, port: rembT.tuple.localPort, ssrc: SSRC, rate: () => fixed });
  await sleep(4000);
  let t0 = nowUs(), b0 = sender.sentBytes, r0 = peer.rembs.length;
  await sleep(4000);
  let actual = rateOver(sender, t0, b0);
  let window = peer.rembs.slice(r0);
  const est1 = window.map((r) => r.bitrate);
  check('REMBs about every second while estimating', window.length >= 3 && window.length <= 8, `${window.length} in 4 s`);
  check('REMB names the sender\'s SSRC', window.length > 0 && window.every((r) => r.ssrcs.includes(SSRC)),
    JSON.stringify(window[0]?.ssrcs));
  check('estimate follows the actual rate (0.8x to 1.75x of it: it leads by up to 1.5x)',
    est1.length > 0 && Math.min(...est1) >= 0.8 * actual && Math.max(...est1) <= 1.75 * actual,
    `sent ${kbps(actual)}, REMB ${est1.map(kbps).join(', ')}`);
  const stats1 = (await rembT.getStats())[0];
  check('availableIncomingBitrate in stats is the estimate', stats1.availableIncomingBitrate >= 0.8 * actual
    && stats1.availableIncomingBitrate <= 1.75 * actual, `${stats1.availableIncomingBitrate}`);
  // Raised to 1.2 Mbit/s: the estimate follows it up.
  fixed = 1_200_000;
  await sleep(6000);
  t0 = nowUs(); b0 = sender.sentBytes; r0 = peer.rembs.length;
  await sleep(3000);
  actual = rateOver(sender, t0, b0);
  const est2 = peer.rembs.slice(r0).map((r) => r.bitrate);
  check('estimate follows the sender up', est2.length > 0 && Math.min(...est2) >= 0.8 * actual,
    `sent ${kbps(actual)}, REMB ${est2.map(kbps).join(', ')}`);
  sender.stop();

  // 2. Closed loop behind a 700 kbit/s bottleneck: the sender sends at the last REMB (from 1.2 Mbit/s).
  const CAP = 700_000;
  let target = 1_200_000;
  const follow = () => { const last = peer.rembs.at(-1); if (last && last.bitrate > 0) target = Math.min(last.bitrate, 3_000_000); return target; };
  sender = startSender({ sock: peer.sock, port: rembT.tuple.localPort, ssrc: SSRC, rate: follow, capacityBps: CAP });
  let reactedMs = -1;
  const stepAt = Date.now();
  r0 = peer.rembs.length;
  for (let i = 0; i < 50 && reactedMs < 0; i++) {
    await sleep(100);
    if (peer.rembs.slice(r0).some((r) => r.bitrate <= CAP * 1.15)) reactedMs = Date.now() - stepAt;
  }
  check('estimate falls to the bottleneck (within 5 s)', reactedMs >= 0, `${reactedMs} ms`);
  await sleep(8000);
  t0 = nowUs(); b0 = sender.sentBytes; r0 = peer.rembs.length;
  await sleep(10_000);
  actual = rateOver(sender, t0, b0);
  const est3 = peer.rembs.slice(r0).map((r) => r.bitrate);
  check('estimate settles near the bottleneck (mean within 0.6x..1.2x of it)',
    est3.length > 0 && mean(est3) >= 0.6 * CAP && mean(est3) <= 1.2 * CAP,
    `capacity ${kbps(CAP)}, mean REMB ${kbps(mean(est3))}, sent ${kbps(actual)}, dropped ${sender.dropped}`);
  sender.stop();

  // 3. The cap: REMB at most 250 kbit/s at once, then the estimate again once lifted.
  fixed = 800_000;
  sender = startSender({ sock: peer.sock, port: rembT.tuple.localPort, ssrc: SSRC, rate: () => fixed });
  await sleep(3000);
  const capAt = Date.now();
  r0 = peer.rembs.length;
  await rembT.setMaxIncomingBitrate(250_000);
  await sleep(4000);
  window = peer.rembs.slice(r0).filter((r) => r.at > capAt);
  const firstCapped = window.find((r) => r.bitrate <= 250_000);
  check('capped REMB sent at once (within 600 ms of the request; the periodic one is 1 s)', firstCapped && firstCapped.at - capAt <= 600,
    firstCapped ? `${firstCapped.at - capAt} ms` : 'none');
  const afterFirst = window.filter((r) => firstCapped && r.at >= firstCapped.at);
  check('every REMB after the cap is at most the cap', afterFirst.length >= 3 && afterFirst.every((r) => r.bitrate <= 250_000),
    afterFirst.map((r) => kbps(r.bitrate)).join(', '));
  await rembT.setMaxIncomingBitrate(0);
  r0 = peer.rembs.length;
  await sleep(2500);
  const est4 = peer.rembs.slice(r0).map((r) => r.bitrate);
  check('lifted: the estimate goes through again', est4.some((b) => b > 400_000), est4.map(kbps).join(', '));
  sender.stop();

  // ---- transport-cc sender: the cap as REMB every 1.5 s ----
  const tccT = await router.createPlainTransport({ listenInfo, comedia: true });
  const TSSRC = 0x33445566;
  await tccT.produce({
    kind: 'video',
    rtpParameters: {
      codecs: [{ mimeType: 'video/VP8', payloadType: PT, clockRate: 90000, rtcpFeedback: [{ type: 'transport-cc' }] }],
      headerExtensions: [{ uri: 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01', id: TCC_ID }],
      encodings: [{ ssrc: TSSRC }],
    },
  });
  const tpeer = await udpPeer();
  peers.push(tpeer);
  sender = startSender({ sock: tpeer.sock, port: tccT.tuple.localPort, ssrc: TSSRC, rate: () => 500_000, transportCc: true });
  await sleep(2000);
  check('no REMB to a transport-cc sender without a cap', tpeer.rembs.length === 0, `${tpeer.rembs.length}`);
  const tStats = (await tccT.getStats())[0];
  check('availableIncomingBitrate is 0 with a transport-cc sender', tStats.availableIncomingBitrate === 0,
    `${tStats.availableIncomingBitrate}`);
  const tCapAt = Date.now();
  await tccT.setMaxIncomingBitrate(300_000);
  await sleep(4800);
  const limits = tpeer.rembs.filter((r) => r.at > tCapAt);
  check('cap sent at once and every 1.5 s to the transport-cc sender',
    limits.length >= 3 && limits.length <= 5 && limits[0].at - tCapAt <= 600 && limits.every((r) => r.bitrate === 300_000),
    limits.map((r) => `${r.at - tCapAt} ms: ${kbps(r.bitrate)}`).join(', '));
  const liftAt = Date.now();
  await tccT.setMaxIncomingBitrate(0);
  await sleep(1000);
  const lifted = tpeer.rembs.filter((r) => r.at > liftAt);
  check('lifted cap: a REMB of 0 (no limit) at once', lifted.length >= 1 && lifted[0].bitrate === 0 && lifted[0].at - liftAt <= 600,
    lifted.map((r) => `${r.at - liftAt} ms: ${r.bitrate}`).join(', '));
  sender.stop();
} catch (error) {
  check('scenario ran', false, error.stack ?? String(error));
} finally {
  for (const p of peers) p.sock.close();
  worker?.close();
}
finish();
