import { escapeXml } from './charts.ts';

// Small HTML builders for report.html. Every piece of text goes through esc():
// host names, stage messages, reasons and summaries come from agents on a
// hostile network and are never trusted as markup.

export const esc = escapeXml;

export function fmtTime(iso: string | null): string {
  if (!iso) return '—';
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) return iso;
  return `${new Date(t).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

export function fmtDuration(ms: number | null): string {
  if (ms === null) return '—';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

export function fmtNum(n: number | null, digits = 0): string {
  return n === null ? '—' : n.toFixed(digits);
}

/** A table cell holding text (escaped here). */
export function td(text: string | number | null, cls = ''): string {
  const v = text === null ? '—' : String(text);
  return `<td${cls ? ` class="${cls}"` : ''}>${esc(v)}</td>`;
}

/** A table: header texts are escaped here, rows are ready-made `<tr>` markup. */
export function table(headers: string[], rows: string[], cls = ''): string {
  return `<table${cls ? ` class="${cls}"` : ''}><thead><tr>${headers.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** A two-column label / value table; values are ready-made markup. */
export function kvTable(rows: [string, string][], cls = 'kv'): string {
  return `<table class="${cls}"><tbody>${rows.map(([k, v]) => `<tr>${td(k)}<td>${v}</td></tr>`).join('')}</tbody></table>`;
}

export function outcomeCell(outcome: string | null): string {
  if (outcome === null) return '<td class="muted">not reached</td>';
  const cls = outcome === 'passed' ? 'ok' : outcome === 'overridden' ? 'warn' : outcome === 'skipped' ? 'muted' : 'bad';
  return `<td class="${cls}">${esc(outcome)}</td>`;
}

/** A long list of short rows as tables side by side (two, or three): a half or a third of the height on paper. */
export function halves(rows: string[], draw: (rows: string[]) => string, atLeast = 8, columns: 2 | 3 = 2): string {
  if (rows.length < atLeast) return draw(rows);
  const size = Math.ceil(rows.length / columns);
  const parts = Array.from({ length: columns }, (_, i) => rows.slice(i * size, (i + 1) * size)).filter((p) => p.length);
  return `<div class="side-by-side${columns === 3 ? ' thirds' : ''}">${parts.map(draw).join('')}</div>`;
}
