// Audio observers with real packets: a scripted sender streams Opus-like RTP carrying the
// ssrc-audio-level header extension (RFC 6464) for two producers, one loud and one quiet.
// The AudioLevelObserver must report the loud one first with its level; the
// ActiveSpeakerObserver must name the speaking one; silence must be reported after the
// streams stop. Prints "N passed, N failed" last; exit 1 on failure.
import dgram from 'node:dgram';
import { mediasoup, check, sleep, finish, waitFor } from './lib/harness.mjs';

// RTP with a one-byte header extension block holding ssrc-audio-level (id 1): V=1, level.
function packet(ssrc, seq, level) {
  const b = Buffer.alloc(12 + 8 + 20);
  b[0] = 0x90; b[1] = 100; b.writeUInt16BE(seq, 2); b.writeUInt32BE(seq * 960, 4); b.writeUInt32BE(ssrc, 8);
  b.writeUInt16BE(0xbede, 12); b.writeUInt16BE(1, 14);
  b[16] = (1 << 4) | 0; b[17] = 0x80 | level; // id 1, length 1; voice flag + level
  return b;
}

let worker;
const socks = [];
try {
  worker = await mediasoup.createWorker({ logLevel: 'warn' });
  const router = await worker.createRouter({ mediaCodecs: [{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 }] });
  const audioLevel = await router.createAudioLevelObserver({ maxEntries: 2, threshold: -80, interval: 500 });
  const activeSpeaker = await router.createActiveSpeakerObserver({ interval: 300 });
  const volumes = [];
  let silences = 0;
  const dominant = [];
  audioLevel.on('volumes', (v) => volumes.push(v.map((e) => ({ id: e.producer.id, volume: e.volume }))));
  audioLevel.on('silence', () => { silences++; });
  activeSpeaker.on('dominantspeaker', (d) => dominant.push(d.producer.id));

  const producers = [];
  for (const [ssrc, level] of [[1111, 20], [2222, 70]]) {
    const t = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, comedia: true });
    const p = await t.produce({
      kind: 'audio',
      rtpParameters: {
        codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }],
        headerExtensions: [{ uri: 'urn:ietf:params:rtp-hdrext:ssrc-audio-level', id: 1 }],
        encodings: [{ ssrc }],
      },
    });
    await audioLevel.addProducer({ producerId: p.id });
    await activeSpeaker.addProducer({ producerId: p.id });
    const s = dgram.createSocket('udp4');
    await new Promise((r) => s.bind(0, '127.0.0.1', r));
    socks.push(s);
    producers.push({ p, t, s, ssrc, level });
  }
  for (let i = 0; i < 100; i++) {
    for (const { t, s, ssrc, level } of producers) s.send(packet(ssrc, i + 1, level), t.tuple.localPort, '127.0.0.1');
    await sleep(20);
  }
  await sleep(600);
  const last = volumes.at(-1) ?? [];
  check('audio levels reported, loudest first', last.length === 2 && last[0].id === producers[0].p.id
    && last[0].volume === -20 && last[1].volume === -70, JSON.stringify(last));
  check('dominant speaker is the one speaking', dominant.at(-1) === producers[0].p.id, `${dominant.length} events`);
  // The observer's interval is 1 s; a busy machine may take longer to get there.
  await waitFor(() => silences >= 1, 5000);
  check('silence after the streams stop', silences >= 1, `${silences}`);
  await audioLevel.removeProducer({ producerId: producers[0].p.id });
  const dump = await router.dump();
  const entry = dump.mapProducerIdObserverIds.find((e) => e.key === producers[0].p.id);
  check('router dump maps producers to observers', entry?.values.length === 1 && entry.values[0] === activeSpeaker.id,
    JSON.stringify(entry));
} catch (error) {
  check('scenario ran', false, error.stack ?? String(error));
} finally {
  for (const s of socks) s.close();
  worker?.close();
}
finish();
