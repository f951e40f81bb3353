// Browser side of the WebRTC test: mediasoup-client in Chromium sends its fake camera and
// microphone through one WebRtcTransport and receives them back through another, then
// reports what the browser itself measured (frames decoded, packets received).
import { Device } from 'mediasoup-client';

window.runTest = async () => {
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
  for (const track of stream.getTracks()) producers.push(await sendTransport.produce({ track }));

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
    sendState: sendTransport.connectionState, recvState: recvTransport.connectionState };
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
