import { useEffect, useRef, useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { BoardEntry, BoardView } from '../../../common/schema/api.ts';
import { HostName } from '../../../common/schema/primitives.ts';
import { api } from '../api/endpoints.ts';
import { keys } from '../api/keys.ts';
import { DataTable, type Column } from '../components/DataTable.tsx';
import { Dialog, Field } from '../components/Dialog.tsx';
import { ErrorNote, Loading } from '../components/ErrorNote.tsx';
import { Pipeline } from '../components/Pipeline.tsx';
import { ProfileOptions } from '../components/ProfileOptions.tsx';
import { StartRunDialog } from '../components/StartRunDialog.tsx';
import { StateBadge } from '../components/StateBadge.tsx';
import { useNow } from '../components/useNow.ts';
import { boardQuery } from '../live/board-query.ts';
import { bootLine } from '../logic/boot.ts';
import { identityLine, needsPersonText, runStatePresentation, sortBoard } from '../logic/board.ts';
import { elapsedMs, formatDuration, formatEta, formatTemp, formatTime } from '../logic/format.ts';
import { currentCell, derivePipeline } from '../logic/pipeline.ts';
import { preloadRunPage } from './RunDetail.tsx';
import { href } from '../logic/route.ts';

/** How long the pointer rests on a tile before its run page is fetched: passing over tiles fetches nothing. */
const INTENT_MS = 120;

/**
 * Props for a tile that start loading its run page (the run, its charts) when
 * a person shows intent to open it — the pointer resting on the tile, or the
 * keyboard focus entering it — so the page opens with its data already here.
 */
function usePreloadOnIntent(runId: number | null) {
  const client = useQueryClient();
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);
  if (runId === null) return {};
  const preload = () => preloadRunPage(client, runId);
  return {
    onPointerEnter: () => {
      clearTimeout(timer.current);
      timer.current = setTimeout(preload, INTENT_MS);
    },
    onPointerLeave: () => clearTimeout(timer.current),
    onFocus: preload,
  };
}

/** The power state the BMC last reported, in a word or two (the reason for "unknown" is in the title). */
function powerText(p: { state: string; error: string | null } | null): string {
  if (!p) return '—';
  if (p.state === 'unknown') return p.error?.startsWith('BMC unreachable') ? 'BMC unreachable' : 'unknown';
  return p.state;
}

function HostTile({ entry, now }: { entry: BoardEntry; now: number }) {
  const [starting, setStarting] = useState(false);
  const run = entry.run;
  const intent = usePreloadOnIntent(run?.id ?? null);
  const cells = derivePipeline(entry.stages, entry.progress, run);
  const current = currentCell(cells);
  const state = entry.needsPerson ? needsPersonText(entry.needsPerson) : runStatePresentation(run);
  const eta = current?.status === 'running' ? formatEta(current.etaS) : null;
  const open = run && !['Released', 'Abandoned'].includes(run.state);
  return (
    <article
      className={`tile tone-border-${state.tone}${entry.needsPerson ? ' tile-attention' : ''}`}
      aria-label={`Host ${entry.host.name}`}
      data-testid="host-tile"
      data-host={entry.host.name}
      {...intent}
    >
      <header className="tile-head">
        <h2>
          {run ? <a href={href.run(run.id)}>{entry.host.name}</a> : <a href={href.host(entry.host.name)}>{entry.host.name}</a>}
        </h2>
        <span className="muted mono">{identityLine(entry)}</span>
      </header>
      <StateBadge state={state} large />
      {state.hint ? <p className="hint">{state.hint}</p> : null}
      {entry.boot && !entry.needsPerson ? (
        <p className="muted small" data-testid="boot-step">
          {bootLine(entry.boot, now)}
        </p>
      ) : null}
      <Pipeline cells={cells} compact />
      <dl className="tile-facts">
        <div>
          <dt>Run</dt>
          <dd>{run ? <a href={href.run(run.id)}>#{run.id}</a> : '—'}</dd>
        </div>
        <div>
          <dt>Elapsed</dt>
          <dd>{run ? formatDuration(elapsedMs(run.startedAt ?? run.createdAt, run.completedAt, now)) : '—'}</dd>
        </div>
        <div>
          <dt>Now</dt>
          <dd>
            {current?.status === 'running' ? `${current.stage}${current.percent !== null ? ` ${Math.round(current.percent)}%` : ''}` : '—'}
            {eta ? <span className="muted"> · {eta}</span> : null}
          </dd>
        </div>
        {entry.host.bmc ? (
          <div>
            <dt>Power</dt>
            <dd data-testid="power-state" title={entry.host.bmc.power?.error ?? (entry.host.bmc.power ? `read ${formatTime(entry.host.bmc.power.checkedAt)}` : 'not read yet')}>
              {powerText(entry.host.bmc.power)}
            </dd>
          </div>
        ) : null}
        <div>
          <dt>Hottest</dt>
          <dd title={entry.hottest ? `${entry.hottest.sensor} at ${formatTime(entry.hottest.ts)}` : undefined}>
            {entry.hottest ? (
              <>
                {formatTemp(entry.hottest.value)} <span className="muted">{entry.hottest.sensor}</span>
              </>
            ) : (
              '—'
            )}
          </dd>
        </div>
      </dl>
      {current?.message && current.status === 'running' ? <p className="muted small">{current.message}</p> : null}
      {current && (current.status === 'failed' || current.status === 'error') ? (
        <p className="tile-problem">
          <strong>{current.stage}:</strong> {current.message ?? current.status}
        </p>
      ) : null}
      {entry.needsPerson === 'AgentLost' && run?.agentLastSeen ? <p className="tile-problem">Last heard from at {formatTime(run.agentLastSeen)}.</p> : null}
      <div className="row">
        {run ? (
          <a className="button" href={href.run(run.id)}>
            Open run {run.id}
          </a>
        ) : null}
        {!open && !entry.host.activeRun ? (
          <button type="button" onClick={() => setStarting(true)}>
            Start run
          </button>
        ) : null}
      </div>
      {starting ? <StartRunDialog host={entry.host.name} profile={entry.host.profile} bmc={entry.host.bmc ?? null} open onClose={() => setStarting(false)} /> : null}
    </article>
  );
}

function AdoptDialog({ mac, onClose }: { mac: string; onClose: () => void }) {
  const client = useQueryClient();
  const [name, setName] = useState('');
  const [profile, setProfile] = useState('standard');
  const [nameError, setNameError] = useState<string | undefined>();
  const adopt = useMutation({
    mutationFn: () => api.adopt(mac, name.trim(), profile),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: keys.board });
      void client.invalidateQueries({ queryKey: keys.hosts });
      onClose();
    },
  });
  const submit = () => {
    const checked = HostName.safeParse(name);
    if (!checked.success) return setNameError(checked.error.issues[0]?.message ?? 'invalid name');
    setNameError(undefined);
    adopt.mutate();
  };
  return (
    <Dialog title={`Adopt ${mac}`} open onClose={onClose} onSubmit={submit} submitLabel="Adopt host" busy={adopt.isPending} testId="adopt">
      <p>
        This registers the machine with boot MAC <code>{mac}</code> as a bench host. It gets no run until you start one; add its expected disks
        on the Hosts page before the Storage stage.
      </p>
      <Field id="adopt-name" label="Host name" error={nameError}>
        <input id="adopt-name" value={name} onChange={(e) => setName(e.target.value)} autoFocus aria-invalid={Boolean(nameError)} />
      </Field>
      <Field id="adopt-profile" label="Profile">
        <select id="adopt-profile" value={profile} onChange={(e) => setProfile(e.target.value)}>
          <ProfileOptions current={profile} />
        </select>
      </Field>
      <ErrorNote error={adopt.error} what="Not adopted" />
    </Dialog>
  );
}

function newHostColumns(adopt: (mac: string) => void): Column<BoardView['newHosts'][number]>[] {
  return [
    { header: 'MAC', className: 'mono', cell: (h) => h.mac },
    { header: 'Address', cell: (h) => h.ip ?? '—' },
    { header: 'Firmware', cell: (h) => h.arch ?? h.source },
    { header: 'First seen', cell: (h) => formatTime(h.firstSeen) },
    { header: 'Last seen', cell: (h) => formatTime(h.lastSeen) },
    {
      header: 'Action',
      srOnly: true,
      cell: (h) => (
        <button type="button" onClick={() => adopt(h.mac)} aria-label={`Adopt ${h.mac}`}>
          Adopt
        </button>
      ),
    },
  ];
}

function NewHosts({ board }: { board: BoardView }) {
  const [adopting, setAdopting] = useState<string | null>(null);
  if (board.newHosts.length === 0) return null;
  return (
    <section className="panel" aria-labelledby="new-hosts">
      <h2 id="new-hosts">New hosts on the bench</h2>
      <p className="muted">These machines booted on the bench network but are not registered. They get no run until adopted.</p>
      <DataTable columns={newHostColumns(setAdopting)} rows={board.newHosts} rowKey={(h) => h.mac} />
      {adopting ? <AdoptDialog mac={adopting} onClose={() => setAdopting(null)} /> : null}
    </section>
  );
}

export function BoardPage() {
  const client = useQueryClient();
  const board = useQuery(boardQuery(client));
  const now = useNow();
  if (board.isPending) return <Loading what="the bench board" />;
  if (board.error) return <ErrorNote error={board.error} what="The board could not be loaded" />;
  const entries = sortBoard(board.data.entries);
  const waiting = entries.filter((e) => e.needsPerson).length;
  return (
    <>
      <div className="page-head">
        <h1>Bench board</h1>
        <p className={waiting ? 'attention-line' : 'muted'} role="status">
          {entries.length} host{entries.length === 1 ? '' : 's'}
          {waiting ? ` · ${waiting} need${waiting === 1 ? 's' : ''} a person` : ' · nothing waiting for a person'}
        </p>
      </div>
      <NewHosts board={board.data} />
      {entries.length === 0 ? (
        <div className="panel">
          <p>
            No hosts yet. <a href={href.newHost()}>Add a host</a>, or power one on: it will appear above as a new host to adopt.
          </p>
        </div>
      ) : (
        <div className="tiles">
          {entries.map((e) => (
            <HostTile key={e.host.name} entry={e} now={now} />
          ))}
        </div>
      )}
    </>
  );
}
