import { describe, expect, it } from 'vitest';
import type { RunState } from '../../common/schema/index.ts';
import { decideQuit } from './quit-guard.ts';

describe('decideQuit', () => {
  it('quits straight away when no host is mid-run', () => {
    expect(decideQuit([])).toEqual({ kind: 'quit' });
    expect(decideQuit([{ id: 1, host: 'a', state: 'Completed' }, { id: 2, host: 'b', state: 'Released' }])).toEqual({ kind: 'quit' });
  });

  it('asks, says how many hosts and what happens to them', () => {
    const d = decideQuit([
      { id: 1, host: 'r730-01', state: 'Storage' },
      { id: 2, host: 'r730-02', state: 'FailedHolding' },
      { id: 3, host: 'r730-03', state: 'Completed' },
    ]);
    expect(d.kind).toBe('confirm');
    if (d.kind !== 'confirm') return;
    expect(d.message).toBe('2 hosts are mid-run. Quit anyway?');
    expect(d.detail).toContain('r730-01 (Storage)');
    expect(d.detail).toContain('r730-02 (FailedHolding)');
    expect(d.detail).not.toContain('r730-03');
    expect(d.detail).toMatch(/agents keep running/);
    expect(d.detail).toMatch(/reconnect/);
    expect(d.detail).toMatch(/runs resume/);
    expect(d.detail).toContain('1 host is waiting for a person');
    expect(d.buttons[d.quitButton]).toBe('Quit');
    expect(d.buttons[d.cancelButton]).toBe('Keep running');
  });

  it('uses the singular for one host and caps the list of names', () => {
    const one = decideQuit([{ id: 1, host: 'solo', state: 'WaitingForAgent' }]);
    expect(one.kind === 'confirm' && one.message).toBe('1 host is mid-run. Quit anyway?');
    const many = decideQuit(Array.from({ length: 11 }, (_, i) => ({ id: i + 1, host: `h${i}`, state: 'CPUStress' })));
    expect(many.kind === 'confirm' && many.detail).toContain('and 3 more');
    expect(many.kind === 'confirm' && many.detail).not.toContain('h8 ');
  });

  it('counts only held runs as waiting for a person, never a run whose agent is lost', () => {
    // A held run (any hold reason, UnexpectedData included) waits for a person; a run in
    // a stage whose agent went quiet does not: its agent reconnects when Vetting is back.
    const d = decideQuit([
      { id: 1, host: 'held-data', state: 'FailedHolding' },
      { id: 2, host: 'lost-agent', state: 'CPUStress' },
    ]);
    expect(d.kind === 'confirm' && d.detail).toContain('1 host is waiting for a person');

    // 'UnexpectedData' (a hold reason) and 'AgentLost' (a flag, the board's word for it) are not run states.
    // @ts-expect-error not a run state
    const notAState: RunState = 'AgentLost';
    // @ts-expect-error not a run state
    const holdReason: RunState = 'UnexpectedData';
    // Should such a word reach the guard anyway, it is not counted as a person's turn.
    const odd = decideQuit([
      { id: 3, host: 'a', state: notAState },
      { id: 4, host: 'b', state: holdReason },
    ]);
    expect(odd.kind).toBe('confirm');
    expect(odd.kind === 'confirm' && odd.detail).not.toContain('waiting for a person');
  });
});
