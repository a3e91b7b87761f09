import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StageResult } from '../../../common/schema/index.ts';
import { STAGE_NAMES, type AgentStageName } from '../../../common/stages/index.ts';
import { agentStagesFrom, stageResultBody } from '../../../test/support/stage-results.ts';
import { SupervisorCredentials } from '../auth/supervisor-credentials.ts';
import { type BusEvent } from '../events/bus.ts';
import { openStore, type Store } from '../store/index.ts';
import { openDatabase, schemaVersion, type Db } from '../store/db.ts';
import { type NotificationEvent, type RunServices } from './index.ts';
import { IllegalTransition } from './state-machine.ts';
import { runServicesOnDisk } from './testing/run-services-on-disk.ts';

let dir: string;
let store: Store;
let events: BusEvent[];
let notes: NotificationEvent[];
let runs: RunServices;

function open() {
  store = openStore(dir);
  runs = runServicesOnDisk(store, dir, { events: (e) => events.push(e), notes: (e) => notes.push(e) });
}

/** A second, bare connection to the same database: the test's own look at the rows, beside the store's methods. */
function raw<T>(fn: (db: Db) => T): T {
  const db = openDatabase(dir);
  try {
    return fn(db);
  } finally {
    db.close();
  }
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
const DISKS = ['LABNVME0001', 'LABSATA0001'];

/** The agent's result for `stage`, in the stage's own summary shape (test/support/stage-results.ts). */
function result(runId: number, session: string, stage: AgentStageName, outcome: StageResult['outcome'], extra: Partial<StageResult> = {}) {
  const attempt = store.runs.latestAttempt(runId, stage)!.attempt;
  const body = stageResultBody(stage, { disks: DISKS, outcome });
  runs.messages.applyAgentMessage(runId, session, { type: 'stage-result', seq: ++seq, ts: Date.now(), stage, attempt, ...body, summary: body.summary as Record<string, unknown>, ...extra });
}

function started(host = 'node1', spec: string | null = SPEC, profile: 'smoke' | 'standard' = 'smoke') {
  store.hosts.add({ name: host, macs: [], profile, disks: DISKS, specYaml: spec });
  const { runId, token } = runs.commands.startRun(host);
  const auth = runs.agent.authenticate(token);
  expect('run' in auth).toBe(true);
  seq = 0;
  runs.messages.agentHello(runId, { session: 'session-a' });
  return runId;
}

function passInventory(runId: number) {
  result(runId, 'session-a', 'Inventory', 'passed');
}

function state(runId: number) {
  return store.runs.require(runId);
}

describe('store', () => {
  it('records the schema version and runs in WAL mode with foreign keys', () => {
    raw((db) => {
      expect(schemaVersion(db)).toBeGreaterThanOrEqual(1);
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    });
  });
});

describe('a run through the service', () => {
  it('passes every stage in order, resolving SpecValidate and Reporting inline, and writes the report', () => {
    const id = started('node1', SPEC, 'standard');
    expect(state(id).state).toBe('Inventory');
    passInventory(id);
    // SpecValidate is never the agent's turn: the Inventory result moved the run straight to SMART.
    expect(state(id).state).toBe('SMART');
    expect(store.runs.latestAttempt(id, 'SpecValidate')!.outcome).toBe('passed');
    for (const stage of agentStagesFrom('SMART')) {
      expect(state(id).state).toBe(stage);
      result(id, 'session-a', stage, stage === 'GPU' ? 'skipped' : 'passed');
    }
    const run = state(id);
    expect(run).toMatchObject({ state: 'Completed', result: 'pass', failed_stage: null });
    expect(store.runs.latestAttempt(id, 'Reporting')!.outcome).toBe('passed');
    const arts = store.runs.artifacts(id).map((a) => a.kind);
    expect(arts).toEqual(expect.arrayContaining(['report_html', 'report_json']));
    for (const a of store.runs.artifacts(id)) expect(existsSync(join(dir, a.path))).toBe(true);
    expect(runs.agent.directive(run)).toMatchObject({ type: 'shutdown' });
    expect(notes.map((n) => n.type)).toEqual(['RunCompleted']);
    expect(store.runs.transitions(id).map((t) => t.to)).toEqual(['WaitingForAgent', ...STAGE_NAMES, 'Completed']);
  });

  it('never certifies a smoke run: a clean one completes incomplete, and the notification says why', () => {
    const id = started();
    passInventory(id);
    for (const stage of agentStagesFrom('SMART')) result(id, 'session-a', stage, stage === 'GPU' ? 'skipped' : 'passed');
    expect(state(id)).toMatchObject({ state: 'Completed', result: 'incomplete' });
    expect(notes.at(-1)).toMatchObject({ type: 'RunCompleted', title: 'node1: run 1 INCOMPLETE' });
    expect(notes.at(-1)!.body).toMatch(/smoke profile is a demonstration run/);
  });

  it('completes a run with an overridden stage as pass-with-overrides, never a plain pass', async () => {
    const id = started('node1', SPEC, 'standard');
    passInventory(id);
    result(id, 'session-a', 'SMART', 'passed');
    result(id, 'session-a', 'CPUStress', 'failed');
    await runs.actions.act(id, { action: 'override', reason: 'fan replaced after the run' }, 'alice');
    for (const stage of agentStagesFrom('CPUStress').slice(1)) result(id, 'session-a', stage, stage === 'GPU' ? 'skipped' : 'passed');
    expect(state(id)).toMatchObject({ state: 'Completed', result: 'pass-with-overrides' });
    expect(runs.views.summary(state(id)).result).toBe('pass-with-overrides');
  });

  it('refuses a summary that does not match its stage schema: the attempt errs, the summary is kept', () => {
    const id = started('node1', SPEC, 'standard');
    passInventory(id);
    result(id, 'session-a', 'SMART', 'passed', { summary: { disks: 'all fine' } });
    expect(state(id)).toMatchObject({ state: 'FailedHolding', hold_reason: 'StageError', failed_stage: 'SMART' });
    const attempt = store.runs.latestAttempt(id, 'SMART')!;
    expect(attempt.outcome).toBe('error');
    expect(attempt.message).toMatch(/does not match the stage's schema \(disks: /);
    expect(JSON.parse(attempt.summary_json!)).toMatchObject({ infraError: 'summary-rejected', rejectedSummary: { disks: 'all fine' } });
  });

  it('keeps what each attempt covered, and a disk SMART could not read leaves a clean run incomplete', () => {
    const id = started('node1', SPEC, 'standard');
    passInventory(id);
    const unread = stageResultBody('SMART', { disks: DISKS });
    unread.coverage[1] = { ...unread.coverage[1]!, status: 'not-tested', reason: 'SMART is unavailable on /dev/sdb' };
    result(id, 'session-a', 'SMART', 'passed', { coverage: unread.coverage });
    for (const stage of agentStagesFrom('CPUStress')) result(id, 'session-a', stage, stage === 'GPU' ? 'skipped' : 'passed');
    expect(state(id)).toMatchObject({ state: 'Completed', result: 'incomplete' });
    const smart = runs.views.detail(id).stages.find((s) => s.name === 'SMART')!;
    expect(smart.coverage.map((c) => c.status)).toEqual(['tested', 'not-tested']);
  });

  it('never passes a host that lists no expected disks: SMART and Storage tested nothing', () => {
    store.hosts.add({ name: 'diskless', macs: [], profile: 'standard', disks: [], specYaml: null });
    const { runId: id } = runs.commands.startRun('diskless');
    seq = 0;
    runs.messages.agentHello(id, { session: 'session-a' });
    const play = (stage: AgentStageName, outcome: StageResult['outcome']) => {
      const attempt = store.runs.latestAttempt(id, stage)!.attempt;
      const body = stageResultBody(stage, { disks: [], outcome });
      runs.messages.applyAgentMessage(id, 'session-a', { type: 'stage-result', seq: ++seq, ts: Date.now(), stage, attempt, ...body, summary: body.summary as Record<string, unknown> });
    };
    for (const stage of agentStagesFrom('Inventory')) play(stage, stage === 'SMART' || stage === 'Storage' || stage === 'GPU' ? 'skipped' : 'passed');
    expect(state(id)).toMatchObject({ state: 'Completed', result: 'incomplete' });
    expect(runs.views.detail(id).verdict.reasons.join('\n')).toMatch(/no expected disks/);
  });

  it('a critical spec difference fails SpecValidate and fires SpecMismatch', () => {
    const id = started('node1', 'cpu: { sockets: 2 }\n');
    passInventory(id);
    expect(state(id)).toMatchObject({ state: 'FailedHolding', failed_stage: 'SpecValidate', hold_reason: 'StageFailed' });
    expect(store.runs.specDiffs(id)).toEqual([expect.objectContaining({ field: 'cpu.sockets', severity: 'critical', expected: '2', actual: '1' })]);
    expect(notes.map((n) => n.type)).toEqual(['SpecMismatch']);
    expect(runs.agent.directive(state(id))).toMatchObject({ type: 'wait' });
  });

  it('retry re-runs the failed stage as a new attempt; override continues and is recorded', async () => {
    const id = started();
    passInventory(id);
    result(id, 'session-a', 'SMART', 'failed');
    expect(state(id)).toMatchObject({ state: 'FailedHolding', failed_stage: 'SMART' });
    await runs.actions.act(id, { action: 'retry', reason: 'reseated the cable' });
    expect(state(id).state).toBe('SMART');
    expect(store.runs.latestAttempt(id, 'SMART')!.attempt).toBe(2);
    expect(runs.agent.directive(state(id))).toMatchObject({ type: 'run-stage', stage: 'SMART', attempt: 2 });
    result(id, 'session-a', 'SMART', 'failed');
    await expect(runs.actions.act(id, { action: 'override' })).rejects.toThrow(/needs a reason/);
    await runs.actions.act(id, { action: 'override', reason: 'known cosmetic counter' }, 'alice');
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
    for (const stage of agentStagesFrom('CPUStress').slice(0, agentStagesFrom('CPUStress').indexOf('Storage'))) result(id, 'session-a', stage, 'passed');
    const hits = [{ disk: 'LABSATA0001', device: '/dev/sdb', found: ['ext4 filesystem'] }];
    result(id, 'session-a', 'Storage', 'failed', { unexpectedData: hits });
    expect(state(id)).toMatchObject({ state: 'FailedHolding', hold_reason: 'UnexpectedData', failed_stage: 'Storage' });
    expect(runs.views.detail(id).unexpectedData).toEqual(hits);
    expect(notes.at(-1)!.type).toBe('UnexpectedData');

    await expect(runs.actions.act(id, { action: 'override', reason: 'old data, customer confirmed' })).rejects.toThrow(/only a supervisor/);
    await expect(runs.actions.act(id, { action: 'override', reason: 'x', supervisor: 'sam', secret: 'wrong' })).rejects.toThrow(/credential .* is wrong/);
    await expect(runs.actions.act(id, { action: 'override', reason: 'x', supervisor: 'nobody', secret: 'correct horse battery' })).rejects.toThrow(/wrong/);
    expect(state(id).state).toBe('FailedHolding');

    await runs.actions.act(id, { action: 'override', reason: 'old data, customer confirmed', supervisor: 'sam', secret: 'correct horse battery' });
    expect(state(id).state).toBe('Storage');
    expect(runs.agent.directive(state(id))).toEqual({ type: 'run-stage', stage: 'Storage', attempt: 2, wipeOverride: ['LABSATA0001'] });
    const t = store.runs.transitions(id).at(-1)!;
    expect(t.actor).toBe('supervisor:sam');
    expect(t.detail).toMatchObject({ wipeOverride: ['LABSATA0001'], unexpectedData: hits });
    // The credential itself is nowhere in the database.
    const dump = JSON.stringify(raw((db) => db.prepare('SELECT * FROM supervisors').all())) + JSON.stringify(store.runs.transitions(id));
    expect(dump).not.toContain('correct horse battery');
  });

  it('estimates its end from the start, records it at each state, says when it waits for a person, and records the real end', async () => {
    const id = started();
    const first = store.estimates.list(id);
    expect(first.map((e) => e.state)).toEqual(['WaitingForAgent', 'Inventory']);
    expect(first.every((e) => e.etaAt !== null && Date.parse(e.etaAt) > Date.parse(e.madeAt))).toBe(true);
    const running = runs.views.detail(id);
    expect(running.eta).toMatchObject({ status: 'running', firstAt: first[0]!.etaAt });
    expect(running.etaAt).toBe(running.eta!.at);
    expect(running.eta!.basis).toMatch(/hardware from the host's spec/);
    expect(runs.views.board(() => true).entries[0]!.run!.etaAt).toEqual(expect.any(String));

    passInventory(id);
    expect(runs.views.detail(id).eta!.basis).toMatch(/hardware from this run's inventory/);
    result(id, 'session-a', 'SMART', 'failed');
    const held = runs.views.detail(id);
    expect(held.eta).toMatchObject({ status: 'waiting-for-person', at: null });
    expect(held.etaAt).toBeNull();
    expect(held.eta!.remainingS).toBeGreaterThan(0);
    expect(store.estimates.list(id).at(-1)).toMatchObject({ state: 'FailedHolding', etaAt: null });
    expect(notes.at(-1)).toMatchObject({ type: 'StageFailed', data: { remainingS: held.eta!.remainingS } });
    expect(notes.at(-1)!.body).toMatch(/The run waits for a person; about \d+ (s|min) of testing remain once it continues\.$/);

    await runs.actions.act(id, { action: 'override', reason: 'known cosmetic counter' });
    for (const stage of agentStagesFrom('CPUStress')) result(id, 'session-a', stage, stage === 'GPU' ? 'skipped' : 'passed');
    const done = state(id);
    expect(done.state).toBe('Completed');
    const recorded = store.estimates.list(id);
    expect(recorded.map((e) => e.state)).toEqual(['WaitingForAgent', ...STAGE_NAMES.slice(0, STAGE_NAMES.indexOf('SMART') + 1), 'FailedHolding', ...agentStagesFrom('CPUStress'), 'Reporting', 'Completed']);
    expect(recorded.at(-1)).toMatchObject({ state: 'Completed', etaAt: done.completed_at });
    expect(runs.views.detail(id).eta).toMatchObject({ status: 'done', at: done.completed_at, remainingS: 0 });
    expect(notes.at(-1)).toMatchObject({ type: 'RunCompleted', data: { endedAt: done.completed_at, firstEtaAt: first[0]!.etaAt } });
    expect(notes.at(-1)!.body).toMatch(/^All stages finished for run \d+ at \d\d:\d\d \(estimated .*\d\d:\d\d when it started\)/);

    // The host's next run counts what its stages took this time.
    const next = runs.commands.startRun('node1').runId;
    expect(runs.views.detail(next).eta!.basis).toMatch(/as this host last took/);
  });

  it('refuses illegal actions naming the state and the action, changing nothing', async () => {
    const id = started();
    await expect(runs.actions.act(id, { action: 'retry' })).rejects.toThrow(new IllegalTransition('retry', 'Inventory'));
    await expect(runs.actions.act(id, { action: 'release' })).rejects.toThrow('cannot release a run in state Inventory');
    expect(state(id).state).toBe('Inventory');
    await runs.actions.act(id, { action: 'abandon', reason: 'customer took it back' });
    // Abandoned before anything failed: nothing was shown broken, and nothing certified.
    expect(state(id)).toMatchObject({ state: 'Abandoned', result: 'incomplete' });
    await expect(runs.actions.act(id, { action: 'abandon' })).rejects.toThrow('cannot abandon a run in state Abandoned');
    await runs.actions.act(id, { action: 'release' });
    expect(state(id).state).toBe('Released');
  });

  it('applies a resent sequence number once', () => {
    const id = started();
    const msg = { type: 'sensor-batch' as const, seq: 1, ts: 1000, samples: [{ kind: 'thermal' as const, sensor: 'cpu', value: 50, unit: '°C', ts: 1000 }] };
    expect(runs.messages.applyAgentMessage(id, 'session-a', msg)).toEqual({ duplicate: false });
    expect(runs.messages.applyAgentMessage(id, 'session-a', msg)).toEqual({ duplicate: true });
    expect(raw((db) => db.prepare('SELECT COUNT(*) AS n FROM measurements').get())).toEqual({ n: 1 });
  });

  it('ignores a late result for a stage the run has left, keeping it in the audit trail', async () => {
    const id = started();
    passInventory(id);
    result(id, 'session-a', 'SMART', 'failed');
    await runs.actions.act(id, { action: 'override', reason: 'spare disk arrives tomorrow' });
    runs.messages.applyAgentMessage(id, 'session-a', { type: 'stage-result', seq: ++seq, ts: Date.now(), stage: 'SMART', attempt: 1, outcome: 'passed', message: 'late', summary: {}, coverage: [] });
    expect(state(id).state).toBe('CPUStress');
    expect(store.runs.transitions(id).at(-1)!.action).toBe('stale-result');
  });

  it('marks a silent agent lost without failing the run, and clears it when the agent speaks', () => {
    const id = started();
    runs.watchdog.checkAgents(Date.now() + 60_000);
    expect(state(id)).toMatchObject({ state: 'Inventory', agent_lost: 1 });
    expect(notes.map((n) => n.type)).toContain('AgentLost');
    expect(runs.views.board(() => false).entries[0]!.needsPerson).toBe('AgentLost');
    runs.messages.applyAgentMessage(id, 'session-a', { type: 'heartbeat', seq: ++seq, ts: Date.now() });
    expect(state(id).agent_lost).toBe(0);
  });

  it('keeps everything across a reopened database and resumes at the same place', async () => {
    const id = started();
    passInventory(id);
    result(id, 'session-a', 'SMART', 'failed');
    store.close();
    open();
    expect(state(id)).toMatchObject({ state: 'FailedHolding', failed_stage: 'SMART', last_seq: seq });
    await runs.actions.act(id, { action: 'retry' });
    expect(runs.agent.directive(state(id))).toMatchObject({ type: 'run-stage', stage: 'SMART', attempt: 2 });
    expect(store.runs.transitions(id).length).toBeGreaterThan(4);
  });

  it('publishes each new boot step of a waiting run as its own event, a repeat not at all', () => {
    const mac = '52:54:00:12:34:56';
    store.hosts.add({ name: 'booting', macs: [mac], profile: 'smoke', disks: [] });
    const { runId } = runs.commands.startRun('booting');
    events.length = 0;
    runs.commands.recordBootStep(mac, 'dhcp', 'iPXE leased 10.0.0.5 (bios)');
    runs.commands.recordBootStep(mac, 'dhcp', 'iPXE leased 10.0.0.5 (bios)');
    runs.commands.recordBootStep(mac, 'boot-script', 'live image for booting');
    runs.commands.recordBootStep('52:54:00:00:00:01', 'dhcp', 'an unknown machine');
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
    const results = runs.messages.applyBatch(batch([1, 2, 3, 4], 3));
    expect(results.map((r) => ('error' in r ? 'refused' : 'stored'))).toEqual(['stored', 'stored', 'refused', 'refused']);
    expect(state(id).last_seq).toBe(2);
    expect(raw((db) => db.prepare('SELECT COUNT(*) AS n FROM measurements').get())).toEqual({ n: 2 });
  });
});

describe('runs under a custom profile', () => {
  it('run with the parameters they started with: editing or deleting the profile later changes neither the agent\'s nor the report\'s', () => {
    store.profiles.put('tight', { extends: 'standard', overrides: { storage: { floors: { nvme: { minIops: 77_000 } } }, thermal: { maxTempC: 70 }, agentLostAfterS: 45 } });
    store.hosts.add({ name: 'node1', macs: [], profile: 'tight', disks: DISKS, specYaml: SPEC });
    const { runId, token } = runs.commands.startRun('node1');
    const run = () => store.runs.require(runId);
    expect(runs.agent.welcome(run()).params.storage.floors.nvme.minIops).toBe(77_000);
    expect(runs.views.detail(runId)).toMatchObject({ profile: 'tight', maxTempC: 70, params: { agentLostAfterS: 45 }, verdict: { certifies: true } });
    expect(store.runs.transitions(runId)[0]!.detail).toEqual({ profile: 'tight', extends: 'standard' });

    // The profile changes, then goes (its host moved): the started run still has what it started with.
    store.profiles.put('tight', { extends: 'standard', overrides: { storage: { floors: { nvme: { minIops: 1 } } } } });
    store.profiles.delete('tight', 'standard');
    expect(runs.agent.welcome(run()).params.storage.floors.nvme.minIops).toBe(77_000);
    expect(runs.agent.welcome(run()).maxTempC).toBe(70);
    expect(runs.views.detail(runId).params.agentLostAfterS).toBe(45);
    expect('run' in runs.agent.authenticate(token)).toBe(true);
  });

  it('certifies only through its built-in: a profile extending smoke never does, whatever it changes', () => {
    store.profiles.put('long-smoke', { extends: 'smoke', overrides: { cpuStress: { durationS: 3600 } } });
    store.hosts.add({ name: 'node1', macs: [], profile: 'long-smoke', disks: DISKS, specYaml: SPEC });
    const { runId } = runs.commands.startRun('node1');
    runs.messages.agentHello(runId, { session: 'session-a' });
    seq = 0;
    passInventory(runId);
    for (const stage of agentStagesFrom('SMART')) result(runId, 'session-a', stage, stage === 'GPU' ? 'skipped' : 'passed');
    expect(state(runId)).toMatchObject({ state: 'Completed', result: 'incomplete' });
    const detail = runs.views.detail(runId);
    expect(detail.verdict.certifies).toBe(false);
    expect(detail.verdict.reasons.join(' ')).toMatch(/long-smoke profile is a demonstration run/);
  });

  it('refuses to start with a profile that does not exist', () => {
    store.hosts.add({ name: 'node1', macs: [], profile: 'standard', disks: DISKS });
    expect(() => runs.commands.startRun('node1', 'nope')).toThrow(/unknown profile "nope"/);
    expect(store.runs.activeForHost(store.hosts.require('node1').id)).toBeNull();
  });
});


// Who connected, from where, and what the audit trail and live view say about each
// agent message (a real store; mutation testing, issue 23).
describe('agent connections and messages', () => {
  const trail = (id: number) => store.runs.transitions(id).map((t) => [t.action, t.actor, t.detail]);

  it('the first hello starts the run and records the boot MAC in lower case and the DMI serial; a later hello without them keeps them', () => {
    store.hosts.add({ name: 'node1', macs: [], profile: 'smoke', disks: DISKS, specYaml: SPEC });
    const { runId: id } = runs.commands.startRun('node1');
    expect(state(id).started_at).toBeNull();
    runs.messages.agentHello(id, { session: 'session-a', bootMac: '52:54:00:AB:CD:EF', dmiSerial: 'QEMU-SER-1' });
    expect(state(id)).toMatchObject({ state: 'Inventory', boot_mac: '52:54:00:ab:cd:ef', dmi_serial: 'QEMU-SER-1', agent_session: 'session-a' });
    expect(state(id).started_at).toEqual(expect.any(String));
    expect(trail(id).find((t) => t[0] === 'agent-connected')).toEqual(['agent-connected', 'agent', expect.anything()]);
    runs.messages.agentHello(id, { session: 'session-a' });
    expect(state(id)).toMatchObject({ boot_mac: '52:54:00:ab:cd:ef', dmi_serial: 'QEMU-SER-1' });
  });

  it('a reconnect of the same session keeps its place; a new session starts its count again and the old one is refused', () => {
    const id = started();
    runs.messages.applyAgentMessage(id, 'session-a', { type: 'heartbeat', seq: 5, ts: Date.now() });
    runs.messages.agentHello(id, { session: 'session-a' });
    expect(state(id).last_seq).toBe(5);
    runs.messages.agentHello(id, { session: 'session-b' });
    expect(state(id)).toMatchObject({ last_seq: 0, agent_session: 'session-b', state: 'Inventory' });
    expect(trail(id).slice(-2)).toEqual([
      ['agent-reconnected', 'agent', { session: 'session-a' }],
      ['agent-restarted', 'agent', { session: 'session-b' }],
    ]);
    expect(() => runs.messages.applyAgentMessage(id, 'session-a', { type: 'heartbeat', seq: 6, ts: Date.now() })).toThrow(
      expect.objectContaining({ code: 'stale-session', message: 'this agent session was replaced by a newer connection' }),
    );
    expect(runs.messages.applyAgentMessage(id, 'session-b', { type: 'heartbeat', seq: 1, ts: Date.now() })).toEqual({ duplicate: false });
  });

  it('a closed run accepts nothing more, in words', async () => {
    const id = started();
    await runs.actions.act(id, { action: 'abandon', reason: 'customer took it back' });
    expect(() => runs.messages.applyAgentMessage(id, 'session-a', { type: 'heartbeat', seq: 99, ts: Date.now() })).toThrow(
      expect.objectContaining({ code: 'run-closed', message: `run ${id} is Abandoned; it accepts nothing more from an agent` }),
    );
  });

  it('a lost agent that speaks again is written back into the trail once; a repeated message also clears the loss', () => {
    const id = started();
    runs.messages.applyAgentMessage(id, 'session-a', { type: 'heartbeat', seq: 1, ts: Date.now() });
    store.runs.update(id, { agent_lost: 1, agent_last_seen: '2000-01-01T00:00:00.000Z' });
    runs.messages.applyAgentMessage(id, 'session-a', { type: 'heartbeat', seq: 1, ts: Date.now() });
    expect(state(id).agent_lost).toBe(0);
    expect(state(id).agent_last_seen).not.toBe('2000-01-01T00:00:00.000Z');
    expect(trail(id).some((t) => t[0] === 'agent-back')).toBe(false);
    store.runs.update(id, { agent_lost: 1, agent_last_seen: '2000-01-01T00:00:00.000Z' });
    runs.messages.applyAgentMessage(id, 'session-a', { type: 'heartbeat', seq: 2, ts: Date.now() });
    expect(state(id)).toMatchObject({ agent_lost: 0, last_seq: 2 });
    expect(state(id).agent_last_seen).not.toBe('2000-01-01T00:00:00.000Z');
    runs.messages.applyAgentMessage(id, 'session-a', { type: 'heartbeat', seq: 3, ts: Date.now() });
    expect(trail(id).filter((t) => t[0] === 'agent-back')).toEqual([['agent-back', 'agent', null]]);
  });

  it('passes logs, progress and sensor readings on to the live view, once each', () => {
    const id = started();
    events.length = 0;
    const ts = Date.now();
    runs.messages.applyAgentMessage(id, 'session-a', { type: 'log', seq: 1, ts, source: 'agent', lines: ['inventory: 4 disks'] });
    runs.messages.applyAgentMessage(id, 'session-a', { type: 'stage-started', seq: 2, ts, stage: 'Inventory', attempt: 1 });
    runs.messages.applyAgentMessage(id, 'session-a', { type: 'stage-progress', seq: 3, ts, stage: 'Inventory', attempt: 1, item: 'sda', percent: 40, etaS: 12, message: 'reading' });
    runs.messages.applyAgentMessage(id, 'session-a', { type: 'sensor-batch', seq: 4, ts, samples: [{ kind: 'cpu', sensor: 'coretemp/Package id 0', value: 51, unit: '°C', ts }] });
    runs.messages.applyAgentMessage(id, 'session-a', { type: 'log', seq: 1, ts, source: 'agent', lines: ['inventory: 4 disks'] }); // a resend
    const live = events.filter((e) => e.type === 'log' || e.type === 'progress' || e.type === 'sensors');
    expect(live).toEqual([
      { type: 'log', runId: id, source: 'agent', lines: ['inventory: 4 disks'] },
      { type: 'progress', runId: id, stage: 'Inventory', ts, percent: 0, message: 'started' },
      { type: 'progress', runId: id, stage: 'Inventory', ts, item: 'sda', percent: 40, etaS: 12, message: 'reading' },
      expect.objectContaining({ type: 'sensors', runId: id, ts, count: 1 }),
    ]);
  });
});
