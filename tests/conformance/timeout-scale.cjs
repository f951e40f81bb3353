// Loaded into each jest test file by run.mjs --timeout-scale (emulated workers only): the
// timeout argument a test gives test()/it() is multiplied by MSW_JEST_TIMEOUT_SCALE, so a
// test written for a native worker gets the same margin under a ~15x slower emulator. The
// test bodies and their assertions are untouched.
'use strict';

const scale = Number(process.env.MSW_JEST_TIMEOUT_SCALE || '1');

function scaled(fn) {
	return function (...args) {
		const last = args.length - 1;
		if (last >= 2 && typeof args[last] === 'number') {
			args[last] = Math.round(args[last] * scale);
		}
		return fn.apply(this, args);
	};
}

if (scale > 1) {
	for (const name of ['test', 'it']) {
		const original = globalThis[name];
		if (typeof original !== 'function') {
			continue;
		}
		const wrapped = scaled(original);
		for (const key of Object.keys(original)) {
			wrapped[key] = key === 'only' || key === 'skip' ? scaled(original[key]) : original[key];
		}
		globalThis[name] = wrapped;
	}
}
