// Browser side of the layered-video test: mediasoup-client sends the fake camera with a given
// codec and encodings (simulcast and/or scalabilityMode) and receives it back; the Node side
// switches the consumer's layers and asks this page what the browser measured.
import { connectDevice, signal } from './client.js';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let state;

// opts: { codec: 'video/VP8', encodings: [...], width, height }
window.setup = async (opts) => {
  const { device, sendTransport, recvTransport } = await connectDevice();

  const stream = await navigator.mediaDevices.getUserMedia({ video: { width: opts.width, height: opts.height, frameRate: 30 } });
  const codec = device.rtpCapabilities.codecs.find((c) => c.mimeType.toLowerCase() === opts.codec.toLowerCase());
  if (!codec) throw new Error(`this browser cannot send ${opts.codec}`);
  const producer = await sendTransport.produce({ track: stream.getVideoTracks()[0], encodings: opts.encodings, codec });
  const params = await signal('consume', { producerId: producer.id, rtpCapabilities: device.rtpCapabilities });
  const consumer = await recvTransport.consume(params);
  const video = document.createElement('video');
  video.muted = true;
  video.autoplay = true;
  video.srcObject = new MediaStream([consumer.track]);
  document.body.appendChild(video);
  await signal('resume', { consumerId: consumer.id });
  state = { sendTransport, recvTransport, video, producer, consumer };
  return JSON.stringify({ consumerId: consumer.id });
};

// What the browser sent (per encoding: frames encoded, size) and got (frames decoded, size).
async function snapshot() {
  const s = { encoded: [], decoded: 0, width: state.video.videoWidth, height: state.video.videoHeight, at: performance.now() };
  (await state.sendTransport.getStats()).forEach((x) => {
    if (x.type === 'outbound-rtp' && x.kind === 'video')
      s.encoded.push({ rid: x.rid ?? null, frames: x.framesEncoded ?? 0, width: x.frameWidth ?? 0, scalabilityMode: x.scalabilityMode });
  });
  (await state.recvTransport.getStats()).forEach((x) => {
    if (x.type === 'inbound-rtp' && x.kind === 'video') {
      s.decoded += x.framesDecoded ?? 0;
      s.receivedWidth = x.frameWidth ?? 0;
    }
  });
  s.encoded.sort((a, b) => (a.rid ?? '').localeCompare(b.rid ?? ''));
  return s;
}

// Over ms: frames decoded, frames each encoding produced, the longest stretch without a newly
// decoded frame, and the decoded size at the end.
window.measure = async (ms) => {
  const a = await snapshot();
  let last = a.decoded, lastAt = performance.now(), longestGap = 0;
  const end = performance.now() + ms;
  while (performance.now() < end) {
    await sleep(50);
    const d = (await snapshot()).decoded;
    if (d > last) {
      longestGap = Math.max(longestGap, performance.now() - lastAt);
      last = d;
      lastAt = performance.now();
    }
  }
  longestGap = Math.max(longestGap, performance.now() - lastAt);
  const b = await snapshot();
  return JSON.stringify({
    decoded: b.decoded - a.decoded,
    encoded: b.encoded.map((e, i) => ({ rid: e.rid, frames: e.frames - (a.encoded[i]?.frames ?? 0), width: e.width, scalabilityMode: e.scalabilityMode })),
    width: b.receivedWidth || b.width, longestGapMs: Math.round(longestGap),
  });
};

// Until the receiver shows frames of the given width (or ms pass); the last width seen. With
// simulcast (several encodings) the width is the one the sender reports for encoding `index`
// right now: under CPU load Chromium scales its encodings down, so fixed sizes would not do.
window.waitForWidth = async (width, ms, index = -1) => {
  const end = performance.now() + ms;
  let s, want = width;
  do {
    s = await snapshot();
    if (index >= 0 && s.encoded.length > 1) want = s.encoded[index]?.width ?? width;
    if ((s.receivedWidth || s.width) === want) break;
    await sleep(100);
  } while (performance.now() < end);
  return JSON.stringify({ got: s.receivedWidth || s.width, want });
};
