// Spawn-to-running time and idle RSS of any worker binary, measured through the stock
// mediasoup host. Usage: node bench/startup.mjs [--worker PATH]... [--runs N]
// Each --worker is measured in turn (alternating) so machine noise hits all alike.
// Also a module: bench/load/load.mjs imports measureStartup() for its report.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(root, 'host', 'package.json'));

export function rssKb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)[1]);
}

export const median = (xs) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/**
 * Creates a mediasoup worker for a binary, with MEDIASOUP_WORKER_LOOP set to loop when given
 * (the host spawns the worker synchronously inside createWorker() and passes its environment
 * on, so the variable is set just around that call).
 */
export function createWorkerWithLoop(mediasoup, options, loop) {
  if (!loop) return mediasoup.createWorker(options);
  const before = process.env.MEDIASOUP_WORKER_LOOP;
  process.env.MEDIASOUP_WORKER_LOOP = loop;
  try {
    return mediasoup.createWorker(options);
  } finally {
    if (before === undefined) delete process.env.MEDIASOUP_WORKER_LOOP;
    else process.env.MEDIASOUP_WORKER_LOOP = before;
  }
}

/** A worker entry's name: its binary, and the loop backend when one is forced. */
export const variantName = (v) => (v.loop ? `${v.bin} (${v.loop})` : v.bin);

/**
 * Starts and closes each binary `runs` times, alternating. A worker is a path or
 * { bin, loop } (loop: MEDIASOUP_WORKER_LOOP for it). Returns, per worker (in order),
 * { bin, loop, startMs: [..], rssKb: [..], medianMs, minMs, idleRssMb }. RSS is read 300 ms after
 * start, on the first 5 runs.
 */
export async function measureStartup(workers, runs = 30) {
  // The host reads MEDIASOUP_WORKER_BIN once, at load: pass the binary per worker instead.
  const mediasoup = require('mediasoup');
  const results = workers.map((w) => ({ bin: w.bin ?? w, loop: w.loop ?? null, startMs: [], rssKb: [] }));
  for (let r = 0; r < runs; r++) {
    for (const res of results) {
      const t0 = process.hrtime.bigint();
      const worker = await createWorkerWithLoop(mediasoup, { workerBin: res.bin, logLevel: 'error' }, res.loop);
      const t1 = process.hrtime.bigint();
      res.startMs.push(Number(t1 - t0) / 1e6);
      if (r < 5) {
        await new Promise((resolve) => setTimeout(resolve, 300));
        res.rssKb.push(rssKb(worker.pid));
      }
      worker.close();
      await new Promise((resolve) => worker.on('subprocessclose', resolve));
    }
  }
  for (const res of results) {
    res.medianMs = median(res.startMs);
    res.minMs = Math.min(...res.startMs);
    res.idleRssMb = median(res.rssKb) / 1024;
  }
  return results;
}

export function startupTable(results, labels) {
  const lines = ['| worker | spawn→running median ms | min ms | idle RSS MB |', '|---|---:|---:|---:|'];
  results.forEach((res, i) => {
    const name = labels ? `${labels[i]}: ${variantName(res)}` : variantName(res);
    lines.push(`| ${name} | ${res.medianMs.toFixed(1)} | ${res.minMs.toFixed(1)} | ${res.idleRssMb.toFixed(1)} |`);
  });
  return lines.join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const args = process.argv.slice(2);
  const workers = [];
  let runs = 30;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--worker') workers.push(path.resolve(args[++i]));
    else if (args[i] === '--runs') runs = Number(args[++i]);
    else throw new Error(`unknown argument ${args[i]}`);
  }
  if (workers.length === 0) workers.push(path.join(root, 'out', 'mediasoup-worker'));
  console.log(startupTable(await measureStartup(workers, runs)));
}
