// A small SRTP/SRTCP implementation on node:crypto for scripted test peers, written from
// RFC 3711 (AES-CM + HMAC-SHA1) and RFC 7714 (AEAD AES-GCM). Independent of the worker's
// engines, so a test that decrypts what the worker sent checks the worker, not itself.
// Index handling is minimal (ROC 0, one stream per SSRC): enough for short test runs.
import crypto from 'node:crypto';

const SUITES = {
  AES_CM_128_HMAC_SHA1_80: { aead: false, keyLen: 16, saltLen: 14, tagLen: 10 },
  // SRTCP keeps the 80-bit tag with this suite (RFC 5764 §4.1.2).
  AES_CM_128_HMAC_SHA1_32: { aead: false, keyLen: 16, saltLen: 14, tagLen: 4, rtcpTagLen: 10 },
  AEAD_AES_128_GCM: { aead: true, keyLen: 16, saltLen: 12, tagLen: 16 },
  AEAD_AES_256_GCM: { aead: true, keyLen: 32, saltLen: 12, tagLen: 16 },
};

// RFC 3711 §4.3.1: AES-CM PRF keyed with the master key, IV = (salt XOR label at byte 7) || 0x0000.
function derive(masterKey, masterSalt, label, length) {
  const iv = Buffer.alloc(16);
  masterSalt.copy(iv, 0);
  iv[7] ^= label;
  const cipher = crypto.createCipheriv(`aes-${masterKey.length * 8}-ctr`, masterKey, iv);
  return cipher.update(Buffer.alloc(length));
}

export class SrtpContext {
  /** keyAndSalt: the 30/28/44-byte master key || salt, as mediasoup's keyBase64 decodes. */
  constructor(suiteName, keyAndSalt) {
    const suite = SUITES[suiteName];
    if (!suite) throw new Error(`unknown suite ${suiteName}`);
    this.suite = suite;
    const key = keyAndSalt.subarray(0, suite.keyLen);
    const salt = keyAndSalt.subarray(suite.keyLen, suite.keyLen + suite.saltLen);
    if (salt.length !== suite.saltLen) throw new Error('key too short');
    const mk = (enc, auth, s) => ({
      enc: derive(key, salt, enc, suite.keyLen),
      auth: suite.aead ? null : derive(key, salt, auth, 20),
      salt: derive(key, salt, s, suite.saltLen),
    });
    this.rtp = mk(0, 1, 2);
    this.rtcp = mk(3, 4, 5);
    this.rtcpIndex = new Map();
  }

  #cipherName() { return `aes-${this.suite.keyLen * 8}-${this.suite.aead ? 'gcm' : 'ctr'}`; }

  // RFC 3711 §4.1.1: IV = (k_s * 2^16) XOR (SSRC * 2^64) XOR (i * 2^16).
  #ctrIv(keys, ssrc, index) {
    const iv = Buffer.alloc(16);
    keys.salt.copy(iv, 0);
    const x = Buffer.alloc(16);
    x.writeUInt32BE(ssrc, 4);
    x.writeUIntBE(index, 8, 6);
    for (let i = 0; i < 16; i++) iv[i] ^= x[i];
    return iv;
  }

  // RFC 7714 §8.1 / §9.1: 12-byte IV = salt XOR (00 00 || SSRC || ROC || SEQ) or (00 00 || SSRC || 00 00 || index).
  #gcmIv(keys, ssrc, high, low) {
    const iv = Buffer.alloc(12);
    iv.writeUInt32BE(ssrc, 2);
    iv.writeUInt32BE(high >>> 0, 6);
    iv.writeUInt16BE(low, 10);
    for (let i = 0; i < 12; i++) iv[i] ^= keys.salt[i];
    return iv;
  }

  static rtpHeaderLength(p) {
    let n = 12 + 4 * (p[0] & 0x0f);
    if (p[0] & 0x10) n += 4 + 4 * p.readUInt16BE(n + 2);
    return n;
  }

  protectRtp(packet) {
    const h = SrtpContext.rtpHeaderLength(packet);
    const ssrc = packet.readUInt32BE(8), seq = packet.readUInt16BE(2);
    const header = packet.subarray(0, h), body = packet.subarray(h);
    if (this.suite.aead) {
      const c = crypto.createCipheriv(this.#cipherName(), this.rtp.enc, this.#gcmIv(this.rtp, ssrc, 0, seq));
      c.setAAD(header);
      return Buffer.concat([header, c.update(body), c.final(), c.getAuthTag()]);
    }
    const c = crypto.createCipheriv(this.#cipherName(), this.rtp.enc, this.#ctrIv(this.rtp, ssrc, seq));
    const out = Buffer.concat([header, c.update(body)]);
    const roc = Buffer.alloc(4);
    const tag = crypto.createHmac('sha1', this.rtp.auth).update(out).update(roc).digest().subarray(0, this.suite.tagLen);
    return Buffer.concat([out, tag]);
  }

  protectRtcp(packet) {
    const ssrc = packet.readUInt32BE(4);
    const index = ((this.rtcpIndex.get(ssrc) ?? 0) + 1) & 0x7fffffff;
    this.rtcpIndex.set(ssrc, index);
    const trailer = Buffer.alloc(4);
    trailer.writeUInt32BE((0x80000000 | index) >>> 0);
    const header = packet.subarray(0, 8), body = packet.subarray(8);
    if (this.suite.aead) {
      const c = crypto.createCipheriv(this.#cipherName(), this.rtcp.enc, this.#gcmIv(this.rtcp, ssrc, index >>> 16, index & 0xffff));
      c.setAAD(Buffer.concat([header, trailer]));
      return Buffer.concat([header, c.update(body), c.final(), c.getAuthTag(), trailer]);
    }
    const c = crypto.createCipheriv(this.#cipherName(), this.rtcp.enc, this.#ctrIv(this.rtcp, ssrc, index));
    const out = Buffer.concat([header, c.update(body), trailer]);
    const tag = crypto.createHmac('sha1', this.rtcp.auth).update(out).digest().subarray(0, this.suite.rtcpTagLen ?? this.suite.tagLen);
    return Buffer.concat([out, tag]);
  }

  /** Returns the plain RTCP compound, or null if the packet does not authenticate. */
  unprotectRtcp(packet) {
    const { aead } = this.suite;
    const tagLen = this.suite.rtcpTagLen ?? this.suite.tagLen;
    if (packet.length < 8 + 4 + tagLen) return null;
    const ssrc = packet.readUInt32BE(4);
    if (aead) {
      const trailer = packet.subarray(packet.length - 4);
      const tag = packet.subarray(packet.length - 4 - tagLen, packet.length - 4);
      const body = packet.subarray(8, packet.length - 4 - tagLen);
      const index = trailer.readUInt32BE(0) & 0x7fffffff;
      const iv = this.#gcmIv(this.rtcp, ssrc, index >>> 16, index & 0xffff);
      const d = crypto.createDecipheriv(this.#cipherName(), this.rtcp.enc, iv);
      d.setAAD(Buffer.concat([packet.subarray(0, 8), trailer]));
      d.setAuthTag(tag);
      try {
        return Buffer.concat([packet.subarray(0, 8), d.update(body), d.final()]);
      } catch {
        return null;
      }
    }
    const authed = packet.subarray(0, packet.length - tagLen);
    const tag = packet.subarray(packet.length - tagLen);
    const want = crypto.createHmac('sha1', this.rtcp.auth).update(authed).digest().subarray(0, tagLen);
    if (!crypto.timingSafeEqual(tag, want)) return null;
    const trailer = authed.readUInt32BE(authed.length - 4);
    const body = authed.subarray(8, authed.length - 4);
    if (!(trailer & 0x80000000)) return Buffer.from(authed.subarray(0, authed.length - 4));
    const d = crypto.createDecipheriv(this.#cipherName(), this.rtcp.enc, this.#ctrIv(this.rtcp, ssrc, trailer & 0x7fffffff));
    return Buffer.concat([authed.subarray(0, 8), d.update(body)]);
  }
}

/** The RTCP packets of a compound as { type, fmt, ssrc, mediaSsrc }. */
export function walkRtcp(compound) {
  const out = [];
  for (let off = 0; off + 8 <= compound.length;) {
    const len = (compound.readUInt16BE(off + 2) + 1) * 4;
    if (off + len > compound.length) break;
    out.push({
      type: compound[off + 1], fmt: compound[off] & 0x1f, ssrc: compound.readUInt32BE(off + 4),
      mediaSsrc: len >= 12 ? compound.readUInt32BE(off + 8) : undefined,
      // FIR (RFC 5104 §4.3.1.1) names the media sender in its FCI, not in the header.
      firSsrc: compound[off + 1] === 206 && (compound[off] & 0x1f) === 4 && len >= 20 ? compound.readUInt32BE(off + 12) : undefined,
    });
    off += len;
  }
  return out;
}
