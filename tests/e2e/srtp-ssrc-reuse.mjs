// An SSRC that comes back on an SRTP transport starts afresh (mediasoup issue #435's class:
// decrypt failures after re-piping). A scripted SRTP sender streams into a producer on a
// PlainTransport (comedia, SRTP) with sequence numbers around 30000; the producer closes; a
// new producer with the same SSRC is created and the sender restarts from sequence 0, as a
// re-created sender does. The per-SSRC SRTP state of the closed producer must be gone: with
// a stale replay window every packet of the new one is ~30000 behind and dropped as a replay.
// Prints "N passed, N failed" last; exit 1 on failure.
import dgram from 'node:dgram';
import crypto from 'node:crypto';
import { SrtpContext } from './lib/srtp.mjs';
import { mediasoup, check, sleep, waitFor, finish } from './lib/harness.mjs';

const SSRC = 0x5eed1234;
const PT = 100;
const SUITE = 'AES_CM_128_HMAC_SHA1_80';
const rtpParameters = { codecs: [{ mimeType: 'video/VP8', payloadType: PT, clockRate: 90000 }], encodings: [{ ssrc: SSRC }] };

function rtp(seq) {
  const b = Buffer.alloc(12 + 12);
  b[0] = 0x80; b[1] = PT; b.writeUInt16BE(seq & 0xffff, 2); b.writeUInt32BE(seq * 3000, 4); b.writeUInt32BE(SSRC, 8);
  Buffer.from([0x10, 0x00, 0x9d, 0x01, 0x2a, 0x40, 0x01, 0xf0, 0x00, 0x00, 0x00, 0x00]).copy(b, 12);
  return b;
}

let worker;
const sender = dgram.createSocket('udp4');
try {
  await new Promise((r) => sender.bind(0, '127.0.0.1', r));
  worker = await mediasoup.createWorker({ logLevel: 'warn' });
  const router = await worker.createRouter({ mediaCodecs: [{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 }] });
  const key = crypto.randomBytes(30);
  const inT = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, comedia: true, enableSrtp: true, srtpCryptoSuite: SUITE });
  await inT.connect({ srtpParameters: { cryptoSuite: SUITE, keyBase64: key.toString('base64') } });
  const sink = await router.createDirectTransport();
  const port = inT.tuple.localPort;

  async function round(firstSeq, label) {
    const producer = await inT.produce({ kind: 'video', rtpParameters });
    const consumer = await sink.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities });
    let got = 0;
    consumer.on('rtp', () => { got++; });
    const ctx = new SrtpContext(SUITE, key); // a sender that starts over
    for (let i = 0; i < 50; i++) {
      sender.send(ctx.protectRtp(rtp(firstSeq + i)), port, '127.0.0.1');
      if (i % 10 === 9) await sleep(5);
    }
    await waitFor(() => got >= 50, 2000);
    check(`${label}: every packet decrypted and forwarded`, got === 50, `${got}/50`);
    producer.close();
    await sleep(50);
  }

  await round(30000, 'first producer, sequence 30000');
  await round(0, 'same SSRC again, sequence from 0');
  await round(40000, 'same SSRC a third time, sequence 40000');
  check('worker alive', !worker.died);
} catch (e) {
  check(`no exception (${e.stack})`, false);
} finally {
  sender.close();
  worker?.close();
}
finish();
