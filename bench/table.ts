/** One row of the benchmark table (docs/performance.md explains each). */
export interface Figure {
  name: string;
  value: number;
  unit: string;
  baseline: number | null;
  baselineLabel: string | null;
  ratio: number | null;
  target: string | null;
  /** null when the figure has no target of its own. */
  met: boolean | null;
  /** What the benchmark verified about its own answer (counts, verdicts). */
  check?: string;
}

const fmt = (n: number | null) => (n === null || Number.isNaN(n) ? '—' : Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 1 ? n.toFixed(2) : n.toPrecision(3));

export function renderTable(figures: Figure[]): string {
  const rows = figures.map((f) => [f.name, `${fmt(f.value)} ${f.unit}`, f.baseline === null ? '—' : `${fmt(f.baseline)} (${f.baselineLabel})`, fmt(f.ratio), f.target ?? '—', f.met === null ? '' : f.met ? 'met' : 'MISSED']);
  const head = ['figure', 'value', 'baseline', 'ratio', 'target', ''];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
