// A small time-series chart over uPlot: the last minute of one-second samples, one line a series.
// A series with no value yet (null) is drawn as a gap and its legend shows "–", so a number the
// worker does not report today appears by itself the day it does.
import uPlot from 'uplot';

const WINDOW = 60;
const COLORS = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c'];

const format = (v) => (v == null ? '–' : Number.isInteger(v) ? String(v) : v.toFixed(1));
const clock = (t) => (t == null ? '–' : new Date(t * 1000).toLocaleTimeString([], { hour12: false }));
const compact = (v) => (Math.abs(v) >= 1000 ? `${+(v / 1000).toFixed(1)}k` : String(+v.toFixed(2)));

export class Chart {
  /**
   * @param {HTMLElement} parent where the chart is appended
   * @param {string} title
   * @param {string[]} labels one per series
   * @param {{range?: [number, number], stepped?: boolean}} [options]
   */
  constructor(parent, title, labels, options = {}) {
    this.title = title;
    this.labels = labels;
    this.data = [[], ...labels.map(() => [])];
    const box = document.createElement('div');
    box.className = 'chart';
    parent.append(box);
    const paths = options.stepped ? uPlot.paths.stepped({ align: 1 }) : undefined;
    this.plot = new uPlot({
      title,
      width: 340,
      height: 150,
      cursor: { drag: { x: false, y: false } },
      scales: {
        x: { time: true },
        y: options.range ? { range: (_u, _min, max) => [options.range[0], Math.max(options.range[1], max ?? 0)] } : { range: (_u, _min, max) => [0, Math.max(1, (max ?? 1) * 1.1)] },
      },
      axes: [{ size: 28 }, { size: 40, values: (_u, ticks) => ticks.map(compact) }],
      series: [{ value: (u, v, _si, idx) => clock(idx == null ? u.data[0].at(-1) : v) }, ...labels.map((label, i) => ({
        label, stroke: COLORS[i % COLORS.length], width: 2, paths, spanGaps: false,
        dash: label.startsWith('preferred') ? [6, 4] : undefined,
        // Under the cursor its value there; otherwise the latest sample.
        value: (u, v, si, idx) => format(idx == null ? u.data[si].at(-1) : v),
      }))],
    }, this.data, box);
    this.box = box;
  }

  /** Adds one sample: t in seconds, one value (or null) per series. */
  push(t, values) {
    this.data[0].push(t);
    values.forEach((v, i) => this.data[i + 1].push(v == null || Number.isNaN(v) ? null : v));
    if (this.data[0].length > WINDOW) for (const s of this.data) s.shift();
    this.plot.setData(this.data);
  }

  /** For the headless check: per series, how many samples have a value, how many are above 0, the last one. */
  summary() {
    return Object.fromEntries(this.labels.map((label, i) => {
      const ys = this.data[i + 1];
      return [label, { points: ys.filter((v) => v != null).length, positive: ys.filter((v) => v > 0).length, last: ys.at(-1) ?? null }];
    }));
  }
}
