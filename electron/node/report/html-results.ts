import { formatBytes } from '../../../common/format.ts';
import { partChangeKey } from '../../../common/part-changes.ts';
import { Inventory } from '../../../common/schema/inventory.ts';
import { isStageName, stageDefinition } from '../../../common/stages/index.ts';
import { isEmptyView, summaryView, type SummaryView, type ViewCell, type ViewRow, type ViewTable } from '../../../common/stages/summary-view.ts';
import { esc, table, td } from './html-kit.ts';
import { stageResultView } from './stage-view.ts';
import type { ReportData, ReportPartChange, ReportStageResult } from './types.ts';

// The Results pages: every stage's summary drawn from its own schema
// (common/stages/summary-view.ts), the same view model the UI draws. Numbers
// judged against a floor or ceiling print as ✓ / ✗ with the limit; beside each part
// known by a serial, what changed since its previous run. A stage may
// have a custom section here (Inventory does, for a compact host sheet); a new
// stage needs none: its schema's annotations say how it is drawn.

/** Widest table drawn as one: wider ones are split, the part column repeated, so each fits an A4 page. */
const MAX_COLUMNS = 14;
/** Tables wider than this print in a smaller type. */
const WIDE = 9;

type CustomSection = (summary: unknown) => string | null;

const CUSTOM_SECTIONS: Record<string, CustomSection> = {
  Inventory: inventorySection,
};

/** A judged cell says whether it met its limit and which limit, so a printed page needs no legend. */
export function cellHtml(cell: ViewCell | undefined, tag: 'td' | 'span' = 'td'): string {
  if (!cell) return tag === 'td' ? '<td class="muted">—</td>' : '—';
  const numeric = typeof cell.value === 'number';
  const cls = [numeric ? 'num' : '', cell.judged === 'good' ? 'ok' : cell.judged === 'bad' ? 'bad' : cell.text === '—' ? 'muted' : ''].filter(Boolean).join(' ');
  const mark = cell.judged === 'good' ? '✓ ' : cell.judged === 'bad' ? '✗ ' : '';
  const limit = cell.limit ? ` <span class="limit">(${esc(cell.limit)})</span>` : '';
  const body = `${mark}${esc(cell.text)}${limit}`;
  return tag === 'td' ? `<td${cls ? ` class="${cls}"` : ''}>${body}</td>` : `<span${cls ? ` class="${cls}"` : ''}>${body}</span>`;
}

/** A column holding only the limits other cells of its rows were judged against: each judged cell prints its limit already. */
function onlyLimits(t: ViewTable, key: string): boolean {
  return t.rows.every((r) => {
    const v = r.cells[key]?.value;
    return v === null || v === undefined || Object.entries(r.cells).some(([k, c]) => k !== key && c.limitValue !== undefined && c.limitValue === v);
  });
}

/** The part change of a row of a result's table (the part it names, this stage and attempt), when there is one. */
export type RowChange = (kind: string, partId: string) => ReportPartChange | undefined;

/** A change column's cell: what differs since the part's previous run, worse and better in words. */
function changeHtml(change: ReportPartChange | undefined): string {
  if (!change) return '<td class="muted">—</td>';
  if (!change.previous) return '<td class="muted">not measured before</td>';
  if (change.changes.length === 0) return '<td class="muted">no change</td>';
  const items = change.changes.map((c) => {
    const cls = c.direction === 'worse' ? 'bad' : c.direction === 'better' ? 'ok' : '';
    return `<span${cls ? ` class="${cls}"` : ''}>${esc(c.text)}${c.direction ? `, ${c.direction}` : ''}</span>`;
  });
  return `<td class="change">${items.join('; ')}</td>`;
}

/**
 * A column beside the part saying what changed since its previous run, for a table of
 * measured parts of which at least one was measured before (a first visit adds nothing).
 */
function changeColumn(t: ViewTable, changes: RowChange | undefined): { label: string; cell: (r: ViewRow) => string } | null {
  const kind = t.part;
  if (!kind || !changes || !t.rows.some((r) => Object.values(r.cells).some((c) => c.measure))) return null;
  const of = (r: ViewRow) => (r.partId ? changes(kind, r.partId) : undefined);
  const earlier = new Set(t.rows.map((r) => of(r)?.previous?.runId).filter((id) => id !== undefined));
  if (earlier.size === 0) return null;
  // One earlier run for every part (the usual case): named in the heading.
  return { label: earlier.size === 1 ? `Since run ${[...earlier][0]}` : 'Since last run', cell: (r) => changeHtml(of(r)) };
}

function viewTableHtml(t: ViewTable, changes?: RowChange): string {
  // Columns nobody filled in say nothing on paper (report.json keeps them), nor do limits already beside their figures.
  const filled = t.columns.filter((c) => t.rows.some((r) => r.cells[c.key] && r.cells[c.key]!.text !== '—') && !onlyLimits(t, c.key));
  if (filled.length === 0 || t.rows.length === 0) return '';
  const change = changeColumn(t, changes);
  const CHANGE = '#change'; // no schema field is called that
  // The change sits right after the part's own column, like the run page's.
  const columns = change ? [filled[0]!, { key: CHANGE, label: change.label }, ...filled.slice(1)] : filled;
  const cellOf = (r: ViewRow, key: string) => (key === CHANGE ? change!.cell(r) : cellHtml(r.cells[key]));
  const [first, ...rest] = columns;
  const chunks: (typeof columns)[] = [];
  for (let i = 0; i < rest.length || i === 0; i += MAX_COLUMNS - 1) chunks.push([first!, ...rest.slice(i, i + MAX_COLUMNS - 1)]);
  return chunks
    .map((cols, i) => {
      const title = `${t.title}${chunks.length > 1 ? ` (${i + 1} of ${chunks.length})` : ''}`;
      // Numbers align right, and so do their headings.
      const numeric = (key: string) => t.rows.some((r) => typeof r.cells[key]?.value === 'number') && t.rows.every((r) => r.cells[key] === undefined || r.cells[key]!.value === null || typeof r.cells[key]!.value === 'number');
      const head = cols.map((c) => `<th${numeric(c.key) ? ' class="num"' : ''}>${esc(c.label)}</th>`).join('');
      const rows = t.rows.map((r) => `<tr>${cols.map((c) => cellOf(r, c.key)).join('')}</tr>`).join('');
      return `<h4>${esc(title)}</h4><table class="summary-table${cols.length > WIDE ? ' wide' : ''}" data-table="${esc(t.key)}"><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table>`;
    })
    .join('');
}

/** A summary view as HTML: facts as a label/value table, lists, tables, then nested sections. */
export function viewHtml(view: SummaryView, depth = 0, changes?: RowChange): string {
  const parts: string[] = [];
  // Facts flow in three columns: a label and its value per cell, not a row of the page each.
  if (view.facts.length) parts.push(`<div class="facts">${view.facts.map((f) => `<div class="fact"><span class="fk">${esc(f.label)}</span>${cellHtml(f.cell, 'span')}</div>`).join('')}</div>`);
  for (const l of view.lists) parts.push(`<div class="list"><strong>${esc(l.title)}</strong><ul>${l.items.map((x) => `<li>${esc(x)}</li>`).join('')}</ul></div>`);
  for (const t of view.tables) parts.push(viewTableHtml(t, changes));
  for (const s of view.sections) {
    if (isEmptyView(s.view)) continue;
    parts.push(`<h${Math.min(5, 4 + depth)}>${esc(s.title)}</h${Math.min(5, 4 + depth)}>${viewHtml(s.view, depth + 1, changes)}`);
  }
  return parts.join('');
}

function resultHeading(r: ReportStageResult, empty: boolean): string {
  const title = isStageName(r.stage) ? stageDefinition(r.stage).title : '';
  const cls = r.outcome === 'passed' ? 'ok' : r.outcome === 'overridden' ? 'warn' : r.outcome === 'skipped' || r.outcome === null ? 'muted' : 'bad';
  return `<h3 id="result-${esc(r.stage)}">${esc(r.stage)} <span class="${cls}">${esc(r.outcome ?? 'unfinished')}</span> <span class="muted">· attempt ${r.attempt}${title ? ` · ${esc(title)}` : ''}${empty ? ' — no figures recorded' : ''}</span></h3>`;
}

/** A result that has nothing to draw says so in its heading: no line of its own. */
function isEmptyResult(r: ReportStageResult): boolean {
  if (CUSTOM_SECTIONS[r.stage]) return false;
  const { view, match } = stageResultView(r);
  return match === 'own' && isEmptyView(view);
}

function resultBody(r: ReportStageResult, changes: RowChange): string {
  const custom = CUSTOM_SECTIONS[r.stage]?.(r.summary);
  if (custom) return custom;
  const { view, match } = stageResultView(r);
  const note =
    match === 'error'
      ? '<p class="muted">The stage could not produce its own summary; what it reported about the failure:</p>'
      : match === 'partial'
        ? '<p class="warn">This summary does not match the stage’s schema (an older agent, or a changed row): what matches is shown; report.json keeps all of it.</p>'
        : '';
  return note + (isEmptyView(view) ? '<p class="muted">No figures recorded.</p>' : viewHtml(view, 0, changes));
}

/** Every stage result that stored a summary, in stage order. */
export function resultsHtml(data: ReportData): string {
  if (data.results.length === 0) return '<p class="muted">No stage has reported a result yet.</p>';
  const byPart = new Map(data.partChanges.map((c) => [partChangeKey(c.stage, c.kind, c.id), c]));
  return data.results
    .map((r) => {
      const empty = isEmptyResult(r);
      const changes: RowChange = (kind, partId) => {
        const c = byPart.get(partChangeKey(r.stage, kind, partId));
        return c?.attempt === r.attempt ? c : undefined;
      };
      return `<section class="stage-result" data-stage="${esc(r.stage)}">${resultHeading(r, empty)}${empty ? '' : resultBody(r, changes)}</section>`;
    })
    .join('');
}

/** Inventory's own section: the host sheet, compact (the generic view would spread it over a page). */
function inventorySection(summary: unknown): string | null {
  const raw = typeof summary === 'object' && summary !== null && 'inventory' in summary ? (summary as { inventory: unknown }).inventory : null;
  const parsed = Inventory.safeParse(raw);
  if (!parsed.success) return null;
  const inv = parsed.data;
  // System, serial, BIOS, CPU and memory are on page one (the host's identity); here only what it does not say.
  const rows: [string, string][] = inv.bmc ? [['BMC firmware', esc(inv.bmc.version ?? '—')]] : [];
  const out = rows.length ? [`<div class="facts inventory">${rows.map(([k, v]) => `<div class="fact"><span class="fk">${esc(k)}</span><span>${v}</span></div>`).join('')}</div>`] : [];
  if (inv.disks.length) {
    out.push(
      `<h4>Disks</h4>${table(
        ['Device', 'Model', 'Serial', 'WWN', 'Size', 'Transport'],
        inv.disks.map((d) => `<tr>${td(d.path)}${td(d.model ?? null)}${td(d.serial ?? null, 'mono')}${td(d.wwn ?? null, 'mono')}${td(formatBytes(d.sizeBytes), 'num')}${td(d.transport ?? (d.backingFile ? `loop: ${d.backingFile}` : null))}</tr>`),
        'inventory-disks',
      )}`,
    );
  }
  if (inv.nics.length) {
    out.push(
      `<h4>NICs</h4>${table(
        ['Name', 'MAC', 'Link', 'Driver'],
        inv.nics.map((n) => `<tr>${td(n.name)}${td(n.mac, 'mono')}${td(n.speedMbps ? `${n.speedMbps} Mbit/s` : null, 'num')}${td(n.driver ?? null)}</tr>`),
        'inventory-nics',
      )}`,
    );
  }
  if (inv.gpus.length) {
    out.push(
      `<h4>GPUs</h4>${table(
        ['Model', 'Serial', 'UUID', 'PCI address', 'Memory'],
        inv.gpus.map((g) => `<tr>${td(g.model)}${td(g.serial ?? null, 'mono')}${td(g.uuid ?? null, 'mono')}${td(g.busId ?? null, 'mono')}${td(g.memoryMiB ? `${g.memoryMiB} MiB` : null, 'num')}</tr>`),
        'inventory-gpus',
      )}`,
    );
  }
  if (inv.missingTools.length) out.push(`<p class="muted">Tools missing or failed while collecting: ${esc(inv.missingTools.join(', '))}</p>`);
  // Whatever else the summary holds (the BMC's log at the start of the run …), drawn from its schema.
  const rest = summaryView(stageDefinition('Inventory').summary, summary);
  rest.sections = rest.sections.filter((sec) => sec.key !== 'inventory');
  if (!isEmptyView(rest)) out.push(viewHtml(rest, 1));
  return out.join('') || '<p class="muted">Its host sheet is the identity on page one.</p>';
}
