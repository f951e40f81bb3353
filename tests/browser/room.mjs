// Headless check of the room that `./build.sh run` serves (host/room): the server is started as
// a person starts it, two Chromium participants join through the page, and each must decode
// the other's video and see the worker's stats in its charts; the chat crosses the worker's
// DataChannels; the spatial-layer control of one participant reaches the worker and makes it
// switch. A screenshot goes to tests/browser/results/room.png. Ctrl-C (SIGINT to the server's
// process group, as a terminal sends it) must stop the server and the worker, leaving no process.
//   node tests/browser/room.mjs [--worker PATH]     (ROOM_SHOW_SERVER=1 prints the server's output too)
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from './lib.mjs';
import { root, opt, check, finish, sleep } from '../e2e/lib/harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const results = path.join(here, 'results');
fs.mkdirSync(results, { recursive: true });
const workerBin = path.resolve(opt('worker', path.join(root, 'out', 'mediasoup-worker')));

// The server in a process group of its own, so the test can send what a terminal's Ctrl-C sends.
const server = spawn(process.execPath, [path.join(root, 'host', 'room', 'server.mjs'), '--port', '0', '--worker', workerBin],
  { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
let output = '';
server.stdout.on('data', (d) => { output += d; });
server.stderr.on('data', (d) => { output += d; });
const exited = new Promise((resolve) => server.on('exit', (code, signal) => resolve({ code, signal })));
// Whatever happens to this script, the server's group (server and worker) does not outlive it.
process.on('exit', () => { if (server.exitCode === null) try { process.kill(-server.pid, 'SIGKILL'); } catch { /* gone */ } });
const started = Date.now();
while (!/open (http:\/\/\S+)/.test(output) && Date.now() - started < 30000 && server.exitCode === null) await sleep(50);
const url = /open (http:\/\/\S+)/.exec(output)?.[1];
const workerPid = Number(/room: worker (\d+)/.exec(output)?.[1]);
check('server starts and prints its address', url && workerPid > 0, url ?? output.trim().split('\n').at(-1));
if (!url) {
  try { process.kill(-server.pid, 'SIGKILL'); } catch { /* gone */ }
  finish();
}

const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const browser = await launchChromium(['--autoplay-policy=no-user-gesture-required']);

/** What one page shows: per remote participant the decoded video and its charts. */
const pageState = (page) => page.evaluate(() => {
  const room = window.room;
  const summary = (c) => c.summary();
  return {
    peerId: room.peerId,
    chat: room.chat,
    local: Object.fromEntries(Object.entries(room.charts).map(([k, c]) => [k, summary(c)])),
    remotes: [...room.remotes.values()].map((r) => ({
      peerId: r.peerId,
      name: r.name(),
      width: r.video.videoWidth,
      height: r.video.videoHeight,
      frames: r.video.getVideoPlaybackQuality().totalVideoFrames,
      video: r.entries.video?.state ?? null,
      charts: { bitrate: summary(r.bitrate), layers: summary(r.layers), scores: summary(r.scores), rtt: summary(r.rtt) },
    })),
  };
});
/** Polls a page until its remote video has decoded more than `above` frames (up to ms); the last state. */
const framesAbove = async (page, above, ms = 10000) => {
  let r;
  for (const end = Date.now() + ms; Date.now() < end; await sleep(200)) {
    r = (await pageState(page)).remotes[0];
    if (r?.frames > above) break;
  }
  return r;
};
const points = (series) => Object.values(series).reduce((n, s) => n + s.points, 0);

const pages = [];
try {
  for (const name of ['alice', 'bob']) {
    const context = await browser.newContext({ viewport: { width: 1460, height: 1000 } });
    const page = await context.newPage();
    page.on('pageerror', (e) => console.log(`  [${name} page error] ${e.message}`));
    page.on('console', (m) => { if (m.type() === 'error') console.log(`  [${name} console] ${m.text()}`); });
    await page.goto(url);
    await page.fill('#name', name);
    await page.click('#join-button');
    pages.push({ name, page });
  }

  // Each side: the other's video decodes and keeps decoding, and the charts fill.
  const first = {};
  const deadline = Date.now() + 45000;
  let states = [];
  for (;;) {
    states = await Promise.all(pages.map(({ page }) => pageState(page)));
    const ready = states.every((s) => s.remotes.length === 1 && s.remotes[0].frames > 0
      && points(s.remotes[0].charts.bitrate) >= 5 && points(s.local.send) >= 5);
    if (ready && !first.frames) {
      first.frames = states.map((s) => s.remotes[0].frames);
      first.at = Date.now();
    }
    // Then until each has decoded 10 more frames (at least 3 s, so the charts have samples; at most 10 s).
    const more = first.at && states.every((x, i) => x.remotes[0]?.frames > first.frames[i] + 10);
    if (first.at && ((more && Date.now() - first.at > 3000) || Date.now() - first.at > 10000)) break;
    if (Date.now() > deadline) break;
    await sleep(500);
  }
  states.forEach((s, i) => {
    const { name } = pages[i];
    const other = pages[1 - i].name;
    const r = s.remotes[0];
    check(`${name} sees ${other}`, s.remotes.length === 1 && r?.name === other, s.remotes.map((x) => x.name).join(','));
    if (!r) return;
    check(`${name} decodes ${other}'s video, and it keeps decoding`,
      r.width > 0 && first.frames && r.frames > first.frames[i] + 10,
      `${r.width}×${r.height}, frames ${first.frames?.[i]} → ${r.frames}`);
    // From the chart of what the worker received: the layers that had a bitrate at some second.
    const layers = Object.entries(s.local.send).filter(([label, v]) => label !== 'audio' && v.positive > 0).map(([label]) => label);
    check(`${name}'s camera reaches the worker as several simulcast layers`, layers.length >= 2, `layers with bitrate: ${layers.join(', ')}`);
    check(`${name}: charts have the worker's stats (bitrate, layers, scores, transports, worker)`,
      r.charts.bitrate.video.points >= 3 && r.charts.layers.spatial.points >= 3 && r.charts.scores.consumer.points >= 3
        && points(s.local.transport) >= 3 && s.local.worker['CPU %'].points >= 3 && s.local.worker['RSS MB'].last > 0,
      `video kbps ${r.charts.bitrate.video.last?.toFixed(0)}, spatial ${r.charts.layers.spatial.last}, score ${r.charts.scores.consumer.last}, `
        + `in ${s.local.transport['in (send transport)'].last?.toFixed(0)} kbps, worker RSS ${s.local.worker['RSS MB'].last?.toFixed(1)} MB, `
        + `available outgoing ${s.local.transport['available outgoing'].last ?? 'not reported'}`);
    check(`${name}: RTT chart has the worker's measurement`, points(r.charts.rtt) >= 1,
      `video ${r.charts.rtt.video.last} ms, audio ${r.charts.rtt.audio.last} ms`);
  });

  // Chat: a line typed on one page appears on the other, through the worker's SCTP.
  const [alice, bob] = pages.map((p) => p.page);
  await alice.fill('.chat-input input', 'hello from alice');
  await alice.press('.chat-input input', 'Enter');
  const heard = async (page, from, text) => {
    for (let i = 0; i < 50; i++) {
      const chat = await page.evaluate(() => window.room.chat);
      if (chat.some((m) => m.from === from && m.text === text)) return true;
      await sleep(100);
    }
    return false;
  };
  check('chat: alice\'s line reaches bob over the DataChannels', await heard(bob, 'alice', 'hello from alice'));
  await bob.fill('.chat-input input', 'hi alice, your video is here');
  await bob.press('.chat-input input', 'Enter');
  check('chat: bob\'s answer reaches alice', await heard(alice, 'bob', 'hi alice, your video is here'));

  // Layer control: alice asks for bob's lowest spatial layer; the worker switches and says so.
  const before = (await pageState(alice)).remotes[0];
  await alice.selectOption('select[aria-label="spatial"]', '0');
  let after = before;
  for (let i = 0; i < 100; i++) {
    after = (await pageState(alice)).remotes[0];
    if (after.video?.currentLayers?.spatialLayer === 0 && after.width > 0 && after.width < before.width) break;
    if (before.video?.currentLayers?.spatialLayer === 0 && after.video?.currentLayers?.spatialLayer === 0) break;
    await sleep(100);
  }
  check('alice\'s spatial-layer control: the worker switches bob\'s video down and alice decodes the smaller size',
    after.video?.preferredLayers?.spatialLayer === 0 && after.video?.currentLayers?.spatialLayer === 0
      && (after.width < before.width || before.video?.currentLayers?.spatialLayer === 0), // bob's upper layers not up yet
    `current ${JSON.stringify(before.video?.currentLayers)} → ${JSON.stringify(after.video?.currentLayers)}, decoded ${before.width} → ${after.width}px`);
  await sleep(3000); // a few seconds at the low layer, so the charts show the dip
  await alice.selectOption('select[aria-label="spatial"]', '2');

  // Temporal layer: the preference reaches the worker, which reports it back. Whether the current
  // temporal layer follows depends on the worker (ours forwards every temporal layer today).
  await alice.selectOption('select[aria-label="temporal"]', '0');
  let temporal = null;
  for (let i = 0; i < 30; i++) {
    temporal = (await pageState(alice)).remotes[0].video;
    if (temporal?.preferredLayers?.temporalLayer === 0) break;
    await sleep(100);
  }
  await sleep(1500);
  temporal = (await pageState(alice)).remotes[0].video;
  check('alice\'s temporal-layer control reaches the worker', temporal?.preferredLayers?.temporalLayer === 0,
    `preferred ${JSON.stringify(temporal?.preferredLayers)}, current ${JSON.stringify(temporal?.currentLayers)}`);
  await alice.selectOption('select[aria-label="temporal"]', '2');

  // Pause and priority: bob pauses his consumer of alice's video (frames stop), resumes it (they
  // go on), and sets a priority that the worker then reports back.
  const frames = async () => (await pageState(bob)).remotes[0];
  const videoRow = bob.locator('.control-row', { hasText: 'video' });
  await videoRow.getByRole('button', { name: 'Pause' }).click();
  await sleep(1000);
  const p0 = await frames();
  await sleep(2000);
  const p1 = await frames();
  await videoRow.getByRole('button', { name: 'Resume' }).click();
  const p2 = await framesAbove(bob, p1.frames + 10);
  check('bob\'s pause control: the worker stops forwarding alice\'s video, resume starts it again',
    p1.video?.paused === true && p1.frames - p0.frames <= 3 && p2.video?.paused === false && p2.frames > p1.frames + 10,
    `paused: frames ${p0.frames} → ${p1.frames}; resumed: → ${p2.frames}`);
  // Bob pauses his camera (the producer, in the worker): alice's page says so and her frames stop.
  await bob.getByRole('button', { name: 'Pause camera' }).click();
  await sleep(1000);
  const a0 = (await pageState(alice)).remotes[0];
  await sleep(1500);
  const a1 = (await pageState(alice)).remotes[0];
  await bob.getByRole('button', { name: 'Resume camera' }).click();
  const a2 = await framesAbove(alice, a1.frames + 10);
  check('bob pauses his camera: alice\'s consumer reports the producer paused, no frames, then frames again',
    a1.video?.producerPaused === true && a1.frames - a0.frames <= 3 && a2.video?.producerPaused === false && a2.frames > a1.frames + 10,
    `producerPaused ${a1.video?.producerPaused} → ${a2.video?.producerPaused}, frames ${a0.frames} → ${a1.frames} → ${a2.frames}`);
  await videoRow.locator('input[aria-label="priority"]').fill('7');
  await videoRow.locator('input[aria-label="priority"]').press('Enter');
  await bob.locator('h3').first().click(); // focus leaves the input, so the page shows what the worker says
  await sleep(1500);
  const pr = await frames();
  check('bob\'s priority control reaches the worker', pr.video?.priority === 7, `priority ${pr.video?.priority}`);
  await sleep(1500);

  const shot = path.join(results, 'room.png');
  await alice.screenshot({ path: shot, fullPage: true });
  console.log(`screenshot: ${path.relative(root, shot)}`);

  // Leaving: bob's tab closes; alice's page drops his card and the server forgets him.
  await bob.close();
  let left = null;
  for (let i = 0; i < 50; i++) {
    left = { remotes: (await pageState(alice)).remotes.length, peers: (await (await fetch(`${url}api/worker`)).json()).peers.length };
    if (left.remotes === 0 && left.peers === 1) break;
    await sleep(100);
  }
  check('bob leaves: alice\'s page drops him and the server keeps one participant', left.remotes === 0 && left.peers === 1,
    JSON.stringify(left));
} catch (error) {
  check('browser scenario ran to the end', false, error.message.split('\n')[0]);
} finally {
  await browser.close();
}

// Ctrl-C as a terminal sends it: SIGINT to the whole process group (server and worker).
process.kill(-server.pid, 'SIGINT');
const timeout = sleep(15000).then(() => null);
const end = await Promise.race([exited, timeout]);
let orphans = false;
for (let i = 0; i < 50 && (orphans = alive(workerPid)); i++) await sleep(100);
check('Ctrl-C stops the server cleanly (exit 0) and the worker process is gone',
  end?.code === 0 && !orphans && /closed, bye/.test(output),
  `exit ${JSON.stringify(end)}, worker ${workerPid} ${orphans ? 'still alive' : 'gone'}`);
if (!end) process.kill(-server.pid, 'SIGKILL');
if (!end || end.code !== 0 || process.env.ROOM_SHOW_SERVER) console.log(output);
finish();
