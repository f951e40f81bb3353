// Memory and fds return to baseline over router create/close cycles. Each cycle builds, uses
// and closes a router with:
//   - a DirectTransport producer (VP8) whose packets go through a consumer on an SRTP+SCTP
//     PlainTransport B to its peer PlainTransport A (connected to each other over loopback),
//     into a producer on A and out of a consumer on a second DirectTransport (checked);
//   - a direct DataProducer → DataConsumer on B → SCTP over plain UDP → DataProducer on A →
//     direct DataConsumer (checked);
//   - pipeToRouter of the producer and the data producer into a router of a second worker
//     (SRTP, SCTP), consumed there;
//   - a WebRtcTransport with a consumer and a data consumer.
// After --warmup cycles the worker's RSS and fd count are the baseline; after --cycles more,
// RSS must be within --rss-slack-kb of it and the fd count exactly back.
// Prints the figures and "N passed, N failed" last; exit 1 on failure.
import fs from 'node:fs';
import { mediasoup, check, sleep, waitFor, finish, opt } from './lib/harness.mjs';

const CYCLES = Number(opt('cycles', '200'));
const WARMUP = Number(opt('warmup', '100'));
const RSS_SLACK_KB = Number(opt('rss-slack-kb', '1024'));

const mediaCodecs = [{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 }];
const listenInfo = { protocol: 'udp', ip: '127.0.0.1' };
const SUITE = 'AES_CM_128_HMAC_SHA1_80';

const rssKb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
const fdCount = (pid) => fs.readdirSync(`/proc/${pid}/fd`).length;

function vp8(seq, ssrc) {
  const b = Buffer.alloc(12 + 8);
  b[0] = 0x80; b[1] = 101; b.writeUInt16BE(seq, 2); b.writeUInt32BE(seq * 3000, 4); b.writeUInt32BE(ssrc, 8);
  // Key frame start (RFC 7741 §4.3).
  Buffer.from([0x10, 0x00, 0x9d, 0x01, 0x2a, 0x40, 0x01, 0xf0]).copy(b, 12);
  return b;
}

const totals = { rtp: 0, messages: 0 };

async function cycle([worker, worker2], n) {
  const router = await worker.createRouter({ mediaCodecs });
  // pipeToRouter keeps the producer's id: the other router lives in a second worker.
  const router2 = await worker2.createRouter({ mediaCodecs });
  const directIn = await router.createDirectTransport();
  const directOut = await router.createDirectTransport();
  const a = await router.createPlainTransport({ listenInfo, comedia: false, enableSrtp: true, srtpCryptoSuite: SUITE, enableSctp: true });
  const b = await router.createPlainTransport({ listenInfo, comedia: false, enableSrtp: true, srtpCryptoSuite: SUITE, enableSctp: true });
  await a.connect({ ip: '127.0.0.1', port: b.tuple.localPort, srtpParameters: b.srtpParameters });
  await b.connect({ ip: '127.0.0.1', port: a.tuple.localPort, srtpParameters: a.srtpParameters });

  // Media: direct → B (SRTP) → A → direct.
  const ssrc = 0x1000 + n;
  const source = await directIn.produce({
    kind: 'video',
    rtpParameters: { codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }], encodings: [{ ssrc }] },
  });
  const onB = await b.consume({ producerId: source.id, rtpCapabilities: router.rtpCapabilities });
  const intoA = await a.produce({ kind: 'video', rtpParameters: onB.rtpParameters });
  const out = await directOut.consume({ producerId: intoA.id, rtpCapabilities: router.rtpCapabilities });
  let rtpSeen = 0;
  out.on('rtp', () => { rtpSeen++; });

  // Data: direct → B (SCTP) → A → direct.
  const dataSource = await directIn.produceData();
  const dataOnB = await b.consumeData({ dataProducerId: dataSource.id });
  const dataIntoA = await a.produceData({ sctpStreamParameters: { streamId: dataOnB.sctpStreamParameters.streamId, ordered: true } });
  const dataOut = await directOut.consumeData({ dataProducerId: dataIntoA.id });
  let messagesSeen = 0;
  dataOut.on('message', () => { messagesSeen++; });

  // Pipe into the second router, SRTP and SCTP on the pipe.
  const { pipeConsumer, pipeProducer } = await router.pipeToRouter({ producerId: source.id, router: router2, enableSrtp: true, enableSctp: true });
  const { pipeDataProducer } = await router.pipeToRouter({ dataProducerId: dataSource.id, router: router2 });
  const sink2 = await router2.createDirectTransport();
  await sink2.consume({ producerId: pipeProducer.id, rtpCapabilities: router2.rtpCapabilities });
  await sink2.consumeData({ dataProducerId: pipeDataProducer.id });

  // WebRTC, unconnected: consumers and data consumers exist and close with it.
  const webrtc = await router.createWebRtcTransport({ listenInfos: [listenInfo], enableSctp: true });
  await webrtc.consume({ producerId: source.id, rtpCapabilities: router.rtpCapabilities });
  await webrtc.consumeData({ dataProducerId: dataSource.id });

  // Traffic until both paths delivered (SCTP connects on the first packets).
  for (let i = 0; i < 200 && (rtpSeen < 5 || messagesSeen < 3); i++) {
    source.send(vp8(i, ssrc));
    if (b.sctpState === 'connected') dataSource.send(`m${i}`);
    await sleep(5);
  }
  totals.rtp += rtpSeen;
  totals.messages += messagesSeen;
  const ok = rtpSeen >= 5 && messagesSeen >= 3;
  void pipeConsumer;
  router.close();
  router2.close();
  return ok;
}

const workers = [];
try {
  workers.push(await mediasoup.createWorker({ logLevel: 'warn' }), await mediasoup.createWorker({ logLevel: 'warn' }));
  const pids = workers.map((w) => w.pid);
  const rss = () => pids.map(rssKb);
  const fds = () => pids.map(fdCount);
  let delivered = 0;
  const t0 = Date.now();
  for (let i = 0; i < WARMUP; i++) delivered += (await cycle(workers, i)) ? 1 : 0;
  // The worker gives memory back once idle for a second (MemoryTrimmer): measure after that.
  await sleep(1600);
  const baseRss = rss();
  const baseFds = fds();
  const peakRss = [...baseRss];
  for (let i = 0; i < CYCLES; i++) {
    delivered += (await cycle(workers, WARMUP + i)) ? 1 : 0;
    if (i % 50 === 0) rss().forEach((v, k) => { peakRss[k] = Math.max(peakRss[k], v); });
    if (opt('progress') && i % Number(opt('progress')) === 0) console.log(`cycle ${i}: rss ${rss().join('/')} kB, fds ${fds().join('/')}`);
  }
  await sleep(1600);
  await waitFor(() => fds().every((v, k) => v === baseFds[k]), 2000);
  const endRss = rss();
  const endFds = fds();
  console.log(`cycles ${WARMUP}+${CYCLES} in ${((Date.now() - t0) / 1000).toFixed(1)} s; rtp through SRTP ${totals.rtp}, messages through SCTP ${totals.messages}`);
  for (const k of [0, 1]) {
    const d = endRss[k] - baseRss[k];
    console.log(`worker ${k + 1}: RSS baseline ${baseRss[k]} kB, end ${endRss[k]} kB (${d >= 0 ? '+' : ''}${d} kB, ` +
      `${((d * 1024) / CYCLES).toFixed(0)} B/cycle), peak ${peakRss[k]} kB; fds ${baseFds[k]} → ${endFds[k]}`);
  }
  check('every cycle delivered RTP through SRTP and messages through SCTP', delivered === WARMUP + CYCLES, `${delivered}/${WARMUP + CYCLES}`);
  for (const k of [0, 1]) {
    check(`worker ${k + 1}: RSS within ${RSS_SLACK_KB} kB of the post-warm-up baseline`, endRss[k] - baseRss[k] <= RSS_SLACK_KB, `${endRss[k] - baseRss[k]} kB`);
    check(`worker ${k + 1}: fd count exactly back`, endFds[k] === baseFds[k], `${baseFds[k]} → ${endFds[k]}`);
    const dump = await workers[k].dump();
    check(`worker ${k + 1}: holds no routers`, dump.routerIds.length === 0);
    check(`worker ${k + 1}: alive`, !workers[k].died);
  }
} catch (e) {
  check(`no exception (${e.stack})`, false);
} finally {
  for (const w of workers) w.close();
}
finish();
