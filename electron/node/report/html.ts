import { formatBytes } from '../../../common/format.ts';
import { PART_KINDS, extentText } from '../../../common/schema/coverage.ts';
import { STAGE_NAMES } from '../../../common/stages/index.ts';
import type { ViewCell } from '../../../common/stages/summary-view.ts';
import { NOT_TESTED_REASON, sameId, type CoverageLine } from '../../../common/verdict.ts';
import { Inventory } from '../../../common/schema/inventory.ts';
import { renderLineChart } from './charts.ts';
import { CHART_KINDS } from './gather.ts';
import { esc, fmtDuration, fmtNum, fmtTime, halves, outcomeCell, table, td } from './html-kit.ts';
import { liveImageSection } from './html-image.ts';
import { cellHtml, resultsHtml } from './html-results.ts';
import { REPORT_SCHEMA_VERSION, serializeReportJson } from './json.ts';
import { allTables, stageResultView } from './stage-view.ts';
import type { ReportData, ReportPart, ReportSeries, Verdict } from './types.ts';

// report.html: one self-contained page set (inline CSS and SVG, no script, no
// network) laid out for printing on A4 and Letter. Page one says what the run
// established: the result and why, whether it certifies anything at all, what
// was and was not tested per part, every failure and override with who and
// why, and who the host is. Stage results follow, each drawn from its stage's
// summary schema (html-results.ts). Deterministic: no clock, stable order.

const MAX_CHART_SERIES = 12;
/** Parts the bench replaces: the report prints each with its serial. */
const REPLACEABLE = new Set<ReportPart['kind']>(['disk', 'dimm', 'nic', 'gpu', 'pci']);

const VERDICT_CLASS: Record<Verdict, string> = { PASS: 'pass', FAIL: 'fail', 'PASS WITH OVERRIDES': 'override', INCOMPLETE: 'incomplete' };

/** Text safe inside a CSS string in a <style> element: no quotes, backslashes, angle brackets or line breaks. */
function cssString(s: string): string {
  return s.replace(/["\\<>\r\n]/g, ' ');
}

function css(data: ReportData, sha: string): string {
  const footer = `Vetting · ${data.host.name} · run #${data.run.id} · report.json sha256 ${sha}`;
  return `
@page { margin: 9mm 11mm 12mm 11mm;
  @bottom-left { content: "${cssString(footer)}"; font: 6pt ui-monospace, "DejaVu Sans Mono", monospace; color: #555; }
  @bottom-right { content: "Page " counter(page) " of " counter(pages); font: 7.5pt system-ui, "DejaVu Sans", sans-serif; color: #555; }
}
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { font: 8pt/1.2 system-ui, "DejaVu Sans", "Liberation Sans", Arial, sans-serif; color: #111; margin: 0; }
main { max-width: 190mm; margin: 0 auto; padding: 2mm 0; }
h1 { font-size: 13pt; margin: 0 0 0.5mm; }
h2 { font-size: 10pt; margin: 2.5mm 0 1mm; border-bottom: 1.2px solid #333; padding-bottom: 0.5mm; break-after: avoid; }
h3 { font-size: 8.5pt; margin: 1.6mm 0 0.6mm; break-after: avoid; }
h4 { font-size: 8pt; margin: 1.2mm 0 0.4mm; break-after: avoid; }
h5 { font-size: 7.5pt; margin: 1mm 0 0.5mm; break-after: avoid; }
.sub { color: #555; margin: 0 0 1.5mm; }
/* No section forces a new page: page one carries what decides the result, and the rest flows after it. */
table { width: 100%; border-collapse: collapse; margin: 0.4mm 0 1.2mm; font-size: 7pt; }
thead { display: table-header-group; }
tr, .verdict, .notice, .chart-box, .fact { break-inside: avoid; page-break-inside: avoid; }
th, td { border: 0.5pt solid #bbb; padding: 0.2mm 1.1mm; line-height: 1.15; text-align: left; vertical-align: top; overflow-wrap: break-word; }
td.mono, .mono { overflow-wrap: anywhere; }
td.time, td.nowrap { white-space: nowrap; }
th { background: #eef0f3; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.ok { color: #0a6b2d; font-weight: 600; }
.bad { color: #b00020; font-weight: 700; }
.warn { color: #9a5b00; font-weight: 600; }
.muted { color: #777; }
.verdict { border: 2pt solid; border-radius: 1.5mm; padding: 1.5mm 4mm; margin: 1.5mm 0 2mm; }
.verdict .word { font-size: 20pt; font-weight: 800; letter-spacing: 0.5pt; }
.verdict .rack { font-size: 10pt; font-weight: 700; margin: 0.5mm 0; }
.verdict ul { margin: 0.5mm 0 0; padding-left: 5mm; }
.verdict.pass { border-color: #0a6b2d; background: #e8f5ec; color: #0a4d21; }
.verdict.fail { border-color: #b00020; background: #fdecee; color: #7a0016; }
.verdict.override { border-color: #b36b00; background: #fff4e0; color: #6b4000; }
.verdict.incomplete { border-color: #555; background: #f2f2f2; color: #333; }
.notice { border: 2pt solid #b36b00; background: #fff4e0; color: #5a3600; border-radius: 1.5mm; padding: 1.5mm 4mm; margin: 1.5mm 0; font-size: 8.5pt; }
.notice strong { font-size: 9.5pt; }
.limit { font-weight: normal; color: #555; font-size: 6.5pt; }
.list ul { margin: 0.3mm 0 1mm; padding-left: 5mm; }
p.list.inline { margin: 0.3mm 0 1mm; }
.coverage-summary { margin: 0 0 0.5mm; font-weight: 600; }
table.coverage td:first-child { width: 24%; }
table.coverage td:nth-child(2) { width: 11%; white-space: nowrap; }
.check { display: inline; margin-right: 2.5mm; }
.facts { display: grid; grid-template-columns: repeat(3, 1fr); gap: 0 3mm; margin: 0.5mm 0 1.5mm; font-size: 7pt; }
.fact { border-bottom: 0.5pt solid #ddd; padding: 0.3mm 0; display: flex; justify-content: space-between; gap: 2mm; }
.fact .fk { color: #444; }
.fact.long { grid-column: 1 / -1; justify-content: flex-start; }
section.stage-result { margin-bottom: 1mm; }
.ident td.k { width: 11%; color: #444; background: #f7f7f8; }
.ident td { width: 39%; }
.mono { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 6.5pt; }
.sha { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 6pt; white-space: nowrap; }
.side-by-side { display: grid; grid-template-columns: 1fr 1fr; gap: 0 3mm; align-items: start; }
.side-by-side > *, .charts > * { min-width: 0; }
table.aggregates, table.artifacts { table-layout: fixed; }
table.artifacts th:nth-child(1) { width: 53%; } table.artifacts th:nth-child(2) { width: 17%; }
.side-by-side.thirds { grid-template-columns: 1fr 1fr 1fr; }
table.aggregates th { white-space: nowrap; } table.aggregates th:nth-child(1) { width: 52%; } table.aggregates th:nth-child(2) { width: 15%; } table.aggregates th:nth-child(n+3) { width: 11%; }
/* The audit trail's short columns never wrap: the reason takes the rest of the width. */
table.audit td:nth-child(-n+5) { white-space: nowrap; }
.live-image { font-size: 6.8pt; margin: 0.5mm 0; }
table.aggregates td:nth-child(1) { overflow-wrap: anywhere; }
table.wide { font-size: 6.2pt; }
table.wide th, table.wide td { padding: 0.3mm 0.7mm; }
/* A wide table's headings may break anywhere, so its columns are as narrow as their figures and the text columns get the room. */
table.wide th { font-size: 5.8pt; overflow-wrap: anywhere; }
table.wide td:first-child { white-space: nowrap; }
.charts { display: grid; grid-template-columns: 1fr 1fr; gap: 0 4mm; align-items: start; }
.chart-box { margin: 0.5mm 0 1mm; }
.chart-box figcaption { font-weight: 600; margin-bottom: 0.5mm; }
svg.chart { width: 100%; height: auto; font-family: system-ui, "DejaVu Sans", sans-serif; }
.legend { font-size: 6pt; color: #333; }
.legend .key { display: inline-block; margin-right: 2mm; white-space: nowrap; }
.legend .swatch { display: inline-block; width: 3mm; height: 1.2mm; margin-right: 0.8mm; vertical-align: middle; }
footer.doc { margin-top: 1.5mm; border-top: 0.5pt solid #999; padding-top: 0.5mm; font-size: 5.8pt; color: #444; }
@media screen { body { background: #f4f5f7; font-size: 9.5pt; } main { background: #fff; padding: 10mm 12mm; margin: 6mm auto; box-shadow: 0 1px 4px #0002; } section.major { border-top: 1px dashed #ccc; margin-top: 8mm; } }
`;
}

/** The banner of a demonstration profile: nobody may read its report as a certification. */
function notCertification(data: ReportData): string {
  if (data.verdict.certifies) return '';
  return `<div class="notice" id="not-certification"><strong>This report is not a certification.</strong> The <em>${esc(data.run.profile)}</em> profile is a demonstration run: it exercises the pipeline briefly (short loads, partial disk scans) and says nothing about whether this host may go back into service. Run the <em>standard</em> profile for that.</div>`;
}

/**
 * The question the printout answers on the bench: may this machine go back to
 * the rack? Drawn from the result alone, so page one says it for every run.
 */
export function rackAnswer(data: ReportData): string {
  const v = data.verdict;
  const finished = data.run.state === 'Completed' || data.run.state === 'Released';
  if (!finished && v.value !== 'FAIL') return 'Back to the rack: not yet — the run has not finished.';
  switch (v.value) {
    case 'PASS':
      return 'Back to the rack: yes — every part this host names was tested and passed.';
    case 'PASS WITH OVERRIDES':
      return 'Back to the rack: yes, on the overrides below — a person accepted what did not pass; who and why is listed.';
    case 'FAIL':
      return 'Back to the rack: no — repair or replace what failed (below), then run again.';
    case 'INCOMPLETE':
      return v.certifies ? 'Back to the rack: no — not everything was tested (below); run again to complete the test.' : 'Back to the rack: not on this report — a demonstration run certifies nothing.';
  }
}

/** The parts the result depends on that were not tested, as one line: the coverage table right below gives each reason. */
function gapsLine(data: ReportData): string | null {
  const byPart = new Map<string, { label: string; stages: Set<string> }>();
  for (const c of data.verdict.coverage) {
    if (!c.required || c.status !== 'not-tested') continue;
    const key = `${c.part.kind}\u0000${c.part.id}`;
    const entry = byPart.get(key) ?? { label: partText(c.part.kind, c.part.id, c.part.label), stages: new Set<string>() };
    entry.stages.add(c.stage);
    byPart.set(key, entry);
  }
  if (byPart.size === 0) return null;
  return `${NOT_TESTED_REASON}${[...byPart.values()].map((p) => `${p.label} (${[...p.stages].join(', ')})`).join('; ')} — why, under Coverage`;
}

function verdictBlock(data: ReportData): string {
  const v = data.verdict;
  // Each untested part's reason is in the coverage table just below: here they are named once, on one line.
  const gaps = gapsLine(data);
  const first = v.reasons.findIndex((r) => r.startsWith(NOT_TESTED_REASON));
  const lines = gaps && first >= 0 ? v.reasons.flatMap((r, i) => (i === first ? [gaps] : r.startsWith(NOT_TESTED_REASON) ? [] : [r])) : v.reasons;
  const reasons = lines.length ? `<ul>${lines.map((r) => `<li>${esc(r)}</li>`).join('')}</ul>` : '';
  return `<div class="verdict ${VERDICT_CLASS[v.value]}" id="verdict"><div class="word">${esc(v.value)}</div><div class="rack">${esc(rackAnswer(data))}</div>${reasons}</div>`;
}

/** What followed a failed or overridden attempt: a later attempt, a person's decision, or the run still holding. */
function aftermath(data: ReportData, stage: string, attempt: number): string {
  const later = data.attempts.filter((a) => a.name === stage && a.attempt > attempt);
  const override = data.verdict.overrides.find((o) => o.stage === stage);
  const out: string[] = [];
  if (override && data.attempts.some((a) => a.name === stage && a.attempt === attempt && a.outcome === 'overridden')) out.push(`overridden by ${override.actor}: ${override.reason ?? 'no reason recorded'}`);
  const last = later.at(-1);
  if (last) out.push(`attempt ${last.attempt} ${last.outcome ?? 'unfinished'}`);
  else if (data.run.state === 'FailedHolding' && data.run.failedStage === stage) out.push('held: waiting for a person to decide');
  else if (data.run.state === 'Abandoned') out.push('run abandoned');
  return out.join('; ') || '—';
}

/** Figures judged against a limit they missed, per part, from every stage's summary. */
function outOfLimits(data: ReportData): { stage: string; part: string; label: string; cell: ViewCell }[] {
  const out: { stage: string; part: string; label: string; cell: ViewCell }[] = [];
  for (const r of data.results) {
    const { view } = stageResultView(r);
    for (const f of view.facts) if (f.cell.judged === 'bad') out.push({ stage: r.stage, part: '—', label: f.label, cell: f.cell });
    for (const t of allTables(view)) {
      for (const row of t.rows) {
        for (const c of t.columns) {
          const cell = row.cells[c.key];
          if (cell?.judged !== 'bad') continue;
          // A row with no part id is named by its first cell (a rail, a sensor): it has one, the bad cell at least.
          out.push({ stage: r.stage, part: row.partId ?? Object.values(row.cells)[0]!.text, label: c.label, cell });
        }
      }
    }
  }
  return out;
}

/** Every failed, errored or overridden attempt, what followed it, the figures out of limits, and every override with who and why. */
function failuresAndOverrides(data: ReportData): string {
  const bad = data.attempts.filter((a) => a.outcome === 'failed' || a.outcome === 'error' || a.outcome === 'overridden');
  const limits = outOfLimits(data);
  const v = data.verdict;
  const parts: string[] = [];
  if (bad.length) {
    parts.push(
      `<h3>Attempts that did not pass</h3>${table(
        ['Stage', 'Attempt', 'Outcome', 'What it said', 'What followed'],
        bad.map((a) => `<tr>${td(a.name)}${td(a.attempt, 'num')}${outcomeCell(a.outcome)}${td(a.message)}${td(aftermath(data, a.name, a.attempt))}</tr>`),
        'failures',
      )}`,
    );
  }
  if (limits.length) {
    parts.push(
      `<h3>Out of limits</h3>${table(
        ['Stage', 'Part', 'Figure', 'Value (limit)'],
        limits.map((l) => `<tr>${td(l.stage)}${td(l.part, 'mono')}${td(l.label)}${cellHtml(l.cell)}</tr>`),
        'out-of-limits',
      )}`,
    );
  }
  if (v.overrides.length) {
    parts.push(
      `<h3>Overrides</h3>${table(
        ['Overridden stage', 'By', 'Reason', 'When'],
        v.overrides.map((o) => `<tr>${td(o.stage ?? '—')}${td(o.actor)}${td(o.reason ?? '(no reason recorded)')}${td(fmtTime(o.at), 'time')}</tr>`),
        'overrides',
      )}`,
    );
  }
  if (data.run.wipeOverride.length) parts.push(`<p class="warn">Wipe-probe overridden by a supervisor for: <span class="mono">${esc(data.run.wipeOverride.join(', '))}</span> (data on these disks was overwritten).</p>`);
  return parts.length ? `<h2>Failures and overrides</h2>${parts.join('')}` : '';
}

/** The one line under the title: which run of which machine, so page one names the host even when it runs long. */
function subtitle(data: ReportData): string {
  const h = data.host;
  const model = [h.manufacturer, h.model].filter(Boolean).join(' ');
  return [`Run #${data.run.id}`, `profile ${data.run.profile}`, `serial ${h.serial ?? 'unknown'}`, model, fmtTime(data.run.finishedAt ?? data.run.startedAt ?? data.run.createdAt)].filter(Boolean).join(' · ');
}

function identity(data: ReportData): string {
  const h = data.host;
  const r = data.run;
  const hostRows: [string, string][] = [
    ['Host', `<strong>${esc(h.name)}</strong>`],
    ['Serial', `<span class="mono">${esc(h.serial ?? '—')}</span>`],
    ['Model', esc([h.manufacturer, h.model].filter(Boolean).join(' ') || '—')],
    ['CPU', esc(h.cpu ?? '—')],
    ['Memory', esc(h.memoryBytes === null ? '—' : formatBytes(h.memoryBytes))],
    ['BIOS', esc(h.bios ?? '—')],
  ];
  const runRows: [string, string][] = [
    ['Run', `<strong>#${r.id}</strong> · ${esc(r.state)}`],
    ['Profile', `${esc(r.profile)}${data.verdict.certifies ? '' : ' <span class="warn">(demonstration: not a certification)</span>'}`],
    ['Started', esc(fmtTime(r.startedAt ?? r.createdAt))],
    ['Finished', `${esc(fmtTime(r.finishedAt))}${r.durationMs !== null ? ` (${esc(fmtDuration(r.durationMs))})` : ''}`],
    ['Boot MAC', `<span class="mono">${esc(h.bootMac ?? '—')}</span>`],
    ['MACs', h.macs.length ? `<span class="mono">${h.macs.map(esc).join(' ')}</span>` : '—'],
  ];
  // One table, host on the left and run on the right: a row of the page per pair.
  const rows = hostRows.map(([hk, hv], i) => {
    const [rk, rv] = runRows[i] ?? ['', ''];
    return `<tr>${td(hk, 'k')}<td>${hv}</td>${td(rk, 'k')}<td>${rv}</td></tr>`;
  });
  return `<table class="kv ident"><tbody>${rows.join('')}</tbody></table>`;
}

function partText(kind: string, id: string, label: string | null | undefined): string {
  const name = label && label.includes(id) ? label : label ? `${label} · ${id}` : id;
  // "memory", not "memory memory": the kind is said once.
  return name.toLowerCase().startsWith(kind) ? name : `${kind} ${name}`;
}

/** Gaps first: what the verdict depends on and was not tested, then partial scans, then the rest. */
function coverageOrder(c: CoverageLine): number {
  if (c.status === 'not-tested') return c.required ? 0 : 1;
  if (c.status === 'tested') return c.extent && c.extent.done < c.extent.total ? 2 : 3;
  return 4;
}

const PART_STATUS: { text: string; cls: string }[] = [
  { text: 'NOT TESTED', cls: 'bad' },
  { text: 'not tested (optional)', cls: 'warn' },
  { text: 'tested in part', cls: 'warn' },
  { text: 'tested', cls: 'ok' },
  { text: 'not applicable', cls: 'muted' },
];

/** One check on a part: ✓ / ✗ / –, what, by which stage, how much of it and why. */
function checkText(c: CoverageLine): string {
  const mark = c.status === 'tested' ? '✓' : c.status === 'not-applicable' ? '–' : '✗';
  const extent = c.extent ? extentText(c.extent) : null;
  const why = c.reason && !(extent && c.reason.includes(extent)) ? c.reason : null;
  const cls = c.status === 'tested' ? (c.extent && c.extent.done < c.extent.total ? 'warn' : 'ok') : c.status === 'not-applicable' ? 'muted' : c.required ? 'bad' : 'warn';
  return `<div class="check"><span class="${cls}">${mark}</span> ${esc(c.check)} <span class="muted">(${esc(c.stage)})</span>${extent ? `: <span class="${cls === 'ok' ? '' : cls}">${esc(extent)}</span>` : ''}${why ? ` — ${esc(why)}` : ''}</div>`;
}

/** How a part kind is counted where many parts of it are drawn as one row. */
const KIND_PLURAL: Partial<Record<ReportPart['kind'], string>> = { dimm: 'DIMMs', disk: 'disks', nic: 'NICs', gpu: 'GPUs', psu: 'PSU rails', sensor: 'sensors', pci: 'PCI devices', cpu: 'CPUs' };

/**
 * Parts of one kind that passed the same checks in full are drawn as one row from this many
 * on: a server's dozen DIMMs would otherwise push the stage table off page one, and a row
 * per identical pass tells the person deciding nothing the count and the names do not.
 */
const SAME_PASS_ROW_FROM = 5;

type CoverageGroup = { part: CoverageLine['part']; order: number; checks: CoverageLine[] };

/** The checks of a part that passed in full, without what differs from part to part (sizes, reasons). */
function samePassKey(g: CoverageGroup): string | null {
  if (g.order !== 3 || g.checks.some((c) => c.status !== 'tested' || (c.extent && c.extent.done < c.extent.total))) return null;
  return [g.part.kind, ...g.checks.map((c) => `${c.stage}\u0000${c.check}`)].join('\u0001');
}

/** One row for many parts that passed the same checks in full: how many, which, and the checks. */
function samePassRow(groups: CoverageGroup[]): string {
  const kind = groups[0]!.part.kind;
  const checks = groups[0]!.checks
    .map((c) => `<div class="check"><span class="ok">✓</span> ${esc(c.check)} <span class="muted">(${esc(c.stage)})</span>${c.extent ? ': in full on each' : ''}</div>`)
    .join('');
  const names = `<div class="muted members">${esc(groups.map((g) => g.part.id).join(', '))}</div>`;
  return `<tr>${td(`${groups.length} ${KIND_PLURAL[kind] ?? kind}`)}${td(PART_STATUS[3]!.text, PART_STATUS[3]!.cls)}<td>${checks}${names}</td></tr>`;
}

/**
 * What was tested, per part: one row per part with every check on it, the
 * gaps the result depends on first, partial scans with their extent; many
 * parts of a kind that passed the same checks in full share a row.
 */
function coverageSection(data: ReportData): string {
  const lines = data.verdict.coverage;
  if (lines.length === 0) return '<h2>Coverage</h2><p class="muted">No stage has said what it covered.</p>';
  const count = (f: (c: CoverageLine) => boolean) => lines.filter(f).length;
  const partial = count((c) => c.status === 'tested' && !!c.extent && c.extent.done < c.extent.total);
  const notTested = count((c) => c.status === 'not-tested');
  const gaps = count((c) => c.status === 'not-tested' && c.required);
  const summary = [
    `${count((c) => c.status === 'tested')} tested${partial ? ` (${partial} only in part)` : ''}`,
    `${count((c) => c.status === 'not-applicable')} not applicable`,
    `${notTested} not tested${notTested ? ` (${gaps} the result depends on)` : ''}`,
  ].join(' · ');
  const byPart = new Map<string, CoverageLine[]>();
  for (const c of lines) {
    const key = `${c.part.kind}\u0000${c.part.id}`;
    byPart.set(key, [...(byPart.get(key) ?? []), c]);
  }
  const groups: CoverageGroup[] = [...byPart.values()].map((checks) => ({
    part: checks[0]!.part,
    order: Math.min(...checks.map(coverageOrder)),
    checks: checks.sort((a, b) => coverageOrder(a) - coverageOrder(b) || STAGE_NAMES.indexOf(a.stage) - STAGE_NAMES.indexOf(b.stage)),
  }));
  groups.sort((a, b) => a.order - b.order || PART_KINDS.indexOf(a.part.kind) - PART_KINDS.indexOf(b.part.kind) || (a.part.id < b.part.id ? -1 : a.part.id > b.part.id ? 1 : 0));
  const samePass = new Map<string, CoverageGroup[]>();
  for (const g of groups) {
    const key = samePassKey(g);
    if (key) samePass.set(key, [...(samePass.get(key) ?? []), g]);
  }
  const rows: string[] = [];
  const drawn = new Set<string>();
  for (const g of groups) {
    const key = samePassKey(g);
    const many = key ? (samePass.get(key) ?? []) : [];
    if (key && many.length >= SAME_PASS_ROW_FROM) {
      if (!drawn.has(key)) rows.push(samePassRow(many));
      drawn.add(key);
      continue;
    }
    const status = PART_STATUS[g.order]!;
    rows.push(`<tr>${td(partText(g.part.kind, g.part.id, g.part.label))}${td(status.text, status.cls)}<td>${g.checks.map(checkText).join('')}</td></tr>`);
  }
  return `<h2>Coverage</h2><p class="coverage-summary">${esc(`${lines.length} checks on ${groups.length} parts: ${summary}`)}</p>${table(['Part', 'Status', 'Checks'], rows, 'coverage')}`;
}

/** The identities a results table prints a row for: Inventory's disks, NICs and GPUs, and every row of a part table. */
function partsInResults(data: ReportData): { kind: ReportPart['kind']; ids: string[] }[] {
  const out: { kind: ReportPart['kind']; ids: string[] }[] = [];
  const inventory = data.results.find((r) => r.stage === 'Inventory');
  const raw = inventory && typeof inventory.summary === 'object' && inventory.summary !== null ? (inventory.summary as { inventory?: unknown }).inventory : undefined;
  const inv = Inventory.safeParse(raw);
  if (inv.success) {
    for (const d of inv.data.disks) out.push({ kind: 'disk', ids: [d.serial, d.wwn, d.backingFile ? `loop:${d.backingFile}` : null, d.path].filter((x): x is string => !!x) });
    for (const n of inv.data.nics) out.push({ kind: 'nic', ids: [n.mac] });
    for (const g of inv.data.gpus) out.push({ kind: 'gpu', ids: [g.serial, g.uuid, g.busId].filter((x): x is string => !!x) });
  }
  for (const r of data.results) {
    for (const t of allTables(stageResultView(r).view)) {
      if (t.part && !t.absent) for (const row of t.rows) if (row.partId) out.push({ kind: t.part, ids: [row.partId] });
    }
  }
  return out;
}

/**
 * Replaceable parts by identity that no results table prints: the Inventory section lists the
 * disks, NICs and GPUs with their serials, a stage's table each part it measured (a DIMM's
 * slot and serial); what the report knows of any other part (a serial, a model, where it
 * sits) is listed here, so no identity the run learnt is left off paper.
 */
function partsSection(data: ReportData): string {
  const printed = partsInResults(data);
  const shown = (p: ReportPart) => printed.some((x) => x.kind === p.kind && x.ids.some((id) => sameId(id, p.id) || p.aliases.some((a) => sameId(a, id))));
  // A part known only by the name a coverage claim gave it (no GPU in this host, the host's
  // expected disks, the loopback) has its row in the coverage table and nothing more to say here.
  const identified = (p: ReportPart) => !!(p.serial || p.model || p.location || p.aliases.length);
  const parts = data.parts.filter((p) => (REPLACEABLE.has(p.kind) || p.serial) && identified(p) && !shown(p));
  if (parts.length === 0) return '';
  return `<h3>Other parts</h3>${table(
    ['Kind', 'Part', 'Serial / identity', 'Model', 'Where'],
    parts.map((p) => `<tr>${td(p.kind)}${td(p.label ?? p.id)}${td([p.serial ?? p.id, ...p.aliases.filter((a) => a !== p.serial)].join(' · '), 'mono')}${td(p.model)}${td(p.location, 'mono')}</tr>`),
    'parts',
  )}`;
}

/** Notes of stages that passed are cut to a line on page one (their results follow in full); a failure's is never cut. */
const PASSED_NOTE_CHARS = 72;

function stageTable(data: ReportData): string {
  const day = (data.run.startedAt ?? data.run.createdAt).slice(0, 10);
  return table(
    ['#', 'Stage', 'Outcome', 'Started', 'Duration', 'Note'],
    data.stages.map((s, i) => {
      const note = stageNote(data, s.name, s.message);
      const cut = (s.outcome === 'passed' || s.outcome === 'skipped') && s.attempts <= 1 && note.length > PASSED_NOTE_CHARS ? `${note.slice(0, PASSED_NOTE_CHARS - 1)}…` : note;
      return `<tr>${td(i + 1, 'num')}${td(s.name)}${outcomeCell(s.outcome)}${td(shortTime(s.startedAt, day), 'time')}${td(fmtDuration(s.durationMs), 'num nowrap')}${td(cut)}</tr>`;
    }),
    'stages',
  );
}

/** "08:04:00" on the run's own day (the header says which), the full time otherwise. */
function shortTime(iso: string | null, day: string): string {
  const full = fmtTime(iso);
  return iso && iso.startsWith(day) ? full.slice(11, 19) : full;
}

/** The stage's own message, plus a word on earlier attempts that were overridden or retried. */
function stageNote(data: ReportData, name: string, message: string | null): string {
  const earlier = data.attempts.filter((a) => a.name === name).slice(0, -1);
  const notes = earlier.map((a) => `attempt ${a.attempt} ${a.outcome ?? 'unfinished'}`);
  return [message, ...notes].filter(Boolean).join('; ');
}

function specSection(data: ReportData): string {
  const counts = (['critical', 'warning', 'info'] as const).map((s) => `${data.specDiffs.filter((d) => d.severity === s).length} ${s}`).join(' · ');
  if (data.specDiffs.length === 0) return '<h3>Spec differences <span class="muted">— none from the expected spec were recorded</span></h3>';
  return `<h3>Spec differences <span class="muted">(${counts})</span></h3>${table(
    ['Severity', 'Field', 'Expected', 'Actual', 'Rule'],
    data.specDiffs.map((d) => `<tr><td class="${d.severity === 'critical' ? 'bad' : d.severity === 'warning' ? 'warn' : 'muted'}">${esc(d.severity)}</td>${td(d.field)}${td(d.expected)}${td(d.actual)}${td(d.rule)}</tr>`),
    'spec-diffs',
  )}`;
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
          // The first reading, taken before the load burst, is the rail's own baseline.
          const base = s.points[0]?.[1] ?? 1;
          return { name: `${s.sensor} (baseline ${fmtNum(base, 2)} V)`, points: s.points.map((p) => [p[0], base ? ((p[1] - base) / base) * 100 : 0] as [number, number]) };
        });
        charts.push(renderLineChart({ title: `PSU rails: deviation from baseline (%)${title.includes('—') ? ` —${title.split('—')[1]}` : ''}`, unit: '% of baseline', t0: origin, series, limit: null }));
        continue;
      }
      charts.push(renderLineChart({ title, unit, t0: origin, series: chosen.map((s) => ({ name: s.sensor, points: s.points })), limit }));
    }
  }
  // The charted kinds' sensors; a stage's own figures (IOPS, goodput) are in its results above, and all of them in report.json.
  // One table for every charted kind (the unit beside each sensor says which), in columns side by side.
  const rows = CHART_KINDS.flatMap((kind) =>
    data.measurements.aggregates
      .filter((a) => a.kind === kind)
      .map((a) => `<tr>${td(`${a.sensor}${a.unit ? ` (${a.unit})` : ''}`)}${td(a.count, 'num')}${td(figure(a.min), 'num')}${td(figure(a.avg), 'num')}${td(figure(a.max), 'num')}</tr>`),
  );
  const aggregates = rows.length ? `<h3>Sensor summary</h3>${halves(rows, (part) => table(['Sensor', 'Samples', 'Min', 'Avg', 'Max'], part, 'aggregates'))}` : '';
  if (charts.length === 0 && !aggregates) return '';
  return `<div class="charts">${charts.join('')}</div>${aggregates}`;
}

/** Transitions nobody decided on: the orchestrator moving a run on to its next stage. */
const isAutomatic = (t: ReportData['transitions'][number]) => t.actor === 'orchestrator' && t.reason === null && (t.action === 'stage-passed' || t.action === 'advance');

/**
 * The audit trail as printed: every row a person or an agent caused as it is,
 * and three or more automatic advances in a row as one line naming the stages
 * passed through (each stage's start is in the stage table; report.json keeps
 * every row).
 */
function auditRows(transitions: ReportData['transitions']): { when: string[]; from: string | null; to: string; action: string; actor: string; reason: string | null }[] {
  const out: ReturnType<typeof auditRows> = [];
  for (let i = 0; i < transitions.length; ) {
    let j = i;
    while (j < transitions.length && isAutomatic(transitions[j]!)) j++;
    if (j - i >= 3) {
      const run = transitions.slice(i, j);
      out.push({ when: [run[0]!.at, run.at(-1)!.at], from: run[0]!.from, to: run.at(-1)!.to, action: `advanced × ${run.length}`, actor: 'orchestrator', reason: `through ${run.slice(0, -1).map((t) => t.to).join(' → ')}` });
      i = j;
    } else {
      const t = transitions[i]!;
      out.push({ when: [t.at], from: t.from, to: t.to, action: t.action, actor: t.actor, reason: t.reason });
      i++;
    }
  }
  return out;
}

/** A reading with as many decimals as it needs to be read: 23500, 401.2, 11.91. */
function figure(n: number): string {
  return fmtNum(n, Math.abs(n) >= 1000 ? 0 : Math.abs(n) >= 100 ? 1 : 2);
}

function sensorsSection(data: ReportData): string {
  const body = chartsSection(data);
  return body ? `<h2>Thermal and PSU</h2>${body}` : '<h2>Thermal and PSU <span class="muted">— No sensor data was recorded for this run.</span></h2>';
}

function auditSection(data: ReportData): string {
  const day = (data.run.startedAt ?? data.run.createdAt).slice(0, 10);
  const trail = data.transitions.length
    ? table(
        ['When', 'From', 'To', 'Action', 'Actor', 'Reason'],
        auditRows(data.transitions).map((t) => `<tr>${td(t.when.map((w) => shortTime(w, day)).join('–'), 'time')}${td(t.from)}${td(t.to)}${td(t.action, t.action === 'override' ? 'warn' : '')}${td(t.actor)}${td(t.reason)}</tr>`),
        'audit',
      )
    : '<p class="muted">No transitions recorded.</p>';
  // Hashes print as their first 12 digits, enough to tell files apart on paper; report.json (whose hash is in every page's footer) has them whole.
  const artifacts = data.artifacts.length
    ? `<h3>Artifacts <span class="muted">— sha256 shortened; report.json has each in full, with the stage that made it</span></h3>${halves(
        data.artifacts.map((a) => `<tr>${td(a.name, 'mono')}${td(formatBytes(a.size), 'num nowrap')}<td class="sha">${esc(a.sha256.slice(0, 12))}…</td></tr>`),
        (rows) => table(['Name', 'Size', 'sha256'], rows, 'artifacts'),
        4,
        3,
      )}`
    : '';
  const retries = data.attempts.length > data.stages.filter((s) => s.attempts > 0).length
    ? `<h3>All stage attempts</h3>${table(
        ['Stage', 'Attempt', 'Outcome', 'Started', 'Duration', 'Note'],
        data.attempts.map((a) => `<tr>${td(a.name)}${td(a.attempt, 'num')}${outcomeCell(a.outcome)}${td(fmtTime(a.startedAt))}${td(fmtDuration(a.durationMs), 'num')}${td(a.message)}</tr>`),
        'attempts',
      )}`
    : '';
  return trail + retries + artifacts + liveImageSection(data.image);
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
<p class="sub">${esc(subtitle(data))}</p>
${notCertification(data)}
${verdictBlock(data)}
${failuresAndOverrides(data)}
${coverageSection(data)}
${identity(data)}
<h2>Stages</h2>
${stageTable(data)}
</section>
<section class="major" id="results">
<h2>Results</h2>
${partsSection(data)}
${specSection(data)}
${resultsHtml(data)}
</section>
<section class="major" id="sensors">
${sensorsSection(data)}
</section>
<section class="major" id="audit">
<h2>Audit trail</h2>
${auditSection(data)}
<footer class="doc">report.json (schema ${REPORT_SCHEMA_VERSION}) and report.ocptv.jsonl (OCP) hold these results · report.json sha256 <span class="mono" id="json-sha256">${sha256}</span></footer>
</section>
</main>
</body>
</html>
`;
}
