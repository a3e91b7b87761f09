import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StageResult } from '../../../common/schema/index.ts';
import type { StageName } from '../../../common/stages.ts';
import { qemuGuestInventory } from '../../../test/support/fixture-inventory.ts';
import { SupervisorCredentials } from '../auth/supervisor-credentials.ts';
import { EventBus, type BusEvent } from '../events/bus.ts';
import { writeRunReport } from '../report/index.ts';
import { openStore, type Store } from '../store/index.ts';
import { schemaVersion } from '../store/db.ts';
import { LiveState } from './live-state.ts';
import { RunService, type NotificationEvent } from './run-service.ts';
import { IllegalTransition } from './state-machine.ts';

let dir: string;
let store: Store;
let events: BusEvent[];
let notes: NotificationEvent[];
let service: RunService;

function open() {
  store = openStore(dir);
  const bus = new EventBus();
  bus.subscribe((e) => events.push(e));
  service = new RunService({
    store,
    bus,
    live: new LiveState(bus, join(dir, 'logs')),
    notifier: { emit: (e) => notes.push(e) },
    reporter: (id) => writeRunReport(store.db, dir, id),
    bench: () => ({ artifactBase: 'http://127.0.0.1:1', iperf: null }),
    supervisors: new SupervisorCredentials(store.supervisors),
  });
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vetting-runs-'));
  events = [];
  notes = [];
  open();
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const SPEC = `
system: { manufacturer: QEMU }
cpu: { sockets: 1, threads: 1 }
disks:
  - serial: LABNVME0001
  - serial: LABSATA0001
`;

let seq = 0;
function result(runId: number, session: string, stage: StageName, outcome: StageResult['outcome'], extra: Partial<StageResult> = {}) {
  const attempt = store.runs.latestAttempt(runId, stage)!.attempt;
  service.applyAgentMessage(runId, session, { type: 'stage-result', seq: ++seq, ts: Date.now(), stage, attempt, outcome, message: `${stage} ${outcome}`, summary: {}, ...extra });
}

function started(host = 'node1', spec: string | null = SPEC) {
  store.hosts.add({ name: host, macs: [], profile: 'smoke', disks: ['LABNVME0001', 'LABSATA0001'], specYaml: spec });
  const { runId, token } = service.startRun(host);
  const auth = service.authenticate(token);
  expect('run' in auth).toBe(true);
  seq = 0;
  service.agentHello(runId, { session: 'session-a' });
  return runId;
}

function passInventory(runId: number) {
  result(runId, 'session-a', 'Inventory', 'passed', { summary: { inventory: qemuGuestInventory() } });
}

function state(runId: number) {
  return store.runs.require(runId);
}

describe('store', () => {
  it('records the schema version and runs in WAL mode with foreign keys', () => {
    expect(schemaVersion(store.db)).toBeGreaterThanOrEqual(1);
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.db.pragma('foreign_keys', { simple: true })).toBe(1);
  });
});

describe('a run through the service', () => {
  it('passes every stage in order, resolving SpecValidate and Reporting inline, and writes the report', () => {
    const id = started();
    expect(state(id).state).toBe('Inventory');
    passInventory(id);
    // SpecValidate is never the agent's turn: the Inventory result moved the run straight to SMART.
    expect(state(id).state).toBe('SMART');
    expect(store.runs.latestAttempt(id, 'SpecValidate')!.outcome).toBe('passed');
    for (const stage of ['SMART', 'CPUStress', 'Storage', 'Network', 'GPU', 'PSU'] as const) {
      expect(state(id).state).toBe(stage);
      result(id, 'session-a', stage, stage === 'GPU' ? 'skipped' : 'passed');
    }
    const run = state(id);
    expect(run).toMatchObject({ state: 'Completed', result: 'pass', failed_stage: null });
    expect(store.runs.latestAttempt(id, 'Reporting')!.outcome).toBe('passed');
    const arts = store.runs.artifacts(id).map((a) => a.kind);
    expect(arts).toEqual(expect.arrayContaining(['report_html', 'report_json']));
    for (const a of store.runs.artifacts(id)) expect(existsSync(join(dir, a.path))).toBe(true);
    expect(service.directive(run)).toMatchObject({ type: 'shutdown' });
    expect(notes.map((n) => n.type)).toEqual(['RunCompleted']);
    expect(store.runs.transitions(id).map((t) => t.to)).toEqual(['WaitingForAgent', 'Inventory', 'SpecValidate', 'SMART', 'CPUStress', 'Storage', 'Network', 'GPU', 'PSU', 'Reporting', 'Completed']);
  });

  it('a critical spec difference fails SpecValidate and fires SpecMismatch', () => {
    const id = started('node1', 'cpu: { sockets: 2 }\n');
    passInventory(id);
    expect(state(id)).toMatchObject({ state: 'FailedHolding', failed_stage: 'SpecValidate', hold_reason: 'StageFailed' });
    expect(store.runs.specDiffs(id)).toEqual([expect.objectContaining({ field: 'cpu.sockets', severity: 'critical', expected: '2', actual: '1' })]);
    expect(notes.map((n) => n.type)).toEqual(['SpecMismatch']);
    expect(service.directive(state(id))).toMatchObject({ type: 'wait' });
  });

  it('retry re-runs the failed stage as a new attempt; override continues and is recorded', async () => {
    const id = started();
    passInventory(id);
    result(id, 'session-a', 'SMART', 'failed');
    expect(state(id)).toMatchObject({ state: 'FailedHolding', failed_stage: 'SMART' });
    await service.act(id, { action: 'retry', reason: 'reseated the cable' });
    expect(state(id).state).toBe('SMART');
    expect(store.runs.latestAttempt(id, 'SMART')!.attempt).toBe(2);
    expect(service.directive(state(id))).toMatchObject({ type: 'run-stage', stage: 'SMART', attempt: 2 });
    result(id, 'session-a', 'SMART', 'failed');
    await expect(service.act(id, { action: 'override' })).rejects.toThrow(/needs a reason/);
    await service.act(id, { action: 'override', reason: 'known cosmetic counter' }, 'alice');
    expect(state(id)).toMatchObject({ state: 'CPUStress', failed_stage: null });
    expect(store.runs.latestAttempt(id, 'SMART')!.outcome).toBe('overridden');
    const t = store.runs.transitions(id).at(-1)!;
    expect(t).toMatchObject({ action: 'override', actor: 'alice', reason: 'known cosmetic counter', to: 'CPUStress' });
  });

  it('a wipe-probe hit holds with UnexpectedData; only a supervisor with the right credential overrides it', async () => {
    await new SupervisorCredentials(store.supervisors).set('sam', 'correct horse battery', { kind: 'local-cli', actor: 'test' });
    const id = started();
    passInventory(id);
    result(id, 'session-a', 'SMART', 'passed');
    result(id, 'session-a', 'CPUStress', 'passed');
    const hits = [{ disk: 'LABSATA0001', device: '/dev/sdb', found: ['ext4 filesystem'] }];
    result(id, 'session-a', 'Storage', 'failed', { unexpectedData: hits });
    expect(state(id)).toMatchObject({ state: 'FailedHolding', hold_reason: 'UnexpectedData', failed_stage: 'Storage' });
    expect(service.detail(id).unexpectedData).toEqual(hits);
    expect(notes.at(-1)!.type).toBe('UnexpectedData');

    await expect(service.act(id, { action: 'override', reason: 'old data, customer confirmed' })).rejects.toThrow(/only a supervisor/);
    await expect(service.act(id, { action: 'override', reason: 'x', supervisor: 'sam', secret: 'wrong' })).rejects.toThrow(/credential .* is wrong/);
    await expect(service.act(id, { action: 'override', reason: 'x', supervisor: 'nobody', secret: 'correct horse battery' })).rejects.toThrow(/wrong/);
    expect(state(id).state).toBe('FailedHolding');

    await service.act(id, { action: 'override', reason: 'old data, customer confirmed', supervisor: 'sam', secret: 'correct horse battery' });
    expect(state(id).state).toBe('Storage');
    expect(service.directive(state(id))).toEqual({ type: 'run-stage', stage: 'Storage', attempt: 2, wipeOverride: ['LABSATA0001'] });
    const t = store.runs.transitions(id).at(-1)!;
    expect(t.actor).toBe('supervisor:sam');
    expect(t.detail).toMatchObject({ wipeOverride: ['LABSATA0001'], unexpectedData: hits });
    // The credential itself is nowhere in the database.
    const dump = JSON.stringify(store.db.prepare('SELECT * FROM supervisors').all()) + JSON.stringify(store.runs.transitions(id));
    expect(dump).not.toContain('correct horse battery');
  });

  it('refuses illegal actions naming the state and the action, changing nothing', async () => {
    const id = started();
    await expect(service.act(id, { action: 'retry' })).rejects.toThrow(new IllegalTransition('retry', 'Inventory'));
    await expect(service.act(id, { action: 'release' })).rejects.toThrow('cannot release a run in state Inventory');
    expect(state(id).state).toBe('Inventory');
    await service.act(id, { action: 'abandon', reason: 'customer took it back' });
    expect(state(id)).toMatchObject({ state: 'Abandoned', result: 'fail' });
    await expect(service.act(id, { action: 'abandon' })).rejects.toThrow('cannot abandon a run in state Abandoned');
    await service.act(id, { action: 'release' });
    expect(state(id).state).toBe('Released');
  });

  it('applies a resent sequence number once', () => {
    const id = started();
    const msg = { type: 'sensor-batch' as const, seq: 1, ts: 1000, samples: [{ kind: 'thermal' as const, sensor: 'cpu', value: 50, unit: '°C', ts: 1000 }] };
    expect(service.applyAgentMessage(id, 'session-a', msg)).toEqual({ duplicate: false });
    expect(service.applyAgentMessage(id, 'session-a', msg)).toEqual({ duplicate: true });
    expect(store.db.prepare('SELECT COUNT(*) AS n FROM measurements').get()).toEqual({ n: 1 });
  });

  it('ignores a late result for a stage the run has left, keeping it in the audit trail', async () => {
    const id = started();
    passInventory(id);
    result(id, 'session-a', 'SMART', 'failed');
    await service.act(id, { action: 'override', reason: 'spare disk arrives tomorrow' });
    service.applyAgentMessage(id, 'session-a', { type: 'stage-result', seq: ++seq, ts: Date.now(), stage: 'SMART', attempt: 1, outcome: 'passed', message: 'late', summary: {} });
    expect(state(id).state).toBe('CPUStress');
    expect(store.runs.transitions(id).at(-1)!.action).toBe('stale-result');
  });

  it('marks a silent agent lost without failing the run, and clears it when the agent speaks', () => {
    const id = started();
    service.checkAgents(Date.now() + 60_000);
    expect(state(id)).toMatchObject({ state: 'Inventory', agent_lost: 1 });
    expect(notes.map((n) => n.type)).toContain('AgentLost');
    expect(service.board(() => false).entries[0]!.needsPerson).toBe('AgentLost');
    service.applyAgentMessage(id, 'session-a', { type: 'heartbeat', seq: ++seq, ts: Date.now() });
    expect(state(id).agent_lost).toBe(0);
  });

  it('keeps everything across a reopened database and resumes at the same place', async () => {
    const id = started();
    passInventory(id);
    result(id, 'session-a', 'SMART', 'failed');
    store.close();
    open();
    expect(state(id)).toMatchObject({ state: 'FailedHolding', failed_stage: 'SMART', last_seq: seq });
    await service.act(id, { action: 'retry' });
    expect(service.directive(state(id))).toMatchObject({ type: 'run-stage', stage: 'SMART', attempt: 2 });
    expect(store.runs.transitions(id).length).toBeGreaterThan(4);
  });

  it('publishes each new boot step of a waiting run as its own event, a repeat not at all', () => {
    const mac = '52:54:00:12:34:56';
    store.hosts.add({ name: 'booting', macs: [mac], profile: 'smoke', disks: [] });
    const { runId } = service.startRun('booting');
    events.length = 0;
    service.recordBootStep(mac, 'dhcp', 'iPXE leased 10.0.0.5 (bios)');
    service.recordBootStep(mac, 'dhcp', 'iPXE leased 10.0.0.5 (bios)');
    service.recordBootStep(mac, 'boot-script', 'live image for booting');
    service.recordBootStep('52:54:00:00:00:01', 'dhcp', 'an unknown machine');
    expect(events.map((e) => (e.type === 'boot-step' ? [e.runId, e.host, e.boot.step, e.boot.detail] : e.type))).toEqual([
      [runId, 'booting', 'dhcp', 'iPXE leased 10.0.0.5 (bios)'],
      [runId, 'booting', 'boot-script', 'live image for booting'],
    ]);
    expect(store.runs.bootEvents(runId).map((b) => b.step)).toEqual(['dhcp', 'boot-script']);
  });

  it('publishes live events only after the change is stored', () => {
    const id = started();
    const seen = events.filter((e) => e.type === 'run-updated').map((e) => (e as { state: string }).state);
    expect(seen).toContain('Inventory');
    expect(id).toBeGreaterThan(0);
  });
});

describe('group commit', () => {
  it('stores a batch in one go and, after a refused message, applies none of that run’s later ones', () => {
    const id = started();
    const batch = (seqs: number[], badAt: number) =>
      seqs.map((s) => ({
        runId: id,
        session: s === badAt ? 'someone-else' : 'session-a',
        msg: { type: 'sensor-batch' as const, seq: s, ts: s, samples: [{ kind: 'thermal' as const, sensor: 'cpu', value: s, unit: '°C', ts: s }] },
      }));
    const results = service.applyBatch(batch([1, 2, 3, 4], 3));
    expect(results.map((r) => ('error' in r ? 'refused' : 'stored'))).toEqual(['stored', 'stored', 'refused', 'refused']);
    expect(state(id).last_seq).toBe(2);
    expect(store.db.prepare('SELECT COUNT(*) AS n FROM measurements').get()).toEqual({ n: 2 });
  });
});
