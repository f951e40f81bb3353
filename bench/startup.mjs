// Spawn-to-running time and idle RSS of any worker binary, measured through the stock
// mediasoup host. Usage: node bench/startup.mjs [--worker PATH]... [--runs N]
// Each --worker is measured in turn (alternating) so machine noise hits all alike.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(root, 'host', 'package.json'));

const args = process.argv.slice(2);
const workers = [];
let runs = 30;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--worker') workers.push(path.resolve(args[++i]));
  else if (args[i] === '--runs') runs = Number(args[++i]);
  else throw new Error(`unknown argument ${args[i]}`);
}
if (workers.length === 0) workers.push(path.join(root, 'out', 'mediasoup-worker'));

function rssKb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)[1]);
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const results = new Map(workers.map((w) => [w, { startMs: [], rssKb: [] }]));
// The host reads MEDIASOUP_WORKER_BIN once, at load: pass the binary per worker instead.
const mediasoup = require('mediasoup');

for (let r = 0; r < runs; r++) {
  for (const bin of workers) {
    const t0 = process.hrtime.bigint();
    const worker = await mediasoup.createWorker({ workerBin: bin, logLevel: 'error' });
    const t1 = process.hrtime.bigint();
    results.get(bin).startMs.push(Number(t1 - t0) / 1e6);
    if (r < 5) {
      await new Promise((res) => setTimeout(res, 300));
      results.get(bin).rssKb.push(rssKb(worker.pid));
    }
    worker.close();
    await new Promise((res) => worker.on('subprocessclose', res));
  }
}

console.log('| worker | spawn→running median ms | min ms | idle RSS MB |');
console.log('|---|---:|---:|---:|');
for (const [bin, { startMs, rssKb: rss }] of results) {
  console.log(`| ${bin} | ${median(startMs).toFixed(1)} | ${Math.min(...startMs).toFixed(1)} | ${(median(rss) / 1024).toFixed(1)} |`);
}
