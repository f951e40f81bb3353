// Jest reporter used by run.mjs: appends every finished test to an NDJSON file
// the moment it finishes. Jest writes its --json output only at the very end, so
// when run.mjs has to SIGKILL a hanging jest process this file is what tells it
// which tests had already completed. Writes are synchronous so they survive the kill.
'use strict';

const fs = require('node:fs');

class ProgressReporter {
	constructor(_globalConfig, options) {
		this.file = options.file;
	}

	onTestCaseResult(_test, result) {
		const line = JSON.stringify({
			fullName: result.fullName,
			status: result.status,
			failureMessages: result.failureMessages,
		});

		fs.appendFileSync(this.file, `${line}\n`);
	}
}

module.exports = ProgressReporter;
