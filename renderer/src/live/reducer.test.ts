import { describe, expect, it } from 'vitest';
import { LiveEvent, type BoardView, type HostView, type RunDetailView, type RunSummaryView } from '../../../common/schema/api.ts';
import type { LogsView } from '../api/endpoints.ts';
import { keys } from '../api/keys.ts';
import { applyLiveEvent, LOG_LINES_KEPT, mergeBoardSnapshot, parseLiveEvent, type CacheLike, type Key } from './reducer.ts';

/** A tiny in-memory stand-in for react-query's cache that records invalidations. */
class FakeCache implements CacheLike {
  readonly data = new Map<string, unknown>();
  readonly invalidated: string[] = [];
  set(key: Key, value: unknown) {
    this.data.set(JSON.stringify(key), value);
  }
  get<T>(key: Key): T | undefined {
    return this.data.get(JSON.stringify(key)) as T | undefined;
  }
  invalidate(key: Key) {
    this.invalidated.push(JSON.stringify(key));
  }
  update<T>(key: Key, updater: (old: T | undefined) => T | undefined) {
    const next = updater(this.get<T>(key));
    if (next !== undefined) this.set(key, next);
  }
}

const host: HostView = {
  name: 'node-1',
  macs: [],
  profile: 'smoke',
  disks: [],
  maxTempC: null,
  specYaml: null,
  notes: null,
  createdAt: '',
  updatedAt: '',
  activeRun: 4,
};
const run = { id: 4, host: 'node-1', state: 'Storage' } as RunSummaryView;
const board = (): BoardView => ({
  entries: [
    { host, run, stages: [], progress: [], hottest: null, boot: null, needsPerson: null },
    { host: { ...host, name: 'other' }, run: { ...run, id: 9 }, stages: [], progress: [], hottest: null, boot: null, needsPerson: null },
  ],
  newHosts: [],
});

describe('applyLiveEvent', () => {
  it('invalidates everything that shows a run when its state changes', () => {
    const cache = new FakeCache();
    applyLiveEvent(cache, { type: 'run-updated', runId: 4, host: 'node-1', state: 'Network' });
    for (const key of [keys.board, keys.run(4), keys.runsAll, keys.host('node-1'), keys.measurementsOfRun(4)]) {
      expect(cache.invalidated).toContain(JSON.stringify(key));
    }
  });

  it('adds a boot step to the run page and to a waiting run\'s tile, and refetches nothing', () => {
    const cache = new FakeCache();
    const waiting = board();
    waiting.entries[0]!.run = { ...run, state: 'WaitingForAgent' };
    cache.set(keys.board, waiting);
    const dhcp = { step: 'dhcp' as const, detail: 'iPXE leased 10.0.0.5 (bios)', at: '2026-11-27T08:00:00.000Z' };
    cache.set(keys.run(4), { id: 4, boot: [dhcp] } as unknown as RunDetailView);
    const script = { step: 'boot-script' as const, detail: 'live image for node-1', at: '2026-11-27T08:00:01.000Z' };
    applyLiveEvent(cache, { type: 'boot-step', runId: 4, host: 'node-1', boot: script });
    expect(cache.get<RunDetailView>(keys.run(4))!.boot).toEqual([dhcp, script]);
    expect(cache.get<BoardView>(keys.board)!.entries.map((e) => e.boot)).toEqual([script, null]);
    expect(cache.invalidated).toEqual([]);

    // A running run's tile shows its stages, not boot steps (a lease renewed mid-run).
    const running = new FakeCache();
    running.set(keys.board, board());
    applyLiveEvent(running, { type: 'boot-step', runId: 4, host: 'node-1', boot: script });
    expect(running.get<BoardView>(keys.board)!.entries[0]!.boot).toBeNull();
  });

  it('patches progress into the board entry of that run only, one entry per item', () => {
    const cache = new FakeCache();
    cache.set(keys.board, board());
    applyLiveEvent(cache, { type: 'progress', runId: 4, stage: 'Storage', item: 'sda', percent: 10, ts: 1 });
    applyLiveEvent(cache, { type: 'progress', runId: 4, stage: 'Storage', item: 'sdb', percent: 30, ts: 2 });
    applyLiveEvent(cache, { type: 'progress', runId: 4, stage: 'Storage', item: 'sda', percent: 50, etaS: 9, ts: 3 });
    const b = cache.get<BoardView>(keys.board)!;
    expect(b.entries[0]!.progress.map((p) => [p.item, p.percent])).toEqual([
      ['sdb', 30],
      ['sda', 50],
    ]);
    expect(b.entries[1]!.progress).toEqual([]);
    expect(cache.invalidated).toEqual([]);
  });

  it('drops the previous stage’s progress when the next stage reports', () => {
    const cache = new FakeCache();
    cache.set(keys.board, board());
    applyLiveEvent(cache, { type: 'progress', runId: 4, stage: 'Storage', percent: 100, ts: 1 });
    applyLiveEvent(cache, { type: 'progress', runId: 4, stage: 'Network', item: 'eth0', percent: 5, ts: 2 });
    expect(cache.get<BoardView>(keys.board)!.entries[0]!.progress.map((p) => p.stage)).toEqual(['Network']);
  });

  it('updates the hottest sensor and refreshes only the live thermal chart', () => {
    const cache = new FakeCache();
    cache.set(keys.board, board());
    applyLiveEvent(cache, { type: 'sensors', runId: 9, ts: 77, hottest: { sensor: 'coretemp/Package', value: 81.5 }, count: 12 });
    expect(cache.get<BoardView>(keys.board)!.entries[1]!.hottest).toEqual({ sensor: 'coretemp/Package', value: 81.5, ts: 77 });
    expect(cache.invalidated).toEqual([JSON.stringify(keys.measurementsLive(9, 'thermal'))]);
  });

  it('appends log lines to a log tail on screen and keeps only the newest', () => {
    const cache = new FakeCache();
    applyLiveEvent(cache, { type: 'log', runId: 4, source: 'fio', lines: ['ignored'] });
    expect(cache.get(keys.logs(4))).toBeUndefined();
    cache.set(keys.logs(4), { lines: [] } satisfies LogsView);
    const many = Array.from({ length: LOG_LINES_KEPT + 20 }, (_, i) => `line ${i}`);
    applyLiveEvent(cache, { type: 'log', runId: 4, source: 'fio', lines: many });
    const logs = cache.get<LogsView>(keys.logs(4))!;
    expect(logs.lines).toHaveLength(LOG_LINES_KEPT);
    expect(logs.lines.at(-1)).toMatchObject({ source: 'fio', line: `line ${LOG_LINES_KEPT + 19}` });
  });

  it('returns notifications for a person and refreshes their run', () => {
    const cache = new FakeCache();
    const notice = applyLiveEvent(cache, { type: 'notification', event: 'UnexpectedData', title: 'Data on node-1', body: 'disk S1', runId: 4 });
    expect(notice).toEqual({ title: 'Data on node-1', body: 'disk S1', runId: 4 });
    expect(cache.invalidated).toContain(JSON.stringify(keys.run(4)));
  });

  it('refreshes the board for a new host and the services panel for services', () => {
    const cache = new FakeCache();
    applyLiveEvent(cache, { type: 'host-seen', mac: '52:54:00:00:00:09', ip: null });
    applyLiveEvent(cache, { type: 'services' });
    expect(cache.invalidated).toEqual([JSON.stringify(keys.board), JSON.stringify(keys.services)]);
  });
});

describe('parseLiveEvent', () => {
  const validate = (v: unknown) => LiveEvent.safeParse(v);
  it('accepts a known event and reports garbage without throwing', () => {
    expect(parseLiveEvent('{"type":"services"}', validate)).toEqual({ event: { type: 'services' } });
    expect(parseLiveEvent('not json', validate)).toMatchObject({ error: expect.stringMatching(/not JSON/) });
    expect(parseLiveEvent('{"type":"mystery"}', validate)).toMatchObject({ error: expect.stringMatching(/unknown live event/) });
  });
});

describe('mergeBoardSnapshot', () => {
  const progress = (stage: 'CPUStress' | 'SMART', percent: number, ts: number) => ({ stage, item: null, percent, etaS: null, message: null, ts });
  const entry = (state: RunSummaryView['state'], p: ReturnType<typeof progress>[], hottest: { sensor: string; value: number; ts: number } | null) => ({
    host,
    run: { ...run, state },
    stages: [],
    progress: p,
    hottest,
    boot: null,
    needsPerson: null,
  });

  it('keeps live progress and readings newer than a snapshot that was on its way meanwhile', () => {
    const cached: BoardView = { entries: [entry('CPUStress', [progress('CPUStress', 40, 2000)], { sensor: 'a', value: 71, ts: 2000 })], newHosts: [] };
    const fresh: BoardView = { entries: [entry('CPUStress', [progress('CPUStress', 0, 1000)], { sensor: 'a', value: 50, ts: 1000 })], newHosts: [] };
    const merged = mergeBoardSnapshot(cached, fresh);
    expect(merged.entries[0]!.progress.map((p) => p.percent)).toEqual([40]);
    expect(merged.entries[0]!.hottest?.value).toBe(71);
  });

  it('takes the snapshot where it is newer, and drops progress of a stage the run has left', () => {
    const cached: BoardView = { entries: [entry('CPUStress', [progress('CPUStress', 40, 2000)], null)], newHosts: [] };
    expect(mergeBoardSnapshot(cached, { entries: [entry('CPUStress', [progress('CPUStress', 80, 3000)], null)], newHosts: [] }).entries[0]!.progress[0]!.percent).toBe(80);
    expect(mergeBoardSnapshot(cached, { entries: [entry('SMART', [], null)], newHosts: [] }).entries[0]!.progress).toEqual([]);
    expect(mergeBoardSnapshot(undefined, { entries: [], newHosts: [] })).toEqual({ entries: [], newHosts: [] });
  });
});
