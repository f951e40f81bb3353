// setMaxIncomingBitrate on a browser's send transport caps what the browser sends: Debian's
// headless Chromium (mediasoup-client, transport-cc negotiated) sends a canvas of random
// blocks that needs far more than the cap; the worker turns the cap into REMB, which
// Chromium's send-side estimator takes as an upper bound. Chromium's own outbound-rtp byte
// counters over a window after it settled: without the cap, then with 250 kbit/s, then
// without again. Prints "N passed, N failed" last; exit 1 on failure.
//   node tests/browser/remb-cap.mjs [--worker PATH]
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { answerSetup, launchChromium, servePage } from './lib.mjs';
import { mediasoup, check, sleep, finish } from '../e2e/lib/harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const CAP = 250_000;
const kbps = (bps) => `${Math.round(bps / 1000)} kbit/s`;

const { url: pageUrl, server } = await servePage(path.join(here, 'remb-cap-page.js'));
const browser = await launchChromium();
const worker = await mediasoup.createWorker({ logLevel: 'warn' });
worker.on('died', () => check('worker stays alive', false));
try {
  const router = await worker.createRouter({ mediaCodecs: [{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 }] });
  const transports = [];
  const page = await browser.newPage();
  page.on('pageerror', (e) => console.log(`  [page error] ${e.message}`));
  await page.exposeFunction('signal', async (method, json) => {
    const data = JSON.parse(json);
    const answer = await answerSetup(router, transports, method, data);
    if (answer !== undefined)
      return answer;
    switch (method) {
      case 'produce': {
        const p = await transports[0].produce({ kind: data.kind, rtpParameters: data.rtpParameters });
        return JSON.stringify({ id: p.id });
      }
      default:
        throw new Error(`unknown method ${method}`);
    }
  });
  await page.goto(pageUrl);
  await page.evaluate(() => window.setup());
  const sendT = transports[0];
  const measure = async (ms) => JSON.parse(await page.evaluate((m) => window.measure(m), ms));

  // Uncapped: let Chromium's estimator ramp up, then measure.
  await sleep(10_000);
  const free = await measure(6000);
  console.log(`  uncapped: ${kbps(free.wireBps)} (payload ${kbps(free.payloadBps)}), target ${kbps(free.target ?? 0)}, available ${kbps(free.available)}, ${free.frames} frames at ${free.width}px`);
  check('without a cap Chromium sends clearly more than the cap', free.wireBps >= 1.6 * CAP, kbps(free.wireBps));

  await sendT.setMaxIncomingBitrate(CAP);
  await sleep(6000);
  const capped = await measure(8000);
  console.log(`  capped at ${kbps(CAP)}: ${kbps(capped.wireBps)} (payload ${kbps(capped.payloadBps)}), target ${kbps(capped.target ?? 0)}, available ${kbps(capped.available)}, ${capped.frames} frames at ${capped.width}px`);
  check('with setMaxIncomingBitrate(250000) Chromium sends at most the cap + 15 %', capped.wireBps <= CAP * 1.15,
    `${kbps(capped.wireBps)} (${Math.round((100 * capped.wireBps) / CAP)} % of the cap)`);
  check('and still sends video under the cap', capped.frames > 0 && capped.wireBps > 0.3 * CAP,
    `${capped.frames} frames, ${kbps(capped.wireBps)}`);
  const stats = (await sendT.getStats())[0];
  check('transport stats report the cap', stats.maxIncomingBitrate === CAP, `${stats.maxIncomingBitrate}`);

  // Lifted: REMBs of 0 (no limit); Chromium climbs again.
  await sendT.setMaxIncomingBitrate(0);
  await sleep(10_000);
  const lifted = await measure(6000);
  console.log(`  lifted: ${kbps(lifted.wireBps)} (payload ${kbps(lifted.payloadBps)}), target ${kbps(lifted.target ?? 0)}, available ${kbps(lifted.available)}`);
  check('cap lifted: Chromium sends above the old cap again', lifted.wireBps >= 1.3 * CAP, kbps(lifted.wireBps));
  await page.close();
  for (const t of transports) t.close();
} catch (error) {
  check('scenario ran', false, error.stack ?? String(error));
} finally {
  await browser.close();
  worker.close();
  server.close();
}
finish();
