// Real media end to end through the worker, with real encoders and decoders (GStreamer):
// a sender streams VP8 and Opus RTP into PlainTransport producers (comedia); consumers on
// other PlainTransports send to receivers that decode to raw files. In the middle of the
// stream the video consumer and the video producer are paused and resumed; decoding must
// go on (key frame on resume). With --srtp, every leg uses AES_CM_128_HMAC_SHA1_80.
// Prints "N passed, N failed" last; exit 1 on any failure.
//   node tests/e2e/plain-media.mjs [--worker PATH] [--srtp] [--seconds N]
import { spawn } from 'node:child_process';
import { mkdtempSync, statSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { mediasoup, check, sleep, finish, opt, args } from './lib/harness.mjs';

const useSrtp = args.includes('--srtp');
const seconds = Number(opt('seconds', '6'));

const WIDTH = 320, HEIGHT = 240, FPS = 30;
const SUITE = 'AES_CM_128_HMAC_SHA1_80';
const work = mkdtempSync(path.join(tmpdir(), 'msw-e2e-'));
const children = [];

function gst(name, pipeline) {
  const child = spawn('gst-launch-1.0', ['-e', '-q', ...pipeline.split(/\s+/).filter(Boolean)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.log = '';
  child.stdout.on('data', (d) => { child.log += d; });
  child.stderr.on('data', (d) => { child.log += d; });
  child.done = new Promise((r) => child.on('exit', (code, signal) => r({ code, signal })));
  child.label = name;
  children.push(child);
  return child;
}

async function stop(child) {
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGINT'); // -e: EOS first, so file sinks flush
    const t = setTimeout(() => child.kill('SIGKILL'), 4000);
    await child.done;
    clearTimeout(t);
  }
}

// SRTP key (30 bytes) as base64 for mediasoup and hex for GStreamer.
const newKey = () => {
  const b = Buffer.alloc(30);
  for (let i = 0; i < b.length; i++) b[i] = Math.floor(Math.random() * 256);
  return b;
};
// srtpdec takes its keys from the caps only for the SSRC they name.
const srtpCaps = (key, ssrc) =>
  `,ssrc=(uint)${ssrc},roc=(uint)0,srtp-key=(buffer)${key.toString('hex')},srtp-cipher=(string)aes-128-icm,srtp-auth=(string)hmac-sha1-80,` +
  'srtcp-cipher=(string)aes-128-icm,srtcp-auth=(string)hmac-sha1-80';
const srtpEnc = (key) =>
  `! srtpenc key=${key.toString('hex')} rtp-cipher=aes-128-icm rtp-auth=hmac-sha1-80 rtcp-cipher=aes-128-icm rtcp-auth=hmac-sha1-80 `;

let worker;
try {
  worker = await mediasoup.createWorker({ logLevel: 'warn' });
  worker.on('died', () => check('worker stays alive', false));
  const router = await worker.createRouter({
    mediaCodecs: [
      { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2, preferredPayloadType: 100 },
      { kind: 'video', mimeType: 'video/VP8', clockRate: 90000, preferredPayloadType: 101 },
    ],
  });
  const listenInfo = { protocol: 'udp', ip: '127.0.0.1' };
  const srtpOpts = useSrtp ? { enableSrtp: true, srtpCryptoSuite: SUITE } : {};

  // Ingress: one comedia transport per kind (each GStreamer udpsink has its own port).
  const senderKeys = { audio: newKey(), video: newKey() };
  const ingress = {};
  for (const kind of ['audio', 'video']) {
    ingress[kind] = await router.createPlainTransport({ listenInfo, rtcpMux: true, comedia: true, ...srtpOpts });
    if (useSrtp) {
      await ingress[kind].connect({ srtpParameters: { cryptoSuite: SUITE, keyBase64: senderKeys[kind].toString('base64') } });
    }
  }
  const videoProducer = await ingress.video.produce({
    kind: 'video',
    rtpParameters: {
      codecs: [{
        mimeType: 'video/VP8', payloadType: 96, clockRate: 90000,
        rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }],
      }],
      encodings: [{ ssrc: 11111111 }],
    },
  });
  const audioProducer = await ingress.audio.produce({
    kind: 'audio',
    rtpParameters: {
      codecs: [{ mimeType: 'audio/opus', payloadType: 97, clockRate: 48000, channels: 2 }],
      encodings: [{ ssrc: 22222222 }],
    },
  });

  // Egress: receivers first (so they see the first key frame), then consumers.
  const recvPort = { video: 47000 + Math.floor(Math.random() * 500) * 2, audio: 0 };
  recvPort.audio = recvPort.video + 1000;
  const consumers = {};
  const receivers = {};
  const outFile = { video: path.join(work, 'video.i420'), audio: path.join(work, 'audio.s16') };
  for (const kind of ['video', 'audio']) {
    // srtpdec cannot take SRTCP on its RTP pad: with SRTP the worker's reports go to port + 1
    // (which also covers rtcpMux off).
    const transport = await router.createPlainTransport({ listenInfo, rtcpMux: !useSrtp, comedia: false, ...srtpOpts });
    const consumer = await transport.consume({
      producerId: kind === 'video' ? videoProducer.id : audioProducer.id,
      rtpCapabilities: router.rtpCapabilities,
      paused: true,
    });
    consumers[kind] = consumer;
    const pt = consumer.rtpParameters.codecs[0].payloadType;
    const localKey = useSrtp ? Buffer.from(transport.srtpParameters.keyBase64, 'base64') : null;
    const caps = kind === 'video'
      ? `application/x-${useSrtp ? 's' : ''}rtp,media=video,encoding-name=VP8,clock-rate=90000,payload=${pt}`
      : `application/x-${useSrtp ? 's' : ''}rtp,media=audio,encoding-name=OPUS,clock-rate=48000,payload=${pt}`;
    const decode = kind === 'video'
      ? `rtpjitterbuffer latency=100 ! rtpvp8depay ! vp8dec ! videoconvert ! video/x-raw,format=I420 ! filesink location=${outFile.video}`
      : `rtpjitterbuffer latency=100 ! rtpopusdepay ! opusdec ! audioconvert ! audio/x-raw,format=S16LE ! filesink location=${outFile.audio}`;
    receivers[kind] = gst(`${kind} receiver`,
      `udpsrc address=127.0.0.1 port=${recvPort[kind]} caps=${caps}${useSrtp ? srtpCaps(localKey, consumer.rtpParameters.encodings[0].ssrc) : ''} ` +
      `${useSrtp ? '! srtpdec ' : ''}! ${decode}`);
    const receiverKey = newKey();
    await transport.connect({
      ip: '127.0.0.1', port: recvPort[kind], ...(useSrtp ? { rtcpPort: recvPort[kind] + 1 } : {}),
      ...(useSrtp ? { srtpParameters: { cryptoSuite: SUITE, keyBase64: receiverKey.toString('base64') } } : {}),
    });
  }
  // Everything is judged against what the sender actually sent in this run (a busy machine
  // sends less): the producer's and consumers' traces and the pause/resume markers arrive in
  // the worker's order on one channel, so replaying them says which packets the video
  // consumer had to forward: those from the first key frame after each point where both it
  // and the producer became active.
  const traces = { producer: {}, consumer: {} };
  const timeline = [];
  const forwarded = { video: 0, videoFrames: new Set(), audio: 0 };
  videoProducer.on('trace', (t) => {
    traces.producer[t.type] = (traces.producer[t.type] ?? 0) + 1;
    if (t.type === 'rtp' && !t.info.isRtx) timeline.push({ key: Boolean(t.info.rtpPacket.isKeyFrame) });
  });
  // The 3.27.1 host emits each consumer 'trace' twice (same object): count it once.
  const once = new WeakSet();
  const first = (t) => !once.has(t) && once.add(t);
  consumers.video.on('trace', (t) => {
    if (!first(t)) return;
    traces.consumer[t.type] = (traces.consumer[t.type] ?? 0) + 1;
    if (t.type === 'rtp' && !t.info.isRtx) {
      forwarded.video++;
      forwarded.videoFrames.add(t.info.rtpPacket.timestamp);
    }
  });
  consumers.audio.on('trace', (t) => { if (first(t) && t.type === 'rtp') forwarded.audio++; });
  await videoProducer.enableTraceEvent(['rtp', 'keyframe']);
  await consumers.video.enableTraceEvent(['rtp', 'keyframe']);
  await consumers.audio.enableTraceEvent(['rtp']);
  const mark = async (what, action) => { await action(); timeline.push({ mark: what }); };
  await sleep(500);
  await consumers.video.resume();
  await consumers.audio.resume();

  const senders = [
    gst('video sender',
      `videotestsrc is-live=true pattern=ball ! video/x-raw,width=${WIDTH},height=${HEIGHT},framerate=${FPS}/1 ` +
      `! vp8enc deadline=1 keyframe-max-dist=${FPS} ! rtpvp8pay pt=96 ssrc=11111111 picture-id-mode=15-bit ` +
      `${useSrtp ? srtpEnc(senderKeys.video) : ''}! udpsink host=127.0.0.1 port=${ingress.video.tuple.localPort}`),
    gst('audio sender',
      'audiotestsrc is-live=true wave=sine ! audio/x-raw,rate=48000,channels=2 ! opusenc ' +
      `! rtpopuspay pt=97 ssrc=22222222 ${useSrtp ? srtpEnc(senderKeys.audio) : ''}` +
      `! udpsink host=127.0.0.1 port=${ingress.audio.tuple.localPort}`),
  ];

  const third = seconds * 1000 / 3;
  await sleep(third);
  await mark('consumer paused', () => consumers.video.pause());
  await sleep(400);
  await mark('consumer resumed', () => consumers.video.resume());
  await sleep(third / 2);
  await mark('producer paused', () => videoProducer.pause());
  await sleep(400);
  await mark('producer resumed', () => videoProducer.resume());
  await sleep(third);

  const [vStats] = await videoProducer.getStats();
  const [cStats] = (await consumers.video.getStats()).filter((s) => s.type === 'outbound-rtp');
  for (const s of senders) await stop(s);
  await sleep(300);
  for (const r of Object.values(receivers)) await stop(r);

  const size = (f) => { try { return statSync(f).size; } catch { return 0; } };
  const frames = size(outFile.video) / (WIDTH * HEIGHT * 1.5);
  const audioSeconds = size(outFile.audio) / (48000 * 2 * 2);
  // Replay: which producer packets the video consumer owed its receiver.
  let owed = 0, consumerPaused = false, producerPaused = false, waitingForKeyFrame = true;
  for (const e of timeline) {
    if (e.mark) {
      if (e.mark === 'consumer paused') consumerPaused = true;
      if (e.mark === 'consumer resumed') consumerPaused = false;
      if (e.mark === 'producer paused') producerPaused = true;
      if (e.mark === 'producer resumed') producerPaused = false;
      waitingForKeyFrame = true;
      continue;
    }
    if (consumerPaused || producerPaused) continue;
    if (waitingForKeyFrame && !e.key) continue;
    waitingForKeyFrame = false;
    owed++;
  }
  const sent = timeline.filter((e) => !e.mark).length;
  check('sender streamed video', sent > 2 * FPS, `${sent} packets`);
  // getStats ran while the sender still sent: its count may trail the traces by a few.
  check('producer counted what it traced', vStats?.type === 'inbound-rtp' && vStats.packetCount >= 0.95 * sent && vStats.score > 0,
    `stats ${vStats?.packetCount}, traced ${sent}, score ${vStats?.score}`);
  // A few packets around each pause/resume may fall either side of the marker.
  check('video consumer forwarded what it owed the receiver', forwarded.video >= 0.9 * owed && forwarded.video <= owed + 10,
    `forwarded ${forwarded.video}, owed ${owed} of ${sent}`);
  check('consumer reports its outbound stream', cStats?.type === 'outbound-rtp' && cStats.packetCount >= 0.95 * forwarded.video,
    `stats ${cStats?.packetCount}, traced ${forwarded.video}`);
  // Frames the receiver got (distinct RTP timestamps) must decode; audio: 20 ms a packet.
  check('video frames decoded', frames >= 0.9 * forwarded.videoFrames.size,
    `${frames.toFixed(0)} decoded of ${forwarded.videoFrames.size} forwarded frames`);
  check('audio decoded', forwarded.audio > 2 * 50 && audioSeconds >= 0.9 * forwarded.audio * 0.02,
    `${audioSeconds.toFixed(2)} s decoded of ${(forwarded.audio * 0.02).toFixed(2)} s forwarded`);
  for (const r of Object.values(receivers)) {
    const errors = r.log.split('\n').filter((l) => /ERROR|WARN|Failed|corrupt/i.test(l));
    check(`${r.label} decoded without errors`, errors.length === 0, errors.slice(0, 3).join(' | '));
  }
  check('producer traced rtp and keyframe', traces.producer.rtp > 0 && traces.producer.keyframe > 0, JSON.stringify(traces.producer));
  check('consumer traced rtp and keyframe', traces.consumer.rtp > 0 && traces.consumer.keyframe > 0, JSON.stringify(traces.consumer));
  check('worker alive at the end', !worker.died);
} catch (error) {
  check('scenario ran', false, error.stack ?? String(error));
} finally {
  for (const c of children) await stop(c);
  worker?.close();
  rmSync(work, { recursive: true, force: true });
}
finish();
