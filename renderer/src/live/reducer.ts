import type { BoardView, LiveEvent, ProgressView, RunDetailView } from '../../../common/schema/api.ts';
import type { LogsView } from '../api/endpoints.ts';
import { keys } from '../api/keys.ts';

// How each live event changes the cached server state. Small, frequent events
// (progress, sensors, log lines) are patched into the cache in place; events
// that change a run's shape invalidate the queries that show it, so react-query
// refetches only what is on screen. No polling anywhere.

export type Key = readonly unknown[];

/** The part of react-query's QueryClient the reducer needs (a fake in tests). */
export interface CacheLike {
  invalidate(key: Key): void;
  update<T>(key: Key, updater: (old: T | undefined) => T | undefined): void;
}

export interface LiveNotice {
  title: string;
  body: string;
  runId: number | null;
}

/** Log lines kept per run in the cache; the server keeps the full output as artifacts. */
export const LOG_LINES_KEPT = 500;

export function mergeProgress(list: readonly ProgressView[], next: ProgressView): ProgressView[] {
  // One entry per (stage, item): a newer report replaces the older one.
  const rest = list.filter((p) => !(p.stage === next.stage && (p.item ?? null) === (next.item ?? null)));
  return [...rest, next];
}

/**
 * A board fetched while live events kept arriving: its answer may have left
 * the server before the latest progress or sensor event and still be parsed
 * after that event was patched into the cache. Keeps, per run, whatever live
 * value is newer than the snapshot's (progress of the stage the run is in now,
 * by (stage, item); the hottest reading), so a refetch never winds them back.
 */
export function mergeBoardSnapshot(cached: BoardView | undefined, fresh: BoardView): BoardView {
  if (!cached) return fresh;
  const before = new Map(cached.entries.flatMap((e) => (e.run ? [[e.run.id, e] as const] : [])));
  const entries = fresh.entries.map((e) => {
    const old = e.run ? before.get(e.run.id) : undefined;
    if (!old || !e.run) return e;
    const stage = e.run.state;
    let progress = e.progress;
    for (const p of old.progress) {
      if (p.stage !== stage) continue;
      const same = progress.find((q) => q.stage === p.stage && (q.item ?? null) === (p.item ?? null));
      if (!same || same.ts < p.ts) progress = mergeProgress(progress, p);
    }
    const hottest = old.hottest && (!e.hottest || e.hottest.ts < old.hottest.ts) ? old.hottest : e.hottest;
    return progress === e.progress && hottest === e.hottest ? e : { ...e, progress, hottest };
  });
  return { ...fresh, entries };
}

function patchBoardEntryOfRun(cache: CacheLike, runId: number, patch: (entry: BoardView['entries'][number]) => BoardView['entries'][number]): void {
  cache.update<BoardView>(keys.board, (old) => {
    if (!old) return old;
    let changed = false;
    const entries = old.entries.map((e) => {
      if (e.run?.id !== runId) return e;
      changed = true;
      return patch(e);
    });
    return changed ? { ...old, entries } : old;
  });
}

/** Applies one event; returns a notice when the event asks to tell a person something. */
export function applyLiveEvent(cache: CacheLike, event: LiveEvent): LiveNotice | null {
  switch (event.type) {
    case 'run-updated':
      cache.invalidate(keys.board);
      cache.invalidate(keys.run(event.runId));
      cache.invalidate(keys.runsAll);
      cache.invalidate(keys.hosts);
      cache.invalidate(keys.host(event.host));
      // Stage results bring PSU envelopes and other charted values.
      cache.invalidate(keys.measurementsOfRun(event.runId));
      return null;
    case 'boot-step':
      // One more row in the run page's boot table; a waiting run's board tile shows the newest step.
      cache.update<RunDetailView>(keys.run(event.runId), (old) => (old ? { ...old, boot: [...old.boot, event.boot] } : old));
      patchBoardEntryOfRun(cache, event.runId, (e) => (e.run?.state === 'WaitingForAgent' ? { ...e, boot: event.boot } : e));
      return null;
    case 'host-updated':
      cache.invalidate(keys.board);
      cache.invalidate(keys.hosts);
      cache.invalidate(keys.host(event.host));
      return null;
    case 'progress': {
      const progress: ProgressView = {
        stage: event.stage,
        item: event.item ?? null,
        percent: event.percent ?? null,
        etaS: event.etaS ?? null,
        message: event.message ?? null,
        ts: event.ts,
      };
      patchBoardEntryOfRun(cache, event.runId, (e) => {
        // A progress report for a later stage means the earlier stage's progress is history.
        const sameStage = e.progress.filter((p) => p.stage === event.stage);
        return { ...e, progress: mergeProgress(sameStage, progress) };
      });
      return null;
    }
    case 'log':
      cache.update<LogsView>(keys.logs(event.runId), (old) => {
        if (!old) return old; // not on screen: nothing to keep, the next fetch gets the tail
        const now = Date.now();
        const added = event.lines.map((line) => ({ ts: now, source: event.source, line }));
        return { lines: [...old.lines, ...added].slice(-LOG_LINES_KEPT) };
      });
      return null;
    case 'sensors':
      if (event.hottest) {
        const hottest = { ...event.hottest, ts: event.ts };
        patchBoardEntryOfRun(cache, event.runId, (e) => ({ ...e, hottest }));
      }
      // Only the live (unzoomed) thermal chart follows new samples.
      cache.invalidate(keys.measurementsLive(event.runId, 'thermal'));
      return null;
    case 'host-seen':
      cache.invalidate(keys.board);
      return null;
    case 'notification':
      cache.invalidate(keys.board);
      if (event.runId !== null) cache.invalidate(keys.run(event.runId));
      cache.invalidate(keys.notifications); // delivery status per channel
      return { title: event.title, body: event.body, runId: event.runId };
    case 'services':
      cache.invalidate(keys.services);
      return null;
    default:
      return null;
  }
}

/** Parses one `data:` payload; a malformed one is reported, never thrown. */
export function parseLiveEvent(
  data: string,
  validate: (value: unknown) => { success: true; data: LiveEvent } | { success: false; error: { message: string } },
): { event: LiveEvent } | { error: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(data);
  } catch {
    return { error: `live event is not JSON: ${data.slice(0, 80)}` };
  }
  const checked = validate(raw);
  if (!checked.success) return { error: `unknown live event: ${data.slice(0, 120)}` };
  return { event: checked.data };
}
