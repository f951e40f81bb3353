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
 * A new page whose errors are logged and whose window.signal(method, json) calls
 * handlers[method](data) on the Node side; the handler's result goes back as JSON.
 */
export async function signalPage(browser, handlers) {
  const page = await browser.newPage();
  page.on('pageerror', (e) => console.log(`  [page error] ${e.message}`));
  await page.exposeFunction('signal', async (method, json) => {
    if (!handlers[method]) throw new Error(`unknown method ${method}`);
    return JSON.stringify((await handlers[method](JSON.parse(json))) ?? {});
  });
  return page;
}
