// Browser side of the WebRTC test: mediasoup-client in Chromium sends its fake camera and
// microphone through one WebRtcTransport and receives them back through another, then
// reports what the browser itself measured (frames decoded, packets received).
import { Device } from 'mediasoup-client';

// opts.simulcast: the camera goes out as two simulcast encodings (half and full size; together
// above the browser's 300 kbps start-up estimate, so the full one only flows once the worker's
// transport-cc feedback has let that estimate grow); after the first measurement the
// consumer is asked for the lower one and the decoded size is measured again.
window.runTest = async (opts = {}) => {
  const signal = (method, data) => window.signal(method, JSON.stringify(data ?? {})).then((r) => JSON.parse(r));
  const device = new Device();
  await device.load({ routerRtpCapabilities: await signal('routerRtpCapabilities') });

  const { send, recv } = await signal('createTransports');
  const sendTransport = device.createSendTransport(send);
  const recvTransport = device.createRecvTransport(recv);
  for (const t of [sendTransport, recvTransport]) {
    t.on('connect', ({ dtlsParameters }, ok, fail) =>
      signal('connect', { transportId: t.id, dtlsParameters }).then(ok, fail));
  }
  sendTransport.on('produce', ({ kind, rtpParameters }, ok, fail) =>
    signal('produce', { kind, rtpParameters }).then(ok, fail));

  const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 640, height: 360 } });
  const producers = [];
  for (const track of stream.getTracks()) {
    const encodings = opts.simulcast && track.kind === 'video'
      ? [{ scaleResolutionDownBy: 2, maxBitrate: 150000 }, { scaleResolutionDownBy: 1, maxBitrate: 900000 }]
      : undefined;
    producers.push(await sendTransport.produce({ track, encodings }));
  }

  const video = document.createElement('video');
  video.muted = true;
  video.autoplay = true;
  document.body.appendChild(video);
  const remote = new MediaStream();
  const consumers = [];
  for (const p of producers) {
    const params = await signal('consume', { producerId: p.id, rtpCapabilities: device.rtpCapabilities });
    const consumer = await recvTransport.consume(params);
    consumers.push(consumer);
    remote.addTrack(consumer.track);
    await signal('resume', { consumerId: consumer.id });
  }
  video.srcObject = remote;
  await new Promise((r) => setTimeout(r, 5000));

  const stats = await recvTransport.getStats();
  const out = { framesDecoded: 0, videoPackets: 0, audioPackets: 0, width: video.videoWidth,
    sendState: sendTransport.connectionState, recvState: recvTransport.connectionState, availableOutgoingBitrate: 0 };
  // The browser's send-side estimate: it only grows on the worker's transport-cc feedback.
  (await sendTransport.getStats()).forEach((s) => {
    if (s.type === 'candidate-pair' && s.nominated && s.availableOutgoingBitrate)
      out.availableOutgoingBitrate = Math.max(out.availableOutgoingBitrate, s.availableOutgoingBitrate);
  });
  if (opts.simulcast) {
    const videoConsumer = consumers.find((c) => c.kind === 'video');
    await signal('setLayers', { consumerId: videoConsumer.id, spatialLayer: 0 });
    await new Promise((r) => setTimeout(r, 4000));
    out.lowWidth = video.videoWidth;
    let frames = 0;
    (await recvTransport.getStats()).forEach((s) => { if (s.type === 'inbound-rtp' && s.kind === 'video') frames += s.framesDecoded ?? 0; });
    out.framesAfterSwitch = frames;
  }
  stats.forEach((s) => {
    if (s.type !== 'inbound-rtp') return;
    if (s.kind === 'video') {
      out.framesDecoded += s.framesDecoded ?? 0;
      out.videoPackets += s.packetsReceived ?? 0;
    } else {
      out.audioPackets += s.packetsReceived ?? 0;
    }
  });
  return JSON.stringify(out);
};

// DataChannels: the page produces data on one transport, consumes it back on another and
// reports what arrived, text and binary, ordered and unordered, up to a large message.
window.runDataTest = async () => {
  const signal = (method, data) => window.signal(method, JSON.stringify(data ?? {})).then((r) => JSON.parse(r));
  const device = new Device();
  await device.load({ routerRtpCapabilities: await signal('routerRtpCapabilities') });
  const { send, recv } = await signal('createTransports');
  const sendTransport = device.createSendTransport(send);
  const recvTransport = device.createRecvTransport(recv);
  for (const t of [sendTransport, recvTransport]) {
    t.on('connect', ({ dtlsParameters }, ok, fail) =>
      signal('connect', { transportId: t.id, dtlsParameters }).then(ok, fail));
  }
  sendTransport.on('producedata', ({ sctpStreamParameters, label, protocol }, ok, fail) =>
    signal('produceData', { sctpStreamParameters, label, protocol }).then(ok, fail));

  const received = { ordered: [], unordered: 0, binary: 0, bigLength: 0, fromServer: 0 };
  const channels = [];
  for (const [label, options] of [['ordered', { ordered: true }], ['unordered', { ordered: false, maxRetransmits: 0 }]]) {
    const dp = await sendTransport.produceData({ label, ...options });
    const params = await signal('consumeData', { dataProducerId: dp.id });
    const dc = await recvTransport.consumeData(params);
    dc.on('message', (m) => {
      if (label === 'unordered') { received.unordered++; return; }
      if (typeof m === 'string') {
        if (m.startsWith('server-')) received.fromServer++;
        else received.ordered.push(Number(m));
      } else if (m.byteLength > 100000) {
        received.bigLength = m.byteLength;
      } else {
        received.binary++;
      }
    });
    channels.push({ dp, dc, label });
    await new Promise((r) => (dp.readyState === 'open' ? r() : dp.on('open', r)));
  }
  // Unordered first: with maxRetransmits 0 a message lost to congestion is abandoned by design,
  // and the 200 kB message below congests loopback on a busy machine.
  for (let i = 0; i < 50; i++) channels[1].dp.send(`u${i}`);
  const ordered = channels[0].dp;
  for (let i = 0; i < 200; i++) ordered.send(String(i));
  for (let i = 0; i < 20; i++) ordered.send(new Uint8Array([1, 2, 3, i]).buffer);
  ordered.send(new Uint8Array(200000).fill(7).buffer);
  // The server sends a burst straight from its DataConsumer of the ordered channel.
  await signal('serverBurst', { dataConsumerId: channels[0].dc.id });
  await new Promise((r) => setTimeout(r, 3000));
  const inOrder = received.ordered.every((v, i) => v === i);
  return JSON.stringify({ orderedCount: received.ordered.length, inOrder, unordered: received.unordered,
    binary: received.binary, bigLength: received.bigLength, fromServer: received.fromServer });
};
