import type { RunDetailView, StageView } from '../../../../common/schema/api.ts';
import { SEVERITIES } from '../../../../common/schema/spec.ts';
import { DataTable, type Column } from '../../components/DataTable.tsx';
import { judgedColumns, meetsLimit, readSummary, type Scalar, type SummaryTable } from '../../logic/summaries.ts';

// Stage results from their summaries: SMART per disk, fio IOPS/p99 and iperf3
// throughput against their floors, and anything else as tables or raw JSON.

function cellText(v: Scalar | undefined): string {
  if (v === undefined || v === null) return '—';
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (typeof v === 'number') return Number.isInteger(v) ? v.toLocaleString() : v.toFixed(2);
  return v;
}

type SummaryRow = SummaryTable['rows'][number];

/** A summary column: each cell marked good or bad where the column is judged (against a limit column, or a passed/ok flag). */
function resultColumn(c: string, judged: ReturnType<typeof judgedColumns>): Column<SummaryRow> {
  const j = judged.find((x) => x.column === c);
  const passedCol = /^(passed|ok|healthy)$/i.test(c);
  const verdict = (row: SummaryRow) => {
    const ok = j ? meetsLimit(row[c], row[j.limitColumn], j.kind) : null;
    const good = passedCol && typeof row[c] === 'boolean' ? row[c] : ok;
    return { ok, good };
  };
  return {
    header: c,
    className: (row) => {
      const { good } = verdict(row);
      return good === true ? 'good' : good === false ? 'bad' : undefined;
    },
    cell: (row) => {
      const { ok, good } = verdict(row);
      return (
        <>
          {good === true ? <span aria-hidden="true">✓ </span> : good === false ? <span aria-hidden="true">✗ </span> : null}
          {cellText(row[c])}
          {j && ok !== null ? <span className="sr-only">{ok ? ` meets ${j.limitColumn}` : ` misses ${j.limitColumn}`}</span> : null}
        </>
      );
    },
  };
}

function ResultTable({ table }: { table: SummaryTable }) {
  const judged = judgedColumns(table.columns);
  const columns = table.columns.map((c) => resultColumn(c, judged));
  return <DataTable className="results" caption={table.title} columns={columns} rows={table.rows} rowKey={(_, i) => i} />;
}

function StageResult({ stage }: { stage: StageView }) {
  const read = readSummary(stage.summary);
  const empty = read.facts.length === 0 && read.tables.length === 0;
  return (
    <article className="stage-result" aria-label={`${stage.name} results`}>
      <h3>
        {stage.name} <span className={`outcome outcome-${stage.outcome ?? 'running'}`}>{stage.outcome ?? 'running'}</span>
        {stage.attempt > 1 ? <span className="muted"> · attempt {stage.attempt}</span> : null}
      </h3>
      {stage.message ? <p>{stage.message}</p> : null}
      {read.facts.length > 0 ? (
        <dl className="kv">
          {read.facts.map(([k, v]) => (
            <div key={k}>
              <dt>{k}</dt>
              <dd>{cellText(v)}</dd>
            </div>
          ))}
        </dl>
      ) : null}
      {read.tables.map((t) => (
        <ResultTable key={t.title} table={t} />
      ))}
      {stage.summary !== null && stage.summary !== undefined ? (
        <details>
          <summary>{empty ? 'Result (raw JSON)' : 'Raw JSON'}</summary>
          <pre className="raw">{JSON.stringify(stage.summary, null, 2)}</pre>
        </details>
      ) : null}
    </article>
  );
}

export function StageResults({ run }: { run: RunDetailView }) {
  const shown = run.stages.filter((s) => s.summary !== null && s.summary !== undefined && s.name !== 'Inventory');
  const inventory = run.stages.find((s) => s.name === 'Inventory' && s.summary);
  return (
    <section className="panel" aria-labelledby="results-head">
      <h2 id="results-head">Results</h2>
      {shown.length === 0 && !inventory ? <p className="muted">No stage results yet.</p> : null}
      {shown.map((s) => (
        <StageResult key={`${s.name}-${s.attempt}`} stage={s} />
      ))}
      {inventory ? (
        <details>
          <summary>Inventory (raw JSON)</summary>
          <pre className="raw">{JSON.stringify(inventory.summary, null, 2)}</pre>
        </details>
      ) : null}
    </section>
  );
}

function noDiffsText(run: RunDetailView): string {
  const spec = run.stages.find((s) => s.name === 'SpecValidate');
  if (!spec?.outcome) return 'Not compared yet.';
  if (spec.outcome === 'skipped') return 'Not compared: the host has no expected spec (capture one from this run on the host page).';
  if (spec.outcome === 'error') return `Not compared: ${spec.message ?? 'SpecValidate could not run'}.`;
  return 'None: the host matches its expected spec.';
}

const diffColumns: Column<RunDetailView['specDiffs'][number]>[] = [
  { header: 'Field', className: 'mono', cell: (d) => d.field },
  { header: 'Expected', cell: (d) => d.expected ?? '—' },
  { header: 'Found', cell: (d) => d.actual ?? '—' },
  { header: 'Rule', className: 'muted', cell: (d) => d.rule },
];

export function SpecDiffs({ run }: { run: RunDetailView }) {
  return (
    <section className="panel" aria-labelledby="diffs-head">
      <h2 id="diffs-head">Spec differences</h2>
      {run.specDiffs.length === 0 ? <p className="muted">{noDiffsText(run)}</p> : null}
      {SEVERITIES.map((sev) => {
        const list = run.specDiffs.filter((d) => d.severity === sev);
        if (list.length === 0) return null;
        return (
          <DataTable key={sev} className={`results severity-${sev}`} caption={`${sev} (${list.length})`} columns={diffColumns} rows={list} rowKey={(_, i) => i} />
        );
      })}
    </section>
  );
}
