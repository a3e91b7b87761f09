import { describe, expect, it } from 'vitest';
import type { BoardEntry, HostView, RunSummaryView } from '../../../common/schema/api.ts';
import { RUN_RESULTS } from '../../../common/schema/run.ts';
import { identityLine, runStatePresentation, sortBoard } from './board.ts';

const host = (name: string): HostView => ({
  name,
  macs: ['52:54:00:00:00:01'],
  profile: 'standard',
  disks: [],
  maxTempC: null,
  specYaml: null,
  notes: null,
  createdAt: '2026-11-27T00:00:00Z',
  updatedAt: '2026-11-27T00:00:00Z',
  activeRun: null,
});
const run = (over: Partial<RunSummaryView>): RunSummaryView => ({
  id: 1,
  host: 'x',
  profile: 'standard',
  state: 'CPUStress',
  holdReason: null,
  result: null,
  failedStage: null,
  createdAt: '2026-11-27T00:00:00Z',
  startedAt: '2026-11-27T00:00:00Z',
  completedAt: null,
  agentLost: false,
  agentConnected: true,
  agentLastSeen: null,
  bootMac: null,
  dmiSerial: null,
  overridden: false,
  ...over,
});
const entry = (name: string, r: Partial<RunSummaryView> | null, needsPerson: BoardEntry['needsPerson'] = null): BoardEntry => ({
  host: host(name),
  run: r ? run({ host: name, ...r }) : null,
  stages: [],
  progress: [],
  hottest: null,
  boot: null,
  needsPerson,
});

describe('sortBoard', () => {
  it('puts what needs a person first, most urgent first, then running, then idle', () => {
    const sorted = sortBoard([
      entry('idle', null),
      entry('a-running', { state: 'Storage' }),
      entry('lost', { state: 'Network', agentLost: true }, 'AgentLost'),
      entry('done', { state: 'Completed', result: 'pass' }),
      entry('held', { state: 'FailedHolding', holdReason: 'StageFailed' }, 'FailedHolding'),
      entry('data', { state: 'FailedHolding', holdReason: 'UnexpectedData' }, 'UnexpectedData'),
      entry('waiting', { state: 'WaitingForAgent' }),
    ]);
    expect(sorted.map((e) => e.host.name)).toEqual(['data', 'held', 'lost', 'a-running', 'waiting', 'done', 'idle']);
  });

  it('orders by host name inside a group and does not mutate its input', () => {
    const input = [entry('b', { state: 'SMART' }), entry('a', { state: 'GPU' })];
    expect(sortBoard(input).map((e) => e.host.name)).toEqual(['a', 'b']);
    expect(input.map((e) => e.host.name)).toEqual(['b', 'a']);
  });
});

describe('runStatePresentation', () => {
  it('names the supervisor case apart from a plain failure', () => {
    expect(runStatePresentation(run({ state: 'FailedHolding', holdReason: 'UnexpectedData' })).text).toMatch(/supervisor/);
    expect(runStatePresentation(run({ state: 'FailedHolding', holdReason: 'StageFailed' })).text).toBe('Failed — holding');
  });
  it('shows lost agents of open runs only', () => {
    expect(runStatePresentation(run({ state: 'SMART', agentLost: true })).text).toBe('Agent lost');
    expect(runStatePresentation(run({ state: 'Released', agentLost: true })).text).toBe('Released');
  });
  it('words a finished run by its result, each result in its own icon and tone', () => {
    const shown = RUN_RESULTS.map((result) => runStatePresentation(run({ state: 'Completed', result })));
    expect(shown.map((p) => p.text)).toEqual(['Completed — PASS', 'Completed — PASS WITH OVERRIDES', 'Completed — FAIL', 'Completed — INCOMPLETE']);
    expect(new Set(shown.map((p) => p.tone)).size).toBe(RUN_RESULTS.length);
    expect(new Set(shown.map((p) => p.icon)).size).toBe(RUN_RESULTS.length);
    // An overridden stage no longer turns the state into a pass: the stored result says what it is.
    expect(runStatePresentation(run({ state: 'Completed', result: 'incomplete', overridden: true })).tone).toBe('partial');
    expect(runStatePresentation(run({ state: 'Completed', result: 'incomplete' })).hint).toMatch(/Coverage/);
    expect(runStatePresentation(run({ state: 'Released', result: 'pass-with-overrides' })).text).toBe('Released — PASS WITH OVERRIDES');
    expect(runStatePresentation(run({ state: 'Abandoned', result: 'fail' })).tone).toBe('bad');
    expect(runStatePresentation(run({ state: 'Abandoned' })).text).toBe('Abandoned');
  });
  it('words running stages and idle hosts', () => {
    expect(runStatePresentation(run({ state: 'Storage' })).text).toBe('Running Storage');
    expect(runStatePresentation(null).text).toBe('Idle');
  });
});

describe('identityLine', () => {
  it('prefers what the agent reported', () => {
    expect(identityLine(entry('h', { bootMac: 'aa:bb:cc:dd:ee:ff', dmiSerial: 'SN1' }))).toBe('aa:bb:cc:dd:ee:ff · S/N SN1');
    expect(identityLine(entry('h', null))).toBe('52:54:00:00:00:01');
  });
});
