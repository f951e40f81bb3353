// Soak: 1 producer → 20 consumers for --minutes (default 60), plain RTP over loopback at
// --pps packets per second (default 300, --size bytes each, default 1000; VP8, a key frame of 3 packets every 2 s).
// The worker's RSS is sampled every 10 s; the slope over the last half of the run (kB per
// hour) is the figure of merit, with what the consumers delivered against what was sent. The
// check uses the median of the pairwise slopes (Theil-Sen): a leak grows RSS steadily and reads
// the same either way, while one step (a heap segment taken once: +396 kB at 44.7 min of a
// flat hour) drags a least-squares slope over 1 MB/h without being a leak. Both are printed. Not part of ./build.sh test (./build.sh soak [MINUTES]).
// Prints the samples, the slope and "N passed, N failed" last.
import dgram from 'node:dgram';
import fs from 'node:fs';
import { mediasoup, check, sleep, finish, opt } from './lib/harness.mjs';

const MINUTES = Number(opt('minutes', '60'));
const PPS = Number(opt('pps', '300'));
const CONSUMERS = 20;
const SSRC = 0x50a4;
const rssKb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
const fdCount = (pid) => fs.readdirSync(`/proc/${pid}/fd`).length;

/** Least-squares slope of y over x. */
function slope(points) {
  const n = points.length;
  const mx = points.reduce((a, p) => a + p[0], 0) / n;
  const my = points.reduce((a, p) => a + p[1], 0) / n;
  const num = points.reduce((a, p) => a + (p[0] - mx) * (p[1] - my), 0);
  const den = points.reduce((a, p) => a + (p[0] - mx) ** 2, 0);
  return den ? num / den : 0;
}

/** Theil-Sen: the median of the slopes between every pair of points. */
function medianSlope(points) {
  const slopes = [];
  for (let i = 0; i < points.length; i++) {
    for (let j = i + 1; j < points.length; j++) {
      if (points[j][0] !== points[i][0]) slopes.push((points[j][1] - points[i][1]) / (points[j][0] - points[i][0]));
    }
  }
  slopes.sort((a, b) => a - b);
  return slopes.length ? slopes[Math.floor(slopes.length / 2)] : 0;
}

let worker;
const sockets = [];
try {
  worker = await mediasoup.createWorker({ logLevel: 'warn' });
  const router = await worker.createRouter({ mediaCodecs: [{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 }] });
  const listenInfo = { protocol: 'udp', ip: '127.0.0.1' };
  const input = await router.createPlainTransport({ listenInfo, comedia: true });
  const producer = await input.produce({
    kind: 'video',
    rtpParameters: { codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }], encodings: [{ ssrc: SSRC }] },
  });
  const sink = dgram.createSocket('udp4');
  sockets.push(sink);
  await new Promise((r) => sink.bind(0, '127.0.0.1', r));
  let received = 0;
  // RTP only: the consumers' RTCP (sender reports) reaches the same socket.
  sink.on('message', (m) => { if (m.length >= 2 && (m[1] < 192 || m[1] > 223)) received++; });
  const consumers = [];
  for (let i = 0; i < CONSUMERS; i++) {
    const t = await router.createPlainTransport({ listenInfo, comedia: false });
    await t.connect({ ip: '127.0.0.1', port: sink.address().port });
    consumers.push(await t.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities }));
  }
  const sender = dgram.createSocket('udp4');
  sockets.push(sender);
  await new Promise((r) => sender.bind(0, '127.0.0.1', r));

  let seq = 0;
  let sent = 0;
  const packet = Buffer.alloc(Number(opt("size", "1000")));
  const send = () => {
    const key = seq % (PPS * 2) < 3;
    packet[0] = 0x80; packet[1] = 101; packet.writeUInt16BE(seq & 0xffff, 2);
    packet.writeUInt32BE((seq * 300) >>> 0, 4); packet.writeUInt32BE(SSRC, 8);
    Buffer.from(key ? [0x10, 0x00, 0x9d, 0x01, 0x2a, 0x40, 0x01, 0xf0, 0x00] : [0x10, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]).copy(packet, 12);
    // dgram.send is asynchronous: send a copy, the next packet overwrites this buffer.
    sender.send(Buffer.from(packet), input.tuple.localPort, '127.0.0.1');
    seq++; sent++;
  };
  // Paced in 10 ms steps.
  const perTick = PPS / 100;
  let owed = 0;
  const pacer = setInterval(() => { owed += perTick; while (owed >= 1) { send(); owed--; } }, 10);

  if (opt("debug")) { await sleep(2000); console.log(JSON.stringify(await producer.getStats()), JSON.stringify(await consumers[0].getStats()), JSON.stringify(await consumers[0].dump())); }
  const samples = [];
  const t0 = Date.now();
  const end = t0 + MINUTES * 60_000;
  while (Date.now() < end && !worker.died) {
    await sleep(10_000);
    const s = [(Date.now() - t0) / 3_600_000, rssKb(worker.pid), fdCount(worker.pid)];
    samples.push(s);
    console.log(`t=${((Date.now() - t0) / 60000).toFixed(1)} min rss ${s[1]} kB fds ${s[2]} sent ${sent} delivered ${received} (${(received / Math.max(sent * CONSUMERS, 1) * 100).toFixed(2)} %)`);
  }
  clearInterval(pacer);
  await sleep(500);
  const lastHalf = samples.slice(Math.floor(samples.length / 2));
  const kbPerHour = medianSlope(lastHalf);
  const leastSquares = slope(lastHalf);
  const ratio = received / Math.max(sent * CONSUMERS, 1);
  console.log(`soak ${MINUTES} min, ${PPS} pps → ${CONSUMERS} consumers: RSS ${samples[0]?.[1]} → ${samples.at(-1)?.[1]} kB, fds ${samples[0]?.[2]} → ${samples.at(-1)?.[2]}, ` +
    `slope over the last half ${kbPerHour.toFixed(1)} kB/h (median of pairs; least squares ${leastSquares.toFixed(1)}; ${lastHalf.length} samples); delivered ${(ratio * 100).toFixed(2)} % of ${sent * CONSUMERS}`);
  check('worker alive', !worker.died);
  check('fd count at the end equals the first sample', samples.at(-1)?.[2] === samples[0]?.[2], `${samples[0]?.[2]} → ${samples.at(-1)?.[2]}`);
  check('consumers delivered at least 99 % of what was sent', ratio >= 0.99, `${(ratio * 100).toFixed(2)} %`);
  check('RSS slope over the last half under 1 MB/h (median of pairwise slopes)', kbPerHour < 1024, `${kbPerHour.toFixed(1)} kB/h`);
} catch (e) {
  check(`no exception (${e.stack})`, false);
} finally {
  for (const s of sockets) s.close();
  worker?.close();
}
finish();
