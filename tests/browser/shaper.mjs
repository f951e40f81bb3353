// A shaped link on loopback, for tests that run in a network namespace of their own: htb on
// `lo` sends everything through an unlimited default class, and each shaped link is a class
// of its own, fed by a u32 filter on one source port (the worker's port of one transport, so
// only worker -> browser traffic of that transport is limited), whose rate changes at run time.
import { execFileSync, spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import { fileURLToPath } from 'node:url';

const UNLIMITED = '10gbit';
const tc = (...args) => execFileSync('tc', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/**
 * Unless already inside it, runs this script again in a new network namespace (root, or a user
 * namespace that maps us to root) and exits with its status. `marker` names the env variable
 * that says "inside".
 */
export function reexecInNetns(scriptUrl, marker = 'MSW_NETNS') {
  if (process.env[marker]) return;
  const flags = process.getuid?.() === 0 ? ['-n'] : ['-r', '-n'];
  const r = spawnSync('unshare', [...flags, '--', process.execPath, fileURLToPath(scriptUrl), ...process.argv.slice(2)],
    { stdio: 'inherit', env: { ...process.env, [marker]: '1' } });
  if (r.error) console.log(`FAIL cannot run unshare: ${r.error.message}`);
  process.exit(r.status ?? 1);
}

/** Brings lo up with the htb root and its unlimited default class (1:1). */
export function setupLoopback() {
  execFileSync('ip', ['link', 'set', 'lo', 'up']);
  tc('qdisc', 'add', 'dev', 'lo', 'root', 'handle', '1:', 'htb', 'default', '1');
  tc('class', 'add', 'dev', 'lo', 'parent', '1:', 'classid', '1:1', 'htb', 'rate', UNLIMITED, 'quantum', '60000');
}

let nextMinor = 0x10;

/**
 * A class for the traffic leaving `port` (proto 'udp' or 'tcp'), unlimited until set(kbps).
 * Its queue is a bfifo of queueBytes: what overflows it is dropped. Bytes, not packets: the
 * worker sends runs of datagrams as one UDP GSO message, which stays one skb on lo.
 */
export function shapedLink(proto, port, { queueBytes = 120000 } = {}) {
  const minor = (nextMinor++).toString(16);
  const classid = `1:${minor}`;
  tc('class', 'add', 'dev', 'lo', 'parent', '1:', 'classid', classid, 'htb', 'rate', UNLIMITED, 'quantum', '60000');
  tc('qdisc', 'add', 'dev', 'lo', 'parent', classid, 'handle', `${minor}:`, 'bfifo', 'limit', String(queueBytes));
  tc('filter', 'add', 'dev', 'lo', 'parent', '1:', 'protocol', 'ip', 'prio', '1', 'u32',
    'match', 'ip', 'protocol', proto === 'tcp' ? '6' : '17', '0xff', 'match', 'ip', 'sport', String(port), '0xffff', 'flowid', classid);
  let kbps = null;
  return {
    port,
    get kbps() { return kbps; },
    /** Limits the link to kbps kbit/s, or lifts the limit (null). */
    set(limit) {
      kbps = limit;
      // A quantum of one full packet keeps htb quiet about its rate-derived default.
      const rate = limit ? ['rate', `${limit}kbit`, 'ceil', `${limit}kbit`, 'quantum', '1514']
        : ['rate', UNLIMITED, 'ceil', UNLIMITED, 'quantum', '60000'];
      tc('class', 'change', 'dev', 'lo', 'parent', '1:', 'classid', classid, 'htb', ...rate);
    },
    /** Cumulative { bytes, packets, dropped } of the class, and its queue now ({ backlog } bytes). */
    stats() {
      const s = tc('-s', 'class', 'show', 'dev', 'lo', 'classid', classid);
      const m = /Sent (\d+) bytes (\d+) pkt \(dropped (\d+)/.exec(s);
      const b = /backlog (\d+)b/.exec(s);
      return { bytes: Number(m?.[1] ?? 0), packets: Number(m?.[2] ?? 0), dropped: Number(m?.[3] ?? 0), backlog: Number(b?.[1] ?? 0) };
    },
  };
}

/**
 * Blasts UDP at sendKbps for ms from a socket on a port of its own through a link shaped
 * to limitKbps (null: an unshaped port) and measures what the receiver got, from its first
 * packet to its last (the queue drains after the blast): { sentKbps, gotKbps, lossPct }.
 */
export async function measureLink(limitKbps, { sendKbps = 2000, ms = 1500, size = 1200 } = {}) {
  const rx = dgram.createSocket('udp4');
  const tx = dgram.createSocket('udp4');
  await new Promise((r) => rx.bind(0, '127.0.0.1', r));
  await new Promise((r) => tx.bind(0, '127.0.0.1', r));
  // A short queue, so that the blast's backlog drains within half a second at the limit.
  if (limitKbps) shapedLink('udp', tx.address().port, { queueBytes: 24000 }).set(limitKbps);
  let got = 0, gotPackets = 0, first = 0, last = 0;
  rx.on('message', (m) => {
    const now = performance.now();
    if (!got) first = now;
    last = now;
    got += m.length;
    gotPackets++;
  });
  const payload = Buffer.alloc(size);
  const start = performance.now();
  let sent = 0;
  while (performance.now() - start < ms) {
    const owed = Math.floor(((performance.now() - start) * sendKbps) / 8 / size) - sent;
    for (let i = 0; i < owed; i++, sent++) tx.send(payload, rx.address().port, '127.0.0.1');
    await new Promise((r) => setTimeout(r, 5));
  }
  const sendMs = performance.now() - start;
  await new Promise((r) => setTimeout(r, 1000));
  tx.close();
  rx.close();
  return { sentKbps: Math.round((sent * size * 8) / sendMs),
    gotKbps: Math.round((got * 8) / Math.max(1, last - first)), lossPct: (100 * (sent - gotPackets)) / Math.max(1, sent) };
}
