// The worker's main job as a mediasoup application sees it: the stock npm host spawns
// out/mediasoup-worker (MEDIASOUP_WORKER_BIN), creates a Router and a WebRtcServer,
// prints their dumps and the worker's resource usage, and closes cleanly.
// Run through ./build.sh run --once (plain ./build.sh run serves the live room, host/room).
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const mediasoup = require('mediasoup');

// Show what the worker logs (its lines reach the host's 'Channel' logger).
const showLog = (level) => (namespace, log) => {
  if (namespace.includes('Channel')) console.log(`  [${level}] ${log}`);
};
mediasoup.setLogEventListeners({ ondebug: showLog('debug'), onwarn: showLog('warn'), onerror: showLog('error') });
console.log(`host: mediasoup ${mediasoup.version}, worker binary ${mediasoup.workerBin}`);

const t0 = performance.now();
const worker = await mediasoup.createWorker({ logLevel: 'debug', logTags: ['info'] });
console.log(`worker running: pid ${worker.pid}, ${(performance.now() - t0).toFixed(1)} ms from spawn`);
worker.on('died', (error) => {
  console.error('worker died unexpectedly:', error);
  process.exit(1);
});

const router = await worker.createRouter({
  mediaCodecs: [
    { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
    { kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
  ],
});
const webRtcServer = await worker.createWebRtcServer({
  listenInfos: [
    { protocol: 'udp', ip: '127.0.0.1', portRange: { min: 40000, max: 40999 } },
    { protocol: 'tcp', ip: '127.0.0.1', portRange: { min: 40000, max: 40999 } },
  ],
});

const show = (title, value) => console.log(`\n${title}:\n${JSON.stringify(value, null, 2)}`);
show('worker.dump()', await worker.dump());
show('router.dump()', await router.dump());
show('webRtcServer.dump()', await webRtcServer.dump());
show('worker.getResourceUsage()', await worker.getResourceUsage());

webRtcServer.close();
router.close();
worker.close();
await new Promise((resolve) => worker.on('subprocessclose', resolve));
console.log('\nworker closed cleanly');
