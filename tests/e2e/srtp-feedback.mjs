// Key-frame requests over SRTCP: a scripted sender streams SRTP video into a producer on a
// PlainTransport (comedia, enableSrtp) or a PipeTransport (enableSrtp), a consumer on another
// transport is paused and resumed (which makes the producer ask for a key frame), and the
// sender decrypts every SRTCP packet the worker sends back with its own SRTP code and looks
// for the PLI (or FIR when the producer negotiated only FIR). A plain-RTP run of the same
// scenario is the control: both must carry the request.
// Prints "N passed, N failed" last; exit 1 on failure.
import dgram from 'node:dgram';
import crypto from 'node:crypto';
import { SrtpContext, walkRtcp } from './lib/srtp.mjs';
import { mediasoup, check, sleep, finish, waitFor } from './lib/harness.mjs';

const SSRC = 0x0badcafe;
const PT = 100;
const keyLength = { AES_CM_128_HMAC_SHA1_80: 30, AES_CM_128_HMAC_SHA1_32: 30, AEAD_AES_128_GCM: 28, AEAD_AES_256_GCM: 44 };
function rtp(seq, ts, payload) {
  const b = Buffer.alloc(12 + payload.length);
  b[0] = 0x80; b[1] = PT; b.writeUInt16BE(seq, 2); b.writeUInt32BE(ts, 4); b.writeUInt32BE(SSRC, 8);
  payload.copy(b, 12);
  return b;
}
// VP8 payload descriptor + a key-frame start (RFC 7741 §4.3) or a delta frame.
const keyFrame = Buffer.from([0x10, 0x00, 0x9d, 0x01, 0x2a, 0x40, 0x01, 0xf0, 0x00, 0x00, 0x00, 0x00]);
const delta = Buffer.from([0x10, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]);

// kind: 'plain' | 'pipe'; suite: null for plain RTP; feedback: 'pli' | 'fir'.
// consumers: how many consumers, on SRTP PlainTransports with RTCP on its own port when
// the ingress uses SRTP (as GStreamer's srtpdec receivers need); the first one is resumed.
async function scenario(worker, { kind, suite, feedback, consumers: consumerCount = 1 }) {
  const label = `${kind} ${suite ?? 'plain RTP'} ${feedback.toUpperCase()}${consumerCount > 1 ? ` ${consumerCount} SRTP consumers` : ''}`;
  const router = await worker.createRouter({
    mediaCodecs: [{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000, preferredPayloadType: 101 }],
  });
  const sender = dgram.createSocket('udp4');
  const receiver = dgram.createSocket('udp4');
  await new Promise((r) => sender.bind(0, '127.0.0.1', r));
  await new Promise((r) => receiver.bind(0, '127.0.0.1', r));
  const listenInfo = { protocol: 'udp', ip: '127.0.0.1' };
  try {
    const senderKey = suite ? crypto.randomBytes(keyLength[suite]) : null;
    let inT;
    if (kind === 'plain') {
      inT = await router.createPlainTransport({ listenInfo, comedia: true, ...(suite ? { enableSrtp: true, srtpCryptoSuite: suite } : {}) });
      if (suite) await inT.connect({ srtpParameters: { cryptoSuite: suite, keyBase64: senderKey.toString('base64') } });
    } else {
      // The pipe's SRTP suite is fixed (AEAD_AES_256_GCM); the sender plays the other pipe end.
      inT = await router.createPipeTransport({ listenInfo, enableSrtp: Boolean(suite) });
      await inT.connect({ ip: '127.0.0.1', port: sender.address().port,
        ...(suite ? { srtpParameters: { cryptoSuite: suite, keyBase64: senderKey.toString('base64') } } : {}) });
    }
    // What the sender decrypts with: the worker's own key for this transport.
    const fromWorker = suite ? new SrtpContext(suite, Buffer.from(inT.srtpParameters.keyBase64, 'base64')) : null;
    const toWorker = suite ? new SrtpContext(suite, senderKey) : null;

    const rtcpFeedback = feedback === 'pli'
      ? [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }]
      : [{ type: 'nack' }, { type: 'ccm', parameter: 'fir' }];
    const producer = await inT.produce({
      kind: 'video',
      rtpParameters: { codecs: [{ mimeType: 'video/VP8', payloadType: PT, clockRate: 90000, rtcpFeedback }], encodings: [{ ssrc: SSRC }] },
    });
    const consumers = [];
    for (let i = 0; i < consumerCount; i++) {
      const srtpOut = consumerCount > 1 && suite && kind === 'plain';
      const outT = await router.createPlainTransport({ listenInfo, comedia: false,
        ...(srtpOut ? { enableSrtp: true, srtpCryptoSuite: suite, rtcpMux: false } : {}) });
      await outT.connect({ ip: '127.0.0.1', port: receiver.address().port,
        ...(srtpOut ? { rtcpPort: receiver.address().port, srtpParameters: { cryptoSuite: suite, keyBase64: crypto.randomBytes(keyLength[suite]).toString('base64') } } : {}) });
      consumers.push(await outT.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities, paused: i === 0 }));
    }
    const consumer = consumers[0];

    const seen = { rtcp: 0, undecryptable: 0, requests: 0, received: 0 };
    sender.on('message', (m) => {
      if (m.length < 8 || m[1] < 192 || m[1] > 223) return;
      seen.rtcp++;
      const plain = fromWorker ? fromWorker.unprotectRtcp(m) : m;
      if (!plain) { seen.undecryptable++; return; }
      for (const p of walkRtcp(plain)) {
        if (p.type === 206 && feedback === 'pli' && p.fmt === 1 && p.mediaSsrc === SSRC) seen.requests++;
        if (p.type === 206 && feedback === 'fir' && p.fmt === 4 && p.firSsrc === SSRC) seen.requests++;
      }
    });
    receiver.on('message', () => { seen.received++; });

    const port = inT.tuple.localPort;
    let seq = 1000, ts = 0, stop = false;
    const pump = (async () => {
      for (let i = 0; !stop; i++) {
        const p = rtp(seq++ & 0xffff, ts, i === 0 ? keyFrame : delta);
        ts += 3000;
        sender.send(toWorker ? toWorker.protectRtp(p) : p, port, '127.0.0.1');
        await sleep(20);
      }
    })();
    // The sender's first packets latch the comedia tuple; the paused consumer forwards nothing.
    await sleep(consumerCount > 1 ? 2500 : 300);
    const before = seen.requests;
    await consumer.resume();
    // The producer's request must reach the sender (a short wait first, since the worker may
    // coalesce requests; one retry at most after that).
    const got = await waitFor(() => seen.requests > before, 1500);
    const stats = (await producer.getStats())[0];
    const counted = feedback === 'pli' ? stats?.pliCount : stats?.firCount;
    stop = true;
    await pump;
    check(`${label}: key-frame request on consumer resume reaches the sender`, got,
      `requests ${seen.requests - before}, producer ${feedback}Count ${counted}, rtcp packets ${seen.rtcp}, undecryptable ${seen.undecryptable}`);
    check(`${label}: every RTCP packet from the worker decrypts`, seen.rtcp > 0 && seen.undecryptable === 0,
      `${seen.rtcp} packets, ${seen.undecryptable} undecryptable`);
  } finally {
    sender.close();
    receiver.close();
    router.close();
  }
}

let worker;
try {
  worker = await mediasoup.createWorker({ logLevel: 'warn' });
  worker.on('died', () => check('worker stays alive', false));
  await scenario(worker, { kind: 'plain', suite: null, feedback: 'pli' });
  for (const suite of ['AES_CM_128_HMAC_SHA1_80', 'AES_CM_128_HMAC_SHA1_32', 'AEAD_AES_128_GCM', 'AEAD_AES_256_GCM'])
    await scenario(worker, { kind: 'plain', suite, feedback: 'pli' });
  await scenario(worker, { kind: 'plain', suite: 'AES_CM_128_HMAC_SHA1_80', feedback: 'fir' });
  await scenario(worker, { kind: 'plain', suite: null, feedback: 'pli', consumers: 2 });
  await scenario(worker, { kind: 'plain', suite: 'AES_CM_128_HMAC_SHA1_80', feedback: 'pli', consumers: 2 });
  await scenario(worker, { kind: 'pipe', suite: null, feedback: 'pli' });
  await scenario(worker, { kind: 'pipe', suite: 'AEAD_AES_256_GCM', feedback: 'pli' });
  await scenario(worker, { kind: 'pipe', suite: 'AEAD_AES_256_GCM', feedback: 'fir' });
  check('worker alive at the end', !worker.died);
} catch (error) {
  check('scenario ran', false, error.stack ?? String(error));
} finally {
  worker?.close();
}
finish();
