// STUN for the scripted ICE agents: Binding requests with the ICE attributes, responses
// parsed into a type and an attribute map, and RFC 4571 framing for ICE-TCP.
import crypto from 'node:crypto';
import zlib from 'node:zlib';

export const COOKIE = 0x2112a442;

// RFC 5389 Binding request with the ICE attributes (RFC 8445 §7.1.2).
export function bindingRequest({ username, password, useCandidate = false, fingerprint = true, controlled = false }) {
  const attrs = [];
  const attr = (type, value) => {
    const pad = (4 - (value.length % 4)) % 4;
    const b = Buffer.alloc(4 + value.length + pad);
    b.writeUInt16BE(type, 0); b.writeUInt16BE(value.length, 2); value.copy(b, 4);
    attrs.push(b);
  };
  attr(0x0006, Buffer.from(username));
  const prio = Buffer.alloc(4); prio.writeUInt32BE(0x6e7f00ff); attr(0x0024, prio);
  attr(controlled ? 0x8029 : 0x802a, crypto.randomBytes(8));
  if (useCandidate) attr(0x0025, Buffer.alloc(0));
  const tid = crypto.randomBytes(12);
  const header = (len) => {
    const h = Buffer.alloc(20);
    h.writeUInt16BE(0x0001, 0); h.writeUInt16BE(len, 2); h.writeUInt32BE(COOKIE, 4); tid.copy(h, 8);
    return h;
  };
  let body = Buffer.concat(attrs);
  // MESSAGE-INTEGRITY over the message with the length counting it (RFC 5389 §15.4).
  const mac = crypto.createHmac('sha1', password).update(Buffer.concat([header(body.length + 24), body])).digest();
  const mi = Buffer.alloc(24); mi.writeUInt16BE(0x0008, 0); mi.writeUInt16BE(20, 2); mac.copy(mi, 4);
  body = Buffer.concat([body, mi]);
  if (fingerprint) {
    const crc = (zlib.crc32(Buffer.concat([header(body.length + 8), body])) ^ 0x5354554e) >>> 0;
    const fp = Buffer.alloc(8); fp.writeUInt16BE(0x8028, 0); fp.writeUInt16BE(4, 2); fp.writeUInt32BE(crc, 4);
    body = Buffer.concat([body, fp]);
  }
  return { packet: Buffer.concat([header(body.length), body]), tid };
}

export function parseResponse(m) {
  const type = m.readUInt16BE(0);
  const out = { type, attrs: new Map() };
  for (let off = 20; off + 4 <= m.length;) {
    const t = m.readUInt16BE(off), l = m.readUInt16BE(off + 2);
    out.attrs.set(t, m.subarray(off + 4, off + 4 + l));
    off += 4 + l + ((4 - (l % 4)) % 4);
  }
  return out;
}

/** One RFC 4571 frame: 2-byte length, then the packet. */
export const frame = (packet) => {
  const len = Buffer.alloc(2); len.writeUInt16BE(packet.length);
  return Buffer.concat([len, packet]);
};

/** Collects RFC 4571 frames arriving on a TCP socket into an array it returns. */
export function collectFrames(conn) {
  const frames = [];
  let acc = Buffer.alloc(0);
  conn.on('data', (d) => {
    acc = Buffer.concat([acc, d]);
    while (acc.length >= 2 && acc.length >= 2 + acc.readUInt16BE(0)) {
      frames.push(acc.subarray(2, 2 + acc.readUInt16BE(0)));
      acc = acc.subarray(2 + acc.readUInt16BE(0));
    }
  });
  return frames;
}
