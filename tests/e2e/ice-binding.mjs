// ICE-lite over UDP with a scripted controlling agent: STUN Binding requests with
// MESSAGE-INTEGRITY and FINGERPRINT to a WebRtcTransport with its own socket and to one
// behind a WebRtcServer. Checks responses (XOR-MAPPED-ADDRESS, integrity), the error
// responses (wrong password 401, missing FINGERPRINT 400, ICE-CONTROLLED 487), the ICE
// state and selected tuple notifications, and restartIce (old credentials until new used).
// Prints "N passed, N failed" last; exit 1 on failure.
import crypto from 'node:crypto';
import dgram from 'node:dgram';
import net from 'node:net';
import { mediasoup, check, sleep, finish } from './lib/harness.mjs';
import { COOKIE, bindingRequest, parseResponse, frame, collectFrames } from './lib/stun.mjs';

const sock = dgram.createSocket('udp4');
await new Promise((r) => sock.bind(0, '127.0.0.1', r));
const inbox = [];
sock.on('message', (m) => inbox.push(m));
async function transact(port, req) {
  inbox.length = 0;
  sock.send(req.packet, port, '127.0.0.1');
  for (let i = 0; i < 50 && inbox.length === 0; i++) await sleep(10);
  return inbox.length ? parseResponse(inbox[0]) : null;
}

let worker;
try {
  worker = await mediasoup.createWorker({ logLevel: 'warn' });
  const router = await worker.createRouter({ mediaCodecs: [] });
  const server = await worker.createWebRtcServer({ listenInfos: [{ protocol: 'udp', ip: '127.0.0.1', port: 0 }] });
  const direct = await router.createWebRtcTransport({ listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }] });
  const viaServer = await router.createWebRtcTransport({ webRtcServer: server });

  for (const [label, transport] of [['own socket', direct], ['WebRtcServer', viaServer]]) {
    const port = transport.iceCandidates[0].port;
    const { usernameFragment: ufrag, password } = transport.iceParameters;
    const states = [];
    let selected = null;
    transport.on('icestatechange', (s) => states.push(s));
    transport.on('iceselectedtuplechange', (t) => { selected = t; });

    let r = await transact(port, bindingRequest({ username: `${ufrag}:peer`, password: 'wrong-password' }));
    check(`${label}: wrong password → 401`, r?.type === 0x0111 && r.attrs.get(0x0009)?.[3] === 1, r && r.type.toString(16));
    r = await transact(port, bindingRequest({ username: `${ufrag}:peer`, password, fingerprint: false }));
    check(`${label}: missing FINGERPRINT → 400`, r?.type === 0x0111 && r.attrs.get(0x0009)?.[2] === 4 && r.attrs.get(0x0009)?.[3] === 0);
    r = await transact(port, bindingRequest({ username: `${ufrag}:peer`, password, controlled: true }));
    check(`${label}: ICE-CONTROLLED → 487`, r?.type === 0x0111 && r.attrs.get(0x0009)?.[2] === 4 && r.attrs.get(0x0009)?.[3] === 87);

    r = await transact(port, bindingRequest({ username: `${ufrag}:peer`, password, useCandidate: true }));
    const xma = r?.attrs.get(0x0020);
    const mappedPort = xma ? (xma.readUInt16BE(2) ^ (COOKIE >>> 16)) : 0;
    check(`${label}: Binding success with XOR-MAPPED-ADDRESS`, r?.type === 0x0101 && mappedPort === sock.address().port,
      `mapped port ${mappedPort}`);
    await sleep(100);
    check(`${label}: ICE completed`, states.includes('completed') && transport.iceState === 'completed', states.join(','));
    check(`${label}: selected tuple is the peer`, selected?.remotePort === sock.address().port && selected?.localPort === port,
      JSON.stringify(selected));

    // Garbage from the now-valid tuple: random bytes, truncated STUN, DTLS- and RTP-looking
    // datagrams. Nothing may break; STUN must still be answered afterwards.
    for (let i = 0; i < 3000; i++) {
      const len = 1 + Math.floor(Math.random() * 300);
      const g = crypto.randomBytes(len);
      const kind = i % 4;
      if (kind === 1) g[0] = 20 + (i % 44);          // DTLS content types
      if (kind === 2) { g[0] = 0x80; g[1] = 96; }     // RTP
      if (kind === 3) { g[0] = 0x00; g[1] = 0x01; }   // STUN-ish, usually truncated
      sock.send(g, port, '127.0.0.1');
      if (i % 200 === 0) await sleep(5);
    }
    await sleep(200);
    r = await transact(port, bindingRequest({ username: `${ufrag}:peer`, password }));
    check(`${label}: still answering after 3000 garbage datagrams`, r?.type === 0x0101 && !worker.died);

    // restartIce: old credentials still answered until the new ones are used.
    const newParams = await transport.restartIce();
    r = await transact(port, bindingRequest({ username: `${ufrag}:peer`, password }));
    check(`${label}: old credentials valid after restartIce`, r?.type === 0x0101);
    r = await transact(port, bindingRequest({ username: `${newParams.usernameFragment}:peer`, password: newParams.password }));
    check(`${label}: new credentials valid`, r?.type === 0x0101);
  }
  // ICE-TCP (RFC 4571 framing, passive candidates): own TCP server and a WebRtcServer's.
  const tcpServer = await worker.createWebRtcServer({ listenInfos: [{ protocol: 'tcp', ip: '127.0.0.1', port: 0 }] });
  const tcpDirect = await router.createWebRtcTransport({ listenInfos: [{ protocol: 'tcp', ip: '127.0.0.1' }] });
  const tcpViaServer = await router.createWebRtcTransport({ webRtcServer: tcpServer, enableUdp: false });
  for (const [label, transport] of [['TCP own server', tcpDirect], ['TCP WebRtcServer', tcpViaServer]]) {
    const cand = transport.iceCandidates[0];
    check(`${label}: passive TCP candidate`, cand.protocol === 'tcp' && cand.tcpType === 'passive');
    const { usernameFragment: ufrag, password } = transport.iceParameters;
    const states = [];
    transport.on('icestatechange', (st) => states.push(st));
    const conn = net.connect(cand.port, '127.0.0.1');
    await new Promise((r, j) => { conn.once('connect', r); conn.once('error', j); });
    const frames = collectFrames(conn);
    const req = bindingRequest({ username: `${ufrag}:peer`, password, useCandidate: true });
    conn.write(frame(req.packet));
    for (let i = 0; i < 50 && frames.length === 0; i++) await sleep(10);
    const r = frames.length ? parseResponse(frames[0]) : null;
    check(`${label}: Binding success over TCP`, r?.type === 0x0101);
    await sleep(50);
    check(`${label}: ICE completed`, states.includes('completed'), states.join(','));
    conn.destroy();
    await sleep(100);
    check(`${label}: closing the only TCP tuple disconnects`, transport.iceState === 'disconnected', transport.iceState);
  }

  const dump = await server.dump();
  check('WebRtcServer lists the transports\' current ufrags', dump.localIceUsernameFragments.length === 1,
    JSON.stringify(dump.localIceUsernameFragments.map((u) => u.localIceUsernameFragment.slice(0, 6))));
} catch (error) {
  check('scenario ran', false, error.stack ?? String(error));
} finally {
  sock.close();
  worker?.close();
}
finish();
