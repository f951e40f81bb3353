// Robustness of the real binary against bad channel input: spawns out/mediasoup-worker
// the way the host does (fds 3/4), sends valid requests mutated byte by byte plus random
// garbage frames, and after every batch checks the worker still answers a WORKER_DUMP.
// Deterministic (seeded). Exit 0 and "N passed, 0 failed" when the worker survived all.
//   node tests/robustness/channel-fuzz.mjs [--worker PATH] [--iterations N] [--seed S]
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(path.join(root, 'host', 'package.json'));
const flatbuffers = require('flatbuffers');
const fbs = (name) => require(path.join(root, 'host', 'node_modules', 'mediasoup', 'node', 'lib', 'fbs', name));
const { Message, Body: MessageBody } = fbs('message');
const { Request, Method, Body: RequestBody } = fbs('request');
const FbsWorker = fbs('worker');
const FbsTransport = fbs('transport');
const { Response } = fbs('response');

const opts = { worker: path.join(root, 'out', 'mediasoup-worker'), iterations: 3000, seed: 12345 };
for (let i = 2; i < process.argv.length; i += 2) opts[process.argv[i].slice(2)] = process.argv[i + 1];
opts.iterations = Number(opts.iterations);

// xorshift32: reproducible without dependencies.
let state = Number(opts.seed) >>> 0 || 1;
const rand = () => {
  state ^= state << 13; state >>>= 0;
  state ^= state >>> 17;
  state ^= state << 5; state >>>= 0;
  return state / 4294967296;
};
const randInt = (n) => Math.floor(rand() * n);

let nextId = 0;
function frame(method, handlerId, bodyType, makeBody) {
  const b = new flatbuffers.Builder(256);
  const bodyOffset = makeBody ? makeBody(b) : 0;
  const handler = b.createString(handlerId);
  const req = Request.createRequest(b, ++nextId, method, handler, bodyType ?? RequestBody.NONE, bodyOffset);
  b.finishSizePrefixed(Message.createMessage(b, MessageBody.Request, req));
  return Buffer.from(b.asUint8Array());
}

// Seeds: one of each worker-level request with a body, and requests to handlers.
const seeds = [
  () => frame(Method.WORKER_DUMP, ''),
  () => frame(Method.WORKER_GET_RESOURCE_USAGE, ''),
  () => frame(Method.WORKER_UPDATE_SETTINGS, '', RequestBody.Worker_UpdateSettingsRequest,
    (b) => new FbsWorker.UpdateSettingsRequestT('warn', ['info', 'ice']).pack(b)),
  () => frame(Method.WORKER_CREATE_ROUTER, '', RequestBody.Worker_CreateRouterRequest,
    (b) => new FbsWorker.CreateRouterRequestT(`r${randInt(50)}`).pack(b)),
  () => frame(Method.WORKER_CLOSE_ROUTER, '', RequestBody.Worker_CloseRouterRequest,
    (b) => new FbsWorker.CloseRouterRequestT(`r${randInt(50)}`).pack(b)),
  () => frame(Method.ROUTER_DUMP, `r${randInt(50)}`),
  () => frame(Method.WORKER_CREATE_WEBRTCSERVER, '', RequestBody.Worker_CreateWebRtcServerRequest,
    (b) => new FbsWorker.CreateWebRtcServerRequestT(`s${randInt(20)}`, [
      new FbsTransport.ListenInfoT(FbsTransport.Protocol.UDP, '127.0.0.1', undefined, false, 0,
        new FbsTransport.PortRangeT(45000, 45999), new FbsTransport.SocketFlagsT(false, false), 0, 0),
    ]).pack(b)),
  () => frame(Method.WORKER_WEBRTCSERVER_CLOSE, '', RequestBody.Worker_CloseWebRtcServerRequest,
    (b) => new FbsWorker.CloseWebRtcServerRequestT(`s${randInt(20)}`).pack(b)),
  () => frame(Method.WEBRTCSERVER_DUMP, `s${randInt(20)}`),
];

function mutate(buf) {
  const out = Buffer.from(buf);
  const n = 1 + randInt(4);
  for (let i = 0; i < n; i++) {
    // The length prefix stays intact: a stream whose framing is corrupted cannot be
    // resynchronised by any reader (the host never does that); the payload is fair game.
    const pos = 4 + randInt(out.length - 4);
    out[pos] = rand() < 0.5 ? randInt(256) : out[pos] ^ (1 << randInt(8));
  }
  return out;
}

function garbage() {
  const len = randInt(200);
  const out = Buffer.alloc(4 + len);
  out.writeUInt32LE(len, 0);
  for (let i = 0; i < len; i++) out[4 + i] = randInt(256);
  return out;
}

const child = spawn(opts.worker, ['--logLevel=warn'], {
  env: { ...process.env, MEDIASOUP_VERSION: '3.27.1' },
  stdio: ['ignore', 'pipe', 'pipe', 'pipe', 'pipe'],
  detached: true,
});
let exited = null;
child.on('exit', (code, signal) => { exited = { code, signal }; });
let stderrText = '';
child.stderr.on('data', (d) => { stderrText += d; });
child.stdout.on('data', () => {});
for (const s of [child.stdio[3], child.stdio[4]]) s.on('error', () => {});

// Parse responses from fd 4 and resolve waiters by id.
const waiters = new Map();
let acc = Buffer.alloc(0);
child.stdio[4].on('data', (chunk) => {
  acc = Buffer.concat([acc, chunk]);
  while (acc.length >= 4) {
    const len = acc.readUInt32LE(0);
    if (acc.length < 4 + len) break;
    const msg = Message.getRootAsMessage(new flatbuffers.ByteBuffer(new Uint8Array(acc.subarray(4, 4 + len))));
    if (msg.dataType() === MessageBody.Response) {
      const r = msg.data(new Response());
      waiters.get(r.id())?.(r.accepted());
      waiters.delete(r.id());
    }
    acc = acc.subarray(4 + len);
  }
});

// A mutation can legitimately turn into a notification, and any notification that reads as
// event 0 is WORKER_CLOSE: the worker then exits as asked. Frames typed as notifications
// are therefore not sent.
function isWorkerClose(buf) {
  try {
    const msg = Message.getRootAsMessage(new flatbuffers.ByteBuffer(new Uint8Array(buf.subarray(4))));
    return msg.dataType() === MessageBody.Notification;
  } catch {
    return false;
  }
}

const send = (buf) => new Promise((res) => child.stdio[3].write(buf, res));

async function probe() {
  const buf = frame(Method.WORKER_DUMP, '');
  const id = nextId;
  const answered = new Promise((res) => {
    waiters.set(id, () => res(true));
    setTimeout(() => res(false), 2000);
  });
  await send(buf);
  return answered;
}

let passed = 0;
let failed = 0;
const batch = 50;
let lastBatch = [];
for (let i = 0; i < opts.iterations; i += batch) {
  lastBatch = [];
  for (let j = 0; j < batch; j++) {
    const seed = seeds[randInt(seeds.length)]();
    const buf = rand() < 0.85 ? mutate(seed) : garbage();
    if (!isWorkerClose(buf)) {
      lastBatch.push(buf);
      await send(buf);
    }
  }
  if (await probe()) passed++;
  else {
    failed++;
    console.log(`worker stopped answering after ~${i + batch} fuzzed frames${exited ? ` (exited: ${JSON.stringify(exited)})` : ''}`);
    break;
  }
}

const aliveAtEnd = exited === null;
try { process.kill(-child.pid, 'SIGKILL'); } catch {}
console.log(`channel fuzz: ${opts.iterations} fuzzed frames, seed ${opts.seed}, worker ${aliveAtEnd ? 'alive' : 'DEAD ' + JSON.stringify(exited)}`);
if (!aliveAtEnd) {
  failed++;
  await new Promise((res) => setTimeout(res, 200)); // let the last stderr lines arrive
  // Hex of the batch that preceded the death, to replay by hand.
  for (const b of lastBatch) console.log(`frame: ${b.toString('hex')}`); console.log(`worker stderr: ${stderrText.slice(-2000)}`); }
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
