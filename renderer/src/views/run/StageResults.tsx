import { useQuery } from '@tanstack/react-query';
import type { RunDetailView, StageView } from '../../../../common/schema/api.ts';
import { SEVERITIES } from '../../../../common/schema/spec.ts';
import { isEmptyView } from '../../../../common/stages/summary-view.ts';
import { DataTable, type Column } from '../../components/DataTable.tsx';
import { api } from '../../api/endpoints.ts';
import { keys } from '../../api/keys.ts';
import { partChangeLookup, type PartChangeLookup } from '../../logic/parts.ts';
import { hasSummary, stageSummaryView } from '../../logic/summaries.ts';
import { SummaryBlock } from './SummaryBlock.tsx';

// Stage results, each drawn from its stage's summary schema (logic/summaries.ts):
// judged tables, facts, lists and sections, with the raw JSON one click away.
// Beside each measured disk, DIMM and NIC: what changed since its previous run.

function StageResult({ stage, changes }: { stage: StageView; changes: PartChangeLookup }) {
  const view = stageSummaryView(stage);
  // The changes are of the stage's latest attempt with a summary: this one, once it has its own.
  const rowChange = (kind: string, partId: string) => {
    const change = changes(stage.name, kind, partId);
    return change?.attempt === stage.attempt ? change : undefined;
  };
  const empty = isEmptyView(view);
  return (
    <article className="stage-result" aria-label={`${stage.name} results`}>
      <h3>
        {stage.name} <span className={`outcome outcome-${stage.outcome ?? 'running'}`}>{stage.outcome ?? 'running'}</span>
        {stage.attempt > 1 ? <span className="muted"> · attempt {stage.attempt}</span> : null}
      </h3>
      {stage.message ? <p>{stage.message}</p> : null}
      <SummaryBlock view={view} level={4} changes={rowChange} />
      <details>
        <summary>{empty ? 'Result (raw JSON)' : 'Raw JSON'}</summary>
        <pre className="raw">{JSON.stringify(stage.summary, null, 2)}</pre>
      </details>
    </article>
  );
}

export function StageResults({ run }: { run: RunDetailView }) {
  const shown = run.stages.filter(hasSummary);
  // Refetched with the run (its key sits under the run's): a new stage result brings its parts' changes.
  const partChanges = useQuery({ queryKey: keys.partChanges(run.id), queryFn: () => api.partChanges(run.id), enabled: shown.length > 0 });
  const changes = partChangeLookup(partChanges.data);
  return (
    <section className="panel" aria-labelledby="results-head">
      <h2 id="results-head">Results</h2>
      {shown.length === 0 ? <p className="muted">No stage results yet.</p> : null}
      {shown.map((s) => (
        <StageResult key={`${s.name}-${s.attempt}`} stage={s} changes={changes} />
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
