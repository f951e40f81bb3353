// The room page: joins over a WebSocket, sends camera + microphone (3 simulcast layers) and a
// chat DataChannel with mediasoup-client, consumes everyone else, and draws the stats the server
// forwards from the worker once a second. Everything shown as a number comes from the worker,
// except the decoded size of a video, which is what this browser made of what it received.
import { Device } from 'mediasoup-client';
import 'uplot/dist/uPlot.min.css';
import './style.css';
import { Chart } from './chart.js';

const $ = (sel, root = document) => root.querySelector(sel);
const el = (tag, attrs = {}, ...children) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  e.append(...children);
  return e;
};
const kbps = (bps) => (bps == null ? null : bps / 1000);

// --- signalling ------------------------------------------------------------------------------
class Signal {
  constructor(url) {
    this.ws = new WebSocket(url);
    this.pending = new Map();
    this.nextId = 1;
    this.handlers = {};
    this.opened = new Promise((resolve, reject) => {
      this.ws.onopen = resolve;
      this.ws.onerror = () => reject(new Error('cannot reach the room server'));
    });
    this.ws.onmessage = (e) => {
      const msg = JSON.parse(e.data);
      if (msg.response) {
        const p = this.pending.get(msg.id);
        this.pending.delete(msg.id);
        if (msg.ok) p?.resolve(msg.data);
        else p?.reject(new Error(msg.error));
      } else if (msg.notification) {
        Promise.resolve(this.handlers[msg.method]?.(msg.data)).catch((err) => console.error(msg.method, err));
      }
    };
    this.ws.onclose = () => this.handlers.closed?.();
  }
  request(method, data = {}) {
    const id = this.nextId++;
    this.ws.send(JSON.stringify({ id, method, data }));
    return new Promise((resolve, reject) => this.pending.set(id, { resolve, reject }));
  }
}

// --- state ----------------------------------------------------------------------------------
const room = {
  peerId: null,
  device: null,
  send: null,
  recv: null,
  names: new Map(), // peerId → name
  remotes: new Map(), // peerId → Remote
  consumers: new Map(), // consumerId → { consumer, remote }
  charts: {},
  chat: [],
  dataProducer: null,
};
window.room = room; // for the headless check and for people poking at it in devtools

const signal = new Signal(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`);
const status = (text) => { $('#status').textContent = text; };

// --- worker panel ---------------------------------------------------------------------------
let workerChart = null;
function showWorker(w) {
  const mb = (kb) => (kb == null ? '–' : `${(kb / 1024).toFixed(1)} MB`);
  $('#worker-panel').replaceChildren(
    el('span', {}, 'worker pid ', el('b', {}, String(w.pid))),
    el('span', {}, 'CPU ', el('b', {}, w.cpu == null ? '–' : `${w.cpu.toFixed(1)} %`)),
    el('span', {}, 'RSS ', el('b', {}, mb(w.rssKb)), ` (max ${mb(w.maxRssKb)})`),
    el('span', { class: 'bin', title: w.path ?? w.bin }, 'binary ', el('code', {}, w.bin),
      w.binBytes ? ` (${(w.binBytes / 1e6).toFixed(1)} MB)` : ''),
    el('span', {}, w.host),
  );
}

// --- local participant ------------------------------------------------------------------------
function buildLocal(name) {
  const video = el('video', { class: 'local', muted: '', autoplay: '', playsinline: '' });
  video.muted = true;
  const buttons = el('div', { class: 'control-row' });
  const me = el('div', { class: 'card' }, el('h3', {}, `You: ${name}`), video, buttons);
  const sendChart = new Chart(me, 'Sent, as the worker receives it (kbps)', ['r0 (¼)', 'r1 (½)', 'r2 (full)', 'audio']);
  const sendScores = new Chart(me, 'Producer scores (0–10)', ['r0', 'r1', 'r2', 'audio'], { range: [0, 10] });
  const transportCard = el('div', { class: 'card' }, el('h3', {}, 'Transports'));
  const transportInfo = el('p', { class: 'info' });
  transportCard.append(transportInfo);
  const tChart = new Chart(transportCard, 'Worker transport bitrate (kbps)',
    ['in (send transport)', 'out (recv transport)', 'available outgoing']);
  const aobNote = el('p', { class: 'hint' });
  transportCard.append(aobNote);
  workerChart = new Chart(transportCard, 'Worker CPU (%) and RSS (MB)', ['CPU %', 'RSS MB']);

  const log = el('div', { class: 'chat-log' });
  const input = el('input', { placeholder: 'Say something…', maxlength: '500' });
  const sendMsg = () => {
    const text = input.value.trim();
    if (!text || !room.dataProducer || room.dataProducer.readyState !== 'open') return;
    room.dataProducer.send(JSON.stringify({ text }));
    addChat(name, text, true);
    input.value = '';
  };
  input.addEventListener('keydown', (e) => { if (e.key === 'Enter') sendMsg(); });
  const chatCard = el('div', { class: 'card chat' }, el('h3', {}, 'Chat (DataChannel through the worker)'), log,
    el('div', { class: 'chat-input' }, input, el('button', { onclick: sendMsg }, 'Send')));
  $('#local-row').append(me, transportCard, chatCard);
  room.charts.send = sendChart;
  room.charts.sendScores = sendScores;
  room.charts.transport = tChart;
  room.charts.worker = workerChart;
  return { video, buttons, transportInfo, aobNote, log };
}
let local;

function addChat(from, text, mine = false) {
  room.chat.push({ from, text });
  local.log.append(el('div', { class: mine ? 'mine' : '' }, el('b', {}, `${from}: `), text));
  local.log.scrollTop = local.log.scrollHeight;
}

// --- remote participants ------------------------------------------------------------------------
/** One other participant: their video, the controls of our consumers of them, and charts. */
class Remote {
  constructor(peerId) {
    this.peerId = peerId;
    this.entries = {}; // kind → { consumer, refs, state } of our consumers of this participant
    this.stream = new MediaStream();
    this.video = el('video', { autoplay: '', playsinline: '' });
    this.video.muted = true;
    this.video.srcObject = this.stream;
    this.title = el('h3', {}, this.name());
    this.size = el('span', { class: 'size' });
    const sound = el('button', { class: 'small', onclick: () => {
      this.video.muted = !this.video.muted;
      sound.textContent = this.video.muted ? 'Unmute' : 'Mute';
      this.video.play().catch(() => {});
    } }, 'Unmute');
    this.controls = el('div', { class: 'controls' });
    this.state = el('p', { class: 'info' });
    this.card = el('div', { class: 'card remote', 'data-peer': peerId }, this.title,
      el('div', { class: 'video-box' }, this.video, el('div', { class: 'overlay' }, this.size, sound)),
      this.controls, this.state);
    this.bitrate = new Chart(this.card, 'Forwarded to you (kbps)', ['video', 'audio']);
    this.layers = new Chart(this.card, 'Layers (current / preferred)',
      ['spatial', 'temporal', 'preferred spatial', 'preferred temporal'], { range: [0, 3], stepped: true });
    this.scores = new Chart(this.card, 'Scores (0–10)', ['consumer', 'producer'], { range: [0, 10] });
    this.rtt = new Chart(this.card, 'RTT to you (ms)', ['video', 'audio']);
    $('#remotes').append(this.card);
    $('#alone').hidden = true;
    this.timer = setInterval(() => {
      this.size.textContent = this.video.videoWidth ? `decoding ${this.video.videoWidth}×${this.video.videoHeight}` : 'no video yet';
    }, 500);
  }
  name() { return room.names.get(this.peerId) ?? this.peerId; }
  rename() { this.title.textContent = this.name(); }
  remove() {
    clearInterval(this.timer);
    this.card.remove();
    room.remotes.delete(this.peerId);
    $('#alone').hidden = room.remotes.size > 0;
  }

  /** The controls of one consumer; they only ask the server and show what the worker then reports. */
  addControls(consumer, info) {
    const row = el('div', { class: 'control-row' }, el('span', { class: 'kind' }, consumer.kind));
    const pause = el('button', { class: 'small' }, 'Pause');
    const apply = (s) => this.applyState(consumer.id, s);
    pause.addEventListener('click', () => {
      const method = pause.dataset.paused === '1' ? 'resumeConsumer' : 'pauseConsumer';
      signal.request(method, { consumerId: consumer.id }).then(apply);
    });
    row.append(pause);
    const refs = { pause, row };
    const enc = consumer.rtpParameters.encodings?.[0] ?? {};
    const m = /^L(\d+)T(\d+)/.exec(enc.scalabilityMode ?? '');
    if (consumer.kind === 'video' && (info.type === 'simulcast' || info.type === 'svc')) {
      const spatial = m ? Number(m[1]) : 1;
      const temporal = m ? Number(m[2]) : 1;
      const select = (n, label) => {
        const s = el('select', { 'aria-label': label });
        for (let i = n - 1; i >= 0; i--) s.append(el('option', { value: String(i) }, `${label[0].toUpperCase()}${i}`));
        return s;
      };
      refs.spatial = select(spatial, 'spatial');
      refs.temporal = select(temporal, 'temporal');
      const send = () => signal.request('setPreferredLayers', {
        consumerId: consumer.id, spatialLayer: Number(refs.spatial.value), temporalLayer: Number(refs.temporal.value),
      }).then(apply);
      refs.spatial.addEventListener('change', send);
      refs.temporal.addEventListener('change', send);
      row.append(el('label', {}, 'layer ', refs.spatial, refs.temporal));
    }
    refs.priority = el('input', { type: 'number', min: '1', max: '255', value: String(info.priority ?? 1), 'aria-label': 'priority' });
    refs.priority.addEventListener('change', () => signal.request('setPriority', {
      consumerId: consumer.id, priority: Math.max(1, Math.min(255, Number(refs.priority.value) || 1)),
    }).then(apply));
    row.append(el('label', {}, 'priority ', refs.priority));
    if (consumer.kind === 'video') {
      row.append(el('button', { class: 'small', onclick: () => signal.request('requestKeyFrame', { consumerId: consumer.id }) }, 'Key frame'));
    }
    this.controls.append(row);
    this.entries[consumer.kind] = { consumer, refs, state: { ...info } };
    this.applyState(consumer.id, info);
  }

  applyState(consumerId, s) {
    const entry = Object.values(this.entries).find((e) => e.consumer.id === consumerId);
    if (!entry) return;
    Object.assign(entry.state, s);
    const { refs, state } = entry;
    refs.pause.dataset.paused = state.paused ? '1' : '0';
    refs.pause.textContent = state.paused ? 'Resume' : 'Pause';
    if (refs.spatial && state.preferredLayers && document.activeElement !== refs.spatial) {
      refs.spatial.value = String(state.preferredLayers.spatialLayer);
    }
    if (refs.temporal && state.preferredLayers?.temporalLayer != null && document.activeElement !== refs.temporal) {
      refs.temporal.value = String(state.preferredLayers.temporalLayer);
    }
    if (document.activeElement !== refs.priority && state.priority) refs.priority.value = String(state.priority);
    this.describe();
  }

  describe() {
    const v = this.entries.video?.state;
    const a = this.entries.audio?.state;
    const parts = [];
    const layers = (l) => (l ? `S${l.spatialLayer}${l.temporalLayer != null ? ` T${l.temporalLayer}` : ''}` : 'none');
    const flow = (x) => (x.paused ? 'paused by you' : x.producerPaused ? 'paused by sender' : 'flowing');
    if (v) {
      parts.push(`video ${flow(v)}`);
      if (v.type !== 'simple') parts.push(`current ${layers(v.currentLayers)}, preferred ${layers(v.preferredLayers)}`);
      if (v.score) parts.push(`score ${v.score.score} (producer ${v.score.producerScore})`);
    }
    if (a) parts.push(`audio ${flow(a)}`);
    this.state.textContent = parts.join(' · ');
  }

  /** One second of the worker's stats for our consumers of this participant. */
  onStats(t, list) {
    for (const c of list) this.applyState(c.id, c);
    const v = list.find((c) => c.kind === 'video');
    const a = list.find((c) => c.kind === 'audio');
    const rtt = (c) => (c?.out?.rtt ? c.out.rtt : null);
    this.bitrate.push(t, [kbps(v?.out?.bitrate), kbps(a?.out?.bitrate)]);
    this.rtt.push(t, [rtt(v), rtt(a)]);
    if (v) {
      this.layers.push(t, [v.currentLayers?.spatialLayer ?? null, v.currentLayers?.temporalLayer ?? null,
        v.preferredLayers?.spatialLayer ?? null, v.preferredLayers?.temporalLayer ?? null]);
      this.scores.push(t, [v.score?.score ?? null, v.score?.producerScore ?? null]);
    }
  }
}

function remoteFor(peerId) {
  let r = room.remotes.get(peerId);
  if (!r) {
    r = new Remote(peerId);
    room.remotes.set(peerId, r);
  }
  return r;
}

// --- notifications ------------------------------------------------------------------------------
signal.handlers = {
  closed: () => status('disconnected from the room server'),
  peerJoined: ({ id, name }) => {
    room.names.set(id, name);
    room.remotes.get(id)?.rename();
  },
  peerLeft: ({ id }) => room.remotes.get(id)?.remove(),
  async newConsumer(info) {
    const consumer = await room.recv.consume({
      id: info.id, producerId: info.producerId, kind: info.kind, rtpParameters: info.rtpParameters,
    });
    const remote = remoteFor(info.peerId);
    room.consumers.set(consumer.id, { consumer, remote });
    remote.stream.addTrack(consumer.track);
    remote.addControls(consumer, info);
    remote.applyState(consumer.id, await signal.request('resumeConsumer', { consumerId: consumer.id }));
    remote.video.play().catch(() => {});
  },
  consumerClosed({ consumerId }) {
    const entry = room.consumers.get(consumerId);
    if (!entry) return;
    room.consumers.delete(consumerId);
    entry.consumer.close();
    entry.remote.stream.removeTrack(entry.consumer.track);
  },
  consumerLayers({ consumerId, layers }) {
    room.consumers.get(consumerId)?.remote.applyState(consumerId, { currentLayers: layers });
  },
  consumerState(s) {
    room.consumers.get(s.consumerId)?.remote.applyState(s.consumerId, s);
  },
  async newDataConsumer(info) {
    const dc = await room.recv.consumeData({
      id: info.id, dataProducerId: info.dataProducerId, sctpStreamParameters: info.sctpStreamParameters,
      label: info.label, protocol: info.protocol,
    });
    dc.on('message', (data) => {
      try {
        addChat(room.names.get(info.peerId) ?? info.peerId, String(JSON.parse(data).text));
      } catch { /* not ours */ }
    });
  },
  stats(s) {
    showWorker(s.worker);
    room.lastStats = s;
    const t = s.t;
    workerChart.push(t, [s.worker.cpu, s.worker.rssKb == null ? null : s.worker.rssKb / 1024]);
    const send = s.transports.find((x) => x.direction === 'send');
    const recv = s.transports.find((x) => x.direction === 'recv');
    room.charts.transport.push(t, [kbps(send?.recvBitrate), kbps(recv?.sendBitrate), kbps(recv?.availableOutgoingBitrate)]);
    local.aobNote.textContent = recv?.availableOutgoingBitrate != null
      ? `available outgoing bitrate (worker's estimate towards you): ${Math.round(recv.availableOutgoingBitrate / 1000)} kbps`
      : 'available outgoing bitrate: not reported by this worker (no send-side bandwidth estimation yet)';
    local.transportInfo.textContent = s.transports
      .map((x) => `${x.direction}: ICE ${x.iceState}, DTLS ${x.dtlsState}${x.tuple ? `, ${x.tuple}` : ''}`).join(' · ');
    const video = s.producers.find((p) => p.kind === 'video');
    const audio = s.producers.find((p) => p.kind === 'audio');
    const byRid = (rid, field) => video?.streams.find((x) => x.rid === rid)?.[field] ?? null;
    const aud = (field) => audio?.streams[0]?.[field] ?? null;
    room.charts.send.push(t, [kbps(byRid('r0', 'bitrate')), kbps(byRid('r1', 'bitrate')), kbps(byRid('r2', 'bitrate')), kbps(aud('bitrate'))]);
    room.charts.sendScores.push(t, [byRid('r0', 'score'), byRid('r1', 'score'), byRid('r2', 'score'), aud('score')]);
    for (const remote of room.remotes.values()) {
      const mine = s.consumers.filter((c) => c.peerId === remote.peerId);
      if (mine.length) remote.onStats(t, mine);
    }
  },
};

/** Camera and microphone; whichever of them is there (chat alone works without either). */
async function capture() {
  const video = { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 30 } };
  for (const constraints of [{ audio: true, video }, { video }, { audio: true }]) {
    try {
      return await navigator.mediaDevices.getUserMedia(constraints);
    } catch (error) {
      console.warn('getUserMedia', constraints, error.message);
    }
  }
  status('no camera or microphone: chat and watching only');
  return new MediaStream();
}

// --- joining ------------------------------------------------------------------------------------
async function join() {
  const name = $('#name').value.trim() || `guest-${Math.floor(Math.random() * 1000)}`;
  localStorage.setItem('room-name', name);
  $('#join-button').disabled = true;
  status('joining…');
  await signal.opened;
  const device = new Device();
  await device.load({ routerRtpCapabilities: await signal.request('routerRtpCapabilities') });
  room.device = device;
  const joined = await signal.request('join', {
    name, rtpCapabilities: device.rtpCapabilities,
  });
  room.peerId = joined.peerId;
  for (const p of joined.peers) room.names.set(p.id, p.name);
  room.send = device.createSendTransport(joined.send);
  room.recv = device.createRecvTransport(joined.recv);
  for (const t of [room.send, room.recv]) {
    t.on('connect', ({ dtlsParameters }, ok, fail) =>
      signal.request('connectTransport', { transportId: t.id, dtlsParameters }).then(ok, fail));
  }
  room.send.on('produce', ({ kind, rtpParameters }, ok, fail) =>
    signal.request('produce', { transportId: room.send.id, kind, rtpParameters }).then(ok, fail));
  room.send.on('producedata', ({ sctpStreamParameters, label, protocol }, ok, fail) =>
    signal.request('produceData', { transportId: room.send.id, sctpStreamParameters, label, protocol }).then(ok, fail));

  $('#join').hidden = true;
  $('#room').hidden = false;
  local = buildLocal(name);
  showWorker(joined.worker);

  status('');
  const stream = await capture();
  local.video.srcObject = stream;
  for (const track of stream.getTracks()) {
    // Three simulcast layers, a quarter, half and full size; each with Chrome's three temporal
    // layers (mediasoup-client's default L1T3), so the consumer's scalabilityMode is L3T3.
    const encodings = track.kind === 'video'
      ? [{ scaleResolutionDownBy: 4, maxBitrate: 150_000 }, { scaleResolutionDownBy: 2, maxBitrate: 500_000 },
        { scaleResolutionDownBy: 1, maxBitrate: 1_500_000 }]
      : undefined;
    const producer = await room.send.produce({ track, encodings, codecOptions: track.kind === 'video' ? { videoGoogleStartBitrate: 1000 } : undefined });
    // Pausing here pauses the producer in the worker: the others see "paused by sender".
    const button = el('button', { class: 'small' }, `Pause ${track.kind === 'video' ? 'camera' : 'microphone'}`);
    button.addEventListener('click', async () => {
      const pause = !producer.paused;
      await signal.request(pause ? 'pauseProducer' : 'resumeProducer', { producerId: producer.id });
      if (pause) producer.pause(); else producer.resume();
      button.textContent = `${pause ? 'Resume' : 'Pause'} ${track.kind === 'video' ? 'camera' : 'microphone'}`;
    });
    local.buttons.append(button);
  }
  room.dataProducer = await room.send.produceData({ label: 'chat', ordered: true });
  await signal.request('ready');
}

$('#name').value = localStorage.getItem('room-name') ?? '';
$('#join-button').addEventListener('click', () => join().catch((error) => {
  console.error(error);
  status(`could not join: ${error.message}`);
  $('#join-button').disabled = false;
}));
$('#name').addEventListener('keydown', (e) => { if (e.key === 'Enter') $('#join-button').click(); });
fetch('/api/worker').then((r) => r.json()).then((w) => showWorker({ ...w, cpu: null, rssKb: null, maxRssKb: null }))
  .catch(() => {});
