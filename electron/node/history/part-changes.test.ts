import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Inventory, StageResult } from '../../../common/schema/index.ts';
import type { AgentStageName } from '../../../common/stages/index.ts';
import type { SmartDiskResult } from '../../../common/stages/smart.ts';
import type { StorageDiskResult } from '../../../common/stages/storage.ts';
import { qemuGuestInventory } from '../../../test/support/fixture-inventory.ts';
import { agentStagesFrom, stageResultBody } from '../../../test/support/stage-results.ts';
import { SupervisorCredentials } from '../auth/supervisor-credentials.ts';
import { EventBus } from '../events/bus.ts';
import { buildReportJson, gatherReportData, renderReportHtml, writeRunReport } from '../report/index.ts';
import { validateReportJson } from '../report/testing/report-schema-check.ts';
import { LiveState } from '../runs/live-state.ts';
import { createRunServices, type RunServices } from '../runs/index.ts';
import { openStore, type Store } from '../store/index.ts';
import { hostParts } from './host-parts.ts';
import { partChangesOf } from './part-changes.ts';

// Two runs of one host through the real run services and a real SQLite store, played by a
// scripted agent: between them one disk's reallocated count grew and its IOPS fell, and
// another disk was swapped for a new one. What the run page, the report and the host view
// are told comes from here.

let dir: string;
let store: Store;
let runs: RunServices;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vetting-part-changes-'));
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

const HOST = 'node-7';
const KEPT = 'WD-KEPT-0001';
const OLD = 'WD-OLD-0002';
const NEW = 'WD-NEW-0003';
const MAC = '52:54:00:12:34:56';
let seq = 0;

/** The inventory of a host holding these disks (the QEMU guest's, its disks replaced). */
function inventoryWith(disks: readonly string[]): Inventory {
  const inv = qemuGuestInventory();
  return { ...inv, disks: disks.map((serial, i) => ({ name: `sd${'ab'[i]}`, path: `/dev/sd${'ab'[i]}`, serial, wwn: null, model: 'WDC WD80EFZZ', sizeBytes: 8e12, rotational: true, removable: false, transport: 'sata' })), nics: [{ name: 'eno1', mac: MAC, speedMbps: 1000, driver: 'igb', link: true }] };
}

interface Figures {
  reallocated?: number;
  iops?: number;
}

/** One whole run of HOST with `disks`; `figures` shape the first disk's SMART and Storage rows. */
async function playRun(disks: readonly string[], figures: Figures): Promise<number> {
  if (!store.hosts.get(HOST)) store.hosts.add({ name: HOST, macs: [], profile: 'standard', disks: [...disks], specYaml: null });
  else store.hosts.update(HOST, { disks: [...disks] });
  const { runId } = runs.commands.startRun(HOST);
  seq = 0;
  runs.messages.agentHello(runId, { session: 'session-a' });
  for (const stage of agentStagesFrom('Inventory')) {
    // A held run (the counter grew since the disk's previous run) is overridden by a person and goes on.
    if (store.runs.require(runId).state === 'FailedHolding') await runs.actions.act(runId, { action: 'override', reason: 'reallocated sectors reviewed with the owner' });
    if (store.runs.require(runId).state !== stage) continue;
    const body = stageResultBody(stage, { disks, nicMac: MAC, outcome: stage === 'GPU' ? 'skipped' : 'passed' });
    if (stage === 'Inventory') body.summary = { inventory: inventoryWith(disks) };
    if (stage === 'SMART') Object.assign((body.summary as { disks: SmartDiskResult[] }).disks[0]!, { reallocated: figures.reallocated ?? 0 });
    if (stage === 'Storage') Object.assign((body.summary as { disks: StorageDiskResult[] }).disks[0]!.fio!, { iops: figures.iops ?? 20_000 });
    send(runId, stage, { ...body, summary: body.summary as Record<string, unknown> });
  }
  return runId;
}

function send(runId: number, stage: AgentStageName, body: Pick<StageResult, 'outcome' | 'message' | 'summary' | 'coverage'>) {
  const attempt = store.runs.latestAttempt(runId, stage)!.attempt;
  runs.messages.applyAgentMessage(runId, 'session-a', { type: 'stage-result', seq: ++seq, ts: Date.now(), stage, attempt, ...body });
}

describe('what changed on a part since its previous run', () => {
  it('names each measured disk, DIMM and NIC with the figures that changed, against the run that last measured it', async () => {
    const first = await playRun([KEPT, OLD], { reallocated: 0, iops: 20_000 });
    const firstParts = partChangesOf(store, first);
    // Nothing to compare with yet; rails and sensors (names, not serials) are not compared at all.
    expect(firstParts.every((p) => p.previous === null && p.changes.length === 0)).toBe(true);
    expect(new Set(firstParts.map((p) => p.kind))).toEqual(new Set(['disk', 'nic', 'dimm']));

    const second = await playRun([KEPT, NEW], { reallocated: 2, iops: 16_400 });
    expect(store.runs.require(second)).toMatchObject({ state: 'Completed', result: 'pass-with-overrides' });
    const parts = partChangesOf(store, second);
    const of = (stage: string, id: string) => parts.find((p) => p.stage === stage && p.id === id);

    expect(of('SMART', KEPT)).toMatchObject({ attempt: 1, kind: 'disk', previous: { runId: first, host: HOST } });
    expect(of('SMART', KEPT)!.changes.map((c) => [c.text, c.direction])).toEqual([['Reallocated 0 → 2', 'worse']]);
    expect(of('Storage', KEPT)!.changes.map((c) => [c.text, c.detail, c.direction])).toEqual([['IOPS −18 %', 'IOPS 20,000 → 16,400 (−18 %)', 'worse']]);
    // The new disk was never measured here before; the NIC measured the same.
    expect(of('SMART', NEW)).toMatchObject({ previous: null, changes: [], unchanged: 0 });
    expect(of('Network', MAC)).toMatchObject({ previous: { runId: first }, changes: [] });
    expect(of('Network', MAC)!.unchanged).toBeGreaterThan(0);
    // The old disk is not in this run.
    expect(parts.some((p) => p.id === OLD)).toBe(false);
    // The first run still reads against nothing before it, whatever came after.
    expect(partChangesOf(store, first).every((p) => p.previous === null)).toBe(true);
    expect(() => partChangesOf(store, 999)).toThrow(/run 999 not found/);
  });
});

describe('the printed report', () => {
  it('shows the same changes in its result tables, right after the part, and carries them in report.json', async () => {
    const first = await playRun([KEPT, OLD], { reallocated: 0, iops: 20_000 });
    const second = await playRun([KEPT, NEW], { reallocated: 2, iops: 16_400 });
    const data = gatherReportData(store, second);
    expect(data.partChanges).toEqual(partChangesOf(store, second));
    expect(validateReportJson(buildReportJson(data))).toEqual([]);
    const html = renderReportHtml(data);
    const section = (stage: string) => html.slice(html.indexOf(`data-stage="${stage}"`), html.indexOf('</section>', html.indexOf(`data-stage="${stage}"`)));
    // Every part was last measured in the first run: the column names it.
    expect(section('SMART')).toMatch(new RegExp(`<th>Disk</th><th>Since run ${first}</th>`));
    expect(section('SMART')).toContain(`<td class="change"><span class="bad">Reallocated 0 → 2, worse</span></td>`);
    // The new disk is here for the first time; the other did not change.
    expect(section('SMART')).toMatch(new RegExp(`${NEW}</td><td class="muted">not measured before</td>`));
    expect(section('Storage')).toContain('<span class="bad">IOPS −18 %, worse</span>');
    expect(section('Network')).toContain('<td class="muted">no change</td>');
    // A first visit adds no column at all.
    expect(renderReportHtml(gatherReportData(store, first))).not.toMatch(/Since (run \d+|last run)/);
  });
});

describe('a host\'s parts by serial', () => {
  it('lists the parts of its latest run and what was swapped since the run before', async () => {
    expect(() => hostParts(store, HOST)).toThrow(/not found|unknown|no host/i);
    const first = await playRun([KEPT, OLD], {});
    expect(hostParts(store, HOST)).toMatchObject({ latestRun: first, previousRun: null });
    expect(hostParts(store, HOST).parts.every((p) => p.change === null)).toBe(true);

    const second = await playRun([KEPT, NEW], {});
    const view = hostParts(store, HOST);
    expect(view).toMatchObject({ host: HOST, latestRun: second, previousRun: first });
    const disks = view.parts.filter((p) => p.kind === 'disk');
    // By where each sat: the new disk took the old one's place.
    expect(disks.map((p) => [p.id, p.label, p.change, p.runId])).toEqual([
      [KEPT, '/dev/sda', null, second],
      [OLD, '/dev/sdb', 'gone', first],
      [NEW, '/dev/sdb', 'appeared', second],
    ]);
    expect(view.parts.find((p) => p.kind === 'nic')).toMatchObject({ id: MAC, label: 'eno1', change: null });
  });
});
