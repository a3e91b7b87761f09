import { useEffect, useState, type ReactNode } from 'react';
import { useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import type { ArtifactView, ProgressView, RunDetailView, StageView, TransitionView } from '../../../common/schema/api.ts';
import { ApiRequestError } from '../api/client.ts';
import { api, links } from '../api/endpoints.ts';
import { keys } from '../api/keys.ts';
import { DataTable, type Column } from '../components/DataTable.tsx';
import { Deferred } from '../components/Deferred.tsx';
import { ErrorNote, Loading } from '../components/ErrorNote.tsx';
import { Pipeline } from '../components/Pipeline.tsx';
import { StateBadge } from '../components/StateBadge.tsx';
import { useNow } from '../components/useNow.ts';
import { runStatePresentation } from '../logic/board.ts';
import { elapsedMs, formatBytes, formatClock, formatDuration, formatEta, formatTemp, formatTime } from '../logic/format.ts';
import { derivePipeline } from '../logic/pipeline.ts';
import { certificationNote, resultPresentation } from '../logic/result.ts';
import { href } from '../logic/route.ts';
import { saveArtifact } from '../platform/bridge.ts';
import { ArtifactViewer } from './run/ArtifactViewer.tsx';
import { ActionsPanel } from './run/Actions.tsx';
import { LogTail } from './run/LogTail.tsx';
import { boardQuery } from '../live/board-query.ts';
import { BootProgress } from './run/BootProgress.tsx';
import { CoveragePanel, CoverageSummary } from './run/Coverage.tsx';
import { MeasurementChart, measurementsQuery } from './run/MeasurementChart.tsx';
import { SpecDiffs, StageResults } from './run/StageResults.tsx';

function LiveProgress({ progress }: { progress: readonly ProgressView[] }) {
  if (progress.length === 0) return null;
  return (
    <section className="panel" aria-labelledby="progress-head">
      <h2 id="progress-head">Live progress</h2>
      <ul className="progress-list">
        {progress.map((p) => {
          const label = `${p.stage}${p.item ? ` · ${p.item}` : ''}`;
          return (
            <li key={`${p.stage}-${p.item ?? ''}`}>
              <span className="progress-label">{label}</span>
              {p.percent !== null ? (
                <progress max={100} value={p.percent} aria-label={`${label} progress`} />
              ) : (
                <progress aria-label={`${label} progress`} />
              )}
              <span className="progress-percent">{p.percent !== null ? `${Math.round(p.percent)}%` : '…'}</span>
              <span className="muted">{formatEta(p.etaS) ?? ''}</span>
              {p.message ? <span className="progress-message">{p.message}</span> : null}
            </li>
          );
        })}
      </ul>
    </section>
  );
}

function Timeline({ run, now }: { run: RunDetailView; now: number }) {
  const rows = run.attempts.length > 0 ? run.attempts : run.stages;
  const columns: Column<StageView>[] = [
    { header: 'Stage', rowHeader: true, cell: (s) => s.name },
    { header: 'Attempt', cell: (s) => s.attempt },
    {
      header: 'Outcome',
      cell: (s) => <span className={`outcome outcome-${s.outcome ?? 'running'}`}>{s.outcome ?? (run.state === s.name ? 'running' : '—')}</span>,
    },
    { header: 'Started', title: (s) => formatTime(s.startedAt), cell: (s) => (s.startedAt ? formatClock(Date.parse(s.startedAt)) : '—') },
    { header: 'Duration', cell: (s) => formatDuration(elapsedMs(s.startedAt, s.completedAt, now)) },
    { header: 'Message', cell: (s) => s.message ?? '' },
  ];
  return (
    <section className="panel" aria-labelledby="timeline-head">
      <h2 id="timeline-head">Stage timeline</h2>
      <DataTable columns={columns} rows={rows} rowKey={(s) => `${s.name}-${s.attempt}`} empty={<p className="muted">No stage has started yet.</p>} />
    </section>
  );
}

function artifactColumns(runId: number, setSaveError: (err: unknown) => void, view: (name: string) => void): Column<ArtifactView>[] {
  return [
    { header: 'File', className: 'mono', cell: (a) => a.name },
    { header: 'Stage', cell: (a) => a.stage ?? '—' },
    { header: 'Size', cell: (a) => formatBytes(a.size) },
    { header: 'SHA-256', className: 'mono small', title: (a) => a.sha256, cell: (a) => <>{a.sha256.slice(0, 12)}…</> },
    {
      header: 'Actions',
      srOnly: true,
      className: 'row',
      cell: (a) => {
        const url = links.artifact(runId, a.name);
        return (
          <>
            {/* Shown as text here, never opened as a page (ArtifactViewer.tsx says why). */}
            <button type="button" className="link" onClick={() => view(a.name)} aria-label={`View ${a.name}`}>
              View
            </button>
            <a
              href={url}
              download={a.name}
              aria-label={`Save ${a.name}`}
              onClick={(e) => {
                // In the app, save through its dialog; in a browser the download link does it.
                if (!window.vetting) return;
                e.preventDefault();
                setSaveError(null);
                saveArtifact(url, a.name).catch(setSaveError);
              }}
            >
              Save
            </a>
          </>
        );
      },
    },
  ];
}

function Artifacts({ run }: { run: RunDetailView }) {
  const [saveError, setSaveError] = useState<unknown>(null);
  const [viewing, setViewing] = useState<string | null>(null);
  return (
    <section className="panel" aria-labelledby="artifacts-head">
      <h2 id="artifacts-head">Artifacts</h2>
      <ErrorNote error={saveError} what="Not saved" />
      <DataTable columns={artifactColumns(run.id, setSaveError, setViewing)} rows={run.artifacts} rowKey={(a) => a.name} empty={<p className="muted">None yet.</p>} />
      {viewing ? <ArtifactViewer runId={run.id} name={viewing} onClose={() => setViewing(null)} /> : null}
    </section>
  );
}

const auditColumns: Column<TransitionView>[] = [
  { header: 'Time', title: (t) => formatTime(t.at), className: 'nowrap', cell: (t) => formatClock(Date.parse(t.at)) },
  {
    header: 'From → to',
    cell: (t) => (
      <>
        {t.from ?? '—'} → <strong>{t.to}</strong>
      </>
    ),
  },
  { header: 'Action', cell: (t) => t.action },
  { header: 'By', cell: (t) => t.actor },
  { header: 'Reason', cell: (t) => t.reason ?? '' },
];

function AuditTrail({ run }: { run: RunDetailView }) {
  return (
    <section className="panel" aria-labelledby="audit-head">
      <h2 id="audit-head">Audit trail</h2>
      <DataTable columns={auditColumns} rows={run.transitions} rowKey={(t) => t.id} />
    </section>
  );
}

/** Under the state badge: what the result claims, the coverage behind it, and whether the profile certifies at all. */
function ResultNotes({ run }: { run: RunDetailView }) {
  const note = certificationNote(run.profile, run.verdict.certifies);
  return (
    <>
      {run.result ? <p className="result-meaning">{resultPresentation(run.result).meaning}</p> : null}
      {run.result ? <CoverageSummary run={run} /> : null}
      {note ? (
        <p className="certification-note" data-testid="certification-note">
          <span aria-hidden="true">⚠ </span>
          {note}
        </p>
      ) : null}
    </>
  );
}

/**
 * The panels below the fold, drawn once the temperature chart has its samples
 * and has been painted: opened, the page shows its head, actions and charts
 * first. Only this wrapper follows the samples' request, not the whole page.
 */
function AfterChart({ runId, children }: { runId: number; children: ReactNode }) {
  const thermal = useQuery({ ...measurementsQuery(runId, 'thermal', null), select: () => true });
  return <Deferred until={!thermal.isPending}>{children}</Deferred>;
}

const runQuery = (id: number) => ({ queryKey: keys.run(id), queryFn: () => api.run(id) });

/**
 * Starts every request the run page makes, side by side: the run, the board
 * (live progress, hottest sensor) and the charts' samples, which would
 * otherwise wait for the run. Called when the page opens, and at start-up when
 * the app is opened on a run's address (beside the session check).
 */
export function preloadRunPage(queryClient: QueryClient, id: number): void {
  void queryClient.prefetchQuery(runQuery(id));
  void queryClient.prefetchQuery(boardQuery(queryClient));
  for (const kind of ['thermal', 'psu'] as const) void queryClient.prefetchQuery(measurementsQuery(id, kind, null));
}

export function RunPage({ id }: { id: number }) {
  const queryClient = useQueryClient();
  useEffect(() => preloadRunPage(queryClient, id), [queryClient, id]);
  const run = useQuery(runQuery(id));
  // The board carries live progress and the hottest sensor, patched by events.
  const board = useQuery(boardQuery(queryClient));
  const now = useNow();
  if (run.isPending) return <Loading what={`run ${id}`} />;
  if (run.error) {
    const missing = run.error instanceof ApiRequestError && run.error.status === 404;
    return (
      <div className="panel">
        <h1>Run {id}</h1>
        <ErrorNote error={run.error} what={missing ? 'No such run' : 'The run could not be loaded'} />
        <a href="#/">Back to the board</a>
      </div>
    );
  }
  const r = run.data;
  const entry = board.data?.entries.find((e) => e.run?.id === id) ?? null;
  const progress = entry?.progress ?? [];
  const cells = derivePipeline(r.stages, progress, r);
  const state = runStatePresentation(r);
  return (
    <>
      <div className="page-head run-head">
        <div>
          <p className="crumbs">
            <a href="#/">Board</a> › <a href={href.host(r.host)}>{r.host}</a> › run {r.id}
          </p>
          <h1>
            {r.host} <span className="muted">· run {r.id}</span>
          </h1>
          <p className="muted mono">
            {r.bootMac ?? 'MAC unknown'}
            {r.dmiSerial ? ` · S/N ${r.dmiSerial}` : ''} · profile {r.profile} · max {r.maxTempC} °C
          </p>
        </div>
        <div className="run-state">
          <StateBadge state={state} large />
          <ResultNotes run={r} />
          {r.failedStage ? <p>Stopped at {r.failedStage}</p> : null}
          <p className="muted">
            Elapsed {formatDuration(elapsedMs(r.startedAt ?? r.createdAt, r.completedAt, now))}
            {r.agentConnected ? ' · agent connected' : r.agentLastSeen ? ` · agent last seen ${formatTime(r.agentLastSeen)}` : ''}
            {entry?.hottest ? ` · hottest ${formatTemp(entry.hottest.value)} (${entry.hottest.sensor})` : ''}
          </p>
        </div>
      </div>
      {state.hint ? <p className="hint">{state.hint}</p> : null}
      <Pipeline cells={cells} />
      <div className="columns">
        <div className="col-main">
          {r.state === 'WaitingForAgent' ? <BootProgress events={r.boot} /> : null}
          <LiveProgress progress={progress} />
          <MeasurementChart runId={id} kind="thermal" title="Temperatures" stages={r.attempts.length ? r.attempts : r.stages} ceiling={r.maxTempC} />
          <MeasurementChart runId={id} kind="psu" title="PSU envelope" stages={r.attempts.length ? r.attempts : r.stages} focusStage="PSU" />
          <AfterChart runId={id}>
            <CoveragePanel run={r} />
            <Timeline run={r} now={now} />
            <StageResults run={r} />
            <SpecDiffs run={r} />
            {r.state !== 'WaitingForAgent' ? <BootProgress events={r.boot} /> : null}
            <AuditTrail run={r} />
          </AfterChart>
        </div>
        <div className="col-side">
          <ActionsPanel run={r} />
          <AfterChart runId={id}>
            <LogTail runId={id} />
            <Artifacts run={r} />
          </AfterChart>
        </div>
      </div>
    </>
  );
}
