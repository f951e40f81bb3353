// Layered video with a real browser: Debian's Chromium with mediasoup-client sends its fake
// camera as VP8 L1T3, as 3-encoding VP8 simulcast with L1T3 each, as VP9 L3T3_KEY and L3T3, as
// AV1 (single layer and L3T3) through a WebRtcTransport and receives it back; the test moves
// the consumer's preferred layers and checks what the browser decodes: frame rates against
// the frames the sender encoded in the same window (a busy machine lowers both), frame
// widths against the sender's own layer sizes.
//   node tests/browser/layers.mjs [--worker PATH] [--only NAME]
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium, servePage } from './lib.mjs';
import { mediasoup, check, finish, opt, sleep, waitFor } from '../e2e/lib/harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const { url: pageUrl, server } = await servePage(path.join(here, 'layers-page.js'));
const browser = await launchChromium();
const worker = await mediasoup.createWorker({ logLevel: 'warn' });
worker.on('died', () => check('worker stays alive', false));
const router = await worker.createRouter({
  mediaCodecs: [
    { kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
    { kind: 'video', mimeType: 'video/VP9', clockRate: 90000, parameters: { 'profile-id': 0 } },
    { kind: 'video', mimeType: 'video/AV1', clockRate: 90000 },
    { kind: 'video', mimeType: 'video/H264', clockRate: 90000,
      parameters: { 'packetization-mode': 1, 'profile-level-id': '42e01f', 'level-asymmetry-allowed': 1 } },
  ],
});

// --dump-rtp DIR: the producer's packets as the worker forwards them (decrypted), through a
// DirectTransport consumer, appended to DIR/CODEC.rtp with a 4-byte length before each (seeds
// for the codec fuzz targets, tests/fuzz/capture-seeds.sh).
const dumpRtp = opt('dump-rtp', null);
async function dumpProducerRtp(producer) {
  fs.mkdirSync(dumpRtp, { recursive: true });
  const direct = await router.createDirectTransport();
  const consumer = await direct.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities });
  const file = path.join(dumpRtp, `${consumer.rtpParameters.codecs[0].mimeType.split('/')[1].toLowerCase()}.rtp`);
  consumer.on('rtp', (packet) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(packet.length);
    fs.appendFileSync(file, Buffer.concat([length, packet]));
  });
}

// Opens a page that sends with `setup` and consumes it back; returns helpers.
async function session(setup) {
  const page = await browser.newPage();
  page.on('pageerror', (e) => console.log(`  [page error] ${e.message}`));
  const ctx = { transports: [], layers: [] };
  await page.exposeFunction('signal', async (method, json) => {
    const data = JSON.parse(json);
    switch (method) {
      case 'routerRtpCapabilities':
        return JSON.stringify(router.rtpCapabilities);
      case 'createTransports': {
        const out = {};
        for (const dir of ['send', 'recv']) {
          const t = await router.createWebRtcTransport({ listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }], initialAvailableOutgoingBitrate: 3_000_000 });
          ctx.transports.push(t);
          out[dir] = { id: t.id, iceParameters: t.iceParameters, iceCandidates: t.iceCandidates, dtlsParameters: t.dtlsParameters };
        }
        return JSON.stringify(out);
      }
      case 'connect':
        await ctx.transports.find((t) => t.id === data.transportId).connect({ dtlsParameters: data.dtlsParameters });
        return '{}';
      case 'produce':
        ctx.producer = await ctx.transports[0].produce({ kind: data.kind, rtpParameters: data.rtpParameters });
        if (dumpRtp) await dumpProducerRtp(ctx.producer);
        return JSON.stringify({ id: ctx.producer.id });
      case 'consume': {
        const c = await ctx.transports[1].consume({ producerId: data.producerId, rtpCapabilities: data.rtpCapabilities, paused: true });
        ctx.consumer = c;
        c.on('layerschange', (l) => ctx.layers.push(l ? { ...l } : null));
        return JSON.stringify({ id: c.id, producerId: c.producerId, kind: c.kind, rtpParameters: c.rtpParameters });
      }
      case 'resume':
        await ctx.consumer.resume();
        return '{}';
      default:
        throw new Error(`unknown method ${method}`);
    }
  });
  await page.goto(pageUrl);
  await page.evaluate((o) => window.setup(o), setup);
  ctx.page = page;
  ctx.measure = async (ms) => JSON.parse(await page.evaluate((t) => window.measure(t), ms));
  // { got, want }: the decoded width and the one expected (the sender's own size of that
  // simulcast encoding when index is given, else w).
  ctx.waitForWidth = async (w, ms, index = -1) => JSON.parse(await page.evaluate(([a, b, c]) => window.waitForWidth(a, b, c), [w, ms, index]));
  // Sets the preferred layers and waits until the consumer reports them current.
  ctx.switchTo = async (spatialLayer, temporalLayer) => {
    await ctx.consumer.setPreferredLayers({ spatialLayer, temporalLayer });
    const ok = await waitFor(() => ctx.consumer.currentLayers?.spatialLayer === spatialLayer
      && ctx.consumer.currentLayers?.temporalLayer === temporalLayer, 8000);
    await sleep(500); // the receiver's jitter buffer drains the old layers
    return ok;
  };
  ctx.close = async () => {
    for (const t of ctx.transports) t.close();
    await page.close();
  };
  return ctx;
}

// Pictures of the forwarded stream the sender encoded in the window: for simulcast the encoding
// at that spatial index, for a single encoding the only one, whose framesEncoded counts every
// spatial layer's frame (divide by the mode's spatial layer count).
const encodedOf = (m, spatial, spatialLayers = 1) =>
  ((m.encoded.length > 1 ? m.encoded[spatial] : m.encoded[0])?.frames ?? 0) / spatialLayers;
const ratio = (m, spatial, spatialLayers = 1) => m.decoded / Math.max(1, encodedOf(m, spatial, spatialLayers));
const fmt = (m, spatial, spatialLayers = 1) =>
  `${m.decoded} decoded / ${Math.round(encodedOf(m, spatial, spatialLayers))} pictures encoded, ${m.width}px, longest gap ${m.longestGapMs} ms`;

const scenarios = {
  async 'VP8 L1T3'() {
    const s = await session({ codec: 'video/VP8', encodings: [{ scalabilityMode: 'L1T3' }], width: 640, height: 360 });
    try {
      check('VP8 L1T3: consumer is svc with 3 temporal layers', s.consumer.type === 'svc', s.consumer.type);
      await s.waitForWidth(640, 10000);
      let m = await s.measure(3000);
      check('VP8 L1T3: full frame rate decoded', ratio(m, 0) >= 0.8, fmt(m, 0));
      // The producer counts each temporal layer: cumulative rates that grow with the layer.
      const byLayer = (await s.producer.getStats())[0]?.bitrateByLayer ?? {};
      check('VP8 L1T3: producer bitrateByLayer grows with the temporal layer',
        byLayer['0.0'] > 0 && byLayer['0.0'] < byLayer['0.1'] && byLayer['0.1'] < byLayer['0.2'], JSON.stringify(byLayer));
      check('VP8 L1T3: switched to temporal layer 0', await s.switchTo(0, 0), JSON.stringify(s.consumer.currentLayers));
      m = await s.measure(3000);
      check('VP8 L1T3: temporal layer 0 decodes about a quarter of the frames', ratio(m, 0) > 0.15 && ratio(m, 0) < 0.4, fmt(m, 0));
      check('VP8 L1T3: back to temporal layer 2', await s.switchTo(0, 2), JSON.stringify(s.consumer.currentLayers));
      m = await s.measure(3000);
      check('VP8 L1T3: full frame rate again', ratio(m, 0) >= 0.8, fmt(m, 0));
    } finally {
      await s.close();
    }
  },

  async 'VP8 simulcast L1T3'() {
    const s = await session({
      // libwebrtc allows three simulcast encodings from 960x540 up (two at 640x360).
      codec: 'video/VP8', width: 960, height: 540,
      encodings: [
        { scaleResolutionDownBy: 4, maxBitrate: 100000, scalabilityMode: 'L1T3' },
        { scaleResolutionDownBy: 2, maxBitrate: 250000, scalabilityMode: 'L1T3' },
        { scaleResolutionDownBy: 1, maxBitrate: 600000, scalabilityMode: 'L1T3' },
      ],
    });
    try {
      check('VP8 simulcast: consumer is simulcast', s.consumer.type === 'simulcast', s.consumer.type);
      // The browser sends the top encoding once its estimate (grown on our transport-cc feedback) allows.
      const active = async () => (await s.producer.getStats()).filter((x) => x.score > 0).length;
      let n = 0;
      for (let i = 0; i < 150 && (n = await active()) < 3; i++) await sleep(100);
      check('VP8 simulcast: the browser sends all three encodings', n === 3, `${n} active`);
      const widths = [240, 480, 960];
      for (const [spatial, temporal] of [[2, 2], [0, 2], [1, 0], [1, 2], [2, 1], [0, 0], [2, 2]]) {
        const ok = await s.switchTo(spatial, temporal);
        const w = await s.waitForWidth(widths[spatial], 10000, spatial);
        const m = await s.measure(2500);
        const r = ratio(m, spatial);
        const fpsOk = temporal === 2 ? r >= 0.8 : temporal === 1 ? r > 0.35 && r < 0.65 : r > 0.15 && r < 0.4;
        const sent = m.encoded[spatial]?.width;
        check(`VP8 simulcast: layers ${spatial}/${temporal}: the encoding's size (${widths[spatial]}px unless the sender scaled it) at the layer's frame rate, no gap over 1 s`,
          ok && w.got === w.want && m.width === sent && fpsOk && m.longestGapMs < 1000,
          `current ${JSON.stringify(s.consumer.currentLayers)}, sender ${m.encoded.map((e) => e.width).join('/')}px, ${fmt(m, spatial)}`);
      }
    } finally {
      await s.close();
    }
  },

  async 'H264 simulcast'() {
    const s = await session({
      codec: 'video/H264', width: 960, height: 540,
      encodings: [
        { scaleResolutionDownBy: 4, maxBitrate: 100000 },
        { scaleResolutionDownBy: 2, maxBitrate: 250000 },
        { scaleResolutionDownBy: 1, maxBitrate: 600000 },
      ],
    });
    try {
      check('H264 simulcast: consumer is simulcast', s.consumer.type === 'simulcast', s.consumer.type);
      const active = async () => (await s.producer.getStats()).filter((x) => x.score > 0).length;
      let n = 0;
      for (let i = 0; i < 150 && (n = await active()) < 3; i++) await sleep(100);
      check('H264 simulcast: the browser sends all three encodings', n === 3, `${n} active`);
      // Chromium sends H264 simulcast with temporal layers described by the dependency descriptor.
      const mode = s.consumer.rtpParameters.encodings[0].scalabilityMode ?? 'L1T1';
      const top = Number(/T(\d)/.exec(mode)?.[1] ?? 1) - 1;
      check('H264 simulcast: consumer has temporal layers', top >= 1, mode);
      const widths = [240, 480, 960];
      for (const [spatial, temporal] of [[2, top], [0, top], [1, 0], [2, top]]) {
        const ok = await s.switchTo(spatial, temporal);
        const w = await s.waitForWidth(widths[spatial], 10000, spatial);
        const m = await s.measure(2500);
        const r = ratio(m, spatial);
        const fpsOk = temporal === top ? r >= 0.8 : r > 0.15 && r < 0.4;
        const sent = m.encoded[spatial]?.width;
        check(`H264 simulcast: layers ${spatial}/${temporal}: the encoding's size (${widths[spatial]}px unless the sender scaled it) at the layer's frame rate`,
          ok && w.got === w.want && m.width === sent && fpsOk,
          `current ${JSON.stringify(s.consumer.currentLayers)}, sender ${m.encoded.map((e) => e.width).join('/')}px, ${fmt(m, spatial)}`);
      }
    } finally {
      await s.close();
    }
  },

  async 'VP9 L3T3_KEY'() { await svc('VP9', 'L3T3_KEY'); },
  async 'VP9 L3T3'() { await svc('VP9', 'L3T3'); },

  async 'AV1'() {
    const s = await session({ codec: 'video/AV1', encodings: [{}], width: 640, height: 360 });
    try {
      check('AV1 single layer: consumer is simple', s.consumer.type === 'simple', s.consumer.type);
      await s.waitForWidth(640, 15000);
      const m = await s.measure(3000);
      // The size the sender encodes (640 unless CPU load made it scale down).
      check('AV1 single layer: decoded at the sent size and full rate', m.width > 0 && m.width === m.encoded[0]?.width && ratio(m, 0) >= 0.8,
        `sent ${m.encoded[0]?.width}px, ${fmt(m, 0)}`);
    } finally {
      await s.close();
    }
  },

  async 'AV1 L3T3'() {
    // Receivers never get the dependency descriptor (the host offers it to producers only), so
    // they can decode spatial layer 0 only: test temporal switching there.
    const s = await session({ codec: 'video/AV1', encodings: [{ scalabilityMode: 'L3T3' }], width: 960, height: 540 });
    try {
      check('AV1 L3T3: consumer is svc', s.consumer.type === 'svc', s.consumer.type);
      check('AV1 L3T3: spatial 0 / temporal 2', await s.switchTo(0, 2), JSON.stringify(s.consumer.currentLayers));
      let m = await s.measure(3000);
      check('AV1 L3T3: spatial layer 0 decodes at full frame rate', Math.abs(m.width - (m.encoded[0]?.width ?? 960) / 4) <= 2 && ratio(m, 0, 3) >= 0.8,
        `top layer ${m.encoded[0]?.width}px, ${fmt(m, 0, 3)}`);
      check('AV1 L3T3: spatial 0 / temporal 0', await s.switchTo(0, 0), JSON.stringify(s.consumer.currentLayers));
      m = await s.measure(3000);
      check('AV1 L3T3: temporal layer 0 decodes about a quarter of the frames', ratio(m, 0, 3) > 0.15 && ratio(m, 0, 3) < 0.4, fmt(m, 0, 3));
    } finally {
      await s.close();
    }
  },
};

// VP9 SVC: 960x540 capture gives three spatial layers (240, 480, 960 wide).
async function svc(codec, mode) {
  const label = `${codec} ${mode}`;
  const s = await session({ codec: `video/${codec}`, encodings: [{ scalabilityMode: mode }], width: 960, height: 540 });
  try {
    check(`${label}: consumer is svc`, s.consumer.type === 'svc', s.consumer.type);
    const widths = [240, 480, 960];
    for (const [spatial, temporal] of [[2, 2], [0, 2], [1, 2], [2, 0], [2, 2]]) {
      const ok = await s.switchTo(spatial, temporal);
      await s.waitForWidth(widths[spatial], 10000);
      const m = await s.measure(2500);
      const r = ratio(m, 0, 3);
      const fpsOk = temporal === 2 ? r >= 0.8 : r > 0.15 && r < 0.4;
      // Each spatial layer is half the next one's width; the top is what the sender reports
      // (960 unless CPU load made it scale down).
      const want = Math.round((m.encoded[0]?.width ?? 960) / 2 ** (2 - spatial));
      check(`${label}: layers ${spatial}/${temporal}: ${widths[spatial]}px (of a ${m.encoded[0]?.width}px top layer) at the layer's frame rate`,
        ok && Math.abs(m.width - want) <= 2 && fpsOk, `current ${JSON.stringify(s.consumer.currentLayers)}, ${fmt(m, 0, 3)}`);
    }
  } finally {
    await s.close();
  }
}

const only = opt('only', null);
try {
  for (const [name, run] of Object.entries(scenarios)) {
    if (only && name !== only) continue;
    try {
      await run();
    } catch (error) {
      check(`${name}: scenario ran`, false, error.message.split('\n')[0]);
    }
  }
} finally {
  await browser.close();
  worker.close();
  server.close();
}
finish();
