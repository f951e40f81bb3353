// ICE-TCP under pressure: idle connections must not lock new clients out, unidentified
// connections expire, and the listener keeps accepting after the worker ran out of fds.
//   1. 300 idle connections to a WebRtcServer (more than its 256 pending slots) and 40 to a
//      WebRtcTransport's own TCP server (32 slots): a new client's STUN is still answered.
//   2. An idle connection that never sends STUN is closed by the worker (timeout).
//   3. The worker's fd limit lowered to 128 (prlimit), a storm of 600 connections, every client
//      gone: fds return to the baseline and a new client is answered again.
// Prints "N passed, N failed" last; exit 1 on failure.
import fs from 'node:fs';
import net from 'node:net';
import { execFileSync } from 'node:child_process';
import { mediasoup, check, sleep, waitFor, finish } from './lib/harness.mjs';
import { bindingRequest, parseResponse, frame, collectFrames } from './lib/stun.mjs';

const openConnections = async (port, n) => {
  const conns = [];
  for (let i = 0; i < n; i++) {
    const c = net.connect(port, '127.0.0.1');
    c.on('error', () => {});
    c.closedByPeer = false;
    c.on('end', () => { c.closedByPeer = true; });
    c.on('close', () => { c.closedByPeer = true; });
    conns.push(c);
  }
  await Promise.all(conns.map((c) => new Promise((r) => { c.once('connect', r); c.once('close', r); setTimeout(r, 5000); })));
  return conns;
};

/** Connects, sends one Binding request framed per RFC 4571, returns the response (or null). */
async function stunOverTcp(port, transport, ms = 3000) {
  const { usernameFragment: ufrag, password } = transport.iceParameters;
  const conn = net.connect(port, '127.0.0.1');
  conn.on('error', () => {});
  const frames = collectFrames(conn);
  const connected = await new Promise((r) => { conn.once('connect', () => r(true)); conn.once('close', () => r(false)); setTimeout(() => r(false), ms); });
  if (!connected) { conn.destroy(); return null; }
  conn.write(frame(bindingRequest({ username: `${ufrag}:peer`, password }).packet));
  await waitFor(() => frames.length > 0 || conn.destroyed, ms);
  conn.destroy();
  return frames.length ? parseResponse(frames[0]) : null;
}

const fdCount = (pid) => fs.readdirSync(`/proc/${pid}/fd`).length;

let worker;
const held = [];
try {
  worker = await mediasoup.createWorker({ logLevel: 'warn' });
  const router = await worker.createRouter({ mediaCodecs: [] });
  const server = await worker.createWebRtcServer({ listenInfos: [{ protocol: 'tcp', ip: '127.0.0.1', port: 0 }] });
  const viaServer = await router.createWebRtcTransport({ webRtcServer: server, enableUdp: false });
  const direct = await router.createWebRtcTransport({ listenInfos: [{ protocol: 'tcp', ip: '127.0.0.1' }] });
  const serverPort = viaServer.iceCandidates[0].port;
  const directPort = direct.iceCandidates[0].port;

  // 2 starts first, on a server of its own (the floods below evict the oldest): one idle
  // connection whose closing by the worker is awaited later.
  const quietServer = await worker.createWebRtcServer({ listenInfos: [{ protocol: 'tcp', ip: '127.0.0.1', port: 0 }] });
  const [lonely] = await openConnections(quietServer.listenInfos?.[0]?.port ?? (await quietServer.dump()).tcpServers[0].port, 1);
  const lonelyOpened = Date.now();

  // 1. Idle connections beyond every limit.
  held.push(...await openConnections(serverPort, 300));
  held.push(...await openConnections(directPort, 40));
  let r = await stunOverTcp(serverPort, viaServer);
  check('WebRtcServer: new client answered with 300 idle connections held', r?.type === 0x0101, r ? r.type.toString(16) : 'no response');
  r = await stunOverTcp(directPort, direct);
  check('own TCP server: new client answered with 40 idle connections held', r?.type === 0x0101, r ? r.type.toString(16) : 'no response');
  check('idle connections beyond the limits were evicted', held.filter((c) => c.closedByPeer).length >= 300 + 40 - 256 - 32,
    `${held.filter((c) => c.closedByPeer).length} closed by the worker`);
  for (const c of held) c.destroy();
  held.length = 0;

  await waitFor(() => lonely.closedByPeer, 16000);
  const lonelyMs = Date.now() - lonelyOpened;
  check('an idle connection that never sends STUN is closed by the worker after its 10 s', lonely.closedByPeer && lonelyMs >= 9000,
    `after ${lonelyMs} ms`);

  // 3. Out of fds.
  await sleep(200);
  const baseline = fdCount(worker.pid);
  execFileSync('prlimit', ['--pid', String(worker.pid), '--nofile=128:128']);
  held.push(...await openConnections(serverPort, 600));
  await sleep(500);
  const peak = fdCount(worker.pid);
  for (const c of held) c.destroy();
  held.length = 0;
  const back = await waitFor(() => fdCount(worker.pid) <= baseline, 15000);
  check('worker fds back to baseline after the storm', back, `baseline ${baseline}, peak ${peak}, now ${fdCount(worker.pid)}`);
  let answered = false;
  for (let attempt = 0; attempt < 5 && !answered; attempt++) {
    r = await stunOverTcp(serverPort, viaServer, 2000);
    answered = r?.type === 0x0101;
  }
  check('listener accepts again after EMFILE', answered);
  check('worker alive', !worker.died);
} catch (e) {
  check(`no exception (${e.stack})`, false);
} finally {
  for (const c of held) c.destroy();
  worker?.close();
}
finish();
