import type { RunDetailView, StageView } from '../../../../common/schema/api.ts';
import { SEVERITIES } from '../../../../common/schema/spec.ts';
import { isEmptyView } from '../../../../common/stages/summary-view.ts';
import { DataTable, type Column } from '../../components/DataTable.tsx';
import { hasSummary, stageSummaryView } from '../../logic/summaries.ts';
import { SummaryBlock } from './SummaryBlock.tsx';

// Stage results, each drawn from its stage's summary schema (logic/summaries.ts):
// judged tables, facts, lists and sections, with the raw JSON one click away.

function StageResult({ stage }: { stage: StageView }) {
  const view = stageSummaryView(stage);
  const empty = isEmptyView(view);
  return (
    <article className="stage-result" aria-label={`${stage.name} results`}>
      <h3>
        {stage.name} <span className={`outcome outcome-${stage.outcome ?? 'running'}`}>{stage.outcome ?? 'running'}</span>
        {stage.attempt > 1 ? <span className="muted"> · attempt {stage.attempt}</span> : null}
      </h3>
      {stage.message ? <p>{stage.message}</p> : null}
      <SummaryBlock view={view} level={4} />
      <details>
        <summary>{empty ? 'Result (raw JSON)' : 'Raw JSON'}</summary>
        <pre className="raw">{JSON.stringify(stage.summary, null, 2)}</pre>
      </details>
    </article>
  );
}

export function StageResults({ run }: { run: RunDetailView }) {
  const shown = run.stages.filter(hasSummary);
  return (
    <section className="panel" aria-labelledby="results-head">
      <h2 id="results-head">Results</h2>
      {shown.length === 0 ? <p className="muted">No stage results yet.</p> : null}
      {shown.map((s) => (
        <StageResult key={`${s.name}-${s.attempt}`} stage={s} />
      ))}
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
