// SCTP over plain UDP between two PlainTransports of one worker, for capture-seeds.sh: the
// association's set-up (INIT, INIT-ACK, COOKIE-ECHO, COOKIE-ACK), DATA of several sizes
// (fragmented above the MTU), SACKs, an unordered unreliable stream, a stream reset (RE-CONFIG)
// and the shutdown.   node tests/fuzz/sctp-traffic.mjs [--worker PATH]
import { mediasoup, sleep, waitFor } from '../e2e/lib/harness.mjs';

const worker = await mediasoup.createWorker({ logLevel: 'warn' });
const router = await worker.createRouter({ mediaCodecs: [] });
const listenInfo = { protocol: 'udp', ip: '127.0.0.1' };
const a = await router.createPlainTransport({ listenInfo, comedia: false, enableSctp: true });
const b = await router.createPlainTransport({ listenInfo, comedia: false, enableSctp: true });
await a.connect({ ip: '127.0.0.1', port: b.tuple.localPort });
await b.connect({ ip: '127.0.0.1', port: a.tuple.localPort });
const direct = await router.createDirectTransport();
const source = await direct.produceData();
const reliable = await b.consumeData({ dataProducerId: source.id });
const unordered = await b.consumeData({ dataProducerId: source.id, ordered: false, maxRetransmits: 0 });
const intoA = await a.produceData({ sctpStreamParameters: { streamId: reliable.sctpStreamParameters.streamId, ordered: true } });
const sink = await direct.consumeData({ dataProducerId: intoA.id });
let received = 0;
sink.on('message', () => received++);
const connected = await waitFor(() => a.sctpState === 'connected' && b.sctpState === 'connected', 10_000);
let sent = 0;
for (const size of [1, 20, 300, 1200, 3000, 9000]) {
  source.send(Buffer.alloc(size, size & 255));
  source.send('x'.repeat(size));
  sent += 2;
  await sleep(50);
}
await waitFor(() => received >= sent, 5_000);
reliable.close(); // stream reset (RE-CONFIG)
unordered.close();
await sleep(500);
console.log(`sctp ${connected ? 'connected' : 'NOT connected'}, ${received}/${sent} messages through`);
worker.close();
