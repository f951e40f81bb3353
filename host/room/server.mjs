// The live room that `./build.sh run` serves: the stock mediasoup host drives the worker named
// by MEDIASOUP_WORKER_BIN; browsers join over a WebSocket, send camera + microphone (3-layer
// simulcast) and a chat DataChannel through a WebRtcTransport and get every other participant
// back. Once a second each participant is sent the worker's own stats for its transports,
// producers and consumers, and the worker's pid, CPU and memory.
//   node host/room/server.mjs [--port 3000] [--host 127.0.0.1] [--announce IP] [--worker PATH]
// Ctrl-C (SIGINT) or SIGTERM closes the worker, waits for its process to end, and exits 0.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { WebSocketServer } from 'ws';

const here = path.dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const usage = 'usage: server.mjs [--port N (3000; 0 = any)] [--host ADDR (127.0.0.1; 0.0.0.0 = all)] '
  + '[--announce IP (the address browsers reach media on, with --host 0.0.0.0)] [--worker PATH]';
const options = {};
for (let i = 0; i < argv.length; i++) {
  const name = argv[i].replace(/^--/, '');
  if (['port', 'host', 'announce', 'worker'].includes(name) && i + 1 < argv.length) {
    options[name] = argv[++i];
  } else {
    console.log(usage);
    process.exit(['--help', '-h'].includes(argv[i]) ? 0 : 2);
  }
}
const opt = (name, def) => options[name] ?? def;
const port = Number(opt('port', process.env.PORT ?? 3000));
const bindHost = opt('host', '127.0.0.1');
// --worker PATH, else MEDIASOUP_WORKER_BIN, else this repository's own build.
process.env.MEDIASOUP_WORKER_BIN = path.resolve(opt('worker', process.env.MEDIASOUP_WORKER_BIN
  ?? path.join(here, '..', '..', 'out', 'mediasoup-worker')));
const anyAddress = bindHost === '0.0.0.0' || bindHost === '::';
// Bound to every address, the ICE candidates need one a browser can reach: the first external IPv4.
const firstExternal = () => Object.values(os.networkInterfaces()).flat()
  .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
const announcedAddress = opt('announce', anyAddress ? firstExternal() : undefined);

const mediasoup = createRequire(path.join(here, '..', 'package.json'))('mediasoup');
mediasoup.setLogEventListeners({
  onwarn: (ns, msg) => console.log(`[worker warn] ${ns} ${msg}`),
  onerror: (ns, msg) => console.log(`[worker error] ${ns} ${msg}`),
});
const workerBin = process.env.MEDIASOUP_WORKER_BIN;

// The page: one bundle built from npm packages at start-up (no CDN).
const bundle = await build({
  entryPoints: [path.join(here, 'client', 'app.js')],
  bundle: true, write: false, format: 'iife', minify: true, outdir: '/', logLevel: 'silent',
});
const assets = {
  '/': ['text/html; charset=utf-8', fs.readFileSync(path.join(here, 'client', 'index.html'))],
};
for (const f of bundle.outputFiles) {
  assets[f.path] = [f.path.endsWith('.css') ? 'text/css' : 'text/javascript', Buffer.from(f.contents)];
}

// --- the worker, its router and one WebRtcServer every transport shares ----------------------
const worker = await mediasoup.createWorker({ logLevel: 'warn' }).catch((error) => {
  console.error(`room: cannot start the worker ${workerBin}: ${error.message}`);
  process.exit(1);
});
let stopping = false;
worker.on('died', (error) => {
  if (stopping) return;
  console.error(`worker ${worker.pid} died: ${error.message}`);
  process.exit(1);
});
const router = await worker.createRouter({
  mediaCodecs: [
    { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
    { kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
  ],
});
const listenIp = anyAddress ? bindHost : bindHost === 'localhost' ? '127.0.0.1' : bindHost;
const listenInfos = ['udp', 'tcp'].map((protocol) => ({
  protocol, ip: listenIp, announcedAddress, portRange: { min: 40000, max: 49999 },
}));
const webRtcServer = await worker.createWebRtcServer({ listenInfos });

// --- participants ---------------------------------------------------------------------------
/** @type {Map<string, Peer>} */
const peers = new Map();
let nextPeer = 1;

class Peer {
  constructor(ws) {
    this.id = `p${nextPeer++}`;
    this.ws = ws;
    this.name = this.id;
    this.ready = false;
    this.transports = new Map();
    this.producers = new Map();
    this.dataProducers = new Map();
    this.consumers = new Map(); // id → { consumer, peerId }
    this.dataConsumers = new Map();
    this.consumed = new Set(); // producer ids already consumed (guards concurrent consume)
  }
  notify(method, data) {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(JSON.stringify({ notification: true, method, data }));
  }
  others() {
    return [...peers.values()].filter((p) => p !== this && p.ready);
  }
  close() {
    this.closed = true;
    for (const t of this.transports.values()) t.close();
    peers.delete(this.id);
    for (const p of peers.values()) p.notify('peerLeft', { id: this.id });
  }
}

/** Consumes one producer (media or data) of `owner` on `peer`'s receive transport. */
async function consumeFor(peer, owner, producer, isData) {
  if (peer.consumed.has(producer.id)) return;
  peer.consumed.add(producer.id);
  const transport = [...peer.transports.values()].find((t) => t.appData.direction === 'recv');
  if (!transport) return;
  if (isData) {
    const dc = await transport.consumeData({ dataProducerId: producer.id });
    peer.dataConsumers.set(dc.id, dc);
    dc.on('dataproducerclose', () => peer.dataConsumers.delete(dc.id));
    peer.notify('newDataConsumer', {
      peerId: owner.id, id: dc.id, dataProducerId: producer.id, sctpStreamParameters: dc.sctpStreamParameters,
      label: dc.label, protocol: dc.protocol,
    });
    return;
  }
  if (!router.canConsume({ producerId: producer.id, rtpCapabilities: peer.rtpCapabilities })) return;
  const consumer = await transport.consume({ producerId: producer.id, rtpCapabilities: peer.rtpCapabilities, paused: true });
  peer.consumers.set(consumer.id, { consumer, peerId: owner.id });
  const gone = () => {
    peer.consumers.delete(consumer.id);
    peer.notify('consumerClosed', { consumerId: consumer.id });
  };
  consumer.on('producerclose', gone);
  consumer.on('transportclose', () => peer.consumers.delete(consumer.id));
  consumer.on('layerschange', (layers) => peer.notify('consumerLayers', { consumerId: consumer.id, layers: layers ?? null }));
  consumer.on('producerpause', () => peer.notify('consumerState', consumerState(consumer)));
  consumer.on('producerresume', () => peer.notify('consumerState', consumerState(consumer)));
  peer.notify('newConsumer', {
    peerId: owner.id, id: consumer.id, producerId: producer.id, kind: consumer.kind, type: consumer.type,
    rtpParameters: consumer.rtpParameters, ...consumerState(consumer),
  });
}

const consumerState = (c) => ({
  consumerId: c.id, paused: c.paused, producerPaused: c.producerPaused, priority: c.priority,
  preferredLayers: c.preferredLayers ?? null, currentLayers: c.currentLayers ?? null,
});

const transportParams = (t) => ({
  id: t.id, iceParameters: t.iceParameters, iceCandidates: t.iceCandidates,
  dtlsParameters: t.dtlsParameters, sctpParameters: t.sctpParameters,
});

const findConsumer = (peer, id) => {
  const entry = peer.consumers.get(id);
  if (!entry) throw new Error(`no consumer ${id}`);
  return entry.consumer;
};

const handlers = {
  routerRtpCapabilities: () => router.rtpCapabilities,
  async join(peer, { name, rtpCapabilities }) {
    peer.name = String(name || peer.id).slice(0, 40);
    peer.rtpCapabilities = rtpCapabilities;
    const out = {};
    for (const direction of ['send', 'recv']) {
      const t = await router.createWebRtcTransport({
        webRtcServer, enableUdp: true, enableTcp: true, preferUdp: true,
        enableSctp: true, appData: { direction },
      });
      if (peer.closed) { // the tab went away while we were creating it
        t.close();
        throw new Error('left');
      }
      peer.transports.set(t.id, t);
      out[direction] = transportParams(t);
    }
    return {
      peerId: peer.id, ...out,
      peers: [...peers.values()].filter((p) => p !== peer && p.ready).map((p) => ({ id: p.id, name: p.name })),
      worker: workerInfo(),
    };
  },
  async connectTransport(peer, { transportId, dtlsParameters }) {
    await peer.transports.get(transportId).connect({ dtlsParameters });
  },
  async produce(peer, { transportId, kind, rtpParameters }) {
    const producer = await peer.transports.get(transportId).produce({ kind, rtpParameters });
    peer.producers.set(producer.id, producer);
    producer.on('transportclose', () => peer.producers.delete(producer.id));
    for (const other of peer.others()) consumeFor(other, peer, producer, false).catch(logError);
    return { id: producer.id };
  },
  async produceData(peer, { transportId, sctpStreamParameters, label, protocol }) {
    const dp = await peer.transports.get(transportId).produceData({ sctpStreamParameters, label, protocol });
    peer.dataProducers.set(dp.id, dp);
    dp.on('transportclose', () => peer.dataProducers.delete(dp.id));
    for (const other of peer.others()) consumeFor(other, peer, dp, true).catch(logError);
    return { id: dp.id };
  },
  // The page has its transports: it gets everyone already here, and everyone gets it.
  async ready(peer) {
    peer.ready = true;
    for (const other of peer.others()) {
      other.notify('peerJoined', { id: peer.id, name: peer.name });
      peer.notify('peerJoined', { id: other.id, name: other.name }); // ready after we joined
      for (const p of other.producers.values()) await consumeFor(peer, other, p, false);
      for (const d of other.dataProducers.values()) await consumeFor(peer, other, d, true);
    }
  },
  async pauseProducer(peer, { producerId }) {
    await peer.producers.get(producerId)?.pause();
  },
  async resumeProducer(peer, { producerId }) {
    await peer.producers.get(producerId)?.resume();
  },
  async pauseConsumer(peer, { consumerId }) {
    const c = findConsumer(peer, consumerId);
    await c.pause();
    return consumerState(c);
  },
  async resumeConsumer(peer, { consumerId }) {
    const c = findConsumer(peer, consumerId);
    await c.resume();
    return consumerState(c);
  },
  async setPreferredLayers(peer, { consumerId, spatialLayer, temporalLayer }) {
    const c = findConsumer(peer, consumerId);
    await c.setPreferredLayers({ spatialLayer, temporalLayer });
    return consumerState(c);
  },
  async setPriority(peer, { consumerId, priority }) {
    const c = findConsumer(peer, consumerId);
    await c.setPriority(priority);
    return consumerState(c);
  },
  async requestKeyFrame(peer, { consumerId }) {
    await findConsumer(peer, consumerId).requestKeyFrame();
  },
};

const logError = (error) => { if (!stopping) console.error(`room: ${error.message}`); };

// --- the worker's own numbers, once a second ------------------------------------------------
let lastUsage = null;
let workerSample = {};
const repoRoot = path.join(here, '..', '..');
const shownBin = workerBin.startsWith(`${repoRoot}${path.sep}`) ? path.relative(repoRoot, workerBin) : workerBin;
const workerInfo = () => ({
  pid: worker.pid, bin: shownBin, path: workerBin, host: `mediasoup ${mediasoup.version}`,
  binBytes: fs.statSync(workerBin, { throwIfNoEntry: false })?.size ?? null,
});

async function sampleWorker() {
  const usage = await worker.getResourceUsage();
  const now = performance.now();
  const cpuMs = usage.ru_utime + usage.ru_stime;
  let cpu = null;
  if (lastUsage) cpu = (100 * (cpuMs - lastUsage.cpuMs)) / (now - lastUsage.now);
  lastUsage = { cpuMs, now };
  let rssKb = null;
  try {
    rssKb = Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${worker.pid}/status`, 'utf8'))[1]);
  } catch { /* not Linux, or gone */ }
  workerSample = { ...workerInfo(), cpu, rssKb, maxRssKb: usage.ru_maxrss, cpuMs };
}

const streamStats = (s) => ({
  ssrc: s.ssrc, rid: s.rid, kind: s.kind, bitrate: s.bitrate, score: s.score, rtt: s.roundTripTime,
  packetsLost: s.packetsLost, nackCount: s.nackCount, pliCount: s.pliCount, firCount: s.firCount,
  packetCount: s.packetCount,
});

// An object can close between being listed and being asked (a tab leaving): it is skipped.
const statsOf = (o) => o.getStats().catch(() => null);

async function peerStats(peer) {
  const transports = [];
  for (const t of peer.transports.values()) {
    const [s] = (await statsOf(t)) ?? [];
    if (!s) continue;
    transports.push({
      direction: t.appData.direction, recvBitrate: s.recvBitrate, sendBitrate: s.sendBitrate,
      availableOutgoingBitrate: s.availableOutgoingBitrate, iceState: s.iceState, dtlsState: s.dtlsState,
      tuple: s.iceSelectedTuple ? `${s.iceSelectedTuple.protocol} ${s.iceSelectedTuple.localAddress}:${s.iceSelectedTuple.localPort}` : null,
    });
  }
  const producers = [];
  for (const p of peer.producers.values()) {
    const stats = await statsOf(p);
    if (stats) producers.push({ id: p.id, kind: p.kind, type: p.type, streams: stats.map(streamStats) });
  }
  const consumers = [];
  for (const [id, { consumer: c, peerId }] of peer.consumers) {
    const stats = await statsOf(c);
    if (!stats) continue;
    const out = stats.find((s) => s.type === 'outbound-rtp');
    const from = stats.find((s) => s.type === 'inbound-rtp');
    consumers.push({
      id, peerId, kind: c.kind, ...consumerState(c), score: c.score,
      out: out ? streamStats(out) : null, from: from ? streamStats(from) : null,
    });
  }
  return { transports, producers, consumers };
}

async function tick() {
  await sampleWorker();
  const t = Date.now() / 1000;
  for (const peer of [...peers.values()].filter((p) => p.ready)) {
    try {
      peer.notify('stats', { t, worker: workerSample, ...(await peerStats(peer)) });
    } catch (error) {
      logError(error); // an object closed while it was asked
    }
  }
}
const ticker = setInterval(() => tick().catch(logError), 1000);

// --- HTTP + WebSocket -----------------------------------------------------------------------
const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  const asset = assets[url.pathname];
  if (url.pathname === '/favicon.ico') {
    res.statusCode = 204;
    res.end();
    return;
  }
  if (url.pathname === '/api/worker') {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ ...workerInfo(), peers: [...peers.values()].map((p) => ({ id: p.id, name: p.name, ready: p.ready })) }));
    return;
  }
  if (!asset) {
    res.statusCode = 404;
    res.end('not found');
    return;
  }
  res.setHeader('content-type', asset[0]);
  res.setHeader('cache-control', 'no-store');
  res.end(asset[1]);
});
const wss = new WebSocketServer({ server, path: '/ws' });
wss.on('error', () => {}); // the HTTP server's own errors (listen) are handled below
wss.on('connection', (ws) => {
  const peer = new Peer(ws);
  peers.set(peer.id, peer);
  ws.on('message', async (raw) => {
    let msg;
    try {
      msg = JSON.parse(raw);
    } catch {
      return;
    }
    const handler = handlers[msg.method];
    try {
      if (!handler) throw new Error(`unknown method ${msg.method}`);
      const data = await handler(peer, msg.data ?? {});
      ws.send(JSON.stringify({ response: true, id: msg.id, ok: true, data: data ?? {} }));
    } catch (error) {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ response: true, id: msg.id, ok: false, error: error.message }));
    }
  });
  ws.on('close', () => peer.close());
});

try {
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, bindHost, resolve);
  });
} catch (error) {
  console.error(`room: cannot listen on ${bindHost}:${port}: ${error.message}${error.code === 'EADDRINUSE' ? ' (another --port?)' : ''}`);
  stopping = true;
  worker.close();
  process.exit(1);
}
const actualPort = server.address().port;
const shownHost = anyAddress || bindHost === '127.0.0.1' || bindHost === '::1' ? 'localhost' : bindHost;
console.log(`room: worker ${worker.pid} (${workerBin}), mediasoup ${mediasoup.version} host`);
const serverDump = await webRtcServer.dump();
console.log(`room: media through one WebRtcServer on ${listenIp}${announcedAddress ? ` (announced as ${announcedAddress})` : ''}, `
  + `UDP ${serverDump.udpSockets.map((u) => u.port).join(',')}, TCP ${serverDump.tcpServers.map((t) => t.port).join(',')}`);
console.log(`room: open http://${shownHost}:${actualPort}/ (Ctrl-C stops)`);

// --- a clean stop -------------------------------------------------------------------------------
async function stop(signal) {
  if (stopping) return;
  stopping = true;
  console.log(`\nroom: ${signal}, closing`);
  clearInterval(ticker);
  for (const ws of wss.clients) ws.close(1001, 'server stopping');
  wss.close();
  server.close();
  server.closeAllConnections();
  const pid = worker.pid;
  if (!worker.subprocessClosed) {
    const closed = new Promise((resolve) => worker.on('subprocessclose', resolve));
    worker.close();
    // A worker that ignores the close (a broken binary under --worker) is not left behind.
    const kill = setTimeout(() => { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }, 5000);
    await closed;
    clearTimeout(kill);
  }
  console.log(`room: worker ${pid} closed, bye`);
  process.exit(0);
}
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
