// Seeds from real traffic: reads pcap files (tcpdump -w; Ethernet, Linux cooked v1/v2 or raw
// IP link types) and channel recordings (the host→worker byte stream, 4-byte little-endian
// length before each frame), and writes a handful of small inputs per fuzz target into
// seeds/TARGET/cap-NN.bin, each in that target's input format (see Targets/*.cs). The UDP
// payloads are told apart as a WebRTC transport does (RFC 7983, first byte): STUN, DTLS, RTP or
// RTCP; SCTP over plain UDP by its common header (port 5000 both ways); codec payloads by the
// RTP payload type (--pt PT=CODEC,..., default the capture-seeds.sh senders).
//
//   node capture-seeds.mjs --out tests/fuzz/seeds [--pt 96=vp8,...] [--channel FILE]... [--rtp DIR/CODEC.rtp]... PCAP...
//
// --rtp: packets of one codec (4-byte big-endian length before each), e.g. what a DirectTransport
// consumer received of a browser's producer (tests/browser/layers.mjs --dump-rtp), decrypted.
//
// Run by capture-seeds.sh, which makes the captures; existing cap-*.bin files are replaced,
// the synthetic seed-*.bin (Seeds.cs) are kept.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

const argv = process.argv.slice(2);
const take = (name) => {
  const values = [];
  for (let i = argv.indexOf(name); i >= 0; i = argv.indexOf(name)) values.push(...argv.splice(i, 2).slice(1));
  return values;
};
const outDir = take('--out')[0] ?? path.join(path.dirname(new URL(import.meta.url).pathname), 'seeds');
const ptMap = new Map((take('--pt')[0] ?? '96=vp8,97=opus,98=vp9,99=h264').split(',').map((e) => {
  const [pt, codec] = e.split('=');
  return [Number(pt), codec];
}));
const ddIds = (take('--dd-id')[0] ?? '7').split(',').map(Number);
const channelFiles = take('--channel');
const rtpFiles = take('--rtp');
const pcaps = argv;

// The fuzz targets' fixed ICE credentials (Targets/StunTarget.cs).
const STUN_UFRAG = 'fuzzufrag';
const STUN_PASSWORD = 'fuzzpasswordfuzzpassword';
const MAX_SEED = 2048;

/** UDP datagrams of a pcap, in order: { flow: 'src>dst', payload }. */
function readPcap(file) {
  const b = fs.readFileSync(file);
  const magic = b.readUInt32LE(0);
  const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  if (!le && b.readUInt32BE(0) !== 0xa1b2c3d4 && b.readUInt32BE(0) !== 0xa1b23c4d) throw new Error(`${file}: not a pcap file`);
  const u32 = (o) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const linkType = u32(20);
  const out = [];
  for (let o = 24; o + 16 <= b.length;) {
    const caplen = u32(o + 8);
    const frame = b.subarray(o + 16, o + 16 + caplen);
    o += 16 + caplen;
    let ip;
    let etherType;
    if (linkType === 1) { etherType = frame.readUInt16BE(12); ip = frame.subarray(14); }
    else if (linkType === 113) { etherType = frame.readUInt16BE(14); ip = frame.subarray(16); }
    else if (linkType === 276) { etherType = frame.readUInt16BE(0); ip = frame.subarray(20); }
    else if (linkType === 101 || linkType === 12) { ip = frame; etherType = (frame[0] >> 4) === 6 ? 0x86dd : 0x800; }
    else if (linkType === 0) { ip = frame.subarray(4); etherType = (ip[0] >> 4) === 6 ? 0x86dd : 0x800; }
    else throw new Error(`${file}: link type ${linkType} not handled`);
    let proto, src, dst, l4;
    if (etherType === 0x800 && ip.length >= 20) {
      const ihl = (ip[0] & 15) * 4;
      proto = ip[9];
      src = `${ip[12]}.${ip[13]}.${ip[14]}.${ip[15]}`;
      dst = `${ip[16]}.${ip[17]}.${ip[18]}.${ip[19]}`;
      l4 = ip.subarray(ihl, ip.readUInt16BE(2));
    } else if (etherType === 0x86dd && ip.length >= 40) {
      proto = ip[6];
      src = ip.subarray(8, 24).toString('hex');
      dst = ip.subarray(24, 40).toString('hex');
      l4 = ip.subarray(40, 40 + ip.readUInt16BE(4));
    } else continue;
    if (proto !== 17 || l4.length < 8) continue;
    const sport = l4.readUInt16BE(0), dport = l4.readUInt16BE(2);
    out.push({ flow: `${src}:${sport}>${dst}:${dport}`, payload: Buffer.from(l4.subarray(8, l4.readUInt16BE(4))) });
  }
  return out;
}

/** RFC 7983 §7 plus SCTP over plain UDP. */
function classify(p) {
  if (p.length >= 12 && p.readUInt16BE(0) === 5000 && p.readUInt16BE(2) === 5000) return 'sctp';
  const b = p[0];
  if (b <= 3) return p.length >= 20 && p.readUInt32BE(4) === 0x2112a442 ? 'stun' : null;
  if (b >= 20 && b <= 63) return 'dtls';
  if (b >= 128 && b <= 191 && p.length >= 4) return p[1] >= 192 && p[1] <= 223 ? 'rtcp' : p.length >= 12 ? 'rtp' : null;
  return null;
}

/** RTP header fields and the payload (RFC 3550 §5.1, RFC 8285 extensions). */
function parseRtp(p) {
  const cc = p[0] & 15;
  let off = 12 + cc * 4;
  const ext = [];
  if (p[0] & 0x10) {
    if (p.length < off + 4) return null;
    const profile = p.readUInt16BE(off);
    const len = p.readUInt16BE(off + 2) * 4;
    const data = p.subarray(off + 4, off + 4 + len);
    if (profile === 0xbede) {
      for (let i = 0; i < data.length;) {
        if (data[i] === 0) { i++; continue; }
        const id = data[i] >> 4, l = (data[i] & 15) + 1;
        if (id === 15) break;
        ext.push({ id, value: data.subarray(i + 1, i + 1 + l) });
        i += 1 + l;
      }
    } else if ((profile & 0xfff0) === 0x1000) {
      for (let i = 0; i + 1 < data.length;) {
        if (data[i] === 0) { i++; continue; }
        const id = data[i], l = data[i + 1];
        ext.push({ id, value: data.subarray(i + 2, i + 2 + l) });
        i += 2 + l;
      }
    }
    off += 4 + len;
  }
  let end = p.length;
  if (p[0] & 0x20) end -= p[p.length - 1];
  if (off > end) return null;
  return { pt: p[1] & 0x7f, marker: (p[1] & 0x80) !== 0, seq: p.readUInt16BE(2), ssrc: p.readUInt32BE(8), ext, payload: p.subarray(off, end), x: (p[0] & 0x10) !== 0 };
}

/** STUN with our fuzz target's credentials: USERNAME's local part swapped, MESSAGE-INTEGRITY and
 * FINGERPRINT recomputed (RFC 5389 §15.4, §15.5), so mutations get past authentication. */
function resignStun(p) {
  const attrs = [];
  for (let o = 20; o + 4 <= p.length;) {
    const type = p.readUInt16BE(o), len = p.readUInt16BE(o + 2);
    attrs.push({ type, value: p.subarray(o + 4, o + 4 + len) });
    o += 4 + ((len + 3) & ~3);
  }
  const user = attrs.find((a) => a.type === 0x0006);
  if (!user || !attrs.some((a) => a.type === 0x0008)) return null;
  const remote = user.value.toString().split(':')[1] ?? 'remote';
  user.value = Buffer.from(`${STUN_UFRAG}:${remote}`);
  const body = [];
  for (const a of attrs) {
    if (a.type === 0x0008 || a.type === 0x8028) continue;
    const h = Buffer.alloc(4);
    h.writeUInt16BE(a.type, 0); h.writeUInt16BE(a.value.length, 2);
    body.push(h, a.value, Buffer.alloc((4 - (a.value.length % 4)) % 4));
  }
  let msg = Buffer.concat([p.subarray(0, 20), ...body]);
  msg.writeUInt16BE(msg.length - 20 + 24, 2);
  const mi = crypto.createHmac('sha1', STUN_PASSWORD).update(msg).digest();
  msg = Buffer.concat([msg, Buffer.from([0x00, 0x08, 0x00, 0x14]), mi]);
  msg.writeUInt16BE(msg.length - 20 + 8, 2);
  const fp = Buffer.alloc(8);
  fp.writeUInt16BE(0x8028, 0); fp.writeUInt16BE(4, 2);
  fp.writeUInt32BE((zlib.crc32(msg) ^ 0x5354554e) >>> 0, 4);
  return Buffer.concat([msg, fp]);
}

const seeds = new Map(); // target → Map(key → Buffer)
const add = (target, key, data, max) => {
  if (!seeds.has(target)) seeds.set(target, new Map());
  const m = seeds.get(target);
  if (m.has(key) || m.size >= max || data.length === 0 || data.length > MAX_SEED) return;
  m.set(key, data);
};
const withLength16 = (d) => Buffer.concat([Buffer.from([d.length >> 8, d.length & 255]), d]);

const datagrams = pcaps.flatMap(readPcap);
// Decrypted RTP dumps join as plain flows of the file's codec.
for (const file of rtpFiles) {
  const codec = path.basename(file, '.rtp');
  const b = fs.readFileSync(file);
  for (let o = 0; o + 4 <= b.length; o += 4 + b.readUInt32BE(o)) {
    const packet = Buffer.from(b.subarray(o + 4, o + 4 + b.readUInt32BE(o)));
    if (packet.length < 12) continue;
    datagrams.push({ flow: `dump:${codec}`, payload: packet, codec });
  }
}
// Flows that carry DTLS are WebRTC (SRTP/SRTCP); the others carry plain RTP/RTCP.
const dtlsFlows = new Set();
for (const d of datagrams) {
  if (classify(d.payload) === 'dtls') {
    dtlsFlows.add(d.flow);
    dtlsFlows.add(d.flow.split('>').reverse().join('>'));
  }
}
const dtlsByFlow = new Map();
const ddBySsrc = new Map();
let stunForDemux = null, rtpForDemux = null, rtcpForDemux = null;
for (const { flow, payload: p, codec: dumpedCodec } of datagrams) {
  const kind = classify(p);
  const secure = dtlsFlows.has(flow);
  if (kind === 'stun') {
    const type = p.readUInt16BE(0);
    const attrs = [];
    for (let o = 20; o + 4 <= p.length; o += 4 + ((p.readUInt16BE(o + 2) + 3) & ~3)) attrs.push(p.readUInt16BE(o).toString(16));
    add('stun', `${type}:${attrs.join(',')}`, p, 6);
    if (type === 0x0001) {
      const signed = resignStun(p);
      if (signed) add('stun', `signed ${type}:${attrs.join(',')}`, signed, 12);
    }
    stunForDemux ??= p;
  } else if (kind === 'dtls') {
    if (!dtlsByFlow.has(flow)) dtlsByFlow.set(flow, []);
    dtlsByFlow.get(flow).push(p);
  } else if (kind === 'sctp') {
    const chunks = [];
    for (let o = 12; o + 4 <= p.length; o += (p.readUInt16BE(o + 2) + 3) & ~3) {
      chunks.push(p[o]);
      if (p.readUInt16BE(o + 2) < 4) break;
    }
    add('sctp-check', chunks.join(','), p, 12);
  } else if (kind === 'rtcp') {
    if (secure) {
      // SRTCP (RFC 3711 §3.4): unprotected directly by the srtp target (bit 2: RTCP), per suite.
      for (const suite of [0, 2]) add('srtp', `rtcp ${suite} ${p.length > 100}`, Buffer.concat([Buffer.from([4 | suite]), p]), 16);
      continue;
    }
    const types = [];
    for (let o = 0; o + 4 <= p.length; o += (p.readUInt16BE(o + 2) + 1) * 4) types.push(`${p[o + 1]}/${p[o] & 31}`);
    add('rtcp', types.join(','), p, 10);
    rtcpForDemux ??= p;
  } else if (kind === 'rtp') {
    const r = parseRtp(p);
    if (!r) continue;
    const exts = r.ext.map((e) => `${e.id}/${e.value.length > 3 ? 'L' : e.value.length}`).join(',');
    // The rtp target parses the header and extensions: the payload beyond 32 bytes adds nothing.
    const short = (p[0] & 0x20) ? p : p.subarray(0, Math.min(p.length, p.length - r.payload.length + 32));
    add('rtp', `${secure}:${r.pt}:${r.marker}:${exts}`, short, 16);
    rtpForDemux ??= short;
    if (secure) {
      for (const suite of [0, 2]) add('srtp', `rtp ${suite} ${r.pt}`, Buffer.concat([Buffer.from([suite]), p]), 16);
    }
    // The dependency descriptor (AV1 RTP spec, appendix A): a descriptor carrying the template
    // structure, then the next ones of that stream resolved against it.
    for (const e of r.ext.filter((x) => ddIds.includes(x.id))) {
      const s = ddBySsrc.get(r.ssrc) ?? { structure: null, next: [] };
      ddBySsrc.set(r.ssrc, s);
      if (e.value.length > 3 && (e.value[3] & 0x80)) s.structure = Buffer.from(e.value);
      else if (s.structure && s.next.length < 4) s.next.push(Buffer.from(e.value));
      if (s.structure && s.next.length > 0 && s.structure.length < 256) {
        const next = s.next.at(-1);
        add('dependency-descriptor', `${r.ssrc}:${next.length}:${next[0] & 0x3f}`, Buffer.concat([Buffer.from([s.structure.length]), s.structure, next]), 8);
      }
    }
    const codec = dumpedCodec ?? (secure ? null : ptMap.get(r.pt));
    if (codec) {
      // Codec descriptors and the first bytes of the frame; a STAP-A is kept whole (its NAL sizes).
      const keepWhole = codec === 'h264' && (r.payload[0] & 31) === 24;
      const payload = keepWhole ? r.payload : r.payload.subarray(0, 96);
      // One per descriptor shape: its first bytes (flags, NAL or TOC type), marker, size class.
      const head = codec === 'h264' ? `${r.payload[0] & 31}/${r.payload[1] & 0xe0}` : r.payload.subarray(0, codec === 'opus' ? 1 : 2).toString('hex');
      add(codec, `${head}:${r.marker}:${r.payload.length < 200}`, payload, 8);
    }
  }
}
// DTLS as the dtls-demux target takes it (2-byte length before each datagram): the first flights
// of each connection, and one with STUN, RTP and RTCP interleaved.
for (const [flow, list] of dtlsByFlow) {
  if (list[0][0] !== 22 || list[0][13] !== 1) continue; // the flow that starts with a ClientHello
  for (let n = 1; n <= Math.min(list.length, 3); n++) add('dtls-demux', `${flow}:${n}`, Buffer.concat(list.slice(0, n).map(withLength16)), 6);
  const mixed = [stunForDemux, list[0], rtpForDemux, rtcpForDemux].filter(Boolean);
  add('dtls-demux', `${flow}:mixed`, Buffer.concat(mixed.map(withLength16)), 7);
}
// Channel recordings: the first frames of a session (a router, its transports, producers...),
// as one input of the channel target (its frames keep their 4-byte lengths), and some single
// requests of other methods.
for (const file of channelFiles) {
  const b = fs.readFileSync(file);
  const frames = [];
  for (let o = 0; o + 4 <= b.length;) {
    const len = b.readUInt32LE(o);
    frames.push(b.subarray(o, o + 4 + len));
    o += 4 + len;
  }
  let prefix = [];
  let size = 0;
  for (const f of frames) {
    if (size + f.length > 4096) break;
    prefix.push(f);
    size += f.length;
    if (prefix.length % 3 === 0) add('channel', `${file}:prefix${prefix.length}`, Buffer.concat(prefix), 6);
  }
  for (const f of frames) add('channel', `one:${f.subarray(4, 24).toString('hex')}`, f, 10);
}

let total = 0;
for (const [target, m] of [...seeds].sort()) {
  const dir = path.join(outDir, target);
  fs.mkdirSync(dir, { recursive: true });
  for (const f of fs.readdirSync(dir)) if (f.startsWith('cap-')) fs.rmSync(path.join(dir, f));
  let i = 0;
  for (const data of m.values()) fs.writeFileSync(path.join(dir, `cap-${String(i++).padStart(2, '0')}.bin`), data);
  total += i;
  console.log(`${target}: ${i} seeds (${[...m.values()].reduce((a, d) => a + d.length, 0)} bytes)`);
}
console.log(`${total} seeds from ${datagrams.length} datagrams in ${pcaps.length} capture(s) and ${rtpFiles.length} RTP dump(s), ${channelFiles.length} channel recording(s)`);
