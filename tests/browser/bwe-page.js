// Browser side of the shaped-link test: one mediasoup-client Device sends a canvas of random
// blocks (redrawn every frame, so every simulcast encoding reaches its maxBitrate) and
// receives it back on as many receive transports and consumers as the Node side asks for;
// sample() reports what the sender encoded and what each consumer's receiver got.
import { Device } from 'mediasoup-client';
import { signal } from './client.js';

let state;

// Blocks of `block` pixels, a share `churn` of them drawn anew at random places every frame,
// each a random colour with pixel noise over it: content an encoder cannot predict, so each
// encoding reaches its maxBitrate (the fake camera compresses to ~250 kbit/s). The noise is
// fine, so that it costs the top encoding most and mostly averages out in the scaled-down
// ones (pure noise everywhere would exceed every maxBitrate so far that the encoder drops
// most frames).
function noiseTrack({ width, height, fps, block, churn, grain }) {
  const noise = document.createElement('canvas');
  noise.width = noise.height = 512;
  const n = noise.getContext('2d');
  const img = n.createImageData(512, 512);
  for (let i = 0; i < img.data.length; i += 4) {
    const v = (Math.random() * 256) | 0;
    img.data[i] = img.data[i + 1] = img.data[i + 2] = v;
    img.data[i + 3] = 255;
  }
  n.putImageData(img, 0, 0);
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const g = canvas.getContext('2d');
  const cols = Math.ceil(width / block), rows = Math.ceil(height / block);
  const paint = (count) => {
    for (let i = 0; i < count; i++) {
      const x = ((Math.random() * cols) | 0) * block, y = ((Math.random() * rows) | 0) * block;
      g.globalAlpha = 1;
      g.fillStyle = `rgb(${(Math.random() * 256) | 0},${(Math.random() * 256) | 0},${(Math.random() * 256) | 0})`;
      g.fillRect(x, y, block, block);
      g.globalAlpha = grain;
      g.drawImage(noise, (Math.random() * (512 - block)) | 0, (Math.random() * (512 - block)) | 0, block, block, x, y, block, block);
    }
  };
  paint(4 * cols * rows);
  setInterval(() => paint(Math.round(churn * cols * rows)), 1000 / fps);
  const track = canvas.captureStream(fps).getVideoTracks()[0];
  // Under CPU load, lower the frame rate rather than the resolution (the test compares the
  // decoded frames with the encoded ones, but needs each encoding's size to stay put).
  track.contentHint = 'detail';
  return track;
}

const connectHandler = (t) =>
  t.on('connect', ({ dtlsParameters }, ok, fail) => signal('connect', { transportId: t.id, dtlsParameters }).then(ok, fail));

// opts: { width, height, fps, block, churn, grain, encodings }
window.setup = async (opts) => {
  const device = new Device();
  await device.load({ routerRtpCapabilities: await signal('routerRtpCapabilities') });
  const sendTransport = device.createSendTransport(await signal('createTransport', { send: true }));
  connectHandler(sendTransport);
  sendTransport.on('produce', ({ kind, rtpParameters }, ok, fail) => signal('produce', { kind, rtpParameters }).then(ok, fail));
  const codec = device.rtpCapabilities.codecs.find((c) => c.mimeType.toLowerCase() === 'video/vp8');
  const producer = await sendTransport.produce({ track: noiseTrack(opts), encodings: opts.encodings, codec });
  state = { device, sendTransport, producer, transports: {}, consumers: {} };
  return producer.id;
};

// A receive transport (options go to the Node side: { tcp }); its id.
window.addTransport = async (options) => {
  const t = state.device.createRecvTransport(await signal('createTransport', { send: false, ...options }));
  connectHandler(t);
  state.transports[t.id] = t;
  return t.id;
};

// A consumer of the producer on the given receive transport, playing in a <video>; its id.
window.consume = async (transportId) => {
  const params = await signal('consume', { transportId, producerId: state.producer.id, rtpCapabilities: state.device.rtpCapabilities });
  const consumer = await state.transports[transportId].consume(params);
  const video = document.createElement('video');
  video.muted = true;
  video.autoplay = true;
  video.srcObject = new MediaStream([consumer.track]);
  document.body.appendChild(video);
  state.consumers[consumer.id] = { consumer, transportId };
  await signal('resume', { consumerId: consumer.id });
  return consumer.id;
};

// Cumulative counters now: per sent encoding (by rid) and per consumer's inbound-rtp.
window.sample = async () => {
  const out = { at: Date.now(), encodings: {}, consumers: {} };
  (await state.producer.getStats()).forEach((x) => {
    if (x.type === 'outbound-rtp') {
      out.encodings[x.rid ?? ''] = { frames: x.framesEncoded ?? 0, bytes: x.bytesSent ?? 0, width: x.frameWidth ?? 0,
        limitation: x.qualityLimitationReason, active: x.active };
    }
  });
  for (const [id, { consumer, transportId }] of Object.entries(state.consumers)) {
    const c = { frames: 0, received: 0, lost: 0, bytes: 0, width: 0, nacks: 0, freezes: 0,
      connection: state.transports[transportId].connectionState };
    (await consumer.getStats()).forEach((x) => {
      if (x.type === 'inbound-rtp' && x.kind === 'video') {
        Object.assign(c, { frames: x.framesDecoded ?? 0, received: x.packetsReceived ?? 0, lost: x.packetsLost ?? 0,
          bytes: x.bytesReceived ?? 0, width: x.frameWidth ?? 0, nacks: x.nackCount ?? 0, freezes: x.freezeCount ?? 0 });
      }
    });
    out.consumers[id] = c;
  }
  return JSON.stringify(out);
};

// Forgets a receive transport the Node side closed, and its consumers.
window.drop = (transportId) => {
  for (const [id, c] of Object.entries(state.consumers)) {
    if (c.transportId === transportId) {
      c.consumer.close();
      delete state.consumers[id];
    }
  }
  state.transports[transportId].close();
  delete state.transports[transportId];
};
