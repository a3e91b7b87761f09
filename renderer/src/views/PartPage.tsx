import { useQuery } from '@tanstack/react-query';
import { PartKind } from '../../../common/schema/coverage.ts';
import { ApiRequestError } from '../api/client.ts';
import { api } from '../api/endpoints.ts';
import { keys } from '../api/keys.ts';
import { DataTable, type Column } from '../components/DataTable.tsx';
import { ErrorNote, Loading } from '../components/ErrorNote.tsx';
import { formatTime } from '../logic/format.ts';
import { PART_NAMES, partRuns, trendSeries, type PartRunRow, type TrendSeries } from '../logic/parts.ts';
import { resultPresentation } from '../logic/result.ts';
import { href } from '../logic/route.ts';
import { valueTick } from '../logic/chart.ts';
import { PartTrendChart } from './part/PartTrendChart.tsx';

// One part across its runs on this bench (GET /api/components/:kind/:id): a trend per
// figure its stages measure (SMART counters, IOPS, p99 …), the figures run by run, and
// every run that named it, on whichever host it sat.

/** Figures per run shown side by side: the newest this many runs. */
const RUN_COLUMNS = 8;

function FigureTable({ series }: { series: TrendSeries[] }) {
  const runs = [...new Set(series.flatMap((s) => s.points.map((p) => p.runId)))].sort((a, b) => b - a).slice(0, RUN_COLUMNS);
  const columns: Column<TrendSeries>[] = [
    { header: 'Figure', rowHeader: true, cell: (s) => `${s.stage} · ${s.label}${s.unit ? ` (${s.unit})` : ''}` },
    ...runs.map((runId) => ({
      header: <a href={href.run(runId)}>run {runId}</a>,
      className: 'num',
      cell: (s: TrendSeries) => {
        const p = s.points.find((x) => x.runId === runId);
        return p ? valueTick(p.value) : '—';
      },
    })),
  ];
  return (
    <div className="table-scroll">
      <DataTable className="results" caption="Figures by run" columns={columns} rows={series} rowKey={(s) => s.id} />
    </div>
  );
}

const runColumns: Column<PartRunRow>[] = [
  { header: 'Run', rowHeader: true, cell: (r) => <a href={href.run(r.runId)}>#{r.runId}</a> },
  { header: 'Host', cell: (r) => <a href={href.host(r.host)}>{r.host}</a> },
  { header: 'When', cell: (r) => formatTime(r.at) },
  { header: 'Where', className: 'mono', cell: (r) => r.label ?? '—' },
  {
    header: 'Stages',
    cell: (r) =>
      r.stages.map((s, i) => (
        <span key={s.stage}>
          {i > 0 ? ' · ' : ''}
          {s.stage}
          {s.attempt > 1 ? ` #${s.attempt}` : ''} <span className={`outcome outcome-${s.outcome ?? 'running'}`}>{s.outcome ?? 'running'}</span>
        </span>
      )),
  },
  { header: 'Run result', cell: (r) => (r.runResult ? resultPresentation(r.runResult).text : <span className="muted">not yet</span>) },
];

export function PartPage({ kind, id, host }: { kind: string; id: string; host: string | null }) {
  const known = PartKind.safeParse(kind);
  const history = useQuery({
    queryKey: keys.component(kind, id, host),
    queryFn: () => api.component(known.data!, id, host),
    enabled: known.success,
  });
  const name = PART_NAMES[kind] ?? kind;
  const head = (
    <p className="crumbs">
      <a href={href.hosts()}>Hosts</a> › {host ? <a href={href.host(host)}>{host}</a> : null}
      {host ? ' › ' : null}
      {name} {id}
    </p>
  );
  if (!known.success) {
    return (
      <div className="panel">
        {head}
        <h1>No such part kind</h1>
        <p>“{kind}” is not a kind of part the bench knows.</p>
      </div>
    );
  }
  if (history.isPending) return <Loading what={`the history of ${name} ${id}`} />;
  if (history.error) {
    const missing = history.error instanceof ApiRequestError && history.error.status === 404;
    return (
      <div className="panel">
        {head}
        <h1>
          {name} {id}
        </h1>
        <ErrorNote error={history.error} what={missing ? 'Never seen on this bench' : 'The history could not be loaded'} />
      </div>
    );
  }
  const h = history.data;
  const series = trendSeries(h);
  const runs = partRuns(h);
  const latest = runs[0];
  return (
    <>
      <div className="page-head">
        <div>
          {head}
          <h1>
            {name} <span className="mono">{h.id}</span>
          </h1>
          <p className="muted">
            {latest ? `Last on ${latest.host}${latest.label ? ` as ${latest.label}` : ''} · ` : ''}
            first seen {formatTime(h.firstSeen)} · last seen {formatTime(h.lastSeen)} · {runs.length} run{runs.length === 1 ? '' : 's'}
          </p>
        </div>
      </div>
      <section className="panel" aria-labelledby="trend-head">
        <h2 id="trend-head">Trend</h2>
        {series.length === 0 ? <p className="muted">No stage measured a figure of this part.</p> : null}
        <div className="part-trends">
          {series.map((s, i) => (
            <PartTrendChart key={s.id} series={s} index={i} />
          ))}
        </div>
        {series.length > 0 ? <FigureTable series={series} /> : null}
      </section>
      <section className="panel" aria-labelledby="part-runs-head">
        <h2 id="part-runs-head">Runs</h2>
        <DataTable columns={runColumns} rows={runs} rowKey={(r) => r.runId} />
      </section>
    </>
  );
}
