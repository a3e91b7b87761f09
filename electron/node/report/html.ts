import type { z } from 'zod';
import { stageDefinition, type StageName } from '../../../common/stages/index.ts';
import { summaryView } from '../../../common/stages/summary-view.ts';
import { renderLineChart, escapeXml as esc } from './charts.ts';
import { serializeReportJson } from './json.ts';
import type { ReportData, ReportSeries, Verdict } from './types.ts';

// report.html: one self-contained page set (inline CSS and SVG, no script, no
// network) laid out for printing on A4 and Letter. Page one carries the
// verdict, the host's identity and the stage table; each later section starts
// on a new page. Deterministic: no clock, stable order (see gather.ts).

const MAX_CHART_SERIES = 12;

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

export function fmtBytes(n: number | null): string {
  if (n === null) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

function fmtBps(n: number | null): string {
  if (n === null) return '—';
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} Gbit/s`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} Mbit/s`;
  return `${Math.round(n)} bit/s`;
}

function fmtNum(n: number | null, digits = 0): string {
  return n === null ? '—' : n.toFixed(digits);
}

function passCell(passed: boolean | null): string {
  if (passed === null) return '<td class="muted">—</td>';
  return passed ? '<td class="ok">pass</td>' : '<td class="bad">FAIL</td>';
}

function outcomeCell(outcome: string | null): string {
  if (outcome === null) return '<td class="muted">not reached</td>';
  const cls = outcome === 'passed' ? 'ok' : outcome === 'overridden' ? 'warn' : outcome === 'skipped' ? 'muted' : 'bad';
  return `<td class="${cls}">${esc(outcome)}</td>`;
}

function table(headers: string[], rows: string[], cls = ''): string {
  return `<table${cls ? ` class="${cls}"` : ''}><thead><tr>${headers.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function td(text: string | number | null, cls = ''): string {
  const v = text === null ? '—' : String(text);
  return `<td${cls ? ` class="${cls}"` : ''}>${esc(v)}</td>`;
}

const VERDICT_CLASS: Record<Verdict, string> = { PASS: 'pass', FAIL: 'fail', 'PASS WITH OVERRIDES': 'override', INCOMPLETE: 'incomplete' };

/** Text safe inside a CSS string in a <style> element: no quotes, backslashes, angle brackets or line breaks. */
function cssString(s: string): string {
  return s.replace(/["\\<>\r\n]/g, ' ');
}

function css(data: ReportData, sha: string): string {
  const footer = `Vetting · ${data.host.name} · run #${data.run.id} · report.json sha256 ${sha}`;
  return `
@page { margin: 14mm 12mm 16mm 12mm;
  @bottom-left { content: "${cssString(footer)}"; font: 6.5pt ui-monospace, "DejaVu Sans Mono", monospace; color: #555; }
  @bottom-right { content: "Page " counter(page) " of " counter(pages); font: 8pt system-ui, "DejaVu Sans", sans-serif; color: #555; }
}
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { font: 9.5pt/1.35 system-ui, "DejaVu Sans", "Liberation Sans", Arial, sans-serif; color: #111; margin: 0; }
main { max-width: 190mm; margin: 0 auto; padding: 6mm 0; }
h1 { font-size: 15pt; margin: 0 0 1mm; }
h2 { font-size: 12pt; margin: 5mm 0 2mm; border-bottom: 1.5px solid #333; padding-bottom: 1mm; break-after: avoid; }
h3 { font-size: 10pt; margin: 4mm 0 1.5mm; break-after: avoid; }
.sub { color: #555; margin: 0 0 3mm; }
section.major { break-before: page; }
section.major:first-of-type { break-before: auto; }
table { width: 100%; border-collapse: collapse; margin: 1mm 0 3mm; font-size: 8.5pt; }
thead { display: table-header-group; }
tr, .verdict, .chart-box, .kv { break-inside: avoid; page-break-inside: avoid; }
th, td { border: 0.6pt solid #bbb; padding: 1.2mm 1.6mm; text-align: left; vertical-align: top; overflow-wrap: break-word; }
td.mono, .mono { overflow-wrap: anywhere; }
td.time { white-space: nowrap; }
th { background: #eef0f3; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.ok { color: #0a6b2d; font-weight: 600; }
.bad { color: #b00020; font-weight: 700; }
.warn { color: #9a5b00; font-weight: 600; }
.muted { color: #777; }
.verdict { border: 2.5pt solid; border-radius: 2mm; padding: 3mm 5mm; margin: 3mm 0 4mm; }
.verdict .word { font-size: 26pt; font-weight: 800; letter-spacing: 0.5pt; }
.verdict ul { margin: 1mm 0 0; padding-left: 5mm; }
.verdict.pass { border-color: #0a6b2d; background: #e8f5ec; color: #0a4d21; }
.verdict.fail { border-color: #b00020; background: #fdecee; color: #7a0016; }
.verdict.override { border-color: #b36b00; background: #fff4e0; color: #6b4000; }
.verdict.incomplete { border-color: #555; background: #f2f2f2; color: #333; }
.verdict table { color: #111; background: #fff; margin-top: 2mm; }
.ident { display: grid; grid-template-columns: 1fr 1fr; gap: 0 5mm; }
.ident table td:first-child { width: 34%; color: #444; background: #f7f7f8; }
.mono { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 8pt; }
.chart-box { margin: 2mm 0 4mm; }
.chart-box figcaption { font-weight: 600; margin-bottom: 1mm; }
svg.chart { width: 100%; height: auto; font-family: system-ui, "DejaVu Sans", sans-serif; }
.legend { font-size: 7.5pt; color: #333; }
.legend .key { display: inline-block; margin-right: 3mm; white-space: nowrap; }
.legend .swatch { display: inline-block; width: 3mm; height: 1.4mm; margin-right: 1mm; vertical-align: middle; }
footer.doc { margin-top: 6mm; border-top: 0.6pt solid #999; padding-top: 2mm; font-size: 7.5pt; color: #444; }
@media screen { body { background: #f4f5f7; } main { background: #fff; padding: 10mm 12mm; margin: 6mm auto; box-shadow: 0 1px 4px #0002; } section.major { border-top: 1px dashed #ccc; margin-top: 8mm; } }
`;
}

function verdictBlock(data: ReportData): string {
  const v = data.verdict;
  const reasons = v.reasons.length ? `<ul>${v.reasons.map((r) => `<li>${esc(r)}</li>`).join('')}</ul>` : '';
  const overrides = v.overrides.length
    ? table(
        ['Overridden stage', 'By', 'Reason', 'When'],
        v.overrides.map((o) => `<tr>${td(o.stage ?? '—')}${td(o.actor)}${td(o.reason ?? '(no reason recorded)')}${td(fmtTime(o.at))}</tr>`),
        'overrides',
      )
    : '';
  const wipe = data.run.wipeOverride.length ? `<p>Wipe-probe overridden for: <span class="mono">${esc(data.run.wipeOverride.join(', '))}</span></p>` : '';
  return `<div class="verdict ${VERDICT_CLASS[v.value]}" id="verdict"><div class="word">${esc(v.value)}</div>${reasons}${overrides}${wipe}</div>`;
}

function kvTable(rows: [string, string][], cls = 'kv'): string {
  return `<table class="${cls}"><tbody>${rows.map(([k, v]) => `<tr>${td(k)}<td>${v}</td></tr>`).join('')}</tbody></table>`;
}

function identity(data: ReportData): string {
  const h = data.host;
  const r = data.run;
  const hostRows: [string, string][] = [
    ['Host', `<strong>${esc(h.name)}</strong>`],
    ['Serial', `<span class="mono">${esc(h.serial ?? '—')}</span>`],
    ['Model', esc([h.manufacturer, h.model].filter(Boolean).join(' ') || '—')],
    ['MACs', h.macs.length ? `<span class="mono">${h.macs.map(esc).join('<br>')}</span>` : '—'],
    ['CPU', esc(h.cpu ?? '—')],
    ['Memory', esc(h.memoryBytes === null ? '—' : fmtBytes(h.memoryBytes))],
  ];
  const runRows: [string, string][] = [
    ['Run', `<strong>#${r.id}</strong>`],
    ['Profile', esc(r.profile)],
    ['State', esc(r.state)],
    ['Created', esc(fmtTime(r.createdAt))],
    ['Started', esc(fmtTime(r.startedAt))],
    ['Finished', esc(fmtTime(r.finishedAt))],
    ['Duration', esc(fmtDuration(r.durationMs))],
    ['Boot MAC', `<span class="mono">${esc(h.bootMac ?? '—')}</span>`],
  ];
  return `<div class="ident">${kvTable(hostRows, 'kv host-ident')}${kvTable(runRows, 'kv run-ident')}</div>`;
}

function stageTable(data: ReportData): string {
  return table(
    ['#', 'Stage', 'Outcome', 'Attempts', 'Started', 'Duration', 'Note'],
    data.stages.map(
      (s, i) =>
        `<tr>${td(i + 1, 'num')}${td(s.name)}${outcomeCell(s.outcome)}${td(s.attempts, 'num')}${td(fmtTime(s.startedAt), 'time')}${td(fmtDuration(s.durationMs), 'num')}${td(stageNote(data, s.name, s.message))}</tr>`,
    ),
    'stages',
  );
}

/** The stage's own message, plus a word on earlier attempts that were overridden or retried. */
function stageNote(data: ReportData, name: string, message: string | null): string {
  const earlier = data.attempts.filter((a) => a.name === name).slice(0, -1);
  const notes = earlier.map((a) => `attempt ${a.attempt} ${a.outcome ?? 'unfinished'}`);
  return [message, ...notes].filter(Boolean).join('; ');
}

function specSection(data: ReportData): string {
  const counts = (['critical', 'warning', 'info'] as const).map((s) => `${data.specDiffs.filter((d) => d.severity === s).length} ${s}`).join(' · ');
  if (data.specDiffs.length === 0) return '<h3>Spec differences</h3><p class="muted">No differences from the expected spec were recorded.</p>';
  return `<h3>Spec differences <span class="muted">(${counts})</span></h3>${table(
    ['Severity', 'Field', 'Expected', 'Actual', 'Rule'],
    data.specDiffs.map((d) => `<tr><td class="${d.severity === 'critical' ? 'bad' : d.severity === 'warning' ? 'warn' : 'muted'}">${esc(d.severity)}</td>${td(d.field)}${td(d.expected)}${td(d.actual)}${td(d.rule)}</tr>`),
    'spec-diffs',
  )}`;
}

// Interim: each stage's summary drawn from its schema (the report engineer replaces this).
function cpuPsuSection(data: ReportData): string {
  return data.results
    .filter((r) => r.stage !== 'Inventory')
    .map((r) => {
      const view = summaryView(stageDefinition(r.stage as StageName).summary as z.ZodType, r.summary);
      const tables = view.tables.map((t) =>
        table(
          t.columns.map((c) => c.label),
          t.rows.map((row) => `<tr>${t.columns.map((c) => td(row.cells[c.key]?.text ?? null)).join('')}</tr>`),
          'results',
        ),
      );
      const facts = view.facts.length ? kvTable(view.facts.map((f) => [f.label, esc(f.cell.text)]), 'kv') : '';
      return `<h3>${esc(r.stage)}</h3>${facts}${tables.join('')}`;
    })
    .join('');
}

function chartsSection(data: ReportData): string {
  const groups = new Map<string, ReportSeries[]>();
  for (const s of data.measurements.series) {
    const key = `${s.kind}\u0000${s.unit}`;
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  const t0 = Date.parse(data.run.startedAt ?? data.run.createdAt);
  const origin = Number.isFinite(t0) ? t0 : Math.min(...data.measurements.series.flatMap((s) => s.points.map((p) => p[0])));
  const charts: string[] = [];
  for (const kind of ['thermal', 'psu', 'power']) {
    for (const [key, list] of groups) {
      if (!key.startsWith(`${kind}\u0000`)) continue;
      const unit = key.split('\u0000')[1] ?? '';
      // Too many sensors make an unreadable chart: keep the most extreme ones
      // (hottest for temperatures), all of them stay in report.json.
      const peak = (s: ReportSeries): number => Math.max(...s.points.map((p) => p[1]));
      const chosen = list.length > MAX_CHART_SERIES ? [...list].sort((a, b) => peak(b) - peak(a) || a.sensor.localeCompare(b.sensor)).slice(0, MAX_CHART_SERIES) : list;
      const limit = kind === 'thermal' && data.measurements.thermalCeilingC !== null ? { value: data.measurements.thermalCeilingC, label: `ceiling ${data.measurements.thermalCeilingC} °C` } : null;
      const title = `${kind === 'thermal' ? 'Temperatures' : kind === 'psu' ? 'PSU' : 'Power'} (${unit})${list.length > chosen.length ? ` — ${chosen.length} of ${list.length} sensors shown` : ''}`;
      if (kind === 'psu' && unit === 'V') {
        // Rails of 12 V and 3.3 V share no useful scale: plot each as its
        // deviation from its own baseline, so a dip on any rail is visible.
        const series = chosen.map((s) => {
          const base = s.points[0]?.[1] ?? 1;
          return { name: `${s.sensor} (baseline ${fmtNum(base, 2)} V)`, points: s.points.map((p) => [p[0], base ? ((p[1] - base) / base) * 100 : 0] as [number, number]) };
        });
        charts.push(renderLineChart({ title: `PSU rails: deviation from baseline (%)${title.includes('—') ? ` —${title.split('—')[1]}` : ''}`, unit: '% of baseline', t0: origin, series, limit: null }));
        continue;
      }
      charts.push(renderLineChart({ title, unit, t0: origin, series: chosen.map((s) => ({ name: s.sensor, points: s.points })), limit }));
    }
  }
  const aggregates = data.measurements.aggregates.length
    ? `<h3>Measurement summary</h3>${table(
        ['Kind', 'Sensor', 'Unit', 'Samples', 'Min', 'Avg', 'Max'],
        data.measurements.aggregates.map(
          (a) => `<tr>${td(a.kind)}${td(a.sensor)}${td(a.unit)}${td(a.count, 'num')}${td(fmtNum(a.min, 2), 'num')}${td(fmtNum(a.avg, 2), 'num')}${td(fmtNum(a.max, 2), 'num')}</tr>`,
        ),
        'aggregates',
      )}`
    : '';
  if (charts.length === 0 && !aggregates) return '<p class="muted">No sensor data was recorded for this run.</p>';
  return charts.join('') + aggregates;
}

function auditSection(data: ReportData): string {
  const trail = data.transitions.length
    ? table(
        ['When', 'From', 'To', 'Action', 'Actor', 'Reason'],
        data.transitions.map((t) => `<tr>${td(fmtTime(t.at))}${td(t.from)}${td(t.to)}${td(t.action, t.action === 'override' ? 'warn' : '')}${td(t.actor)}${td(t.reason)}</tr>`),
        'audit',
      )
    : '<p class="muted">No transitions recorded.</p>';
  const artifacts = data.artifacts.length
    ? `<h3>Artifacts</h3>${table(
        ['Name', 'Stage', 'Kind', 'Size', 'sha256'],
        data.artifacts.map((a) => `<tr>${td(a.name)}${td(a.stage)}${td(a.kind)}${td(fmtBytes(a.size), 'num')}<td class="mono">${esc(a.sha256)}</td></tr>`),
        'artifacts',
      )}`
    : '';
  const retries = data.attempts.length > data.stages.filter((s) => s.attempts > 0).length
    ? `<h3>All stage attempts</h3>${table(
        ['Stage', 'Attempt', 'Outcome', 'Started', 'Duration', 'Note'],
        data.attempts.map((a) => `<tr>${td(a.name)}${td(a.attempt, 'num')}${outcomeCell(a.outcome)}${td(fmtTime(a.startedAt))}${td(fmtDuration(a.durationMs), 'num')}${td(a.message)}</tr>`),
        'attempts',
      )}`
    : '';
  return trail + retries + artifacts;
}

/** Renders the whole report as one HTML document (a string); see docs/report-format.md. */
export function renderReportHtml(data: ReportData): string {
  const { sha256 } = serializeReportJson(data);
  const title = `Vetting report — ${data.host.name} — run #${data.run.id} — ${data.verdict.value}`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="report-json-sha256" content="${sha256}">
<title>${esc(title)}</title>
<style>${css(data, sha256)}</style>
</head>
<body>
<main>
<section class="major" id="summary">
<h1>Hardware vetting report: ${esc(data.host.name)}</h1>
<p class="sub">Run #${data.run.id} · profile ${esc(data.run.profile)} · ${esc(fmtTime(data.run.finishedAt ?? data.run.startedAt ?? data.run.createdAt))}</p>
${verdictBlock(data)}
${identity(data)}
<h2>Stages</h2>
${stageTable(data)}
</section>
<section class="major" id="results">
<h2>Results</h2>
${specSection(data)}



${cpuPsuSection(data)}
</section>
<section class="major" id="sensors">
<h2>Thermal and PSU</h2>
${chartsSection(data)}
</section>
<section class="major" id="audit">
<h2>Audit trail</h2>
${auditSection(data)}
<footer class="doc">Run #${data.run.id} · ${esc(data.host.name)} · report.json sha256 <span class="mono" id="json-sha256">${sha256}</span><br>The report.json stored with this run carries the same results in machine-readable form (schema version 1, docs/report.schema.json).</footer>
</section>
</main>
</body>
</html>
`;
}
