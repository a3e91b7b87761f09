import type { RunDetailView } from '../../../../common/schema/api.ts';
import type { CoverageEntry } from '../../../../common/schema/coverage.ts';
import { DataTable, type Column } from '../../components/DataTable.tsx';
import {
  COVERAGE_STATUS_ICON,
  COVERAGE_STATUS_TEXT,
  coverageByStage,
  coverageCounts,
  coverageDetail,
  coverageLine,
  isRequiredGap,
  partText,
} from '../../logic/coverage.ts';

// What each stage says it covered, part by part: the facts behind the run's
// result. A required part that was not tested is why a run is INCOMPLETE, so
// it is emphasised in words as well as colour.

function statusClass(e: CoverageEntry): string {
  return isRequiredGap(e) ? 'bad' : e.status === 'not-tested' ? 'warn' : e.status === 'tested' ? 'good' : 'muted';
}

const columns: Column<CoverageEntry>[] = [
  { header: 'Part', rowHeader: true, cell: (e) => partText(e), title: (e) => `${e.part.kind} ${e.part.id}` },
  { header: 'Check', cell: (e) => e.check },
  {
    header: 'Status',
    className: statusClass,
    cell: (e) => (
      <>
        <span aria-hidden="true">{COVERAGE_STATUS_ICON[e.status]} </span>
        {COVERAGE_STATUS_TEXT[e.status]}
        {isRequiredGap(e) ? <strong> — required</strong> : null}
      </>
    ),
  },
  { header: 'Why / how much', cell: (e) => coverageDetail(e) || '—' },
];

/** "12 tested · 2 not applicable · 1 not tested", and how many of the gaps keep the run from passing. */
export function CoverageSummary({ run }: { run: RunDetailView }) {
  const counts = coverageCounts(run.verdict.coverage);
  return (
    <p className="coverage-line" data-testid="coverage-line">
      Coverage: {coverageLine(counts)}
      {counts.requiredGaps > 0 ? (
        <strong className="bad">
          {' '}
          — {counts.requiredGaps} required {counts.requiredGaps === 1 ? 'part was' : 'parts were'} not tested
        </strong>
      ) : null}
    </p>
  );
}

export function CoveragePanel({ run }: { run: RunDetailView }) {
  const byStage = coverageByStage(run.stages, run.verdict.coverage);
  return (
    <section className="panel" aria-labelledby="coverage-head" data-testid="coverage">
      <h2 id="coverage-head">Coverage</h2>
      <CoverageSummary run={run} />
      {byStage.length === 0 ? <p className="muted">No stage has said what it covered yet.</p> : null}
      {byStage.map((s) => (
        <DataTable
          key={s.stage}
          className="results coverage"
          caption={`${s.stage}${s.attempt > 1 ? ` (attempt ${s.attempt})` : ''}`}
          columns={columns}
          rows={s.entries}
          rowKey={(e, i) => `${i}-${e.part.id}-${e.check}`}
          rowClassName={(e) => (isRequiredGap(e) ? 'row-gap' : undefined)}
        />
      ))}
    </section>
  );
}
