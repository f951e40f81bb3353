// RTCP both ways through PlainTransports with a scripted peer on one UDP socket: the peer
// sends RTP and sender reports into a producer (comedia) and receives the consumer's RTP on
// the same socket. Checks that the worker sends receiver reports for the producer and sender
// reports for the consumer, that the peer's SR reaches the producer stream, and that the
// peer's RR (with LSR/DLSR) gives the consumer a round-trip time; then NACK → retransmission
// and PLI → key frame request towards the sender.
// Prints "N passed, N failed" last; exit 1 on failure.
import dgram from 'node:dgram';
import { mediasoup, check, sleep, finish } from './lib/harness.mjs';

const SSRC = 0x11223344;
const PT = 100;
function rtp(seq, ts, payload) {
  const b = Buffer.alloc(12 + payload.length);
  b[0] = 0x80; b[1] = PT; b.writeUInt16BE(seq, 2); b.writeUInt32BE(ts, 4); b.writeUInt32BE(SSRC, 8);
  payload.copy(b, 12);
  return b;
}
// RFC 3550 §6.4.1 SR with no report blocks.
function sr(ntpSec, ntpFrac, rtpTs, packets, octets) {
  const b = Buffer.alloc(28);
  b[0] = 0x80; b[1] = 200; b.writeUInt16BE(6, 2); b.writeUInt32BE(SSRC, 4);
  b.writeUInt32BE(ntpSec, 8); b.writeUInt32BE(ntpFrac, 12); b.writeUInt32BE(rtpTs, 16);
  b.writeUInt32BE(packets, 20); b.writeUInt32BE(octets, 24);
  return b;
}
// RR with one block about `ssrc`.
function rr(ssrc, highestSeq, lsr, dlsr) {
  const b = Buffer.alloc(32);
  b[0] = 0x81; b[1] = 201; b.writeUInt16BE(7, 2); b.writeUInt32BE(0x55667788, 4);
  b.writeUInt32BE(ssrc, 8); b.writeUInt32BE(0, 12); b.writeUInt32BE(highestSeq, 16);
  b.writeUInt32BE(0, 20); b.writeUInt32BE(lsr, 24); b.writeUInt32BE(dlsr, 28);
  return b;
}
function nack(mediaSsrc, pid) {
  const b = Buffer.alloc(16);
  b[0] = 0x81; b[1] = 205; b.writeUInt16BE(3, 2); b.writeUInt32BE(0x55667788, 4); b.writeUInt32BE(mediaSsrc, 8);
  b.writeUInt16BE(pid, 12); b.writeUInt16BE(0, 14);
  return b;
}
function pli(mediaSsrc) {
  const b = Buffer.alloc(12);
  b[0] = 0x81; b[1] = 206; b.writeUInt16BE(2, 2); b.writeUInt32BE(0x55667788, 4); b.writeUInt32BE(mediaSsrc, 8);
  return b;
}

const sock = dgram.createSocket('udp4');
await new Promise((r) => sock.bind(0, '127.0.0.1', r));
const seen = { rrForProducer: 0, srForConsumer: null, rtp: new Map(), retransmitted: 0, pli: 0 };
let worker;
try {
  worker = await mediasoup.createWorker({ logLevel: 'warn' });
  const router = await worker.createRouter({
    mediaCodecs: [{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000, preferredPayloadType: 101 }],
  });
  const listenInfo = { protocol: 'udp', ip: '127.0.0.1' };
  const inT = await router.createPlainTransport({ listenInfo, comedia: true });
  const producer = await inT.produce({
    kind: 'video',
    rtpParameters: {
      codecs: [{ mimeType: 'video/VP8', payloadType: PT, clockRate: 90000,
        rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }] }],
      encodings: [{ ssrc: SSRC }],
    },
  });
  const outT = await router.createPlainTransport({ listenInfo, comedia: false });
  await outT.connect({ ip: '127.0.0.1', port: sock.address().port });
  const consumer = await outT.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities });
  const cSsrc = consumer.rtpParameters.encodings[0].ssrc;
  const cRtxSsrc = consumer.rtpParameters.encodings[0].rtx?.ssrc;

  sock.on('message', (m) => {
    const pt = m[1];
    if (pt >= 200 && pt <= 206) {
      // Walk the compound.
      for (let off = 0; off + 4 <= m.length;) {
        const type = m[off + 1];
        const len = (m.readUInt16BE(off + 2) + 1) * 4;
        if (type === 201 && m.length >= off + 32 && m.readUInt32BE(off + 8) === SSRC) seen.rrForProducer++;
        if (type === 200 && m.readUInt32BE(off + 4) === cSsrc) {
          seen.srForConsumer = { ntpSec: m.readUInt32BE(off + 8), ntpFrac: m.readUInt32BE(off + 12), at: Date.now() };
        }
        if (type === 206 && (m[off] & 0x1f) === 1 && m.readUInt32BE(off + 8) === SSRC) seen.pli++;
        off += len;
      }
      return;
    }
    const seq = m.readUInt16BE(2);
    // RTX (RFC 4588): the original sequence number leads the payload.
    let payloadOffset = 12 + 4 * (m[0] & 0x0f);
    if (m[0] & 0x10) payloadOffset += 4 + 4 * m.readUInt16BE(payloadOffset + 2);
    if (cRtxSsrc && m.readUInt32BE(8) === cRtxSsrc && seen.rtp.has(m.readUInt16BE(payloadOffset))) seen.retransmitted++;
    if (m.readUInt32BE(8) === cSsrc) {
      if (seen.rtp.has(seq)) seen.retransmitted++;
      seen.rtp.set(seq, true);
    }
  });

  // 2 s of "video": a VP8 key frame descriptor first so the consumer starts forwarding.
  const keyFrame = Buffer.from([0x10, 0x00, 0x9d, 0x01, 0x2a, 0x40, 0x01, 0xf0, 0x00, 0x00, 0x00, 0x00]);
  const delta = Buffer.from([0x10, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]);
  for (let i = 0; i < 100; i++) {
    sock.send(rtp(1000 + i, 3000 * i, i % 50 === 0 ? keyFrame : delta), inT.tuple.localPort, '127.0.0.1');
    if (i === 50) sock.send(sr(3900000000, 0x80000000, 3000 * i, i, i * 20), inT.tuple.localPort, '127.0.0.1');
    await sleep(20);
  }
  await sleep(1700); // at least one RTCP interval
  check('worker sent receiver reports for the producer stream', seen.rrForProducer > 0, `${seen.rrForProducer}`);
  check('worker sent sender reports for the consumer stream', seen.srForConsumer !== null);
  check('consumer forwarded RTP', seen.rtp.size >= 90, `${seen.rtp.size} packets`);

  // RR for the consumer echoing the SR's middle 32 bits as LSR, DLSR 0: RTT ≈ our own delay.
  if (seen.srForConsumer) {
    const lsr = ((seen.srForConsumer.ntpSec & 0xffff) << 16 | (seen.srForConsumer.ntpFrac >>> 16)) >>> 0;
    await sleep(10);
    // Report 5 ms less than we held the SR: a 5 ms path, so the RTT is measurable (loopback
    // alone is tens of µs, below the 1/65536 s resolution of LSR/DLSR, and rounded to 0).
    const delayMs = Date.now() - seen.srForConsumer.at;
    const dlsr = Math.round(Math.max(0, delayMs - 5) * 65.536);
    sock.send(rr(cSsrc, 1000 + 99, lsr, dlsr), outT.tuple.localPort, '127.0.0.1');
  }
  // NACK a recent packet we received: it must come back once.
  const recent = [...seen.rtp.keys()];
  const firstSeq = recent[recent.length - 2]; // young enough for the 2 s retransmission window
  sock.send(nack(cSsrc, firstSeq), outT.tuple.localPort, '127.0.0.1');
  // PLI from the receiver must reach the sender as a PLI for the producer's SSRC.
  sock.send(pli(cSsrc), outT.tuple.localPort, '127.0.0.1');
  await sleep(300);

  const pStats = (await producer.getStats())[0];
  const cStats = (await consumer.getStats()).find((s) => s.type === 'outbound-rtp');
  check('producer stream took the sender report', pStats !== undefined && pStats.score > 0, `score ${pStats?.score}`);
  check('consumer computed a round-trip time from the RR', cStats?.roundTripTime > 0 && cStats.roundTripTime < 1000,
    `rtt ${cStats?.roundTripTime}`);
  check('NACK was answered with a retransmission', seen.retransmitted >= 1, `${seen.retransmitted}`);
  check('PLI was relayed to the sender', seen.pli >= 1, `${seen.pli}`);
  check('consumer counted the NACK', cStats?.nackCount >= 1, `nackCount ${cStats?.nackCount}`);
} catch (error) {
  check('scenario ran', false, error.stack ?? String(error));
} finally {
  sock.close();
  worker?.close();
}
finish();
