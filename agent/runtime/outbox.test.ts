import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff.ts';
import { Outbox } from './outbox.ts';
import { loadState, saveState, STATE_FILE_NAME, stateBinding } from './state-file.ts';

describe('Outbox', () => {
  it('numbers messages from 1 and keeps them until acknowledged', () => {
    const box = new Outbox();
    const a = box.add({ type: 'heartbeat', stage: null }, 10);
    const b = box.add({ type: 'stage-started', stage: 'SMART', attempt: 1 }, 11);
    expect([a.seq, b.seq]).toEqual([1, 2]);
    expect(a.ts).toBe(10);
    expect(box.pending.map((m) => m.seq)).toEqual([1, 2]);
    expect(box.ackUpTo(1)).toBe(1);
    expect(box.pending.map((m) => m.seq)).toEqual([2]);
    expect(box.nextSeq).toBe(3);
  });

  it('resends, in order, only what the orchestrator has not stored', () => {
    const box = new Outbox();
    for (let i = 0; i < 5; i++) box.add({ type: 'heartbeat', stage: null });
    expect(box.resendAfter(3).map((m) => m.seq)).toEqual([4, 5]);
    expect(box.resendAfter(0).map((m) => m.seq)).toEqual([4, 5]);
  });

  it('never reuses a number the orchestrator already holds', () => {
    const box = new Outbox({ session: 'abcdefgh12', nextSeq: 3, pending: [] });
    box.resendAfter(9);
    expect(box.add({ type: 'heartbeat', stage: null }).seq).toBe(10);
  });

  it('drops old telemetry, never results, when it overflows', () => {
    const box = new Outbox(undefined, 3);
    box.add({ type: 'stage-result', stage: 'SMART', attempt: 1, outcome: 'passed', message: 'ok', summary: {}, coverage: [] });
    box.add({ type: 'heartbeat', stage: null });
    box.add({ type: 'sensor-batch', samples: [] });
    box.add({ type: 'heartbeat', stage: null });
    expect(box.pending.map((m) => m.type)).toEqual(['stage-result', 'sensor-batch', 'heartbeat']);
    expect(box.hasPendingResult('SMART', 1)).toBe(true);
    expect(box.hasPendingResult('SMART', 2)).toBe(false);
    expect(box.hasPendingResult('CPUStress', 1)).toBe(false);
  });

  it('drops the oldest telemetry first, and keeps every result and stage event however many', () => {
    const result = (stage: 'SMART' | 'CPUStress' | 'Memory') => ({ type: 'stage-result' as const, stage, attempt: 1, outcome: 'passed' as const, message: 'ok', summary: {}, coverage: [] });
    const box = new Outbox(undefined, 2);
    box.add({ type: 'heartbeat', stage: null });
    box.add(result('SMART'));
    box.add(result('CPUStress'));
    expect(box.pending.map((m) => m.seq)).toEqual([2, 3]);
    box.add(result('Memory'));
    expect(box.pending.map((m) => m.seq)).toEqual([2, 3, 4]);
  });

  it('restores a saved outbox in sequence order, and an ack of the next number moves past it', () => {
    const msg = (seq: number) => ({ type: 'heartbeat' as const, stage: null, seq, ts: seq });
    const box = new Outbox({ session: 'abcdefgh12', nextSeq: 4, pending: [msg(3), msg(1), msg(2)] });
    expect(box.pending.map((m) => m.seq)).toEqual([1, 2, 3]);
    box.ackUpTo(4);
    expect(box.nextSeq).toBe(5);
    expect(box.add({ type: 'heartbeat', stage: null }).seq).toBe(5);
  });
});

describe('state file', () => {
  let dir = '';
  afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));

  it('round-trips the session, next seq and pending messages', () => {
    dir = mkdtempSync(join(tmpdir(), 'agent-state-'));
    const binding = stateBinding('ws://h/agent', 'tok');
    const box = new Outbox();
    box.add({ type: 'stage-started', stage: 'Storage', attempt: 2 });
    box.add({ type: 'heartbeat', stage: 'Storage' });
    saveState(dir, binding, box.snapshot());
    const loaded = loadState(dir, binding);
    expect(loaded.problem).toBeNull();
    expect(loaded.state?.session).toBe(box.session);
    expect(loaded.state?.nextSeq).toBe(3);
    expect(loaded.state?.pending.map((m) => m.type)).toEqual(['stage-started', 'heartbeat']);
  });

  it('ignores a state file of another run, and a corrupt one with a reason', () => {
    dir = mkdtempSync(join(tmpdir(), 'agent-state-'));
    saveState(dir, stateBinding('ws://h/agent', 'a'), new Outbox().snapshot());
    expect(loadState(dir, stateBinding('ws://h/agent', 'b'))).toEqual({ state: null, problem: null });
    writeFileSync(join(dir, STATE_FILE_NAME), '{"version":1,"bind');
    expect(loadState(dir, 'x').problem).toMatch(/not valid JSON/);
    writeFileSync(join(dir, STATE_FILE_NAME), '{"version":7}');
    expect(loadState(dir, 'x').problem).toMatch(/unknown shape/);
  });

  it('drops invalid messages from a tampered file', () => {
    dir = mkdtempSync(join(tmpdir(), 'agent-state-'));
    const binding = 'b';
    writeFileSync(
      join(dir, STATE_FILE_NAME),
      JSON.stringify({ version: 1, binding, session: 'abcdefgh12', nextSeq: 4, pending: [{ type: 'heartbeat', seq: 2, ts: 1 }, { type: 'bogus', seq: 3 }] }),
    );
    expect(loadState(dir, binding).state?.pending.map((m) => m.seq)).toEqual([2]);
  });
});

describe('backoffDelay', () => {
  it('grows exponentially, is capped at 5 s and jittered down to half', () => {
    expect(backoffDelay(0, { random: () => 1 })).toBe(250);
    expect(backoffDelay(3, { random: () => 1 })).toBe(2000);
    expect(backoffDelay(10, { random: () => 1 })).toBe(5000);
    expect(backoffDelay(10, { random: () => 0 })).toBe(2500);
    expect(backoffDelay(50, { random: () => 0.5 })).toBe(3750);
  });
});
