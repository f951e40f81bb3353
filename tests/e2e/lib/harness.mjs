// What every end-to-end script shares: the pinned mediasoup host pointed at the worker under
// test (--worker PATH, default out/mediasoup-worker), named checks, and the closing line.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const args = process.argv.slice(2);

/** The value after --name on the command line, or def. */
export const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};

process.env.MEDIASOUP_WORKER_BIN = path.resolve(opt('worker', path.join(root, 'out', 'mediasoup-worker')));
export const mediasoup = createRequire(path.join(root, 'host', 'package.json'))('mediasoup');

const results = [];
export const check = (name, ok, detail = '') => {
  results.push(Boolean(ok));
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? ` (${detail})` : ''}`);
};

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls cond every 10 ms for up to ms; its last value. */
export const waitFor = async (cond, ms) => {
  for (const end = Date.now() + ms; Date.now() < end && !cond();) await sleep(10);
  return cond();
};

/** Prints "N passed, N failed" and exits 1 if any check failed. */
export function finish() {
  const passed = results.filter(Boolean).length;
  console.log(`${passed} passed, ${results.length - passed} failed`);
  process.exit(results.length - passed ? 1 : 0);
}
