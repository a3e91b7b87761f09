import { describe, expect, it } from 'vitest';
import type { StageView } from '../../../common/schema/api.ts';
import { actionsFor, describeAction } from './actions.ts';

const attempt = (name: StageView['name'], n: number): StageView => ({ name, attempt: n, outcome: 'failed', passed: false, message: null, startedAt: null, completedAt: null, summary: null, coverage: [] });
const held = { id: 7, host: 'node-3', state: 'FailedHolding' as const, holdReason: 'StageFailed' as const, failedStage: 'SMART' as const, attempts: [attempt('SMART', 1), attempt('SMART', 2)] };

describe('actionsFor', () => {
  it('offers what each state allows', () => {
    expect(actionsFor({ state: 'FailedHolding' })).toEqual(['retry', 'override', 'abandon']);
    expect(actionsFor({ state: 'Completed' })).toEqual(['release']);
    expect(actionsFor({ state: 'Storage' })).toEqual(['abandon']);
    expect(actionsFor({ state: 'WaitingForAgent' })).toEqual(['abandon']);
    expect(actionsFor({ state: 'Released' })).toEqual([]);
    expect(actionsFor({ state: 'Abandoned' })).toEqual([]);
  });
});

describe('describeAction', () => {
  it('names the stage, the next attempt and the host for a retry', () => {
    const t = describeAction(held, 'retry');
    expect(t.title).toBe('Retry SMART on node-3?');
    expect(t.effect).toContain('runs SMART again (attempt 3)');
  });
  it('says where an override continues', () => {
    const t = describeAction(held, 'override');
    expect(t.supervisor).toBe(false);
    expect(t.effect).toContain('continues with CPUStress');
    expect(t.effect).toContain('PASS WITH OVERRIDES');
  });
  it('makes a wipe-probe override a supervisor decision that destroys data', () => {
    const t = describeAction({ ...held, failedStage: 'Storage', holdReason: 'UnexpectedData' }, 'override');
    expect(t.supervisor).toBe(true);
    expect(t.submitLabel).toBe('Approve override');
    expect(t.effect).toMatch(/destroy everything/);
  });
  it('warns that abandon and release are final', () => {
    expect(describeAction(held, 'abandon').effect).toMatch(/cannot be resumed/);
    expect(describeAction({ ...held, state: 'Completed', failedStage: null }, 'release').effect).toMatch(/can no longer change/);
  });
});
