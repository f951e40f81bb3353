// Bandwidth estimation with a real browser behind a shaped link (issue 12). The script runs
// itself again inside a network namespace of its own, where htb on lo limits one thing only:
// what the worker sends from the port of a receiving transport (shaper.mjs). Chromium sends a
// canvas of random blocks as 3-encoding VP8 simulcast (L1T3, ~150 k / 500 k / 1.2 Mbit/s) and
// receives it back on shaped transports:
//   shaped link: unlimited -> 600 kbit/s -> unlimited -> 400 kbit/s -> unlimited; per phase the
//     time to step down and to come back to the top layer, receiver loss, frames decoded
//     against the frames the sender encoded of the consumed layers, layer changes at steady
//     capacity and time without any layer;
//   priorities: two consumers with priorities 1 and 2 on one transport limited to 800 kbit/s;
//   ICE-TCP: a TCP-only consumer on a link limited to 400 kbit/s degrades and stays connected;
//   setMaxIncomingBitrate(250000) on the browser's send transport caps what it sends.
//   node tests/browser/bwe.mjs [--worker PATH] [--only shaped|priority|tcp|maxincoming] [--queue-bytes N] [--oracle]
// Goals (issue 12): step down within 1.5 s, back on top within 5 s, under 3 % receiver loss at
// 600 and 400 kbit/s, never no layer while one fits, no flapping at steady capacity.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { reexecInNetns, setupLoopback, shapedLink, measureLink } from './shaper.mjs';

reexecInNetns(import.meta.url, 'MSW_BWE_NETNS');

const { launchChromium, servePage, signalPage } = await import('./lib.mjs');
const { mediasoup, args, check, finish, opt, sleep, waitFor } = await import('../e2e/lib/harness.mjs');

// Thresholds, all stated here. Times are from the moment tc changed the link.
const REACT_MS = 1500;          // first step to a lower spatial layer after a limit
const RECOVER_MS = 5000;        // back on the top spatial layer after the limit is lifted
const MAX_LOSS_PCT = 3;         // receiver loss (packetsLost / expected) over a limited phase
const SETTLE_MS = 6000;         // a phase's steady part starts this long after its change
const MAX_STEADY_CHANGES = 1;   // layer changes in the steady part (more is flapping)
const MIN_STEADY_DECODED = 0.8; // frames decoded / frames encoded of the consumed layers, steady part
const RAMP_MS = 45000;          // for Chromium's own estimate to allow all three encodings, busy machine
const LIMITED_MS = 20000;       // each limited phase
const UNLIMITED_MS = 12000;     // each unlimited phase after a limit
const MAX_INCOMING = 250000;    // setMaxIncomingBitrate on the send transport...
const MAX_INCOMING_REACT_MS = 5000; // ...and the time Chromium has to obey it
const FIT_MARGIN = 1.25;        // RTP/SRTP/UDP/IP overhead (~7 %) and key frames over a layer's measured bitrate
// The shaped link's queue in bytes: 120 kB, ~100 packets, 1.6 s at 600 kbit/s and 2.4 s at 400.
const queueBytes = Number(opt('queue-bytes', 120000));
// --oracle: the test itself sets the consumer's preferred layers to what fits when it changes
// the link, as a perfect estimator would: shows that the checks can pass on this machine.
const oracle = args.includes('--oracle');
// --trace FILE: writes the receiving transports' bwe trace events and the consumers' layer
// changes there, one JSON line each, for reading what the estimator did.
const traceFile = opt('trace', '');
const traceLine = (o) => { if (traceFile) fs.appendFileSync(traceFile, `${JSON.stringify({ t: +((Date.now() - t0) / 1000).toFixed(2), ...o })}\n`); };

const here = path.dirname(fileURLToPath(import.meta.url));
setupLoopback();

// The shaping itself, before anything trusts it: a 2 Mbit/s UDP blast through a link limited
// to 400 kbit/s arrives at about 400 kbit/s, and through an unshaped port at about 2 Mbit/s.
{
  const limited = await measureLink(400);
  const open = await measureLink(null);
  check('shaper: a 2 Mbit/s blast through a 400 kbit/s link arrives at 340-480 kbit/s', limited.gotKbps >= 340 && limited.gotKbps <= 480,
    `sent ${limited.sentKbps} kbit/s, got ${limited.gotKbps} kbit/s`);
  check('shaper: the same blast on an unshaped port arrives whole', open.lossPct < 1 && open.gotKbps > 0.8 * open.sentKbps,
    `sent ${open.sentKbps} kbit/s, got ${open.gotKbps} kbit/s, ${open.lossPct.toFixed(1)} % lost`);
}

const { url: pageUrl, server } = await servePage(path.join(here, 'bwe-page.js'));
const browser = await launchChromium();
// With --trace, the worker's estimator explains itself (debug lines of its bwe tag).
if (traceFile) mediasoup.setLogEventListeners({ ondebug: (ns, log) => { if (/\bprobe |allocated /.test(log)) traceLine({ log: log.replace(/^\[pid:\d+\] /, '') }); } });
const worker = await mediasoup.createWorker(traceFile ? { logLevel: 'debug', logTags: ['bwe'] } : { logLevel: 'warn' });
worker.on('died', () => check('worker stays alive', false));
const router = await worker.createRouter({ mediaCodecs: [{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 }] });

const t0 = Date.now();
const since = () => `${((Date.now() - t0) / 1000).toFixed(1)} s`;
const transports = new Map(); // id -> { transport, link, events }
const consumers = new Map();  // id -> { consumer, events: [{ at, layers }] }
let producer;

const page = await signalPage(browser, {
  routerRtpCapabilities: () => router.rtpCapabilities,
  async createTransport({ send, tcp }) {
    const t = await router.createWebRtcTransport(tcp
      ? { listenInfos: [{ protocol: 'tcp', ip: '127.0.0.1' }], enableUdp: false, enableTcp: true }
      // A send buffer larger than the shaped class's queue: the link's queue is what
      // overflows, not the worker's socket (whose default, wmem_default, holds ~110 packets).
      : { listenInfos: [{ protocol: 'udp', ip: '127.0.0.1', sendBufferSize: 4 << 20 }] });
    const entry = { transport: t, events: [] };
    // Only what the worker sends to a receiving browser goes through a shaped class.
    if (!send) entry.link = shapedLink(tcp ? 'tcp' : 'udp', t.iceCandidates[0].port, { queueBytes });
    if (!send && traceFile) {
      // Probe packets are summarised: one line per cluster (a pause of 20 ms ends one).
      let cluster = null;
      await t.enableTraceEvent(['bwe', 'probation']);
      t.on('trace', (tr) => {
        if (tr.type !== 'probation') return traceLine({ transport: t.id.slice(0, 4), ...tr.info });
        const now = Date.now();
        if (cluster && now - cluster.last > 20) { traceLine({ probe: cluster.n, ms: cluster.last - cluster.first, at: cluster.at }); cluster = null; }
        cluster ??= { n: 0, first: now, at: +((now - t0) / 1000).toFixed(2) };
        cluster.n++;
        cluster.last = now;
      });
    }
    for (const ev of ['icestatechange', 'dtlsstatechange']) t.on(ev, (s) => entry.events.push({ at: Date.now(), ev, s }));
    transports.set(t.id, entry);
    return { id: t.id, iceParameters: t.iceParameters, iceCandidates: t.iceCandidates, dtlsParameters: t.dtlsParameters };
  },
  connect: ({ transportId, dtlsParameters }) => transports.get(transportId).transport.connect({ dtlsParameters }),
  async produce({ kind, rtpParameters }) {
    producer = await [...transports.values()][0].transport.produce({ kind, rtpParameters });
    return { id: producer.id };
  },
  async consume({ transportId, producerId, rtpCapabilities }) {
    const c = await transports.get(transportId).transport.consume({
      producerId, rtpCapabilities, paused: true, preferredLayers: { spatialLayer: 2, temporalLayer: 2 } });
    const entry = { consumer: c, transportId, events: [] };
    c.on('layerschange', (l) => {
      entry.events.push({ at: Date.now(), layers: l ? { ...l } : null });
      traceLine({ consumer: c.id.slice(0, 4), layers: l ? `${l.spatialLayer}/${l.temporalLayer}` : null });
    });
    consumers.set(c.id, entry);
    return { id: c.id, producerId: c.producerId, kind: c.kind, rtpParameters: c.rtpParameters };
  },
  resume: ({ consumerId }) => consumers.get(consumerId).consumer.resume(),
});
await page.goto(pageUrl);
await page.evaluate((o) => window.setup(o), {
  width: 960, height: 540, fps: 30, block: Number(opt('block', 32)), churn: Number(opt('churn', 0.04)), grain: Number(opt('grain', 0.2)),
  encodings: [
    { scaleResolutionDownBy: 4, maxBitrate: 150000, scalabilityMode: 'L1T3' },
    { scaleResolutionDownBy: 2, maxBitrate: 500000, scalabilityMode: 'L1T3' },
    { scaleResolutionDownBy: 1, maxBitrate: 1200000, scalabilityMode: 'L1T3' },
  ],
});

// Every 250 ms: the page's counters (sender per rid, receiver per consumer) and each
// consumer's current layers as the worker reports them.
const samples = [];
let sampling = true;
const sampler = (async () => {
  while (sampling) {
    try {
      const s = JSON.parse(await page.evaluate(() => window.sample()));
      s.layers = Object.fromEntries([...consumers].map(([id, e]) => [id, e.consumer.currentLayers ? { ...e.consumer.currentLayers } : null]));
      samples.push(s);
    } catch (e) {
      if (sampling) console.log(`  [sample] ${e.message.split('\n')[0]}`);
    }
    await sleep(250);
  }
})();

const ridOf = (spatial) => producer.rtpParameters.encodings[spatial]?.rid ?? '';
const temporalShare = [0.25, 0.5, 1]; // L1T3: T0 is every 4th frame, T0+T1 every 2nd
const layersAt = (entry, at) => {
  let l = null;
  for (const e of entry.events) if (e.at <= at) l = e.layers;
  return l;
};
const fmtLayers = (l) => (l ? `${l.spatialLayer}/${l.temporalLayer ?? 0}` : 'none');

// Over [from, to] for one consumer: what the receiver got and what the sender encoded of the
// layers the consumer was on at each sample.
function window_(entry, id, from, to) {
  const s = samples.filter((x) => x.at >= from && x.at <= to && x.consumers[id]);
  if (s.length < 2) return null;
  let expected = 0, longestGap = 0, lastFrameAt = s[0].at;
  for (let i = 1; i < s.length; i++) {
    const l = s[i - 1].layers[id];
    if (l) {
      const rid = ridOf(l.spatialLayer);
      const enc = (s[i].encodings[rid]?.frames ?? 0) - (s[i - 1].encodings[rid]?.frames ?? 0);
      expected += enc * temporalShare[l.temporalLayer ?? 2];
    }
    if (s[i].consumers[id].frames > s[i - 1].consumers[id].frames) lastFrameAt = s[i].at;
    longestGap = Math.max(longestGap, s[i].at - lastFrameAt);
  }
  const a = s[0].consumers[id], b = s.at(-1).consumers[id];
  const lost = b.lost - a.lost, received = b.received - a.received;
  const ms = s.at(-1).at - s[0].at;
  return {
    decoded: b.frames - a.frames, expected: Math.round(expected),
    decodedRatio: (b.frames - a.frames) / Math.max(1, expected),
    lossPct: (100 * Math.max(0, lost)) / Math.max(1, received + Math.max(0, lost)),
    kbps: Math.round(((b.bytes - a.bytes) * 8) / ms), longestGap, nacks: b.nacks - a.nacks,
    freezes: b.freezes - a.freezes, connection: b.connection,
  };
}

// Layer events of a consumer over [from, to]: changes (spatial or temporal), time with no layer.
function layerHistory(entry, from, to) {
  const inside = entry.events.filter((e) => e.at > from && e.at <= to);
  let noLayerMs = 0, cur = layersAt(entry, from), curAt = from;
  for (const e of [...inside, { at: to, layers: undefined }]) {
    if (!cur) noLayerMs += e.at - curAt;
    if (e.layers !== undefined) cur = e.layers;
    curAt = e.at;
  }
  return { changes: inside.length, noLayerMs, events: inside };
}

// Per encoding, the bitrate of each temporal layer (cumulative), as the worker measures it.
async function layerBitrates() {
  const stats = await producer.getStats();
  return producer.rtpParameters.encodings.map((enc) => {
    const st = stats.find((x) => x.rid === enc.rid);
    return [0, 1, 2].map((t) => st?.bitrateByLayer?.[`0.${t}`] ?? 0);
  });
}

// Layers ordered as the consumer steps through them (none lowest).
const rank = (l) => (l ? l.spatialLayer * 10 + (l.temporalLayer ?? 0) : -1);
// The measured bitrate of layers (cumulative over temporal layers); one the worker did not
// measure counts as its encoding's whole rate.
const rateOf = (rates, l) => rates[l.spatialLayer][l.temporalLayer ?? 2] || rates[l.spatialLayer][2];
// Whether the layers' measured bitrate fits kbps with the overhead margin.
const fits = (rates, l, kbps) => Boolean(l) && rateOf(rates, l) > 0 && rateOf(rates, l) * FIT_MARGIN <= kbps * 1000;
// The highest layers that fit kbps, or null.
const bestFit = (rates, kbps) => {
  let best = null;
  rates.forEach((byT, s) => byT.forEach((_, t) => {
    if (fits(rates, { spatialLayer: s, temporalLayer: t }, kbps)) best = { spatialLayer: s, temporalLayer: t };
  }));
  return best;
};

/**
 * One phase on one consumer: sets the link, waits ms, and prints and returns its numbers.
 * `downFrom` set: times the first step below that spatial layer; `upTo` set: the first
 * arrival on it (0 if already there).
 */
async function phase(label, entry, id, kbps, ms, { rates } = {}) {
  const link = transports.get(entry.transportId).link;
  const linkBefore = link.stats();
  const before = layersAt(entry, Date.now());
  link.set(kbps);
  const from = Date.now();
  // Calibration only: an estimator that knows the link at once (the best fit, or the top).
  if (oracle && (rates || !kbps)) await entry.consumer.setPreferredLayers(kbps ? bestFit(rates, kbps) ?? { spatialLayer: 0, temporalLayer: 0 } : { spatialLayer: 2, temporalLayer: 2 });
  await sleep(ms);
  const to = Date.now();
  const linkAfter = link.stats();
  const h = layerHistory(entry, from, to);
  const steady = layerHistory(entry, from + SETTLE_MS, to);
  const w = window_(entry, id, from, to) ?? {};
  const ws = window_(entry, id, from + SETTLE_MS, to) ?? {};
  const top = producer.rtpParameters.encodings.length - 1;
  const down = h.events.find((e) => rank(e.layers) < rank(before));
  const up = kbps ? null : before?.spatialLayer === top ? { at: from } : h.events.find((e) => e.layers?.spatialLayer === top);
  const fit = kbps && rates ? bestFit(rates, kbps) : null;
  // The sender's frame rate per encoding over the phase, and why its top encoding is limited.
  const sa = samples.find((x) => x.at >= from), sb = samples.findLast((x) => x.at <= to);
  const senderFps = producer.rtpParameters.encodings.map(({ rid }) =>
    (((sb?.encodings[rid]?.frames ?? 0) - (sa?.encodings[rid]?.frames ?? 0)) * 1000 / Math.max(1, (sb?.at ?? 0) - (sa?.at ?? 0))).toFixed(0));
  const r = {
    label, kbps, before, after: layersAt(entry, to), fit,
    downMs: down ? down.at - from : null, upMs: up ? up.at - from : null,
    changes: h.changes, steadyChanges: steady.changes, noLayerMs: h.noLayerMs, w, ws,
    link: { kbps: Math.round(((linkAfter.bytes - linkBefore.bytes) * 8) / (to - from)), dropped: linkAfter.dropped - linkBefore.dropped, backlog: linkAfter.backlog },
  };
  const pct = (x) => (x === undefined ? '?' : `${(100 * x).toFixed(0)} %`);
  console.log(`  phase ${label} @ ${since()}: link ${kbps ? `${kbps} kbit/s` : 'unlimited'} (queue ${queueBytes / 1000} kB): `
    + `layers ${fmtLayers(before)} -> ${fmtLayers(r.after)}${fit ? ` (best fit ${fmtLayers(fit)})` : ''}, `
    + `${kbps ? `step down ${r.downMs ?? 'never'}${down ? ` ms (to ${fmtLayers(down.layers)})` : ''}` : `on top ${r.upMs ?? 'never'}${up ? ' ms' : ''}`}, ${r.changes} layer changes (${r.steadyChanges} steady), `
    + `no layer ${r.noLayerMs} ms, receiver loss ${w.lossPct?.toFixed(1) ?? '?'} % (steady ${ws.lossPct?.toFixed(1) ?? '?'} %), `
    + `decoded ${w.decoded ?? '?'}/${w.expected ?? '?'} encoded (${pct(w.decodedRatio)}, steady ${pct(ws.decodedRatio)}), `
    + `longest gap ${w.longestGap ?? '?'} ms, received ${w.kbps ?? '?'} kbit/s, nacks ${w.nacks ?? '?'}, freezes ${w.freezes ?? '?'}, `
    + `link sent ${r.link.kbps} kbit/s, dropped ${r.link.dropped} pkts, backlog ${r.link.backlog} B; `
    + `sender fps ${senderFps.join('/')} (${sb?.encodings[ridOf(2)]?.limitation ?? '?'})`);
  return r;
}

// A receiving transport with `count` consumers of the producer; their entries and ids.
async function receiver(count, options = {}) {
  const tid = await page.evaluate((o) => window.addTransport(o), options);
  const ids = [];
  for (let i = 0; i < count; i++) ids.push(await page.evaluate((t) => window.consume(t), tid));
  return ids.map((id) => [consumers.get(id), id]);
}

// Until every given consumer is on the top spatial layer (the browser must first send it).
const onTop = (entries, ms) => waitFor(() => entries.every(([e]) => e.consumer.currentLayers?.spatialLayer === 2), ms);

// Checks of one limited phase against the goals.
function checkLimited(name, r) {
  const tag = `${name} ${r.label}`;
  check(`${tag}: steps down within ${REACT_MS} ms`, r.downMs !== null && r.downMs <= REACT_MS, `${r.downMs ?? 'never'} ms`);
  check(`${tag}: ends on layers whose bitrate fits the link (e.g. ${fmtLayers(r.fit)})`, fits(rates, r.after, r.kbps),
    `on ${fmtLayers(r.after)}: ${r.after ? Math.round(rateOf(rates, r.after) / 1000) : 0} kbit/s`);
  check(`${tag}: never without a layer while ${fmtLayers(r.fit)} fits`, r.noLayerMs === 0, `${r.noLayerMs} ms without`);
  check(`${tag}: receiver loss under ${MAX_LOSS_PCT} %`, r.w.lossPct !== undefined && r.w.lossPct < MAX_LOSS_PCT, `${r.w.lossPct?.toFixed(1)} %`);
  check(`${tag}: keeps decoding (${MIN_STEADY_DECODED * 100} % of the consumed layers' frames in the steady part)`,
    r.ws.decodedRatio >= MIN_STEADY_DECODED, `${r.ws.decoded}/${r.ws.expected}, longest gap ${r.w.longestGap} ms`);
  check(`${tag}: no flapping (at most ${MAX_STEADY_CHANGES} layer change from ${SETTLE_MS} ms on)`, r.steadyChanges <= MAX_STEADY_CHANGES, `${r.steadyChanges} changes`);
}

function checkRecovered(name, r) {
  check(`${name} ${r.label}: back on the top layer within ${RECOVER_MS} ms`, r.upMs !== null && r.upMs <= RECOVER_MS, `${r.upMs ?? 'never'} ms`);
  check(`${name} ${r.label}: no flapping on top`, r.steadyChanges <= MAX_STEADY_CHANGES, `${r.steadyChanges} changes`);
}

const closeReceiver = async (entries) => {
  const tid = entries[0][0].transportId;
  transports.get(tid).transport.close();
  await page.evaluate((t) => window.drop(t), tid);
};

let rates;
const scenarios = {
  async shaped() {
    const rx = await receiver(1);
    const [entry, id] = rx[0];
    // Chromium starts low and sends the top encoding once its own estimate allows.
    const ramp = Date.now();
    const top = await onTop(rx, RAMP_MS);
    check(`shaped: consumer reaches the top layer on an unlimited link within ${RAMP_MS} ms`, top,
      `${top ? Date.now() - ramp : 'never'} ms, layers ${fmtLayers(entry.consumer.currentLayers)}`);
    const u = await phase('unlimited', entry, id, null, 8000);
    rates = await layerBitrates();
    console.log(`  producer bitrate by layer (kbit/s, T0/T0+T1/all): ${rates.map((r) => r.map((b) => Math.round(b / 1000)).join('/')).join(', ')}`);
    check('shaped unlimited: the top layer decodes at full rate', u.after?.spatialLayer === 2 && u.w.decodedRatio >= MIN_STEADY_DECODED,
      `${u.w.decoded}/${u.w.expected}`);
    for (const kbps of [600, 400]) {
      checkLimited('shaped', await phase(`${kbps}k`, entry, id, kbps, LIMITED_MS, { rates }));
      checkRecovered('shaped', await phase(`unlimited after ${kbps}k`, entry, id, null, UNLIMITED_MS));
    }
    await closeReceiver(rx);
  },

  async priority() {
    const rx = await receiver(2);
    const [[low], [high]] = rx;
    await low.consumer.setPriority(1);
    await high.consumer.setPriority(2);
    check('priority: both consumers reach the top layer unlimited', await onTop(rx, 20000), `${fmtLayers(high.consumer.currentLayers)}, ${fmtLayers(low.consumer.currentLayers)}`);
    rates ??= await layerBitrates();
    const link = transports.get(low.transportId).link;
    link.set(800);
    const from = Date.now();
    if (oracle && rates) {
      // Calibration only: the lowest layers for priority 1, the best of the rest for priority 2.
      await low.consumer.setPreferredLayers({ spatialLayer: 0, temporalLayer: 2 });
      await high.consumer.setPreferredLayers(bestFit(rates, 800 - (rates[0][2] * FIT_MARGIN) / 1000));
    }
    await sleep(LIMITED_MS);
    const to = Date.now();
    const wl = window_(low, rx[0][1], from + SETTLE_MS, to) ?? {};
    const wh = window_(high, rx[1][1], from + SETTLE_MS, to) ?? {};
    const ll = low.consumer.currentLayers, hl = high.consumer.currentLayers;
    console.log(`  priority @ ${since()}: link 800 kbit/s, priority 2 on ${fmtLayers(hl)} (${wh.kbps} kbit/s, loss ${wh.lossPct?.toFixed(1)} %), `
      + `priority 1 on ${fmtLayers(ll)} (${wl.kbps} kbit/s, loss ${wl.lossPct?.toFixed(1)} %), `
      + `changes ${layerHistory(high, from, to).changes}/${layerHistory(low, from, to).changes}`);
    check('priority: at 800 kbit/s the priority 2 consumer is on higher layers than the priority 1 one', rank(hl) > rank(ll),
      `${fmtLayers(hl)} vs ${fmtLayers(ll)}`);
    check('priority: both keep a layer and together fit the link', ll && hl && wl.lossPct + wh.lossPct < 2 * MAX_LOSS_PCT,
      `loss ${wh.lossPct?.toFixed(1)} % / ${wl.lossPct?.toFixed(1)} %`);
    await closeReceiver(rx);
  },

  async tcp() {
    const rx = await receiver(1, { tcp: true });
    const [entry, id] = rx[0];
    const t = transports.get(entry.transportId);
    const top = await onTop(rx, 20000);
    check('tcp: consumer over ICE-TCP reaches the top layer unlimited', top, fmtLayers(entry.consumer.currentLayers));
    rates ??= await layerBitrates();
    // The kernel's send queue of the worker's TCP connection, every second (what the worker
    // queues itself on top of it is not visible from here).
    const sendQ = [];
    const ss = setInterval(() => {
      const out = execFileSync('ss', ['-Htn', 'state', 'established', 'sport', `= :${t.link.port}`], { encoding: 'utf8' }).trim();
      sendQ.push(out ? Number(out.split(/\s+/)[1]) : null);
    }, 1000);
    // Long enough for today's forwarding (~1.2 Mbit/s into 400) to queue past the worker's 4 MiB.
    const r = await phase('400k over TCP', entry, id, 400, 45000, { rates });
    clearInterval(ss);
    const gone = sendQ.indexOf(null);
    console.log(`  tcp: kernel send queue of the worker's connection, kB per second: ${sendQ.map((q) => (q === null ? '-' : Math.round(q / 1000))).join(' ')}`
      + `${gone >= 0 ? ` (connection gone after ~${gone} s)` : ''}`);
    const w = window_(entry, id, Date.now() - 10000, Date.now()) ?? {};
    const closed = t.events.find((e) => e.s === 'closed' || e.s === 'disconnected' || e.s === 'failed');
    // Which side gave up first: the browser's PeerConnection state, against the worker's ICE state.
    const browserLeft = samples.find((x) => x.at > t0 && x.consumers[id] && x.consumers[id].connection !== 'connected'
      && x.at >= (entry.events[0]?.at ?? 0));
    if (browserLeft) console.log(`  tcp: the browser's connection was ${browserLeft.consumers[id].connection} at ${((browserLeft.at - t0) / 1000).toFixed(1)} s`);
    console.log(`  tcp: transport ice ${t.transport.iceState}, dtls ${t.transport.dtlsState}, browser ${w.connection}; `
      + `state changes ${t.events.map((e) => `${e.ev.replace('statechange', '')}=${e.s}@${((e.at - t0) / 1000).toFixed(1)}s`).join(' ') || 'none'}; `
      + `last 10 s: ${w.decoded}/${w.expected} decoded, ${w.kbps} kbit/s`);
    check('tcp: stays connected on the limited link', !closed && ['connected', 'completed'].includes(t.transport.iceState)
      && t.transport.dtlsState === 'connected' && w.connection === 'connected', closed ? `${closed.ev} ${closed.s} after ${((closed.at - t0) / 1000).toFixed(1)} s` : '');
    check('tcp: steps down to layers that fit the link', r.downMs !== null && rates && fits(rates, r.after, 400),
      `${r.downMs ?? 'never'} ms, on ${fmtLayers(r.after)}`);
    check('tcp: keeps decoding in the last 10 s', w.decodedRatio >= MIN_STEADY_DECODED, `${w.decoded}/${w.expected}`);
    await closeReceiver(rx);
  },

  // setMaxIncomingBitrate on the browser's send transport: the worker sends REMB caps and
  // Chromium obeys them (the reference sends one every 1.5 s).
  async maxincoming() {
    const sendTransport = [...transports.values()][0].transport;
    const rate = (from, to) => {
      const a = samples.find((x) => x.at >= from), b = samples.findLast((x) => x.at <= to);
      const bytes = (x) => Object.values(x.encodings).reduce((n, e) => n + e.bytes, 0);
      return a && b && b.at > a.at ? Math.round(((bytes(b) - bytes(a)) * 8) / (b.at - a.at)) : 0;
    };
    await sleep(3000);
    const before = rate(Date.now() - 3000, Date.now());
    await sendTransport.setMaxIncomingBitrate(MAX_INCOMING);
    const from = Date.now();
    await sleep(MAX_INCOMING_REACT_MS + 8000);
    const after = rate(from + MAX_INCOMING_REACT_MS, Date.now());
    console.log(`  maxincoming @ ${since()}: the browser sent ${before} kbit/s of media, ${after} kbit/s from ${MAX_INCOMING_REACT_MS} ms after setMaxIncomingBitrate(${MAX_INCOMING})`);
    check(`maxincoming: the browser sends at most ${MAX_INCOMING / 1000} kbit/s of media from ${MAX_INCOMING_REACT_MS} ms after setMaxIncomingBitrate(${MAX_INCOMING})`,
      after > 0 && after <= MAX_INCOMING / 1000, `${after} kbit/s, ${before} before`);
  },
};

const only = opt('only', null);
try {
  for (const [name, run] of Object.entries(scenarios)) {
    if (only && name !== only) continue;
    console.log(`scenario ${name} @ ${since()}`);
    try {
      await run();
    } catch (error) {
      check(`${name}: scenario ran`, false, error.message.split('\n')[0]);
    }
  }
} finally {
  sampling = false;
  await sampler;
  await browser.close();
  worker.close();
  server.close();
}
console.log(`took ${since()}`);
finish();
