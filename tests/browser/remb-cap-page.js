// Browser side of the max-incoming-bitrate test: mediasoup-client sends a 640x360 canvas of
// random blocks redrawn every frame (the fake camera compresses far below any cap worth
// testing) and reports what Chromium itself says it sent.
import { connectDevice } from './client.js';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let state;

window.setup = async () => {
  const { sendTransport } = await connectDevice();
  const canvas = document.createElement('canvas');
  canvas.width = 640;
  canvas.height = 360;
  document.body.appendChild(canvas);
  const ctx = canvas.getContext('2d');
  const draw = () => {
    for (let y = 0; y < canvas.height; y += 20) {
      for (let x = 0; x < canvas.width; x += 20) {
        ctx.fillStyle = `rgb(${(Math.random() * 256) | 0},${(Math.random() * 256) | 0},${(Math.random() * 256) | 0})`;
        ctx.fillRect(x, y, 20, 20);
      }
    }
  };
  draw();
  const timer = setInterval(draw, 33);
  const track = canvas.captureStream(30).getVideoTracks()[0];
  // Chromium's estimator starts at 1.5 Mbit/s (x-google-start-bitrate) instead of 300 kbit/s:
  // on a loaded machine its ramp-up probes fail and it would take long to show what it sends
  // uncapped; the cap is what is tested, not its ramp-up.
  const producer = await sendTransport.produce({ track, codecOptions: { videoGoogleStartBitrate: 1500 } });
  // Keep the resolution under CPU load (frames are dropped instead): a 160px encoding of a
  // busy machine would need little more than the cap even without it. (Not with the track's
  // contentHint 'detail': that makes it screen content, whose encoder targets half the rate.)
  const params = producer.rtpSender.getParameters();
  params.degradationPreference = 'maintain-resolution';
  await producer.rtpSender.setParameters(params);
  state = { sendTransport, producer, timer };
  return JSON.stringify({ producerId: producer.id });
};

async function counters() {
  const s = { bytes: 0, headerBytes: 0, frames: 0, width: 0, available: 0, at: performance.now() };
  (await state.sendTransport.getStats()).forEach((x) => {
    if (x.type === 'outbound-rtp' && x.kind === 'video') {
      s.bytes += x.bytesSent ?? 0;
      s.headerBytes += x.headerBytesSent ?? 0;
      s.frames += x.framesEncoded ?? 0;
      s.width = x.frameWidth ?? 0;
      s.target = x.targetBitrate;
    }
    if (x.type === 'candidate-pair' && x.nominated && x.availableOutgoingBitrate) s.available = x.availableOutgoingBitrate;
  });
  return s;
}

// Over ms: Chromium's sending rate of the video (payload, and with RTP headers and padding),
// its target and available outgoing bitrate at the end, frames encoded and their width.
window.measure = async (ms) => {
  const a = await counters();
  await sleep(ms);
  const b = await counters();
  const seconds = (b.at - a.at) / 1000;
  return JSON.stringify({
    payloadBps: Math.round(((b.bytes - a.bytes) * 8) / seconds),
    wireBps: Math.round(((b.bytes - a.bytes + b.headerBytes - a.headerBytes) * 8) / seconds),
    frames: b.frames - a.frames, width: b.width, target: b.target, available: b.available,
  });
};
