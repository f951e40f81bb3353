// Appliance budgets, measured and enforced (README "Budgets"): the stripped binary's size, the
// worker's RSS once a router exists (idle), and its RSS while one producer is forwarded to ten
// consumers (real RTP over loopback; the receivers must get what the sender sent).
//
//   node tests/e2e/budgets.mjs [--worker PATH] [--arch x64|arm64] [--binary PATH]
//
// --arch arm64: the worker runs under qemu-user (--worker is the wrapper, --binary the arm64
// executable). qemu's own memory (its translated-code buffer, its heap) is not the worker's,
// so the RSS counted there is that of the guest's mappings only: the arm64 binary and the
// sysroot libraries it maps, plus anonymous memory outside qemu's heap and outside its
// executable code buffer (read from /proc/PID/smaps).
import dgram from 'node:dgram';
import fs from 'node:fs';
import path from 'node:path';
import { check, finish, mediasoup, opt, root, sleep, waitFor } from './lib/harness.mjs';

const arch = opt('arch', 'x64');
const MB = 1024 * 1024;
// The budgets (bytes). Measured on this project's machine: see the README's table.
const BUDGETS = {
  x64: { binary: 4.5 * MB, idle: 8 * MB, fanout: 10 * MB },
  arm64: { binary: 4.5 * MB, idle: 10 * MB, fanout: 12 * MB },
}[arch];
if (!BUDGETS) throw new Error(`--arch must be x64 or arm64, got ${arch}`);
const binary = path.resolve(opt('binary', process.env.MEDIASOUP_WORKER_BIN));
const slow = arch === 'arm64' ? 10 : 1; // emulation: longer waits, same checks

/** Resident bytes of the worker process (for an emulated worker: of its guest mappings). */
function rss(pid) {
  if (arch === 'x64') {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return Number(m[1]) * 1024;
  }
  const exe = fs.readlinkSync(`/proc/${pid}/exe`);
  let total = 0;
  let counted = false;
  for (const line of fs.readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const head = /^[0-9a-f]+-[0-9a-f]+ (\S{4}) \S+ \S+ \d+\s*(.*)$/.exec(line);
    if (head) {
      const [, perms, name] = head;
      const anon = name === '' || name.startsWith('[anon');
      // qemu's translated code lives in its one rwx buffer; its own heap is [heap]; its
      // binary is /proc/PID/exe. Everything else the guest mapped.
      counted = name !== exe && name !== '[heap]' && !name.startsWith('[v') && !name.startsWith('[stack')
        && !(anon && perms.startsWith('rwx'));
      continue;
    }
    const rssLine = /^Rss:\s+(\d+) kB/.exec(line);
    if (rssLine && counted) total += Number(rssLine[1]) * 1024;
  }
  return total;
}

const fmt = (b) => `${(b / MB).toFixed(2)} MB`;

const size = fs.statSync(binary).size;
check(`stripped binary ${fmt(size)} within ${fmt(BUDGETS.binary)}`, size <= BUDGETS.binary, binary);

const worker = await mediasoup.createWorker({ logLevel: 'warn' });
const router = await worker.createRouter({
  mediaCodecs: [{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 }],
});
await sleep(500 * slow);
const idle = rss(worker.pid);
check(`idle RSS with a router ${fmt(idle)} within ${fmt(BUDGETS.idle)}`, idle > 0 && idle <= BUDGETS.idle);

// 1 producer -> 10 consumers, each consumer to its own local UDP receiver.
const CONSUMERS = 10;
const producerTransport = await router.createPlainTransport({ listenIp: '127.0.0.1', rtcpMux: true, comedia: true });
const producer = await producerTransport.produce({
  kind: 'audio',
  rtpParameters: {
    codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }],
    encodings: [{ ssrc: 22222222 }],
  },
});
const received = new Array(CONSUMERS).fill(0);
const receivers = [];
for (let i = 0; i < CONSUMERS; i++) {
  const sock = dgram.createSocket('udp4');
  await new Promise((r) => sock.bind(0, '127.0.0.1', r));
  sock.on('message', (msg) => {
    if (msg.length > 12 && (msg[1] & 0x7f) === 100) received[i]++;
  });
  receivers.push(sock);
  const t = await router.createPlainTransport({ listenIp: '127.0.0.1', rtcpMux: true, comedia: false });
  await t.connect({ ip: '127.0.0.1', port: sock.address().port });
  await t.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities });
}

// RTP at 500 packets/s (the rate is irrelevant to the check: receivers are compared with the
// sender); 1000-byte payloads so packet buffers are exercised at a realistic size.
const sender = dgram.createSocket('udp4');
await new Promise((r) => sender.bind(0, '127.0.0.1', r));
const payload = Buffer.alloc(1000, 0x5a);
let seq = 0;
let sent = 0;
const sendOne = () => {
  const h = Buffer.alloc(12);
  h[0] = 0x80;
  h[1] = 100;
  h.writeUInt16BE(seq & 0xffff, 2);
  h.writeUInt32BE((seq * 960) >>> 0, 4);
  h.writeUInt32BE(22222222, 8);
  seq++;
  sent++;
  sender.send(Buffer.concat([h, payload]), producerTransport.tuple.localPort, '127.0.0.1');
};
const timer = setInterval(() => {
  for (let k = 0; k < 5; k++) sendOne();
}, 10);
let peak = 0;
const sampleEnd = Date.now() + 3000 * slow;
await sleep(1000 * slow);
while (Date.now() < sampleEnd) {
  peak = Math.max(peak, rss(worker.pid));
  await sleep(200);
}
clearInterval(timer);
await waitFor(() => received.every((n) => n >= sent * 0.9), 2000 * slow);
const minReceived = Math.min(...received);
check(`each of ${CONSUMERS} consumers forwarded what the producer got`, minReceived >= sent * 0.9,
  `sent ${sent}, least received ${minReceived}`);
check(`RSS forwarding 1 -> ${CONSUMERS} ${fmt(peak)} within ${fmt(BUDGETS.fanout)}`, peak > 0 && peak <= BUDGETS.fanout);
console.log(`budgets ${arch}: binary ${size} B, idle ${idle} B, fanout ${peak} B`);

sender.close();
for (const s of receivers) s.close();
worker.close();
finish();
