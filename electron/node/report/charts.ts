// Inline SVG line charts for the printed report: no script, no fonts to load,
// deterministic text (fixed decimals) so identical data gives identical bytes.

export interface ChartSeries {
  name: string;
  points: [number, number][];
}

export interface LineChartInput {
  title: string;
  unit: string;
  series: ChartSeries[];
  /** X origin (epoch ms); the axis shows minutes since it. */
  t0: number;
  /** Optional horizontal limit line (e.g. the thermal ceiling). */
  limit?: { value: number; label: string } | null;
}

// Colour-blind-friendly palette (Okabe–Ito plus darker extras), printable on white.
const COLOURS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#8C564B', '#7F7F7F', '#BCBD22', '#17BECF', '#9467BD'];

const W = 680;
const H = 200;
const M = { l: 52, r: 14, t: 12, b: 30 };

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

function fmt(n: number): string {
  const r = Math.round(n * 100) / 100;
  return Number.isInteger(r) ? String(r) : r.toFixed(Math.abs(r) < 10 ? 2 : 1);
}

/** "Nice" axis ticks (1, 2, 5 × 10^k) covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) {
    const pad = Math.abs(lo) > 0 ? Math.abs(lo) * 0.05 : 1;
    lo -= pad;
    hi += pad;
  }
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag);
  const start = Math.floor(lo / step) * step;
  const ticks: number[] = [];
  for (let v = start; v <= hi + step * 1e-9; v += step) ticks.push(Math.round(v / step) * step);
  if ((ticks[ticks.length - 1] ?? lo) < hi) ticks.push((ticks[ticks.length - 1] ?? lo) + step);
  return ticks;
}

export function renderLineChart(input: LineChartInput): string {
  const all = input.series.flatMap((s) => s.points);
  if (all.length === 0) return '';
  let ymin = Math.min(...all.map((p) => p[1]));
  let ymax = Math.max(...all.map((p) => p[1]));
  if (input.limit) {
    ymin = Math.min(ymin, input.limit.value);
    ymax = Math.max(ymax, input.limit.value);
  }
  const yt = niceTicks(ymin, ymax);
  const y0 = yt[0] as number;
  const y1 = yt[yt.length - 1] as number;
  const xmin = Math.min(...all.map((p) => p[0]));
  const xmax = Math.max(xmin + 1, ...all.map((p) => p[0]));
  const xt = niceTicks((xmin - input.t0) / 60000, (xmax - input.t0) / 60000, 6);
  const x0 = xt[0] as number;
  const x1 = xt[xt.length - 1] as number;
  const px = (tsMin: number): number => M.l + ((tsMin - x0) / (x1 - x0 || 1)) * (W - M.l - M.r);
  const py = (v: number): number => H - M.b - ((v - y0) / (y1 - y0 || 1)) * (H - M.t - M.b);
  const parts: string[] = [];
  parts.push(`<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" role="img" aria-label="${escapeXml(input.title)}">`);
  for (const v of yt) {
    const y = py(v).toFixed(1);
    parts.push(`<line x1="${M.l}" x2="${W - M.r}" y1="${y}" y2="${y}" stroke="#ddd" stroke-width="0.6"/>`);
    parts.push(`<text x="${M.l - 6}" y="${y}" text-anchor="end" dominant-baseline="middle" font-size="10">${fmt(v)}</text>`);
  }
  for (const v of xt) {
    const x = px(v).toFixed(1);
    parts.push(`<line x1="${x}" x2="${x}" y1="${M.t}" y2="${H - M.b}" stroke="#eee" stroke-width="0.6"/>`);
    parts.push(`<text x="${x}" y="${H - M.b + 13}" text-anchor="middle" font-size="10">${fmt(v)}</text>`);
  }
  parts.push(`<text x="${W - M.r}" y="${H - 3}" text-anchor="end" font-size="10">minutes since run start</text>`);
  parts.push(`<text x="12" y="${M.t + (H - M.t - M.b) / 2}" text-anchor="middle" font-size="10" transform="rotate(-90 12 ${M.t + (H - M.t - M.b) / 2})">${escapeXml(input.unit)}</text>`);
  parts.push(`<rect x="${M.l}" y="${M.t}" width="${W - M.l - M.r}" height="${H - M.t - M.b}" fill="none" stroke="#999" stroke-width="0.8"/>`);
  input.series.forEach((s, i) => {
    const d = s.points.map((p, j) => `${j === 0 ? 'M' : 'L'}${px((p[0] - input.t0) / 60000).toFixed(1)} ${py(p[1]).toFixed(1)}`).join('');
    parts.push(`<path d="${d}" fill="none" stroke="${COLOURS[i % COLOURS.length]}" stroke-width="1.4" stroke-linejoin="round"/>`);
  });
  if (input.limit) {
    const y = py(input.limit.value).toFixed(1);
    parts.push(`<line x1="${M.l}" x2="${W - M.r}" y1="${y}" y2="${y}" stroke="#C00" stroke-width="1.2" stroke-dasharray="6 4"/>`);
    parts.push(`<text x="${W - M.r - 4}" y="${(Number(y) - 4).toFixed(1)}" text-anchor="end" font-size="10" fill="#C00">${escapeXml(input.limit.label)}</text>`);
  }
  parts.push('</svg>');
  const legend = input.series
    .map((s, i) => `<span class="key"><span class="swatch" style="background:${COLOURS[i % COLOURS.length]}"></span>${escapeXml(s.name)}</span>`)
    .join(' ');
  return `<figure class="chart-box"><figcaption>${escapeXml(input.title)}</figcaption>${parts.join('')}<div class="legend">${legend}</div></figure>`;
}
