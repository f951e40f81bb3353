// Opus in-band FEC follows the lossiest receiver: a scripted sender streams Opus
// (useinbandfec=1) into a producer, a scripted receiver of its consumer reports 25 % loss in
// its receiver reports, and the receiver reports the worker sends to the sender must carry
// that fraction lost (the sender raises its FEC on it). Without useinbandfec they must not.
// Prints "N passed, N failed" last; exit 1 on failure.
import dgram from 'node:dgram';
import { mediasoup, check, sleep, finish, waitFor } from './lib/harness.mjs';

const SSRC = 0x0a0b0c0d;
const PT = 111;
const LOSS = 64; // 64/256 = 25 %

function rtp(seq, ts) {
  const b = Buffer.alloc(12 + 20);
  b[0] = 0x80; b[1] = PT; b.writeUInt16BE(seq, 2); b.writeUInt32BE(ts, 4); b.writeUInt32BE(SSRC, 8);
  b[12] = 0x78; // Opus TOC, then some audio bytes
  return b;
}
// RFC 3550 §6.4.2 RR with one block about ssrc.
function rr(ssrc, fractionLost, highestSeq) {
  const b = Buffer.alloc(32);
  b[0] = 0x81; b[1] = 201; b.writeUInt16BE(7, 2); b.writeUInt32BE(0x55667788, 4);
  b.writeUInt32BE(ssrc, 8); b[12] = fractionLost; b.writeUInt32BE(highestSeq, 16);
  return b;
}

async function scenario(worker, fec) {
  const label = fec ? 'useinbandfec=1' : 'no in-band FEC';
  const router = await worker.createRouter({
    mediaCodecs: [{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2, parameters: fec ? { useinbandfec: 1 } : {} }],
  });
  const sender = dgram.createSocket('udp4');
  const receiver = dgram.createSocket('udp4');
  await new Promise((r) => sender.bind(0, '127.0.0.1', r));
  await new Promise((r) => receiver.bind(0, '127.0.0.1', r));
  try {
    const listenInfo = { protocol: 'udp', ip: '127.0.0.1' };
    const inT = await router.createPlainTransport({ listenInfo, comedia: true });
    const producer = await inT.produce({
      kind: 'audio',
      rtpParameters: {
        codecs: [{ mimeType: 'audio/opus', payloadType: PT, clockRate: 48000, channels: 2, parameters: fec ? { useinbandfec: 1 } : {} }],
        encodings: [{ ssrc: SSRC }],
      },
    });
    const outT = await router.createPlainTransport({ listenInfo, comedia: false });
    await outT.connect({ ip: '127.0.0.1', port: receiver.address().port });
    const consumer = await outT.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities });
    const cSsrc = consumer.rtpParameters.encodings[0].ssrc;

    const reports = []; // fraction lost of the worker's report blocks about the sender's stream
    sender.on('message', (m) => {
      for (let off = 0; off + 8 <= m.length;) {
        const len = (m.readUInt16BE(off + 2) + 1) * 4;
        const count = m[off] & 0x1f;
        if (m[off + 1] === 201) {
          for (let i = 0; i < count; i++) {
            const block = off + 8 + i * 24;
            if (block + 24 <= m.length && m.readUInt32BE(block) === SSRC) reports.push(m[block + 4]);
          }
        }
        off += len;
      }
    });
    let highest = 0;
    receiver.on('message', (m) => { if (m[1] !== 200 && m.length >= 12) highest = m.readUInt16BE(2); });

    let stop = false;
    const pump = (async () => {
      for (let i = 0; !stop; i++) {
        sender.send(rtp(i & 0xffff, i * 960), inT.tuple.localPort, '127.0.0.1');
        // The lossy receiver reports every 100 ms.
        if (i % 5 === 4) receiver.send(rr(cSsrc, LOSS, highest), outT.tuple.localPort, '127.0.0.1');
        await sleep(20);
      }
    })();
    // Receiver reports go out every 1–1.5 s: wait for a few.
    await waitFor(() => reports.length >= 3, 6000);
    stop = true;
    await pump;
    const afterFirst = reports.slice(1); // the first may predate the receiver's reports
    if (fec) {
      check(`${label}: the worker's reports to the sender carry the receiver's loss`, afterFirst.length > 0 && afterFirst.every((f) => f >= LOSS),
        `fraction lost in reports: ${JSON.stringify(reports)}`);
    } else {
      check(`${label}: the worker reports only its own loss`, afterFirst.length > 0 && afterFirst.every((f) => f === 0),
        `fraction lost in reports: ${JSON.stringify(reports)}`);
    }
  } finally {
    sender.close();
    receiver.close();
    router.close();
  }
}

let worker;
try {
  worker = await mediasoup.createWorker({ logLevel: 'warn' });
  await scenario(worker, true);
  await scenario(worker, false);
  check('worker alive at the end', !worker.died);
} catch (error) {
  check('scenario ran', false, error.stack ?? String(error));
} finally {
  worker?.close();
}
finish();
