// Real WebRTC peer against the worker: Debian's headless Chromium with mediasoup-client
// (bundled with esbuild) sends VP8 + Opus from its fake devices through a WebRtcTransport
// (ICE + DTLS + SRTP) and receives them back through a second one. Variants: UDP, TCP only,
// and through a WebRtcServer. Prints "N passed, N failed" last; exit 1 on failure.
//   node tests/browser/webrtc.mjs [--worker PATH]
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium, servePage } from './lib.mjs';
import { mediasoup, check, finish } from '../e2e/lib/harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));

const { url: pageUrl, server } = await servePage(path.join(here, 'page.js'));
const browser = await launchChromium();

const worker = await mediasoup.createWorker({ logLevel: 'warn' });
worker.on('died', () => check('worker stays alive', false));
const router = await worker.createRouter({
  mediaCodecs: [
    { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
    { kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
  ],
});
const webRtcServer = await worker.createWebRtcServer({
  listenInfos: [{ protocol: 'udp', ip: '127.0.0.1', port: 0 }, { protocol: 'tcp', ip: '127.0.0.1', port: 0 }],
});

const variants = [
  ['wrong fingerprint', { listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }] }, { corruptFingerprint: true }],
  ['UDP', { listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }] }],
  ['TCP only', { listenInfos: [{ protocol: 'tcp', ip: '127.0.0.1' }], enableUdp: false }],
  ['WebRtcServer', { webRtcServer }],
  ['Simulcast', { listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }] }, { simulcast: true }],
  ['DataChannel', { listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }], enableSctp: true }, { data: true }],
];
try {
  for (const [label, options, flags = {}] of variants) {
    const transports = new Map();
    const page = await browser.newPage();
    page.on('pageerror', (e) => console.log(`  [page error] ${e.message}`));
    await page.exposeFunction('signal', async (method, json) => {
      const data = JSON.parse(json);
      switch (method) {
        case 'routerRtpCapabilities':
          return JSON.stringify(router.rtpCapabilities);
        case 'createTransports': {
          const out = {};
          for (const dir of ['send', 'recv']) {
            const t = await router.createWebRtcTransport({ ...options, enableTcp: true });
            transports.set(t.id, t);
            out[dir] = { id: t.id, iceParameters: t.iceParameters, iceCandidates: t.iceCandidates, dtlsParameters: t.dtlsParameters, sctpParameters: t.sctpParameters };
          }
          return JSON.stringify(out);
        }
        case 'connect': {
          const dtlsParameters = data.dtlsParameters;
          if (flags.corruptFingerprint) {
            // Flip one hex digit of every fingerprint: the handshake must fail, not crash.
            for (const f of dtlsParameters.fingerprints) f.value = (f.value[0] === 'A' ? 'B' : 'A') + f.value.slice(1);
          }
          await transports.get(data.transportId).connect({ dtlsParameters });
          return '{}';
        }
        case 'produce': {
          const t = [...transports.values()][0];
          const p = await t.produce({ kind: data.kind, rtpParameters: data.rtpParameters });
          if (p.kind === 'video') flags.videoProducer = p;
          return JSON.stringify({ id: p.id });
        }
        case 'consume': {
          const t = [...transports.values()][1];
          const c = await t.consume({ producerId: data.producerId, rtpCapabilities: data.rtpCapabilities, paused: true });
          transports.set(c.id, c);
          if (c.kind === 'video') {
            flags.videoConsumer = c;
            flags.layers = [];
            c.on('layerschange', (l) => flags.layers.push(l ? l.spatialLayer : null));
          }
          return JSON.stringify({ id: c.id, producerId: c.producerId, kind: c.kind, rtpParameters: c.rtpParameters });
        }
        case 'produceData': {
          const t = [...transports.values()][0];
          const dp = await t.produceData({ sctpStreamParameters: data.sctpStreamParameters, label: data.label, protocol: data.protocol });
          return JSON.stringify({ id: dp.id });
        }
        case 'consumeData': {
          const t = [...transports.values()][1];
          const dc = await t.consumeData({ dataProducerId: data.dataProducerId });
          transports.set(dc.id, dc);
          return JSON.stringify({ id: dc.id, dataProducerId: dc.dataProducerId, sctpStreamParameters: dc.sctpStreamParameters,
            label: dc.label, protocol: dc.protocol });
        }
        case 'serverBurst': {
          // Fill the SCTP send buffer from the worker side: some sends are refused
          // (sctpsendbufferfull) and bufferedamountlow must fire once it drains.
          const dc = transports.get(data.dataConsumerId);
          flags.serverBurst = { sent: 0, refused: 0, low: 0 };
          await dc.setBufferedAmountLowThreshold(64 * 1024);
          dc.on('bufferedamountlow', () => { flags.serverBurst.low++; });
          const chunk = 'server-' + 'x'.repeat(60000);
          const sends = [];
          for (let i = 0; i < 300; i++) {
            sends.push(dc.send(chunk).then(() => { flags.serverBurst.sent++; }, () => { flags.serverBurst.refused++; }));
          }
          await Promise.all(sends);
          return '{}';
        }
        case 'resume':
          await transports.get(data.consumerId).resume();
          return '{}';
        case 'pauseResume': {
          const c = transports.get(data.consumerId);
          await c.pause();
          await new Promise((res) => setTimeout(res, 200));
          await c.resume();
          return '{}';
        }
        case 'setLayers': {
          const c = transports.get(data.consumerId);
          flags.activeEncodings = (await flags.videoProducer.getStats()).filter((s) => s.score > 0).length;
          flags.layersBeforeSwitch = c.currentLayers?.spatialLayer;
          await c.setPreferredLayers({ spatialLayer: data.spatialLayer });
          return '{}';
        }
        default:
          throw new Error(`unknown method ${method}`);
      }
    });
    await page.goto(pageUrl);
    if (flags.corruptFingerprint) {
      const states = [];
      page.evaluate(() => window.runTest()).catch(() => {});
      for (let i = 0; i < 250 && !states.length; i++) {
        await new Promise((res) => setTimeout(res, 100));
        for (const t of transports.values()) if (t.dtlsState === 'failed') states.push(t.id);
      }
      const anyConnected = [...transports.values()].some((t) => t.dtlsState === 'connected');
      check(`${label}: DTLS fails, nothing connects, the worker lives on`, states.length > 0 && !anyConnected && !worker.died,
        [...transports.values()].map((t) => t.dtlsState).join(','));
      for (const t of transports.values()) t.close();
      await page.close();
      continue;
    }
    if (flags.data) {
      let d;
      try {
        d = JSON.parse(await page.evaluate(() => window.runDataTest()));
      } catch (error) {
        check(`${label}: browser scenario ran`, false, error.message.split('\n')[0]);
        await page.close();
        continue;
      }
      const t0 = [...transports.values()].find((t) => t.sctpState !== undefined);
      check(`${label}: SCTP connected over DTLS`, t0?.sctpState === 'connected', t0?.sctpState);
      check(`${label}: 200 ordered text messages, in order`, d.orderedCount === 200 && d.inOrder, `${d.orderedCount}, inOrder ${d.inOrder}`);
      check(`${label}: binary messages and a 200 kB message`, d.binary === 20 && d.bigLength === 200000, `${d.binary}, ${d.bigLength}`);
      check(`${label}: unordered channel delivers`, d.unordered >= 45, `${d.unordered}`);
      const b = flags.serverBurst ?? {};
      check(`${label}: worker-side burst fills the buffer, then bufferedamountlow`, b.refused > 0 && b.low > 0 && d.fromServer === b.sent,
        `sent ${b.sent}, refused ${b.refused}, low ${b.low}, browser got ${d.fromServer}`);
      for (const t of transports.values()) t.close();
      await page.close();
      continue;
    }
    let r;
    try {
      r = JSON.parse(await page.evaluate((o) => window.runTest(o), { simulcast: !!flags.simulcast }, { timeout: 30000 }));
    } catch (error) {
      check(`${label}: browser scenario ran`, false, error.message.split('\n')[0]);
      await page.close();
      continue;
    }
    const all = [...transports.values()].filter((t) => t.constructor.name.includes('Transport'));
    check(`${label}: ICE and DTLS connected`, all.every((t) => t.dtlsState === 'connected') && r.sendState === 'connected'
      && r.recvState === 'connected', `ice ${all.map((t) => t.iceState).join(',')}, dtls ${all.map((t) => t.dtlsState).join(',')}, browser ${r.sendState}/${r.recvState}`);
    // Over one window: what the receiver decoded against what the sender encoded (of the
    // encoding forwarded), audio packets received against sent.
    check(`${label}: browser decoded the looped-back video`, r.encoded > 0 && r.decoded >= 0.8 * r.encoded && r.width > 0,
      `${r.decoded} decoded of ${r.encoded} encoded in the window, ${r.width}px`);
    check(`${label}: browser received the looped-back audio`, r.audioSent > 0 && r.audioReceived >= 0.9 * r.audioSent,
      `${r.audioReceived} received of ${r.audioSent} sent in the window`);
    // The consumer's pause/resume made the producer ask for a key frame: the PLI went out
    // over SRTCP on the sending WebRtcTransport and Chromium counted it.
    check(`${label}: the worker's PLI reached the sending browser`, r.pliCount > r.pliBefore, `pliCount ${r.pliBefore} → ${r.pliCount}`);
    // Chromium starts at 300 kbps. On a quiet machine it reaches 1-3.6 Mbps here; a busy one
    // encodes less (the sender is then application-limited and the estimate grows slowly), so
    // growth by a fifth over the start is what is asked.
    check(`${label}: browser's send-side bandwidth estimate grew on transport-cc feedback`, r.availableOutgoingBitrate > 360000,
      `${Math.round(r.availableOutgoingBitrate / 1000)} kbps`);
    if (flags.simulcast) {
      const c = flags.videoConsumer;
      // Layers: the top encoding, none while paused (pause/resume above), the top one again, then 0.
      check(`${label}: simulcast consumer forwarded the top encoding, then switched down at a key frame`,
        flags.activeEncodings === 2 && flags.layersBeforeSwitch === 1 && c.currentLayers?.spatialLayer === 0
          && flags.layers.includes(1) && flags.layers.includes(null) && flags.layers.at(-1) === 0,
        `active encodings ${flags.activeEncodings}, layers before ${flags.layersBeforeSwitch}, events ${JSON.stringify(flags.layers)}, now ${JSON.stringify(c.currentLayers)}`);
      const sizes = r.lowEncodedWidths ?? [];
      check(`${label}: browser kept decoding after the switch, at the smaller encoding's size`,
        r.lowEncoded > 0 && r.lowDecoded >= 0.8 * r.lowEncoded && r.lowWidth > 0 && r.lowWidth === sizes[0] && sizes[0] < sizes.at(-1),
        `${r.lowDecoded} decoded of ${r.lowEncoded} encoded, ${r.width}px → ${r.lowWidth}px, sender encodes ${sizes.join('/')}px`);
    }
    for (const t of all) t.close();
    await page.close();
  }
} finally {
  await browser.close();
  worker.close();
  server.close();
}
finish();
