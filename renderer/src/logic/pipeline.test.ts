import { describe, expect, it } from 'vitest';
import type { ProgressView, StageView } from '../../../common/schema/api.ts';
import { STAGE_NAMES } from '../../../common/stages/index.ts';
import { currentCell, derivePipeline, stagePercent } from './pipeline.ts';

const stage = (name: StageView['name'], over: Partial<StageView> = {}): StageView => ({
  name,
  attempt: 1,
  outcome: null,
  passed: null,
  message: null,
  startedAt: '2026-11-27T01:00:00Z',
  completedAt: null,
  summary: null,
  coverage: [],
  ...over,
});
const prog = (over: Partial<ProgressView>): ProgressView => ({ stage: 'Storage', item: null, percent: null, etaS: null, message: null, ts: 1, ...over });

describe('derivePipeline', () => {
  it('gives every stage of the list in order, pending before any run', () => {
    const cells = derivePipeline([], [], null);
    expect(cells.map((c) => c.stage)).toEqual([...STAGE_NAMES]);
    expect(cells.every((c) => c.status === 'pending')).toBe(true);
  });

  it('shows outcomes of finished stages and the running one with the mean of its items', () => {
    const stages = [
      stage('Inventory', { outcome: 'passed', passed: true, completedAt: '2026-11-27T01:01:00Z' }),
      stage('SpecValidate', { outcome: 'passed', passed: true }),
      stage('SMART', { outcome: 'overridden', passed: false }),
      stage('CPUStress', { outcome: 'skipped' }),
      // Stages listed between CPUStress and Storage (Memory) passed.
      ...STAGE_NAMES.slice(STAGE_NAMES.indexOf('CPUStress') + 1, STAGE_NAMES.indexOf('Storage')).map((name) => stage(name, { outcome: 'passed', passed: true })),
      stage('Storage'),
    ];
    const progress = [prog({ item: 'sda', percent: 20, etaS: 100 }), prog({ item: 'sdb', percent: 60, etaS: 40 }), prog({ stage: 'CPUStress', percent: 100 })];
    const cells = derivePipeline(stages, progress, { state: 'Storage' });
    const at = STAGE_NAMES.indexOf('Storage');
    expect(cells.slice(0, 4).map((c) => c.status)).toEqual(['passed', 'passed', 'overridden', 'skipped']);
    expect(cells.slice(4, at).every((c) => c.status === 'passed')).toBe(true);
    expect(cells[at]!.status).toBe('running');
    expect(cells.slice(at + 1).every((c) => c.status === 'pending')).toBe(true);
    const storage = cells[at]!;
    expect(storage.percent).toBe(40);
    expect(storage.etaS).toBe(100);
    expect(currentCell(cells)?.stage).toBe('Storage');
  });

  it('uses the latest attempt of a retried stage', () => {
    const stages = [stage('SMART', { attempt: 1, outcome: 'failed' }), stage('SMART', { attempt: 2 })];
    const cells = derivePipeline(stages, [], { state: 'SMART' });
    expect(cells[2]).toMatchObject({ status: 'running', attempt: 2 });
  });

  it('marks the run state stage running even before its row exists (orchestrator-owned stages)', () => {
    const cells = derivePipeline([stage('Inventory', { outcome: 'passed' })], [], { state: 'SpecValidate' });
    expect(cells[1]!.status).toBe('running');
    expect(cells[1]!.percent).toBeNull();
  });

  it('does not show a stage as running once the run was abandoned', () => {
    const cells = derivePipeline([stage('CPUStress')], [], { state: 'Abandoned' });
    expect(cells[3]!.status).toBe('pending');
  });

  it('keeps failed and error outcomes and reports the last reached stage as current', () => {
    const cells = derivePipeline([stage('Inventory', { outcome: 'passed' }), stage('SpecValidate', { outcome: 'error', message: 'boom' })], [], { state: 'FailedHolding' });
    expect(cells[1]).toMatchObject({ status: 'error', message: 'boom' });
    expect(currentCell(cells)?.stage).toBe('SpecValidate');
  });
});

describe('stagePercent', () => {
  it('clamps and ignores items without a percent', () => {
    const r = stagePercent([prog({ item: 'a', percent: 150 }), prog({ item: 'b' })], 'Storage');
    expect(r.percent).toBe(100);
  });
  it('returns the newest message', () => {
    const r = stagePercent([prog({ ts: 5, message: 'new' }), prog({ ts: 1, message: 'old', item: 'x' })], 'Storage');
    expect(r.message).toBe('new');
  });
  it('is null without reports', () => {
    expect(stagePercent([], 'GPU')).toEqual({ percent: null, etaS: null, message: null });
  });
});
