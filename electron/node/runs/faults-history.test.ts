import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { snapshotFrom } from '../../../agent/stages/bmc/read.ts';
import { captured } from '../../../agent/parsers/test-fixtures.ts';
import type { StageResult } from '../../../common/schema/index.ts';
import type { BmcSnapshot } from '../../../common/stages/bmc.ts';
import type { AgentStageName } from '../../../common/stages/index.ts';
import type { SmartDiskResult } from '../../../common/stages/smart.ts';
import { agentStagesFrom, stageResultBody } from '../../../test/support/stage-results.ts';
import { SupervisorCredentials } from '../auth/supervisor-credentials.ts';
import { componentHistory } from '../control/routes.ts';
import { EventBus } from '../events/bus.ts';
import { writeRunReport } from '../report/index.ts';
import { openDatabase } from '../store/db.ts';
import { openStore, type Store } from '../store/index.ts';
import { LiveState } from './live-state.ts';
import { createRunServices, type RunServices } from './index.ts';

// Whole runs through the real run services and a real SQLite store, played by a scripted
// agent: the orchestrator's own judgements of SMART (the same disk's previous run) and of
// the BMC (which stage a new event-log record appeared in).

let dir: string;
let store: Store;
let runs: RunServices;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vetting-faults-'));
  store = openStore(dir);
  const bus = new EventBus();
  runs = createRunServices({
    store,
    bus,
    live: new LiveState(bus, join(dir, 'logs')),
    notifier: { emit: () => undefined },
    reporter: (id) => writeRunReport(store, dir, id),
    bench: () => ({ artifactBase: 'http://127.0.0.1:1', iperf: null }),
    supervisors: new SupervisorCredentials(store.supervisors),
  });
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const DISKS = ['LABNVME0001', 'LABSATA0001'];
let seq = 0;

function send(runId: number, stage: AgentStageName, body: Partial<StageResult> & Pick<StageResult, 'outcome' | 'message' | 'summary' | 'coverage'>) {
  const attempt = store.runs.latestAttempt(runId, stage)!.attempt;
  runs.messages.applyAgentMessage(runId, 'session-a', { type: 'stage-result', seq: ++seq, ts: Date.now(), stage, attempt, ...body });
}

function start(host: string, disks = DISKS): number {
  if (!store.hosts.get(host)) store.hosts.add({ name: host, macs: [], profile: 'standard', disks, specYaml: null });
  const { runId } = runs.commands.startRun(host);
  seq = 0;
  runs.messages.agentHello(runId, { session: 'session-a' });
  return runId;
}

/** Plays every agent stage from `first` to the end (or up to `stopAt`), passing, with `edit` shaping a stage's body. */
function playFrom(runId: number, first: AgentStageName, edit: Partial<Record<AgentStageName, (b: ReturnType<typeof stageResultBody>) => void>> = {}, stopAt?: AgentStageName) {
  for (const stage of agentStagesFrom(first)) {
    if (stage === stopAt || store.runs.require(runId).state !== stage) return;
    const body = stageResultBody(stage, { disks: DISKS, outcome: stage === 'GPU' ? 'skipped' : 'passed' });
    edit[stage]?.(body);
    send(runId, stage, { ...body, summary: body.summary as Record<string, unknown> });
  }
}

/** The SMART body with these counters on the SATA disk. */
function sataCounters(counters: Partial<SmartDiskResult>) {
  return (b: ReturnType<typeof stageResultBody>) => {
    const s = b.summary as { disks: SmartDiskResult[] };
    Object.assign(s.disks.find((d) => d.disk === 'LABSATA0001')!, counters);
  };
}

describe('SMART against the same disk\'s previous run', () => {
  it('fails a disk whose reallocated count grew since its previous run, naming the disk, the growth and the run', () => {
    const first = start('node1');
    playFrom(first, 'Inventory', { SMART: sataCounters({ reallocated: 2, pending: 0 }) });
    expect(store.runs.require(first)).toMatchObject({ state: 'Completed', result: 'pass' });
    const firstSmart = JSON.parse(store.runs.latestAttempt(first, 'SMART')!.summary_json!) as { disks: SmartDiskResult[] };
    expect(firstSmart.disks.every((d) => d.sincePrevious === null)).toBe(true);

    // Back from repair: still under the absolute threshold (10), but it grew by 3.
    const second = start('node1');
    playFrom(second, 'Inventory', { SMART: sataCounters({ reallocated: 5, pending: 0 }) });
    expect(store.runs.require(second)).toMatchObject({ state: 'FailedHolding', failed_stage: 'SMART', hold_reason: 'StageFailed' });
    const attempt = store.runs.latestAttempt(second, 'SMART')!;
    expect(attempt.outcome).toBe('failed');
    expect(attempt.message).toMatch(new RegExp(`^LABSATA0001 \\(/dev/sdb\\): grew since run ${first} \\(\\d{4}-\\d\\d-\\d\\d, host node1\\): reallocated 2 → 5 \\(\\+3, allowed \\+0\\)$`));
    const summary = JSON.parse(attempt.summary_json!) as { disks: SmartDiskResult[] };
    const sata = summary.disks.find((d) => d.disk === 'LABSATA0001')!;
    expect(sata).toMatchObject({ outcome: 'failed', sincePrevious: { run: first, host: 'node1', figures: { reallocated: 2, pending: 0 }, grew: ['reallocated 2 → 5 (+3, allowed +0)'] } });
    // The other disk did not change: compared, and fine.
    expect(summary.disks.find((d) => d.disk === 'LABNVME0001')).toMatchObject({ outcome: 'passed', sincePrevious: { run: first, grew: [] } });
  });

  it('compares with the disk\'s previous run on another host, and passes when nothing grew', () => {
    const onA = start('node-a');
    playFrom(onA, 'Inventory', { SMART: sataCounters({ reallocated: 4 }) });
    // The same disk, moved to another host: its serial is what it is remembered by.
    const onB = start('node-b');
    playFrom(onB, 'Inventory', { SMART: sataCounters({ reallocated: 4 }) });
    expect(store.runs.require(onB)).toMatchObject({ state: 'Completed', result: 'pass' });
    const sata = (JSON.parse(store.runs.latestAttempt(onB, 'SMART')!.summary_json!) as { disks: SmartDiskResult[] }).disks.find((d) => d.disk === 'LABSATA0001')!;
    expect(sata.sincePrevious).toMatchObject({ run: onA, host: 'node-a', grew: [] });
  });

  it('serves the disk\'s history: every run that reported it, newest first, with its figures', () => {
    const first = start('node1');
    playFrom(first, 'Inventory', { SMART: sataCounters({ reallocated: 2 }) });
    const second = start('node1');
    playFrom(second, 'Inventory', { SMART: sataCounters({ reallocated: 5 }) });
    const view = componentHistory(store, { kind: 'disk', id: 'labsata0001', limit: 200 });
    expect(view).toMatchObject({ kind: 'disk', id: 'LABSATA0001', host: null });
    const smart = view.entries.filter((e) => e.stage === 'SMART');
    expect(smart.map((e) => [e.runId, e.outcome, e.figures.find((f) => f.key === 'reallocated')?.value])).toEqual([
      [second, 'failed', 5],
      [first, 'passed', 2],
    ]);
    expect(smart[0]!.figures.find((f) => f.key === 'reallocated')).toEqual({ key: 'reallocated', label: 'Reallocated', value: 5 });
    // Storage's IOPS and p99 are remembered too, from its schema's marks alone.
    const storage = view.entries.find((e) => e.stage === 'Storage' && e.runId === first)!;
    expect(storage.figures.map((f) => f.key)).toEqual(expect.arrayContaining(['fio.iops', 'fio.p99Ms', 'badblocks.badBlocks']));
    // Inventory names it too, with where it sits.
    expect(view.entries.find((e) => e.stage === 'Inventory')).toMatchObject({ label: expect.stringMatching(/^\/dev\/sd/), figures: [] });
    expect(() => componentHistory(store, { kind: 'disk', id: 'NOSUCHDISK', limit: 10 })).toThrow(/not found|NOSUCHDISK/);
    expect(() => componentHistory(store, { kind: 'psu', id: 'nct6775/in0', limit: 10 })).toThrow(/only means something on its host/);
    // A rail is kept per host; the second run held at SMART never reached PSU.
    expect(componentHistory(store, { kind: 'psu', id: 'nct6775/in0', host: 'node1', limit: 10 }).entries.map((e) => e.runId)).toEqual([first]);
  });
});

/**
 * Moves a run's closed attempts back in time, so each stage's window is a minute long, the
 * last ending `endsAgoS` before now; the open attempt (the BMC stage's) starts then.
 */
function spreadAttempts(runId: number, endsAgoS: number): Map<string, { from: number; to: number }> {
  const db = openDatabase(dir);
  const windows = new Map<string, { from: number; to: number }>();
  try {
    const rows = db.prepare('SELECT id, name FROM stages WHERE run_id = ? AND completed_at IS NOT NULL ORDER BY id').all(runId) as { id: number; name: string }[];
    const now = Date.now();
    db.prepare('UPDATE stages SET started_at = ? WHERE run_id = ? AND completed_at IS NULL').run(new Date(now - endsAgoS * 1000).toISOString(), runId);
    rows.forEach((r, i) => {
      const from = now - (endsAgoS + (rows.length - i) * 60) * 1000;
      const to = from + 59_000;
      db.prepare('UPDATE stages SET started_at = ?, completed_at = ? WHERE id = ?').run(new Date(from).toISOString(), new Date(to).toISOString(), r.id);
      windows.set(r.name, { from, to });
    });
    db.prepare('UPDATE runs SET started_at = ? WHERE id = ?').run(new Date(now - (endsAgoS + rows.length * 60 + 5) * 1000).toISOString(), runId);
  } finally {
    db.close();
  }
  return windows;
}

describe('BMC events during the run', () => {
  // The emulated BMC's real log and sensors (captured/qemu-selftest-bmc-2026-12/).
  const cap = (f: string) => captured(`qemu-selftest-bmc-2026-12/${f}`);
  const full = snapshotFrom({ sdr: cap('ipmitool-sdr-elist.txt'), sel: cap('ipmitool-sel-elist.txt'), time: cap('ipmitool-sel-time-get-2.txt') });

  /** The log as it stood at the start: the first `n` records of the real log. */
  function startLog(n: number): BmcSnapshot {
    return { ...full, sel: full.sel!.slice(0, n) };
  }

  /** The end-of-run snapshot: the whole log, the BMC clock read `clockAgoS` after the newest record. */
  function endLog(placeAt: Map<number, number>): BmcSnapshot {
    const clockTime = 1_900_000_000;
    const now = Date.now();
    return {
      ...full,
      clockTime,
      sel: full.sel!.map((r) => (placeAt.has(r.id) ? { ...r, bmcTime: clockTime - (now - placeAt.get(r.id)!) / 1000 } : r)),
    };
  }

  function runUpToBmc(host: string, baseline: BmcSnapshot | null): number {
    const id = start(host);
    const inv = stageResultBody('Inventory', {});
    if (baseline) (inv.summary as Record<string, unknown>).bmcLog = baseline;
    send(id, 'Inventory', { ...inv, summary: inv.summary as Record<string, unknown> });
    playFrom(id, 'SMART', {}, 'BMC');
    expect(store.runs.require(id).state).toBe('BMC');
    return id;
  }

  it('fails the run on a critical record logged during CPUStress, naming the stage; records already there are listed, not judged', () => {
    // At the start the log held records 0-5: boot, a non-critical temperature, a PSU failure and its
    // recovery, and two ECC errors (the faults the host went to repair for).
    const id = runUpToBmc('node1', startLog(6));
    const windows = spreadAttempts(id, 30);
    const cpu = windows.get('CPUStress')!;
    const psu = windows.get('PSU')!;
    // New since: IERR and a fan at critical during CPUStress, a critical temperature during PSU, and record 9.
    const mid = (w: { from: number; to: number }) => (w.from + w.to) / 2;
    const snap = endLog(new Map([[6, mid(cpu)], [7, mid(cpu)], [8, mid(psu)], [9, mid(psu) + 5000]]));
    const body = stageResultBody('BMC', {});
    send(id, 'BMC', { ...body, outcome: 'passed', message: 'read', summary: { bmc: snap }, coverage: [{ part: { kind: 'bmc', id: 'bmc' }, check: 'BMC event log during the run', status: 'tested', required: true }] });

    const run = store.runs.require(id);
    expect(run).toMatchObject({ state: 'FailedHolding', failed_stage: 'BMC', hold_reason: 'StageFailed' });
    const attempt = store.runs.latestAttempt(id, 'BMC')!;
    expect(attempt.message).toMatch(/^the BMC logged 4 critical record\(s\) during the run: processor: Processor #0x0a: IERR \(Asserted\) during CPUStress \(attempt 1\) at \d\d:\d\d:\d\d \| fan: Fan #0x06: Lower Critical going low \(Asserted\) during CPUStress \(attempt 1\)/);
    expect(attempt.message).toMatch(/temperature: Temperature #0x05: Upper Critical going high \(Asserted\) during PSU \(attempt 1\)/);
    expect(attempt.message).toMatch(/power supply: Power Supply PSU1 Status: Failure detected \(Asserted\) during PSU \(attempt 1\)/);
    expect(attempt.message).toMatch(/; 3 critical record\(s\) were already in the log when the run started \(listed, not judged\)$/);
    const summary = JSON.parse(attempt.summary_json!) as { baseline: string; duringRun: { id: number; stage: string | null; critical: boolean }[]; preExistingCritical: { id: number }[]; placement: { uncertaintyS: number } };
    expect(summary.baseline).toBe('inventory');
    expect(summary.duringRun.map((r) => [r.id, r.stage, r.critical])).toEqual([
      [6, 'CPUStress', true],
      [7, 'CPUStress', true],
      [8, 'PSU', true],
      [9, 'PSU', true],
    ]);
    expect(summary.preExistingCritical.map((r) => r.id)).toEqual([2, 4, 5]);
    // The parts to look at are named in the coverage, by the stage they failed in.
    const coverage = JSON.parse(attempt.coverage_json!) as { part: { kind: string; id: string }; check: string }[];
    expect(coverage.filter((c) => c.part.kind !== 'bmc').map((c) => [c.part.kind, c.part.id, c.check])).toEqual([
      ['cpu', 'Processor #0x0a', 'BMC events during CPUStress'],
      ['sensor', 'Fan #0x06', 'BMC events during CPUStress'],
      ['sensor', 'Temperature #0x05', 'BMC events during PSU'],
      ['psu', 'Power Supply PSU1 Status', 'BMC events during PSU'],
    ]);
  });

  it('passes when nothing critical was logged during the run, listing what was there before', () => {
    const id = runUpToBmc('node1', startLog(10));
    spreadAttempts(id, 30);
    send(id, 'BMC', { outcome: 'passed', message: 'read', summary: { bmc: endLog(new Map()) }, coverage: [] });
    expect(store.runs.require(id)).toMatchObject({ state: 'Completed' });
    const attempt = store.runs.latestAttempt(id, 'BMC')!;
    expect(attempt.message).toBe('the BMC logged 0 record(s) during the run, none critical; 7 critical record(s) were already in the log when the run started (listed, not judged)');
  });

  it('without a log from the start, judges records new by their time', () => {
    const id = runUpToBmc('node1', null);
    const windows = spreadAttempts(id, 30);
    const before = windows.get('Inventory')!.from - 3600_000;
    // Record 2 (a PSU failure) an hour before the run: old. Record 5 (uncorrectable ECC) during Storage: new.
    const snap = endLog(new Map([...full.sel!.map((r) => [r.id, before] as [number, number]), [5, (windows.get('Storage')!.from + windows.get('Storage')!.to) / 2]]));
    send(id, 'BMC', { outcome: 'passed', message: 'read', summary: { bmc: snap }, coverage: [] });
    const attempt = store.runs.latestAttempt(id, 'BMC')!;
    expect(attempt.outcome).toBe('failed');
    expect(attempt.message).toMatch(/^the BMC logged 1 critical record\(s\) during the run: memory: Memory #0x09: Uncorrectable ECC \(Asserted\) during Storage \(attempt 1\) at .* \(no log from the start of the run: records were judged new by their time\)$/);
  });

  it('leaves a host without a BMC untested, and the run not held for it', () => {
    const id = start('node1');
    playFrom(id, 'Inventory', { BMC: (b) => Object.assign(b, { outcome: 'skipped', message: 'BMC not tested: no BMC', summary: { bmc: { present: false, why: 'this host has no BMC' } }, coverage: [{ part: { kind: 'bmc', id: 'bmc' }, check: 'BMC event log during the run', status: 'not-tested', reason: 'this host has no BMC', required: false }] }) });
    expect(store.runs.require(id)).toMatchObject({ state: 'Completed', result: 'pass' });
    expect(store.runs.latestAttempt(id, 'BMC')!.outcome).toBe('skipped');
  });
});
