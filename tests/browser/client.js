// Page side shared by the browser tests: the Node side's signal function (exposed as
// window.signal), a loaded mediasoup-client Device, and a send and a receive transport whose
// connect/produce events go through the signal.
import { Device } from 'mediasoup-client';

export const signal = (method, data) => window.signal(method, JSON.stringify(data ?? {})).then((r) => JSON.parse(r));

export async function connectDevice() {
  const device = new Device();
  await device.load({ routerRtpCapabilities: await signal('routerRtpCapabilities') });
  const { send, recv } = await signal('createTransports');
  const sendTransport = device.createSendTransport(send);
  const recvTransport = device.createRecvTransport(recv);
  for (const t of [sendTransport, recvTransport]) {
    t.on('connect', ({ dtlsParameters }, ok, fail) => signal('connect', { transportId: t.id, dtlsParameters }).then(ok, fail));
  }
  sendTransport.on('produce', ({ kind, rtpParameters }, ok, fail) => signal('produce', { kind, rtpParameters }).then(ok, fail));
  return { device, sendTransport, recvTransport };
}
