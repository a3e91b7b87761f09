import type { PartChangeView } from '../../../../common/schema/api.ts';
import type { SummaryView, ViewCell, ViewRow, ViewTable } from '../../../../common/stages/summary-view.ts';
import { DataTable, type Column } from '../../components/DataTable.tsx';
import { PartChangeCell } from './PartChangeCell.tsx';

// Draws one stage summary's view model (common/stages/summary-view.ts): facts,
// lists, tables and nested sections, generically — the stage's schema decides
// what is shown and how, so no stage is known by name here.

/** What changed on the part a row names since its previous run (the run page's part changes), when known. */
export type RowPartChange = (kind: string, partId: string) => PartChangeView | undefined;

/** A value with its judgement: an icon and colour for the eye, words for a screen reader, the limit when it was missed. */
export function JudgedValue({ cell }: { cell: ViewCell }) {
  if (!cell.judged) return <>{cell.text}</>;
  const good = cell.judged === 'good';
  return (
    <>
      <span aria-hidden="true">{good ? '✓ ' : '✗ '}</span>
      {cell.text}
      {good ? <span className="sr-only">, meets {cell.limit}</span> : <span className="limit"> (limit {cell.limit})</span>}
    </>
  );
}

function judgedClass(cell: ViewCell | undefined): string | undefined {
  return cell?.judged;
}

/** A table of measured parts gets a column saying what changed on each since its previous run, beside its id. */
function changeColumn(table: ViewTable, changes: RowPartChange | undefined): Column<ViewRow> | null {
  const kind = table.part;
  if (!kind || !changes || !table.rows.some((r) => Object.values(r.cells).some((c) => c.measure))) return null;
  const of = (row: ViewRow) => (row.partId ? changes(kind, row.partId) : undefined);
  if (!table.rows.some((r) => of(r))) return null;
  return {
    header: 'Since last run',
    cell: (row) => {
      const change = of(row);
      return change ? <PartChangeCell change={change} /> : '—';
    },
  };
}

function ViewTableBlock({ table, changes }: { table: ViewTable; changes?: RowPartChange }) {
  const columns: Column<ViewRow>[] = table.columns.map((c, i) => ({
    header: c.label,
    rowHeader: i === 0,
    className: (row) => judgedClass(row.cells[c.key]),
    title: (row) => {
      const limit = row.cells[c.key]?.limit;
      return limit ? `limit ${limit}` : undefined;
    },
    cell: (row) => {
      const cell = row.cells[c.key];
      return cell ? <JudgedValue cell={cell} /> : '—';
    },
  }));
  const change = changeColumn(table, changes);
  if (change) columns.splice(1, 0, change);
  // A wide table (a disk's every figure) scrolls on its own instead of widening the page.
  return (
    <div className="table-scroll">
      <DataTable className="results" caption={table.title} columns={columns} rows={table.rows} rowKey={(row, i) => `${i}-${row.partId ?? ''}`} />
    </div>
  );
}

type Level = 3 | 4 | 5 | 6;

/** Facts as a key/value list, lists as bullets, tables, then nested sections one heading level down. */
export function SummaryBlock({ view, level, changes }: { view: SummaryView; level: Level; changes?: RowPartChange }) {
  const Heading = `h${level}` as const;
  const below = Math.min(level + 1, 6) as Level;
  return (
    <>
      {view.facts.length > 0 ? (
        <dl className="kv">
          {view.facts.map((f) => (
            <div key={f.key}>
              <dt>{f.label}</dt>
              <dd className={judgedClass(f.cell)}>
                <JudgedValue cell={f.cell} />
              </dd>
            </div>
          ))}
        </dl>
      ) : null}
      {view.lists.map((l) => (
        <div key={l.key} className="summary-list">
          <Heading className="summary-head">{l.title}</Heading>
          <ul>
            {l.items.map((item, i) => (
              <li key={i}>{item}</li>
            ))}
          </ul>
        </div>
      ))}
      {/* Nested records (a host's system, CPU, memory) read as context before long tables. */}
      {view.sections.map((s) => (
        <section key={s.key} className="summary-section" aria-label={s.title}>
          <Heading className="summary-head">{s.title}</Heading>
          <SummaryBlock view={s.view} level={below} changes={changes} />
        </section>
      ))}
      {view.tables.map((t) => (
        <ViewTableBlock key={t.key} table={t} changes={changes} />
      ))}
    </>
  );
}
