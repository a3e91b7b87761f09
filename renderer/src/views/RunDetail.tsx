import { useEffect, useState, type ReactNode } from 'react';
import { useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import type { ProgressView, RunDetailView } from '../../../common/schema/api.ts';
import { ApiRequestError } from '../api/client.ts';
import { api, links } from '../api/endpoints.ts';
import { keys } from '../api/keys.ts';
import { Deferred } from '../components/Deferred.tsx';
import { ErrorNote, Loading } from '../components/ErrorNote.tsx';
import { Pipeline } from '../components/Pipeline.tsx';
import { StateBadge } from '../components/StateBadge.tsx';
import { useNow } from '../components/useNow.ts';
import { runStatePresentation } from '../logic/board.ts';
import { elapsedMs, formatBytes, formatClock, formatDuration, formatEta, formatTemp, formatTime } from '../logic/format.ts';
import { derivePipeline } from '../logic/pipeline.ts';
import { href } from '../logic/route.ts';
import { saveArtifact } from '../platform/bridge.ts';
import { ActionsPanel } from './run/Actions.tsx';
import { LogTail } from './run/LogTail.tsx';
import { boardQuery } from '../live/board-query.ts';
import { BootProgress } from './run/BootProgress.tsx';
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
  return (
    <section className="panel" aria-labelledby="timeline-head">
      <h2 id="timeline-head">Stage timeline</h2>
      {rows.length === 0 ? <p className="muted">No stage has started yet.</p> : null}
      {rows.length > 0 ? (
        <table>
          <thead>
            <tr>
              <th scope="col">Stage</th>
              <th scope="col">Attempt</th>
              <th scope="col">Outcome</th>
              <th scope="col">Started</th>
              <th scope="col">Duration</th>
              <th scope="col">Message</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((s) => (
              <tr key={`${s.name}-${s.attempt}`}>
                <th scope="row">{s.name}</th>
                <td>{s.attempt}</td>
                <td>
                  <span className={`outcome outcome-${s.outcome ?? 'running'}`}>{s.outcome ?? (run.state === s.name ? 'running' : '—')}</span>
                </td>
                <td title={formatTime(s.startedAt)}>{s.startedAt ? formatClock(Date.parse(s.startedAt)) : '—'}</td>
                <td>{formatDuration(elapsedMs(s.startedAt, s.completedAt, now))}</td>
                <td>{s.message ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}

function Artifacts({ run }: { run: RunDetailView }) {
  const [saveError, setSaveError] = useState<unknown>(null);
  return (
    <section className="panel" aria-labelledby="artifacts-head">
      <h2 id="artifacts-head">Artifacts</h2>
      {run.artifacts.length === 0 ? <p className="muted">None yet.</p> : null}
      <ErrorNote error={saveError} what="Not saved" />
      {run.artifacts.length > 0 ? (
        <table>
          <thead>
            <tr>
              <th scope="col">File</th>
              <th scope="col">Stage</th>
              <th scope="col">Size</th>
              <th scope="col">SHA-256</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {run.artifacts.map((a) => {
              const url = links.artifact(run.id, a.name);
              return (
                <tr key={a.name}>
                  <td className="mono">{a.name}</td>
                  <td>{a.stage ?? '—'}</td>
                  <td>{formatBytes(a.size)}</td>
                  <td className="mono small" title={a.sha256}>
                    {a.sha256.slice(0, 12)}…
                  </td>
                  <td className="row">
                    <a href={url} target="_blank" rel="noopener" aria-label={`Open ${a.name}`}>
                      Open
                    </a>
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
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}

function AuditTrail({ run }: { run: RunDetailView }) {
  return (
    <section className="panel" aria-labelledby="audit-head">
      <h2 id="audit-head">Audit trail</h2>
      <table>
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">From → to</th>
            <th scope="col">Action</th>
            <th scope="col">By</th>
            <th scope="col">Reason</th>
          </tr>
        </thead>
        <tbody>
          {run.transitions.map((t) => (
            <tr key={t.id}>
              <td title={formatTime(t.at)} className="nowrap">
                {formatClock(Date.parse(t.at))}
              </td>
              <td>
                {t.from ?? '—'} → <strong>{t.to}</strong>
              </td>
              <td>{t.action}</td>
              <td>{t.actor}</td>
              <td>{t.reason ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
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
