// What the browser tests share: Debian's headless Chromium with fake devices (driven by
// playwright-core, never a downloaded browser) and a page bundled from a client script.
import http from 'node:http';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';

export const chromiumArgs = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream', '--allow-loopback-in-peer-connection',
];

/** Debian's Chromium, headless, with the shared flags plus extra ones. */
export const launchChromium = (extraArgs = []) =>
  chromium.launch({ executablePath: '/usr/bin/chromium', args: [...chromiumArgs, ...extraArgs] });

/** Bundles entry (mediasoup-client included) into one page served on 127.0.0.1; { url, server }. */
export async function servePage(entry) {
  const bundle = await build({ entryPoints: [entry], bundle: true, write: false, format: 'iife', logLevel: 'silent' });
  const html = `<!doctype html><html><body><script>${bundle.outputFiles[0].text}</script></body></html>`;
  const server = http.createServer((_, res) => { res.setHeader('content-type', 'text/html'); res.end(html); });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${server.address().port}/`, server };
}

/**
 * The Node side of client.js's set-up: answers 'routerRtpCapabilities', 'createTransports'
 * (a send and a recv WebRtcTransport on UDP 127.0.0.1 with the extra options, pushed to
 * transports) and 'connect'. Returns the JSON answer, or undefined for any other method.
 */
export async function answerSetup(router, transports, method, data, options = {}) {
  switch (method) {
    case 'routerRtpCapabilities':
      return JSON.stringify(router.rtpCapabilities);
    case 'createTransports': {
      const out = {};
      for (const dir of ['send', 'recv']) {
        const t = await router.createWebRtcTransport({ listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }], ...options });
        transports.push(t);
        out[dir] = { id: t.id, iceParameters: t.iceParameters, iceCandidates: t.iceCandidates, dtlsParameters: t.dtlsParameters };
      }
      return JSON.stringify(out);
    }
    case 'connect':
      await transports.find((t) => t.id === data.transportId).connect({ dtlsParameters: data.dtlsParameters });
      return '{}';
    default:
      return undefined;
  }
}
