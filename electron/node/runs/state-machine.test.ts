import { describe, expect, it } from 'vitest';
import { HOLD_REASONS, OPERATOR_ACTIONS, RUN_STATES, type HoldReason, type RunState } from '../../../common/schema/index.ts';
import { STAGE_NAMES, nextStage, type StageName } from '../../../common/stages/index.ts';
import { afterStage, allowedActions, acceptsResultFor, IllegalTransition, onAgentConnected, planAction } from './state-machine.ts';

const at = (state: RunState, failedStage: StageName | null = null, holdReason: HoldReason | null = null) => ({ state, failedStage, holdReason });

describe('stage order', () => {
  it('keeps the seed’s stages in the seed’s order, Inventory first and Reporting last (new stages go in between)', () => {
    const seed = ['Inventory', 'SpecValidate', 'SMART', 'CPUStress', 'Storage', 'Network', 'GPU', 'PSU', 'Reporting'];
    expect(STAGE_NAMES.filter((s) => seed.includes(s))).toEqual(seed);
    expect([STAGE_NAMES[0], STAGE_NAMES.at(-1)]).toEqual(['Inventory', 'Reporting']);
  });

  it('advances through every stage in order, the last one completing the run', () => {
    STAGE_NAMES.forEach((stage, i) => {
      expect(afterStage(stage, 'passed', false)).toEqual({ kind: 'advance', to: STAGE_NAMES[i + 1] ?? 'Completed' });
      expect(afterStage(stage, 'skipped', false)).toEqual({ kind: 'advance', to: STAGE_NAMES[i + 1] ?? 'Completed' });
    });
  });

  it('halts any failed stage at FailedHolding with the stage recorded', () => {
    for (const stage of STAGE_NAMES) {
      expect(afterStage(stage, 'failed', false)).toEqual({ kind: 'hold', holdReason: 'StageFailed', failedStage: stage });
      expect(afterStage(stage, 'error', false)).toEqual({ kind: 'hold', holdReason: 'StageError', failedStage: stage });
    }
    expect(afterStage('Storage', 'failed', true)).toEqual({ kind: 'hold', holdReason: 'UnexpectedData', failedStage: 'Storage' });
  });

  it('starts with Inventory only from WaitingForAgent', () => {
    for (const state of RUN_STATES) expect(onAgentConnected(at(state))).toBe(state === 'WaitingForAgent' ? 'Inventory' : null);
  });

  it('accepts agent results only for the agent-owned stage the run is in', () => {
    for (const state of RUN_STATES) {
      for (const stage of STAGE_NAMES) {
        const expected = state === stage && stage !== 'SpecValidate' && stage !== 'Reporting';
        expect(acceptsResultFor(at(state), stage)).toBe(expected);
      }
    }
  });
});

describe('operator actions', () => {
  // The documented table (docs/state-machine.md): every state × every action.
  const legal: Record<string, string[]> = {
    FailedHolding: ['retry', 'override', 'abandon'],
    Completed: ['release'],
    Abandoned: ['release'],
    Released: [],
  };
  const expectedFor = (state: RunState) => legal[state] ?? ['abandon'];

  it.each(RUN_STATES.flatMap((s) => OPERATOR_ACTIONS.map((a) => [s, a] as const)))('%s × %s', (state, action) => {
    const pos = at(state, state === 'FailedHolding' ? 'SMART' : null, state === 'FailedHolding' ? 'StageFailed' : null);
    expect(allowedActions(pos)).toEqual(expectedFor(state));
    if (expectedFor(state).includes(action)) {
      expect(() => planAction(pos, action)).not.toThrow();
    } else {
      expect(() => planAction(pos, action)).toThrow(IllegalTransition);
      expect(() => planAction(pos, action)).toThrow(`cannot ${action} a run in state ${state}`);
    }
  });

  it('retry re-enters the failed stage, waiving nothing', () => {
    expect(planAction(at('FailedHolding', 'CPUStress', 'StageFailed'), 'retry')).toEqual({ kind: 'enter-stage', stage: 'CPUStress', markOverridden: false, wipeOverride: false, needsSupervisor: false });
    // Retrying after found data re-runs the probe: nothing is waived and no supervisor is asked.
    expect(planAction(at('FailedHolding', 'Storage', 'UnexpectedData'), 'retry')).toEqual({ kind: 'enter-stage', stage: 'Storage', markOverridden: false, wipeOverride: false, needsSupervisor: false });
  });

  it('refuses to retry or override a hold that names no failed stage, saying why', () => {
    for (const action of ['retry', 'override'] as const) {
      const err = (() => {
        try {
          planAction(at('FailedHolding', null, 'StageFailed'), action);
        } catch (e) {
          return e;
        }
        return null;
      })();
      expect(err).toBeInstanceOf(IllegalTransition);
      expect(String(err)).toBe(`IllegalTransition: cannot ${action} a run in state FailedHolding: the run records no failed stage`);
      expect(err).toMatchObject({ action, state: 'FailedHolding' });
    }
  });

  it('names the action and the state, and nothing more, when an action is not allowed there', () => {
    expect(() => planAction(at('Released'), 'abandon')).toThrow(/^cannot abandon a run in state Released$/);
  });

  it('override continues with the next stage and marks the failure overridden', () => {
    for (const reason of ['StageFailed', 'StageError'] as const) {
      expect(planAction(at('FailedHolding', 'SMART', reason), 'override')).toEqual({ kind: 'enter-stage', stage: 'CPUStress', markOverridden: true, wipeOverride: false, needsSupervisor: false });
    }
    expect(planAction(at('FailedHolding', 'PSU', 'StageFailed'), 'override')).toMatchObject({ kind: 'enter-stage', stage: nextStage('PSU') });
    expect(planAction(at('FailedHolding', 'Reporting', 'StageError'), 'override')).toEqual({ kind: 'finish', to: 'Completed' });
  });

  it('overriding UnexpectedData needs a supervisor and re-runs Storage with the wipe-probe waived', () => {
    expect(planAction(at('FailedHolding', 'Storage', 'UnexpectedData'), 'override')).toEqual({ kind: 'enter-stage', stage: 'Storage', markOverridden: true, wipeOverride: true, needsSupervisor: true });
  });

  it('abandon and release end the run', () => {
    expect(planAction(at('Storage'), 'abandon')).toEqual({ kind: 'finish', to: 'Abandoned' });
    expect(planAction(at('Completed'), 'release')).toEqual({ kind: 'finish', to: 'Released' });
  });

  it('every hold reason is covered', () => {
    for (const reason of HOLD_REASONS) expect(() => planAction(at('FailedHolding', 'Storage', reason), 'override')).not.toThrow();
  });
});
