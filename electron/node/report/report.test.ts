import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { fakeContext } from '../../../agent/testing/fake-context.ts';
import { gpuStage } from '../../../agent/stages/gpu/index.ts';
import { PROFILES } from '../../../common/profiles.ts';
import { COVERAGE_STATUSES, extentText, PART_KINDS, type CoverageEntry } from '../../../common/schema/coverage.ts';
import type { ProfileParams } from '../../../common/schema/profile.ts';
import { RUN_RESULTS, STAGE_OUTCOMES } from '../../../common/schema/run.ts';
import { STAGE_NAMES, isStageName, parseStageSummary } from '../../../common/stages/index.ts';
import { summaryView } from '../../../common/stages/summary-view.ts';
import { agentStagesFrom, stageResultBody } from '../../../test/support/stage-results.ts';
import { verdictOf } from '../runs/run-verdict.ts';
import { openDatabase, type Db } from '../store/db.ts';
import { openStore, type Store } from '../store/index.ts';
import { viewHtml } from './html-results.ts';
import { buildOcptvLines, buildReportJson, gatherReportData, renderReportHtml, REPORT_SCHEMA_VERSION, serializeReportJson, writeRunReport } from './index.ts';
import { REPORT_SCHEMA_ID } from './json.ts';
import { ocptvLines, validateOcptv } from './testing/ocp-validate.ts';
import { reportSchema, validateReportJson } from './testing/report-schema-check.ts';
import {
  insertHost,
  insertRun,
  insertStage,
  insertTransition,
  makeFailedRun,
  makeIncompleteRun,
  makeOverriddenRun,
  makePassingRun,
  makeSmokeRun,
  T0,
} from './testing/sample-runs.ts';
import { makeStandardRun } from './testing/sample-standard-run.ts';
import { runServicesOnDisk } from '../runs/testing/run-services-on-disk.ts';

const dirs: string[] = [];
const dbs: Db[] = [];
const stores: Store[] = [];
/** Sample runs are seeded on a bare connection (back-dated rows); the report reads them through the store. */
function freshDb(): { db: Db; store: Store; dir: string; host: number } {
  const dir = mkdtempSync(join(tmpdir(), 'vetting-report-'));
  dirs.push(dir);
  const db = openDatabase(dir);
  dbs.push(db);
  const store = openStore(dir);
  stores.push(store);
  const host = insertHost(db, 'pve-node-07', ['3c:ec:ef:00:11:22'], ['NV-001', 'WD-A1']);
  return { db, store, dir, host };
}
afterEach(() => {
  for (const db of dbs.splice(0)) db.close();
  for (const store of stores.splice(0)) store.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function textOf(html: string): string {
  return html
    .replace(/<style>[\s\S]*?<\/style>/, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/\s+/g, ' ');
}

/** Page one of report.html: everything before the Results section. */
function pageOne(html: string): string {
  const at = html.indexOf('<section class="major" id="results">');
  expect(at).toBeGreaterThan(0);
  return textOf(html.slice(0, at));
}

/** A run held after CPUStress could not run (stress-ng missing): an `error` attempt with the error summary. */
function makeErroredRun(db: Db, host: number): number {
  const run = insertRun(db, host, { state: 'FailedHolding', failedStage: 'CPUStress', holdReason: 'StageError', start: T0 });
  insertStage(db, run, 'Inventory', 1, 'passed', T0, T0 + 60_000, { inventory: { system: {}, bios: {}, cpu: { sockets: 1, cores: 2, threads: 4 }, memory: { totalBytes: 1 }, disks: [], nics: [], gpus: [] } }, null, []);
  insertStage(db, run, 'CPUStress', 1, 'error', T0 + 60_000, T0 + 61_000, { infraError: 'tool-missing', tool: 'stress-ng', problems: ['stress-ng is not installed'], rejectedSummary: { secret: 'raw' } }, 'stress-ng is not installed', [
    { part: { kind: 'cpu', id: 'cpu', label: 'CPUs' }, check: 'stress-ng CPU load', status: 'not-tested', reason: 'stress-ng is not installed', required: true },
  ]);
  return run;
}

/** Where the run's artifact of `kind` lies, relative to the data directory. */
function runArtifactPath(store: Store, runId: number, kind: string): string {
  const a = store.runs.artifacts(runId).find((x) => x.kind === kind);
  expect(a, kind).toBeDefined();
  return a!.path;
}

type Sample = (db: Db, host: number) => number;
const SAMPLES: Record<string, Sample> = {
  passing: (db, h) => makePassingRun(db, h),
  'passing, in Reporting': (db, h) => makePassingRun(db, h, 'Reporting'),
  released: (db, h) => makePassingRun(db, h, 'Released'),
  failed: makeFailedRun,
  overridden: (db, h) => makeOverriddenRun(db, h),
  'overridden, in Reporting': (db, h) => makeOverriddenRun(db, h, T0, 'Reporting'),
  incomplete: makeIncompleteRun,
  smoke: makeSmokeRun,
  errored: makeErroredRun,
  'just started': (db, h) => insertRun(db, h, { state: 'WaitingForAgent' }),
};

describe('sample runs', () => {
  it('carry summaries that match their stages’ schemas, and store the result the verdict rules give', () => {
    const { db, store, host } = freshDb();
    for (const [kind, make] of Object.entries(SAMPLES)) {
      const run = make(db, host);
      for (const row of db.prepare('SELECT name, outcome, summary_json FROM stages WHERE run_id = ? AND summary_json IS NOT NULL').all(run) as { name: string; outcome: string; summary_json: string }[]) {
        expect(isStageName(row.name)).toBe(true);
        const parsed = parseStageSummary(row.name as never, row.outcome, JSON.parse(row.summary_json));
        expect(parsed, `${kind}: ${row.name}`).toMatchObject({ ok: true });
      }
      const stored = (db.prepare('SELECT result, state FROM runs WHERE id = ?').get(run) as { result: string | null; state: string });
      const rules = verdictOf(store, run, stored.state === 'Reporting' ? 'Completed' : undefined);
      if (stored.result !== null) expect(rules.result, kind).toBe(stored.result);
    }
  });
});

describe('report data and verdict', () => {
  it('a passing run reads PASS with identity, coverage, parts, stage results, charts and audit trail', () => {
    const { db, store, host } = freshDb();
    const run = makePassingRun(db, host);
    const data = gatherReportData(store, run);
    expect(data.verdict).toMatchObject({ value: 'PASS', result: 'pass', certifies: true });
    expect(data.verdict.reasons).toEqual(['every required part was exercised and passed']);
    expect(data.host).toMatchObject({ name: 'pve-node-07', serial: 'S-4471-ZX', manufacturer: 'Supermicro', model: 'SYS-1029U-TRT' });
    expect(data.host.macs).toEqual(['3c:ec:ef:00:11:22', '3c:ec:ef:00:11:23']);
    expect(data.stages.map((s) => [s.name, s.outcome])).toEqual(STAGE_NAMES.map((n) => [n, n === 'GPU' ? 'skipped' : 'passed']));
    expect(data.stages.find((s) => s.name === 'CPUStress')?.durationMs).toBe(30 * 60_000);
    expect(data.results.map((r) => r.stage)).toEqual(STAGE_NAMES.filter((s) => s !== 'Reporting'));
    expect(data.results.find((r) => r.stage === 'Storage')?.coverage.map((c) => `${c.part.id} ${c.check} ${c.status}`)).toEqual([
      'NV-001 surface scan tested',
      'NV-001 random I/O tested',
      'WD-A1 surface scan tested',
      'WD-A1 random I/O tested',
    ]);
    // Parts: the inventory's disks joined with what the stages said about them, by identity.
    expect(data.parts.filter((p) => p.kind === 'disk')).toEqual([
      { kind: 'disk', id: 'NV-001', label: 'nvme0n1 (/dev/nvme0n1)', serial: 'NV-001', model: 'SAMSUNG MZQL23T8HCLS', location: '/dev/nvme0n1', aliases: ['eui.0025388b91b0a7c1'] },
      { kind: 'disk', id: 'WD-A1', label: 'sda (/dev/sda)', serial: 'WD-A1', model: 'WDC WD40EFRX', location: '/dev/sda', aliases: [] },
    ]);
    expect(data.parts.filter((p) => p.kind === 'nic').map((p) => [p.id, p.label])).toEqual([
      ['3c:ec:ef:00:11:22', 'eno1'],
      ['3c:ec:ef:00:11:23', 'ens1f0'],
    ]);
    // Series are LTTB-downsampled but keep their end points.
    const pkg = data.measurements.series.find((s) => s.sensor === 'coretemp Package id 0');
    expect(pkg && pkg.points.length).toBeLessThanOrEqual(240);
    expect(pkg?.points[0]?.[0]).toBe(T0);
    expect(data.measurements.aggregates.find((a) => a.sensor === 'coretemp Package id 0')?.count).toBe(661);
    expect(data.measurements.thermalCeilingC).toBe(90);

    const html = renderReportHtml(data);
    const text = textOf(html);
    const first = pageOne(html);
    expect(first).toMatch(/\bPASS\b/);
    expect(first).not.toContain('PASS WITH OVERRIDES');
    expect(first).not.toContain('not a certification');
    expect(first).toContain('21 checks on 15 parts: 20 tested (2 only in part) · 1 not applicable · 0 not tested');
    expect(first).toContain('Back to the rack: yes — every part this host names was tested and passed.');
    expect(first).toContain('S-4471-ZX');
    expect(first).toContain('3c:ec:ef:00:11:23');
    // Parts by their serials on page one (the coverage rows); model and WWN in Inventory's tables, printed once.
    expect(first).toMatch(/disk WD-A1 \(\/dev\/sda\)/);
    expect(first).toMatch(/disk NV-001 \(\/dev\/nvme0n1\)/);
    expect(text).toMatch(/\/dev\/sda WDC WD40EFRX\S* WD-A1/);
    expect(text).toContain('eui.0025388b91b0a7c1');
    for (const heading of ['Coverage', 'Stages', 'Results', 'Spec differences', 'Thermal and PSU', 'Audit trail']) expect(text).toContain(heading);
    // Stage results drawn from their schemas: titled tables, judged cells with their limits.
    for (const title of ['Inventory', 'SMART', 'Disks', 'NICs', 'Voltage rails', 'Hottest reading per sensor']) expect(text).toContain(title);
    expect(text).toContain('✓ 412,345 (≥ 50,000)');
    expect(text).toContain('✓ 0.41 ms (≤ 5 ms)');
    expect(text).toContain('✓ 9,410 Mbit/s (≥ 9,000 Mbit/s)');
    expect(text).toContain('✓ 81.5 °C (< 90 °C)');
    expect(text).toContain('✓ 1.2 % (≤ 5.0 %)');
    // Readable values, never raw JSON or flattened key paths.
    expect(text).not.toMatch(/\{"|\w+\[\d+\]\.\w+/);
    expect(text).toContain('3.5 TiB'); // the NVMe's size, formatted
    expect(html.match(/<svg class="chart"/g)?.length).toBe(2); // thermal °C and PSU V
  });

  it('a failed run reads FAIL and names the failing stage and disk, held for a person', () => {
    const { db, store, host } = freshDb();
    const data = gatherReportData(store, makeFailedRun(db, host));
    expect(data.verdict.value).toBe('FAIL');
    expect(data.verdict.result).toBeNull();
    expect(data.verdict.reasons[0]).toBe('held at SMART (StageFailed): waiting for a person to decide');
    expect(data.stages.find((s) => s.name === 'Storage')?.outcome).toBeNull();
    const html = renderReportHtml(data);
    const first = pageOne(html);
    expect(first).toMatch(/FAIL Back to the rack: no — repair or replace what failed \(below\), then run again\. .*held at SMART/);
    expect(first).toContain('Attempts that did not pass Stage Attempt Outcome What it said What followed SMART 1 failed WD-A1: overall-health FAILED, 1872 reallocated sectors held: waiting for a person to decide');
    expect(first).toContain('not reached');
    expect(textOf(html)).toContain('memory.totalBytes');
  });

  it('an overridden run reads PASS WITH OVERRIDES on page one with who, what and why', () => {
    const { db, store, host } = freshDb();
    for (const state of ['Completed', 'Reporting'] as const) {
      // In Reporting no result is stored yet: the report draws it from the verdict rules.
      const data = gatherReportData(store, makeOverriddenRun(db, host, T0, state));
      expect(data.verdict.value).toBe('PASS WITH OVERRIDES');
      expect(data.verdict.result).toBe('pass-with-overrides');
      expect(data.run.result).toBe('pass-with-overrides');
      // The overridden attempt was followed by one that passed: what remains is the supervisor's waiver.
      expect(data.verdict.reasons).toEqual(['a supervisor overrode the wipe-probe: disks holding data were overwritten']);
      expect(data.verdict.overrides).toEqual([
        {
          stage: 'Storage',
          actor: 'supervisor:dana',
          reason: 'disk is a replacement from stock; old LVM label is from the vendor burn-in',
          at: '2026-11-20T08:20:00.000Z',
          detail: { stage: 'Storage', kind: 'wipe-probe', disks: ['WD-A1'] },
        },
      ]);
      const html = renderReportHtml(data);
      // The section is its headed tables and the wipe-probe line, one after another, nothing stray between them.
      const section = /<h2>Failures and overrides<\/h2>([\s\S]*?)(?=<h2|$)/.exec(html)?.[1] ?? '';
      expect(section).toContain('<p class="warn">Wipe-probe overridden');
      expect(section.replace(/<h3>[^<]*<\/h3>|<table[\s\S]*?<\/table>|<p class="warn">[\s\S]*?<\/p>/g, '').trim()).toBe('');
      const first = pageOne(html);
      expect(first).toMatch(/^.*?PASS WITH OVERRIDES Back to the rack: yes, on the overrides below — a person accepted what did not pass; who and why is listed\. a supervisor overrode the wipe-probe/);
      expect(first).toContain('Overrides Overridden stage By Reason When Storage supervisor:dana disk is a replacement from stock; old LVM label is from the vendor burn-in');
      expect(first).toContain('Storage 1 overridden wipe-probe: LVM2_member on WD-A1 overridden by supervisor:dana');
      expect(first).toContain('Wipe-probe overridden by a supervisor for: WD-A1');
      expect(first).toContain('attempt 1 overridden');
    }
  });

  it('an operator’s override of a failed stage, with no wipe-probe override, reads PASS WITH OVERRIDES on page one (a run through the run services)', async () => {
    // The whole path: the run services store the operator's override, the Reporting
    // stage writes the report while the run is in Reporting, and the run completes.
    const { store, dir } = freshDb();
    const runs = runServicesOnDisk(store, dir);
    const disks = ['NV-001', 'WD-A1'];
    store.hosts.add({ name: 'pve-node-08', macs: [], profile: 'standard', disks, specYaml: null });
    const { runId, token } = runs.commands.startRun('pve-node-08');
    expect('run' in runs.agent.authenticate(token)).toBe(true);
    runs.messages.agentHello(runId, { session: 's' });
    let seq = 0;
    const send = (stage: (typeof STAGE_NAMES)[number] & Parameters<typeof stageResultBody>[0], outcome: 'passed' | 'failed' | 'skipped') => {
      const attempt = store.runs.latestAttempt(runId, stage)!.attempt;
      const body = stageResultBody(stage, { disks, outcome });
      runs.messages.applyAgentMessage(runId, 's', { type: 'stage-result', seq: ++seq, ts: Date.now(), stage, attempt, ...body, summary: body.summary as Record<string, unknown> });
    };
    send('Inventory', 'passed');
    send('SMART', 'passed');
    send('CPUStress', 'failed');
    expect(store.runs.require(runId)).toMatchObject({ state: 'FailedHolding', failed_stage: 'CPUStress' });
    await runs.actions.act(runId, { action: 'override', reason: 'fan replaced after the run' }, 'operator');
    for (const stage of agentStagesFrom('CPUStress').slice(1)) send(stage, stage === 'GPU' ? 'skipped' : 'passed');
    expect(store.runs.require(runId)).toMatchObject({ state: 'Completed', result: 'pass-with-overrides', wipe_override_json: '[]' });

    const html = readFileSync(join(dir, runArtifactPath(store, runId, 'report_html')), 'utf8');
    const first = pageOne(html);
    expect(first).toMatch(/^.*?PASS WITH OVERRIDES .*?overridden by a person: CPUStress/);
    expect(first).not.toMatch(/(^|[^H] )PASS (?!WITH OVERRIDES)/);
    expect(first).toContain('Overrides Overridden stage By Reason When CPUStress operator fan replaced after the run');
    expect(first).toContain('CPUStress 1 overridden CPUStress failed overridden by operator: fan replaced after the run');
    expect(first).not.toContain('Wipe-probe overridden');
    expect(first).not.toContain('no audit row');
    const json = JSON.parse(readFileSync(join(dir, runArtifactPath(store, runId, 'report_json')), 'utf8')) as { verdict: { value: string; result: string } };
    expect(json.verdict).toMatchObject({ value: 'PASS WITH OVERRIDES', result: 'pass-with-overrides' });
    // Regenerated once the run is Completed (its stored result read back), it says the same.
    expect(gatherReportData(store, runId).verdict).toMatchObject({ value: 'PASS WITH OVERRIDES', result: 'pass-with-overrides' });
  });

  it('a smoke run says on page one that it is not a certification, and shows its partial scan with the extent', () => {
    const { db, store, host } = freshDb();
    const data = gatherReportData(store, makeSmokeRun(db, host));
    expect(data.verdict).toMatchObject({ value: 'INCOMPLETE', result: 'incomplete', certifies: false });
    expect(data.verdict.reasons).toContain('the smoke profile is a demonstration run, not a certification');
    const scans = data.verdict.coverage.filter((c) => c.check === 'surface scan');
    expect(scans.map((c) => [c.part.id, c.status, c.extent])).toEqual([
      ['NV-001', 'not-tested', { done: 16 * 1024 ** 2, total: 64 * 1024 ** 2, unit: 'bytes' }],
      ['WD-A1', 'not-tested', { done: 16 * 1024 ** 2, total: 64 * 1024 ** 2, unit: 'bytes' }],
    ]);
    const html = renderReportHtml(data);
    const first = pageOne(html);
    expect(first).toContain('This report is not a certification.');
    expect(first).toContain('Back to the rack: not on this report — a demonstration run certifies nothing.');
    expect(first).toContain('The smoke profile is a demonstration run');
    expect(first).toMatch(/INCOMPLETE/);
    // The partial scan, per disk, with its extent, among the first rows (gaps first).
    expect(first).toMatch(/Coverage \d+ checks on \d+ parts: .*\d+ not tested \(2 the result depends on\) Part Status Checks disk NV-001 \(\/dev\/sda\) NOT TESTED ✗ surface scan \(Storage\) : 16 MiB of 64 MiB \(25 %\) ✓/);
    expect(first).toContain('disk WD-A1 (/dev/sdb) NOT TESTED ✗ surface scan (Storage) : 16 MiB of 64 MiB (25 %) ✓ SMART health and counters (SMART) ✓ random I/O (Storage)');
    // The banner sits above the verdict, where it is read first.
    expect(html.indexOf('id="not-certification"')).toBeLessThan(html.indexOf('id="verdict"'));
  });

  it('an incomplete standard run names the part that was not tested and why', () => {
    const { db, store, host } = freshDb();
    const data = gatherReportData(store, makeIncompleteRun(db, host));
    expect(data.verdict).toMatchObject({ value: 'INCOMPLETE', result: 'incomplete', certifies: true });
    expect(data.verdict.reasons[0]).toMatch(/^not tested: WD-A1 \(\/dev\/sda\) \(SMART: SMART health and counters\): smartctl could not run/);
    const first = pageOne(renderReportHtml(data));
    expect(first).not.toContain('not a certification');
    expect(first).toContain('Back to the rack: no — not everything was tested (below); run again to complete the test.');
    expect(first).toMatch(/Part Status Checks disk WD-A1 \(\/dev\/sda\) NOT TESTED ✗ SMART health and counters \(SMART\) — smartctl could not run .* ✓ surface scan \(Storage\) : 3.6 TiB of 3.6 TiB \(100 %\)/);
  });

  it('a run still in Reporting reads as completed', () => {
    const { db, store, host } = freshDb();
    const data = gatherReportData(store, makePassingRun(db, host, 'Reporting'));
    expect(data.run.state).toBe('Completed');
    expect(data.run.result).toBe('pass');
    expect(data.verdict.value).toBe('PASS');
    expect(data.stages.at(-1)).toMatchObject({ name: 'Reporting', outcome: 'passed' });
  });

  it('a stage that could not run shows what it said, never the agent’s raw summary', () => {
    const { db, store, host } = freshDb();
    const data = gatherReportData(store, makeErroredRun(db, host));
    const text = textOf(renderReportHtml(data));
    expect(text).toContain('The stage could not produce its own summary');
    expect(text).toMatch(/Infra error tool-missing Tool stress-ng Problems: stress-ng is not installed/);
    expect(text).not.toContain('secret');
    // Page one lists the attempt that could not run among those that did not pass, held for a person.
    expect(pageOne(renderReportHtml(data))).toMatch(/Attempts that did not pass Stage Attempt Outcome What it said What followed CPUStress 1 error .*held: waiting for a person to decide/);
  });

  it('a summary that no longer matches its schema is drawn as far as it matches, and says so', () => {
    const { db, store, host } = freshDb();
    const run = makeFailedRun(db, host);
    insertStage(db, run, 'Network', 1, 'passed', T0, T0 + 1000, { nics: [{ nic: 'eth9', goodputMbps: 5, floorMbps: 900 }], weird: true });
    const text = textOf(renderReportHtml(gatherReportData(store, run)));
    expect(text).toContain('This summary does not match the stage’s schema');
    expect(text).toContain('✗ 5 Mbit/s (≥ 900 Mbit/s)');
    expect(text).not.toContain('weird');
  });

  it('draws any annotated summary schema generically: a new stage needs no code in report/', () => {
    // A stage report/ has never heard of: a memory test with one row per DIMM.
    const MemtestSummary = z.object({
      dimms: z
        .array(
          z.object({
            slot: z.string().meta({ title: 'Slot', partId: true }),
            errors: z.number().meta({ title: 'Errors', ceiling: 'maxErrors', measure: true }),
            maxErrors: z.number().meta({ hidden: true }),
            bandwidthMBs: z.number().meta({ title: 'Bandwidth', unit: 'MB/s' }),
          }),
        )
        .meta({ title: 'Memory modules', part: 'dimm' }),
      passes: z.number().meta({ title: 'Passes' }),
    });
    const html = viewHtml(summaryView(MemtestSummary, { dimms: [{ slot: 'A1', errors: 0, maxErrors: 0, bandwidthMBs: 12000 }, { slot: 'B2', errors: 17, maxErrors: 0, bandwidthMBs: 11000 }], passes: 2 }));
    const text = textOf(html);
    expect(text).toContain('Memory modules Slot Errors Bandwidth A1 ✓ 0 (≤ 0) 12,000 MB/s B2 ✗ 17 (≤ 0) 11,000 MB/s');
    expect(text).toContain('Passes 2');
  });

  it('escapes every string an agent or a person can put in a report', () => {
    const { db, store } = freshDb();
    const evil = '<script>alert(1)</script><img src=x onerror=alert(2)>"\'&';
    const host = insertHost(db, `node ${evil}`, ['3c:ec:ef:00:99:99'], [`disk${evil}`]);
    const run = insertRun(db, host, { state: 'FailedHolding', failedStage: 'Network', holdReason: 'StageFailed', start: T0 });
    insertStage(db, run, 'Inventory', 1, 'passed', T0, T0 + 1000, { inventory: { system: { serial: evil, product: evil }, bios: { version: evil }, cpu: { model: evil, sockets: 1, cores: 1, threads: 1 }, memory: { totalBytes: 1 }, disks: [{ name: evil, path: evil, serial: `disk${evil}`, sizeBytes: 1 }], nics: [{ name: evil, mac: evil }], gpus: [] } }, evil, []);
    insertStage(db, run, 'Network', 1, 'failed', T0 + 1000, T0 + 2000, { nics: [{ nic: evil, mac: evil, address: evil, outcome: 'failed', linkMbps: 1, linkSpeedAssumed: false, goodputMbps: 1, floorMbps: 2, reason: evil }], server: null }, evil, [
      { part: { kind: 'nic', id: evil, label: evil }, check: evil, status: 'not-tested', reason: evil, required: true },
    ]);
    insertTransition(db, run, 'Network', 'FailedHolding', 'fail', evil, T0 + 2000, evil, { evil });
    const data = gatherReportData(store, run);
    const html = renderReportHtml(data);
    expect(html).not.toMatch(/<script|<img|onerror=alert\(2\)>/i);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(textOf(html)).toContain(evil);
    expect(validateOcptv(buildOcptvLines(data))).toEqual([]);
    expect(validateReportJson(JSON.parse(serializeReportJson(data).text))).toEqual([]);
  });

  it('a run that has just started reads INCOMPLETE and still renders', () => {
    const { db, store, host } = freshDb();
    const data = gatherReportData(store, insertRun(db, host, { state: 'WaitingForAgent' }));
    expect(data.verdict.value).toBe('INCOMPLETE');
    expect(data.verdict.reasons[0]).toBe('the run is still in WaitingForAgent');
    expect(data.host.serial).toBeNull();
    const text = textOf(renderReportHtml(data));
    expect(text).toContain('INCOMPLETE');
    expect(text).toContain('No stage has said what it covered.');
    expect(text).toContain('No sensor data was recorded for this run.');
  });

  it('keeps charts readable with many sensors: the hottest 12 are drawn, all stay in report.json', () => {
    const { db, store, host } = freshDb();
    const run = makeFailedRun(db, host);
    const ins = db.prepare("INSERT INTO measurements (run_id, kind, sensor, value, unit, ts) VALUES (?, 'thermal', ?, ?, '°C', ?)");
    for (let c = 0; c < 20; c++) for (let t = 0; t < 10; t++) ins.run(run, `coretemp Core ${String(c).padStart(2, '0')}`, 40 + c + t, T0 + t * 5000);
    const data = gatherReportData(store, run);
    expect(data.measurements.series.filter((s) => s.sensor.startsWith('coretemp Core'))).toHaveLength(20);
    const html = renderReportHtml(data);
    expect(html).toContain('12 of 23 sensors shown');
    const legends = [...html.matchAll(/<div class="legend">(.*?)<\/div>/g)].map((m) => m[1] as string);
    expect(legends[0]).toContain('</span>coretemp Core 19</span>');
    expect(legends[0]).not.toContain('</span>coretemp Core 00</span>'); // coolest: left out of the chart
    expect(legends[0]?.match(/class="key"/g)).toHaveLength(12);
  });

  it('draws a long run from the rollup: each series at most 240 points from its first sample to its last, spikes kept, the aggregates exact', () => {
    const { db, store, host } = freshDb();
    const run = makePassingRun(db, host);
    store.measurements.rebuildRollup(run); // its samples were seeded around the store's writer
    // 30 hours more of two rails and a temperature, through the store's writer as an agent's batches are stored.
    const spikeAt = T0 + 19 * 3_600_000 + 40_000;
    store.transaction(() => {
      for (let t = T0 + 3_600_000; t < T0 + 31 * 3_600_000; t += 10_000) {
        store.measurements.insertBatch(run, [
          { kind: 'thermal', sensor: 'bmc Inlet', unit: '°C', ts: t, value: t === spikeAt ? 88 : 24 + Math.sin(t / 5e6) },
          { kind: 'psu', sensor: 'in0 12V', unit: 'V', ts: t, value: 12.02 - 0.01 * Math.cos(t / 7e6) },
        ]);
      }
    });
    const data = gatherReportData(store, run);
    const inlet = data.measurements.series.find((s) => s.sensor === 'bmc Inlet')!;
    expect(inlet.points.length).toBeLessThanOrEqual(240);
    expect(inlet.points.length).toBeGreaterThan(120);
    expect(inlet.points).toContainEqual([spikeAt, 88]);
    const raw = db.prepare("SELECT ts, value FROM measurements WHERE run_id = ? AND sensor = ? ORDER BY ts").raw();
    for (const s of data.measurements.series) {
      const rows = raw.all(run, s.sensor) as [number, number][];
      expect([s.points[0], s.points.at(-1)], s.sensor).toEqual([rows[0], rows.at(-1)]);
      expect(s.points.length).toBeLessThanOrEqual(240);
    }
    const want = db
      .prepare('SELECT kind, sensor, unit, COUNT(*) AS count, MIN(value) AS min, MAX(value) AS max, ROUND(AVG(value), 3) AS avg, MIN(ts) AS firstTs, MAX(ts) AS lastTs FROM measurements WHERE run_id = ? GROUP BY kind, sensor, unit ORDER BY kind, sensor, unit')
      .all(run);
    expect(data.measurements.aggregates).toEqual(want);
    expect(textOf(renderReportHtml(data))).toMatch(/bmc Inlet \(°C\) 10\d{3} 23\.\d\d 24\.\d\d 88/);
  });

  it('refuses a run that does not exist with a clear error', () => {
    const { store } = freshDb();
    expect(() => gatherReportData(store, 999)).toThrow('run 999 does not exist');
  });
});

describe('page economy: every part and figure printed once, the routine counted', () => {
  /** The coverage table's rows, as text. */
  const coverageRows = (html: string): string[] => (/<table class="coverage">[\s\S]*?<\/table>/.exec(html)?.[0] ?? '').split('<tr>').slice(2).map(textOf);

  it('parts of a kind that passed the same checks in full share one coverage row from five on; fewer keep a row each', () => {
    const { db, store } = freshDb();
    const data = gatherReportData(store, makeStandardRun(db, T0));
    const dimms = data.verdict.coverage.filter((c) => c.part.kind === 'dimm');
    expect(dimms.length).toBeGreaterThanOrEqual(5);
    const rows = coverageRows(renderReportHtml(data));
    const shared = rows.filter((r) => r.includes(`${dimms.length} DIMMs`));
    expect(shared).toHaveLength(1);
    for (const d of dimms) expect(shared[0]).toContain(d.part.id);
    expect(rows.filter((r) => /^\s*dimm /.test(r))).toEqual([]);
    // Four disks stay one row each, with their extents.
    expect(rows.filter((r) => /^\s*disk /.test(r))).toHaveLength(4);
    // One DIMM that passed only in part (or failed) takes its own row again; the rest still share.
    const partial = structuredClone(data);
    const one = partial.verdict.coverage.find((c) => c.part.kind === 'dimm')!;
    one.status = 'not-tested';
    one.reason = 'ECC counters unreadable for this DIMM';
    const again = coverageRows(renderReportHtml(partial));
    expect(again.filter((r) => r.includes(`${dimms.length - 1} DIMMs`))).toHaveLength(1);
    expect(again.find((r) => r.includes(one.part.id) && r.includes('ECC counters unreadable'))).toBeDefined();
    // Under five, no sharing: four of them print a row each.
    const few = structuredClone(data);
    const keep = new Set(dimms.slice(0, 4).map((d) => d.part.id));
    few.verdict.coverage = few.verdict.coverage.filter((c) => c.part.kind !== 'dimm' || keep.has(c.part.id));
    expect(coverageRows(renderReportHtml(few)).filter((r) => /^\s*dimm /.test(r))).toHaveLength(4);
  });

  it('BMC sensors reading ok are counted, any other status is listed', () => {
    const { db, store } = freshDb();
    const data = gatherReportData(store, makeStandardRun(db, T0));
    const bmc = data.results.find((r) => r.stage === 'BMC')!;
    const sdr = (bmc.summary as { bmc: { sdr: { name: string; status: string }[] } }).bmc.sdr;
    const routine = sdr.filter((x) => x.status === 'ok' || x.status === 'ns').length;
    expect(routine).toBe(sdr.length);
    expect(textOf(renderReportHtml(data))).toContain(`Sensors (SDR): all ${sdr.length} with Status ok or ns, not listed here`);
    const alarm = structuredClone(data);
    const sensors = (alarm.results.find((r) => r.stage === 'BMC')!.summary as typeof bmc.summary as { bmc: { sdr: { name: string; status: string }[] } }).bmc.sdr;
    sensors[0]!.status = 'cr';
    const text = textOf(renderReportHtml(alarm));
    expect(text).toMatch(new RegExp(`${sensors[0]!.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} cr`));
    expect(text).toContain(`${sdr.length - 1} more with Status ok or ns, not listed here`);
  });

  it('a reasons column is printed only when some row did not pass: the judged cells say why a row passed', () => {
    const { db, store } = freshDb();
    const data = gatherReportData(store, makeStandardRun(db, T0));
    const storageTable = (html: string) => /<section class="stage-result" data-stage="Storage">[\s\S]*?<\/section>/.exec(html)?.[0] ?? '';
    expect(storageTable(renderReportHtml(data))).not.toContain('<th>Reasons</th>');
    const failed = structuredClone(data);
    const disks = (failed.results.find((r) => r.stage === 'Storage')!.summary as { disks: { outcome: string; reasons: string[] }[] }).disks;
    disks[1]!.outcome = 'failed';
    disks[1]!.reasons = ['bad range 4096–8191 B (LBA 8–15)'];
    const html = storageTable(renderReportHtml(failed));
    expect(html).toContain('<th>Reasons</th>');
    expect(textOf(html)).toContain('bad range 4096–8191 B (LBA 8–15)');
  });

  it('a part known only from coverage is no extra row; one the report knows more of, and no table prints, is listed', () => {
    const { db, store } = freshDb();
    const data = gatherReportData(store, makeStandardRun(db, T0));
    // Disks, NICs (Inventory) and DIMMs (Memory) each print in a results table already.
    expect(renderReportHtml(data)).not.toContain('<table class="parts">');
    const more = structuredClone(data);
    more.parts.push({ kind: 'pci', id: '0000:3b:00.0', label: 'Ethernet controller', serial: null, model: 'MT28908 Family [ConnectX-6]', location: '0000:3b:00.0', aliases: [] });
    more.parts.push({ kind: 'disk', id: 'expected disks', label: "the host's disks", serial: null, model: null, location: null, aliases: [] });
    const html = renderReportHtml(more);
    const parts = textOf(/<table class="parts">[\s\S]*?<\/table>/.exec(html)?.[0] ?? '');
    expect(parts).toContain('MT28908 Family [ConnectX-6]');
    expect(parts).not.toContain("the host's disks");
  });

  it('the verdict keeps its other reasons in their order, the untested parts where the first of them stood; nothing stray around it', () => {
    const { db, store, host } = freshDb();
    const data = gatherReportData(store, makeSmokeRun(db, host));
    const items = (d: typeof data) => [...(/<div class="verdict[\s\S]*?<\/div><\/div>|<div class="verdict[\s\S]*?<\/ul><\/div>/.exec(renderReportHtml(d))?.[0] ?? '').matchAll(/<li>([\s\S]*?)<\/li>/g)].map((m) => m[1]!);
    // A reason before the gaps and one after them, as the verdict may give them.
    const mixed = structuredClone(data);
    mixed.verdict.reasons = ['not run: GPU', ...data.verdict.reasons.filter((r) => r.startsWith('not tested: ')), 'the smoke profile is a demonstration run, not a certification'];
    const listed = items(mixed);
    expect(listed).toHaveLength(3);
    // The list holds its items and nothing between them.
    expect(renderReportHtml(mixed)).toMatch(/<ul>(<li>[^<]*<\/li>){3}<\/ul><\/div>/);
    expect(listed[0]).toBe('not run: GPU');
    expect(listed[1]).toMatch(/^not tested: .* — why, under Coverage$/);
    expect(listed[2]).toBe('the smoke profile is a demonstration run, not a certification');
    // No reasons: no list; a certifying run: no banner, nothing between the title lines and the result.
    const bare = structuredClone(data);
    bare.verdict.reasons = [];
    bare.verdict.coverage = bare.verdict.coverage.filter((c) => c.status !== 'not-tested');
    expect(renderReportHtml(bare)).toMatch(/<div class="rack">[^<]*<\/div><\/div>/);
    const pass = gatherReportData(store, makePassingRun(db, host));
    expect(renderReportHtml(pass)).toMatch(/<p class="sub">[^<]*<\/p>\n\n<div class="verdict pass"/);
  });

  it('page one’s failure tables, row by row: what followed each attempt is its own stage’s, and nothing unknown is left blank', () => {
    const { db, store, host } = freshDb();
    const data = structuredClone(gatherReportData(store, makeFailedRun(db, host)));
    const at = (m: number) => new Date(T0 + m * 60_000).toISOString();
    const attempt = (name: string, n: number, outcome: string | null, message: string | null) => ({ name, attempt: n, outcome, message, startedAt: at(n), completedAt: at(n + 1), durationMs: 60_000 });
    // SMART failed and holds the run; Storage was overridden at its first attempt and is on its second.
    data.attempts = [attempt('SMART', 1, 'failed', 'disk WD-A1 failing'), attempt('Storage', 1, 'overridden', 'bad blocks on NV-001'), attempt('Storage', 2, null, null)];
    data.run.state = 'FailedHolding';
    data.run.failedStage = 'SMART';
    // The first override is another stage's (an operator's, with no stage row): each row takes its own.
    // SMART's override is of a later attempt than the failed one listed here.
    data.verdict.overrides = [
      { stage: 'SMART', actor: 'supervisor:zed', reason: 'replaced the disk', at: at(9), detail: null },
      { stage: null, actor: 'operator:erin', reason: 'cabling checked', at: at(5), detail: null },
      { stage: 'Storage', actor: 'supervisor:dana', reason: null, at: at(6), detail: null },
    ];
    const html = renderReportHtml(data);
    const rows = (cls: string) => [...(new RegExp(`<table class="${cls}">[\\s\\S]*?</table>`).exec(html)?.[0] ?? '').matchAll(/<tr>(?!<th)([\s\S]*?)<\/tr>/g)].map((m) => m[1]!);
    const failures = rows('failures');
    expect(failures.map(textOf).map((t) => t.replace(/\s+/g, ' ').trim())).toEqual([
      'SMART 1 failed disk WD-A1 failing held: waiting for a person to decide',
      'Storage 1 overridden bad blocks on NV-001 overridden by supervisor:dana: no reason recorded; attempt 2 unfinished',
    ]);
    expect(failures[0]).toContain('<td class="num">1</td>');
    const overrides = rows('overrides');
    expect(overrides.map(textOf).map((t) => t.replace(/\s+/g, ' ').trim())).toEqual([
      expect.stringMatching(/^SMART supervisor:zed replaced the disk \d{4}-/),
      expect.stringMatching(/^— operator:erin cabling checked \d{4}-/),
      expect.stringMatching(/^Storage supervisor:dana \(no reason recorded\) \d{4}-/),
    ]);
    expect(overrides[1]).toMatch(/<td class="time">\d{4}-/);
    // A stage that stopped with nothing after it, and disks the wipe-probe was overridden for.
    data.attempts.push(attempt('Network', 1, 'error', 'link down'));
    data.run.wipeOverride = ['NV-001', 'WD-A1'];
    const more = renderReportHtml(data);
    expect(textOf(/<table class="failures">[\s\S]*?<\/table>/.exec(more)![0]).replace(/\s+/g, ' ')).toContain('Network 1 error link down —');
    expect(more).toContain('<span class="mono">NV-001, WD-A1</span> (data on these disks was overwritten)');
  });

  it('page one lists each figure out of its limit with its part, and a clean run prints no failure section at all', () => {
    const { db, store } = freshDb();
    const clean = gatherReportData(store, makeStandardRun(db, T0));
    expect(renderReportHtml(clean)).toMatch(/<\/ul><\/div>\n\n<h2>Coverage<\/h2>/);
    const slow = structuredClone(clean);
    const disks = (slow.results.find((r) => r.stage === 'Storage')!.summary as { disks: { disk: string; fio: { iops: number; minIops: number } }[] }).disks;
    disks[2]!.fio.iops = 12;
    const html = renderReportHtml(slow);
    const table = /<table class="out-of-limits">[\s\S]*?<\/table>/.exec(html)?.[0] ?? '';
    expect(table).toContain(`<td class="mono">${disks[2]!.disk}</td>`);
    expect(textOf(table).replace(/\s+/g, ' ')).toContain(`Storage ${disks[2]!.disk} IOPS ✗ 12 (≥ ${disks[2]!.fio.minIops.toLocaleString('en-US')})`);
  });

  it('the verdict names each untested part once, its reasons left to the coverage table', () => {
    const { db, store, host } = freshDb();
    const data = gatherReportData(store, makeSmokeRun(db, host));
    const gaps = data.verdict.coverage.filter((c) => c.required && c.status === 'not-tested');
    expect(gaps.length).toBeGreaterThan(0);
    const html = renderReportHtml(data);
    const verdict = textOf(/<div class="verdict[\s\S]*?<\/ul><\/div>/.exec(html)?.[0] ?? '');
    expect(verdict.match(/not tested:/g)).toHaveLength(1);
    for (const g of gaps) {
      expect(verdict).toContain(g.part.label ?? g.part.id);
      if (g.reason) expect(verdict).not.toContain(g.reason);
    }
    // What the verdict does not repeat is in the part's coverage row: the reason, or the extent it says.
    const rows = coverageRows(html);
    for (const g of gaps) {
      const row = rows.find((r) => r.includes(g.part.label ?? g.part.id));
      expect(row).toContain('NOT TESTED');
      expect(g.extent ? row : g.reason).toBeDefined();
      expect(row).toContain(g.extent ? extentText(g.extent) : g.reason!);
    }
  });
});

describe('report files', () => {
  it('report.html is self-contained: no script, no external resource', () => {
    const { db, store, host } = freshDb();
    for (const make of [makeOverriddenRun, makeSmokeRun]) {
      const html = renderReportHtml(gatherReportData(store, make(db, host)));
      expect(html).not.toMatch(/<script|<link|<img|<iframe|\ssrc=|\shref=|url\(|@import/i);
    }
  });

  it('report.json validates against docs/report.schema.json (ajv, 2020-12) for every kind of run', () => {
    const { db, store, host } = freshDb();
    for (const [kind, make] of Object.entries(SAMPLES)) {
      const json = JSON.parse(serializeReportJson(gatherReportData(store, make(db, host))).text) as unknown;
      expect(validateReportJson(json), kind).toEqual([]);
    }
  });

  it('the schema check is not vacuous: broken documents are rejected', () => {
    const { db, store, host } = freshDb();
    const good = buildReportJson(gatherReportData(store, makeOverriddenRun(db, host)));
    const broken = JSON.parse(JSON.stringify(good)) as Record<string, any>;
    broken.verdict.value = 'MAYBE';
    broken.verdict.result = 'pass-ish';
    delete broken.host.serial;
    broken.stages[0].durationMs = -5;
    broken.verdict.coverage[0].status = 'sort of';
    broken.results[0].coverage.push({ stage: 'Storage', part: { kind: 'disk', id: 'x' }, check: 'scan', status: 'not-tested', required: true });
    broken.run.createdAt = 'yesterday';
    broken.extra = 1;
    const errors = validateReportJson(broken).join('\n');
    for (const expected of [
      '/verdict/value must be equal to one of the allowed values',
      '/verdict/result must be equal to one of the allowed values',
      "/host must have required property 'serial'",
      '/stages/0/durationMs must be >= 0',
      '/verdict/coverage/0/status must be equal to one of the allowed values',
      "/results/0/coverage/0 must have required property 'reason'",
      '/run/createdAt must match format "date-time"',
      '/ must NOT have additional properties {"additionalProperty":"extra"}',
    ]) {
      expect(errors).toContain(expected);
    }
  });

  it('docs/report.schema.json names the version the code writes and the code’s own value sets', () => {
    const schema = reportSchema() as Record<string, any>;
    const { db, store, host } = freshDb();
    expect(REPORT_SCHEMA_VERSION).toBe(4);
    expect(schema.properties.schemaVersion).toEqual({ const: REPORT_SCHEMA_VERSION });
    expect(schema.$id).toBe(REPORT_SCHEMA_ID);
    expect(schema.properties.$schema).toEqual({ const: REPORT_SCHEMA_ID });
    expect(buildReportJson(gatherReportData(store, insertRun(db, host, { state: 'WaitingForAgent' })))).toMatchObject({ schemaVersion: REPORT_SCHEMA_VERSION, $schema: REPORT_SCHEMA_ID });
    expect(schema.properties.run.properties.result.enum).toEqual([...RUN_RESULTS, null]);
    expect(schema.$defs.outcome.enum).toEqual([...STAGE_OUTCOMES, null]);
    expect(schema.$defs.partKind.enum).toEqual([...PART_KINDS]);
    expect(schema.$defs.coverageLine.properties.status.enum).toEqual([...COVERAGE_STATUSES]);
  });

  it('writes the three files, records artifact rows and prints report.json sha256 in the HTML footer', () => {
    const { db, store, dir, host } = freshDb();
    const run = makePassingRun(db, host);
    const out = writeRunReport(store, dir, run);
    expect(out.verdict).toBe('PASS');
    expect(out.html).toBe(join(dir, 'artifacts', `run-${run}`, 'report.html'));
    const jsonBytes = readFileSync(out.json);
    const sha = createHash('sha256').update(jsonBytes).digest('hex');
    expect(out.jsonSha256).toBe(sha);
    const html = readFileSync(out.html, 'utf8');
    expect(html).toContain(`<span class="mono" id="json-sha256">${sha}</span>`);
    expect(html).toContain(`report.json sha256 ${sha}`); // page footer (margin box)
    const rows = db.prepare("SELECT kind, name, path, size, sha256 FROM artifacts WHERE run_id = ? AND kind LIKE 'report_%' ORDER BY name").all(run);
    const ocptv = readFileSync(out.ocptv);
    expect(validateOcptv(ocptv.toString('utf8'))).toEqual([]);
    expect(rows).toEqual([
      { kind: 'report_html', name: 'report.html', path: `artifacts/run-${run}/report.html`, size: Buffer.byteLength(html), sha256: out.htmlSha256 },
      { kind: 'report_json', name: 'report.json', path: `artifacts/run-${run}/report.json`, size: jsonBytes.length, sha256: sha },
      { kind: 'report_ocptv', name: 'report.ocptv.jsonl', path: `artifacts/run-${run}/report.ocptv.jsonl`, size: ocptv.length, sha256: createHash('sha256').update(ocptv).digest('hex') },
    ]);
  });

  it('regeneration is byte-identical, also from a second store holding the same data', () => {
    const a = freshDb();
    const b = freshDb();
    const runA = makeOverriddenRun(a.db, a.host);
    const runB = makeOverriddenRun(b.db, b.host);
    const first = writeRunReport(a.store, a.dir, runA);
    const html1 = readFileSync(first.html);
    const json1 = readFileSync(first.json);
    const again = writeRunReport(a.store, a.dir, runA);
    expect(readFileSync(again.html).equals(html1)).toBe(true);
    expect(readFileSync(again.json).equals(json1)).toBe(true);
    const other = writeRunReport(b.store, b.dir, runB);
    expect(readFileSync(other.html).equals(html1)).toBe(true);
    expect(readFileSync(other.json).equals(json1)).toBe(true);
    expect(readFileSync(again.ocptv).equals(readFileSync(other.ocptv))).toBe(true);
    // Only the artifact rows count, once each.
    expect(a.db.prepare("SELECT COUNT(*) AS n FROM artifacts WHERE run_id = ? AND kind LIKE 'report_%'").get(runA)).toEqual({ n: 3 });
  });
});

describe('OCPTV export', () => {
  type Line = Record<string, any>;
  const runEnd = (lines: Line[]) => lines.at(-1)?.testRunArtifact?.testRunEnd;
  const resultLog = (lines: Line[]) => lines.at(-2)?.testRunArtifact?.log;
  const step = (lines: Line[], kind: string) => lines.filter((l) => l.testStepArtifact?.[kind]).map((l) => l.testStepArtifact[kind]);
  const hwIdOf = (lines: Line[], serial: string): string => lines[1]!.testRunArtifact.testRunStart.dutInfo.hardwareInfos.find((h: Line) => h.serialNumber === serial)?.hardwareInfoId;

  it('every line of every kind of run conforms to the official OCP output schema and the spec’s rules', () => {
    const { db, store, host } = freshDb();
    for (const [kind, make] of Object.entries(SAMPLES)) {
      const text = buildOcptvLines(gatherReportData(store, make(db, host)));
      expect(validateOcptv(text), kind).toEqual([]);
      expect(ocptvLines(text).length, kind).toBeGreaterThan(3);
    }
  });

  it('the check is not vacuous: the old export and broken streams are rejected, with the line named', () => {
    const { db, store, host } = freshDb();
    const good = buildOcptvLines(gatherReportData(store, makePassingRun(db, host)));
    const lines = good.trimEnd().split('\n');
    // What the export wrote before: dutInfo with id/hostname, which the 2.0 schema does not know.
    const old = JSON.parse(lines[1]!) as Line;
    old.testRunArtifact.testRunStart.dutInfo = { id: 'S-4471-ZX', hostname: 'pve-node-07', platformInfos: [{ info: 'Supermicro' }], hardwareInfos: [] };
    const firstMeasurement = lines.find((l) => l.includes('"measurement"'))!;
    const withHw = (l: string, id: string) => {
      const o = JSON.parse(l) as Line;
      o.testStepArtifact.measurement.hardwareInfoId = id;
      return o;
    };
    const cases: [string, string[], RegExp][] = [
      ['old dutInfo', [lines[0]!, JSON.stringify(old), ...lines.slice(2)], /line 2: schema: \/testRunArtifact\/testRunStart\/dutInfo must have required property 'dutInfoId'/],
      ['version not first', [lines[1]!, lines[0]!, ...lines.slice(2)], /line 1: the first artifact is not schemaVersion/],
      ['sequence out of order', [lines[0]!, lines[2]!, lines[1]!, ...lines.slice(3)], /line 3: sequenceNumber 1 does not increase on 2/],
      ['run end not last', [...lines.slice(0, -2), lines.at(-1)!, lines.at(-2)!], /testRunEnd is not the last artifact/],
      ['undeclared part', lines.map((l) => (l === firstMeasurement ? JSON.stringify(withHw(l, '999')) : l)), /line \d+: hardwareInfoId 999 is not declared in dutInfo/],
      ['invalid status/result pair', [...lines.slice(0, -1), lines.at(-1)!.replace('"status":"COMPLETE"', '"status":"SKIP"')], /testRunEnd status SKIP with result PASS is not a valid combination/],
      ['step artifact after its end', [...lines.slice(0, -1), lines[3]!.replace(/"sequenceNumber":\d+/, '"sequenceNumber":99999'), lines.at(-1)!.replace(/"sequenceNumber":\d+/, '"sequenceNumber":100000')], /step 0 has an artifact after its testStepEnd/],
    ];
    for (const [name, broken, problem] of cases) expect(validateOcptv(`${broken.join('\n')}\n`).join('\n'), name).toMatch(problem);
  });

  it('a passing run: COMPLETE / PASS, parts declared with their serials, figures as measurements with their limits', () => {
    const { db, store, host } = freshDb();
    const text = buildOcptvLines(gatherReportData(store, makePassingRun(db, host)));
    expect(validateOcptv(text)).toEqual([]);
    const lines = ocptvLines(text);
    expect(lines[0]).toEqual({ schemaVersion: { major: 2, minor: 0 }, sequenceNumber: 0, timestamp: '2026-11-20T07:59:00.000Z' });
    const start = lines[1]!.testRunArtifact.testRunStart;
    expect(start).toMatchObject({ name: 'vetting', parameters: { profile: 'standard', certifies: true }, dutInfo: { dutInfoId: 'S-4471-ZX', name: 'pve-node-07', platformInfos: [{ info: 'Supermicro SYS-1029U-TRT' }] } });
    expect(start.dutInfo.hardwareInfos).toEqual(
      expect.arrayContaining([
        { hardwareInfoId: expect.any(String), name: 'nvme0n1 (/dev/nvme0n1)', partType: 'disk', serialNumber: 'NV-001', manufacturerPartNumber: 'SAMSUNG MZQL23T8HCLS', location: '/dev/nvme0n1' },
        { hardwareInfoId: expect.any(String), name: 'eno1', partType: 'nic', serialNumber: '3c:ec:ef:00:11:22', manufacturerPartNumber: 'igb' },
      ]),
    );
    expect(step(lines, 'testStepStart').map((s) => s.name)).toEqual([...STAGE_NAMES]);
    const measurements = step(lines, 'measurement');
    expect(measurements).toContainEqual({ name: 'NV-001 IOPS', value: 412345, validators: [{ name: 'floor', type: 'GREATER_THAN_OR_EQUAL', value: 50000 }], hardwareInfoId: hwIdOf(lines, 'NV-001') });
    expect(measurements).toContainEqual({ name: 'WD-A1 p99', value: 180.5, unit: 'ms', validators: [{ name: 'ceiling', type: 'LESS_THAN_OR_EQUAL', value: 2000 }], hardwareInfoId: hwIdOf(lines, 'WD-A1') });
    expect(measurements).toContainEqual({ name: '3c:ec:ef:00:11:23 Goodput', value: 9410, unit: 'Mbit/s', validators: [{ name: 'floor', type: 'GREATER_THAN_OR_EQUAL', value: 9000 }], hardwareInfoId: hwIdOf(lines, '3c:ec:ef:00:11:23') });
    expect(measurements).toContainEqual({ name: 'WD-A1 (/dev/sda) surface scan: bytes covered', value: 4e12, unit: 'B', validators: [{ name: 'whole part', type: 'GREATER_THAN_OR_EQUAL', value: 4e12 }], hardwareInfoId: hwIdOf(lines, 'WD-A1') });
    // Every measurement the stages judged passes its own validators, as the verdict says.
    for (const m of measurements) {
      for (const v of m.validators ?? []) expect(v.type === 'GREATER_THAN_OR_EQUAL' ? m.value >= v.value : v.type === 'LESS_THAN' ? m.value < v.value : m.value <= v.value, `${m.name}`).toBe(true);
    }
    // A temperature must stay below its ceiling: reaching it already failed the stage.
    expect(measurements.filter((m) => m.unit === '°C').flatMap((m) => m.validators ?? [])).toContainEqual({ name: 'ceiling', type: 'LESS_THAN', value: expect.any(Number) });
    // One diagnosis per step but the skipped GPU step (nothing was diagnosed there).
    expect(step(lines, 'diagnosis').map((d) => `${d.verdict} ${d.type}`)).toEqual(STAGE_NAMES.filter((n) => n !== 'GPU').map((n) => `${n.toLowerCase()}-passed PASS`));
    expect(step(lines, 'testStepEnd').map((e) => e.status)).toEqual(STAGE_NAMES.map((n) => (n === 'GPU' ? 'SKIP' : 'COMPLETE')));
    expect(resultLog(lines)).toEqual({ severity: 'INFO', message: 'vetting result: PASS (pass) — every required part was exercised and passed' });
    expect(runEnd(lines)).toEqual({ status: 'COMPLETE', result: 'PASS' });
  });

  it('a failed run: COMPLETE / FAIL with the failing step diagnosed', () => {
    const { db, store, host } = freshDb();
    const text = buildOcptvLines(gatherReportData(store, makeFailedRun(db, host)));
    expect(validateOcptv(text)).toEqual([]);
    const lines = ocptvLines(text);
    expect(step(lines, 'testStepStart').map((s) => s.name)).toEqual(['Inventory', 'SpecValidate', 'SMART']); // stages never reached are not steps
    expect(step(lines, 'diagnosis')).toContainEqual({ verdict: 'smart-failed', type: 'FAIL', message: 'WD-A1: overall-health FAILED, 1872 reallocated sectors' });
    expect(step(lines, 'measurement')).toContainEqual({ name: 'WD-A1 Reallocated', value: 1872, hardwareInfoId: hwIdOf(lines, 'WD-A1') });
    expect(step(lines, 'log')).toContainEqual({ severity: 'WARNING', message: 'spec warning: memory.totalBytes expected 274877906944, found 257698037760 (memory-size)' });
    expect(runEnd(lines)).toEqual({ status: 'COMPLETE', result: 'FAIL' });
  });

  it('an overridden run: PASS for OCP, with pass-with-overrides, who and why in the record', () => {
    const { db, store, host } = freshDb();
    const text = buildOcptvLines(gatherReportData(store, makeOverriddenRun(db, host)));
    expect(validateOcptv(text)).toEqual([]);
    const lines = ocptvLines(text);
    expect(runEnd(lines)).toEqual({ status: 'COMPLETE', result: 'PASS' });
    expect(resultLog(lines)).toEqual({ severity: 'WARNING', message: 'vetting result: PASS WITH OVERRIDES (pass-with-overrides) — a supervisor overrode the wipe-probe: disks holding data were overwritten' });
    const logs = step(lines, 'log').map((l) => `${l.severity} ${l.message}`);
    expect(logs).toContain('WARNING attempt 1 overridden: wipe-probe: LVM2_member on WD-A1');
    expect(logs).toContain('WARNING overridden by supervisor:dana: disk is a replacement from stock; old LVM label is from the vendor burn-in');
  });

  it('an incomplete run: SKIP / NOT_APPLICABLE, the untested part diagnosed UNKNOWN by its hardware id', () => {
    const { db, store, host } = freshDb();
    const text = buildOcptvLines(gatherReportData(store, makeIncompleteRun(db, host)));
    expect(validateOcptv(text)).toEqual([]);
    const lines = ocptvLines(text);
    expect(runEnd(lines)).toEqual({ status: 'SKIP', result: 'NOT_APPLICABLE' });
    expect(resultLog(lines)?.message).toMatch(/^vetting result: INCOMPLETE \(incomplete\) — not tested: WD-A1/);
    expect(step(lines, 'diagnosis')).toContainEqual({
      verdict: 'smart-not-tested',
      type: 'UNKNOWN',
      message: expect.stringMatching(/^SMART health and counters not tested: smartctl could not run .* \(the result depends on it\)$/),
      hardwareInfoId: hwIdOf(lines, 'WD-A1'),
    });
  });

  it('a smoke run: NOT_APPLICABLE, its partial scans as measurements that miss the whole disk', () => {
    const { db, store, host } = freshDb();
    const text = buildOcptvLines(gatherReportData(store, makeSmokeRun(db, host)));
    expect(validateOcptv(text)).toEqual([]);
    const lines = ocptvLines(text);
    expect(lines[1]!.testRunArtifact.testRunStart.parameters).toMatchObject({ profile: 'smoke', certifies: false });
    expect(runEnd(lines)).toEqual({ status: 'SKIP', result: 'NOT_APPLICABLE' });
    expect(resultLog(lines)?.message).toContain('the smoke profile is a demonstration run, not a certification');
    expect(step(lines, 'measurement')).toContainEqual({ name: 'NV-001 (/dev/sda) surface scan: bytes covered', value: 16 * 1024 ** 2, unit: 'B', validators: [{ name: 'whole part', type: 'GREATER_THAN_OR_EQUAL', value: 64 * 1024 ** 2 }], hardwareInfoId: hwIdOf(lines, 'NV-001') });
  });

  it('a stage that could not run: an error attributed to the declared software, the step ending in ERROR', () => {
    const { db, store, host } = freshDb();
    const text = buildOcptvLines(gatherReportData(store, makeErroredRun(db, host)));
    expect(validateOcptv(text)).toEqual([]);
    const lines = ocptvLines(text);
    expect(step(lines, 'error')).toEqual([{ symptom: 'cpustress-error', message: 'stress-ng is not installed', softwareInfoIds: ['0'] }]);
    expect(step(lines, 'testStepEnd').map((e) => e.status)).toEqual(['COMPLETE', 'ERROR']);
    expect(runEnd(lines)).toEqual({ status: 'COMPLETE', result: 'FAIL' }); // held: the bench prints FAIL
  });
});

/**
 * The GPU stage as it ran on an H100: an nvidia-smi that replays the real one's output
 * (fixtures/tool-outputs/gpu-h100), alone on PATH (no burn tool), PATH restored after.
 */
async function gpuStageOnH100(params: ProfileParams) {
  const h100 = join(import.meta.dirname, '../../../fixtures/tool-outputs/gpu-h100');
  const bin = mkdtempSync(join(tmpdir(), 'report-gpu-'));
  dirs.push(bin);
  writeFileSync(
    join(bin, 'nvidia-smi'),
    `#!/bin/sh\ncase "$1" in\n  --query-gpu=*) exec /bin/cat ${join(h100, 'nvidia-smi-query-noheader.csv')} ;;\n  -q) exec /bin/cat ${join(h100, 'nvidia-smi-q.txt')} ;;\n  dmon) exec /bin/cat ${join(h100, 'nvidia-smi-dmon.txt')} ;;\nesac\nexit 2\n`,
    { mode: 0o755 },
  );
  const savedPath = process.env.PATH;
  process.env.PATH = bin;
  try {
    return await gpuStage.run(fakeContext({ stage: 'GPU', params, workDir: join(bin, 'work') }));
  } finally {
    process.env.PATH = savedPath;
  }
}

// Page one's account of what went wrong and what followed, for runs played through the
// run services (mutation testing, issue 23: these once changed with no test noticing).
describe('page one: what did not pass, and what followed', () => {
  /** A run through the real run services: every stage before `failing` passed, `failing` failed on its first attempt. */
  function played(failing: 'SMART' | 'CPUStress' | 'GPU', failingResult?: { summary: Record<string, unknown>; coverage?: CoverageEntry[]; message?: string }) {
    const { store, dir } = freshDb();
    const runs = runServicesOnDisk(store, dir);
    const disks = ['NV-001', 'WD-A1'];
    store.hosts.add({ name: 'pve-node-09', macs: [], profile: 'standard', disks, specYaml: null });
    const { runId, token } = runs.commands.startRun('pve-node-09');
    expect('run' in runs.agent.authenticate(token)).toBe(true);
    runs.messages.agentHello(runId, { session: 's' });
    let seq = 0;
    const send = (stage: Parameters<typeof stageResultBody>[0], outcome: 'passed' | 'failed' | 'skipped', own?: typeof failingResult) => {
      const attempt = store.runs.latestAttempt(runId, stage)!.attempt;
      const body = { ...stageResultBody(stage, { disks, outcome }), ...own };
      runs.messages.applyAgentMessage(runId, 's', { type: 'stage-result', seq: ++seq, ts: Date.now(), stage, attempt, ...body, summary: body.summary as Record<string, unknown> });
    };
    for (const stage of agentStagesFrom('Inventory').slice(0, agentStagesFrom('Inventory').indexOf(failing))) send(stage, 'passed');
    send(failing, 'failed', failingResult);
    const page = () => pageOne(renderReportHtml(gatherReportData(store, runId)));
    return { store, runs, runId, send, page };
  }

  it('a failed attempt that was retried and passed says so, and the run is not held', async () => {
    const r = played('CPUStress');
    await r.runs.actions.act(r.runId, { action: 'retry' });
    r.send('CPUStress', 'passed');
    const first = r.page();
    expect(first).toContain('CPUStress 1 failed CPUStress failed attempt 2 passed');
    expect(first).not.toContain('held: waiting for a person to decide');
    expect(first).not.toContain('overridden by');
    // Nothing out of limits and nobody overrode anything: no empty tables for them.
    expect(first).not.toContain('Out of limits');
    expect(first).not.toContain('Overrides Overridden stage');
  });

  it('a run where everything passed has no account of failures on page one', () => {
    const { db, store, host } = freshDb();
    const first = pageOne(renderReportHtml(gatherReportData(store, makePassingRun(db, host))));
    expect(first).toMatch(/PASS Back to the rack: yes/);
    expect(first).not.toContain('Failures and overrides');
    expect(first).not.toContain('Attempts that did not pass');
  });

  it('what followed an attempt is drawn from its own stage only', async () => {
    const r = played('SMART');
    await r.runs.actions.act(r.runId, { action: 'retry' });
    r.send('SMART', 'passed');
    r.send('CPUStress', 'failed');
    const first = r.page();
    expect(first).toContain('SMART 1 failed SMART failed attempt 2 passed');
    expect(first).toContain('CPUStress 1 failed CPUStress failed held: waiting for a person to decide');
  });

  it('an override is told for the attempt that was overridden, not for a later attempt of the same stage', () => {
    const { db, store, host } = freshDb();
    const runId = insertRun(db, host, { state: 'FailedHolding', failedStage: 'SMART', holdReason: 'StageFailed' });
    insertStage(db, runId, 'Inventory', 1, 'passed', T0, T0 + 1000);
    insertStage(db, runId, 'SMART', 1, 'overridden', T0 + 1000, T0 + 2000, null, 'SMART failed: WD-A1 reallocated sectors');
    insertTransition(db, runId, 'FailedHolding', 'SMART', 'override', 'supervisor:dana', T0 + 2000, 'disk swapped', { stage: 'SMART' });
    insertStage(db, runId, 'SMART', 2, 'failed', T0 + 2000, T0 + 3000, null, 'SMART failed: NV-001 media errors');
    const first = pageOne(renderReportHtml(gatherReportData(store, runId)));
    expect(first).toContain('SMART 1 overridden SMART failed: WD-A1 reallocated sectors overridden by supervisor:dana: disk swapped; attempt 2 failed');
    expect(first).toContain('SMART 2 failed SMART failed: NV-001 media errors held: waiting for a person to decide');
  });

  it('a failure the run was given up on reads "run abandoned"', async () => {
    const r = played('CPUStress');
    await r.runs.actions.act(r.runId, { action: 'abandon', reason: 'customer took it back' });
    expect(r.page()).toContain('CPUStress 1 failed CPUStress failed run abandoned');
  });

  it('a held failure names only its own stage as held, and an override only its own attempt', async () => {
    const r = played('SMART');
    expect(r.page()).toContain('SMART 1 failed SMART failed held: waiting for a person to decide');
    await r.runs.actions.act(r.runId, { action: 'override', reason: 'disk swapped after the run' }, 'operator');
    r.send('CPUStress', 'failed');
    const first = r.page();
    expect(first).toContain('SMART 1 overridden SMART failed overridden by operator: disk swapped after the run CPUStress 1 failed');
    expect(first).toContain('CPUStress 1 failed CPUStress failed held: waiting for a person to decide');
  });

  it("lists each figure that missed its limit, with the part and the limit, from the stage's own judgement", async () => {
    // WD-A1 judged by the SMART stage on a real NVMe capture with its media errors raised to 2 (limit 0).
    const capture = JSON.parse(readFileSync(join(import.meta.dirname, '../../../agent/parsers/captured/qemu-lab-2026-12/smartctl-j-a-nvme1.json'), 'utf8')) as { nvme_smart_health_information_log: { media_errors: number } };
    capture.nvme_smart_health_information_log.media_errors = 2;
    const { judgeSmartDisk } = await import('../../../agent/stages/smart/index.ts');
    const judged = judgeSmartDisk({ disk: 'WD-A1', path: '/dev/nvme1', type: null }, { stdout: JSON.stringify(capture), exitCode: 0 }, PROFILES.standard.smart).row;
    expect(judged.outcome).toBe('failed');
    const r = played('SMART', { summary: { disks: [judged], missing: [], notes: [] } });
    const first = r.page();
    // One row: the figure that missed, on its part, with the limit; the figures within limits are not listed.
    expect(first).toContain('Out of limits Stage Part Figure Value (limit) SMART WD-A1 NVMe media errors ✗ 2 (≤ 0) Coverage');
  });

  it('lists a figure the stage judged as a whole, outside any part’s row, with a dash for the part', async () => {
    // The real GPU stage on what nvidia-smi printed on an H100 (62 °C at its hottest, in dmon), under the standard profile with its ceiling lowered to 45 °C.
    const failed = await gpuStageOnH100({ ...PROFILES.standard, gpu: { ...PROFILES.standard.gpu, maxTempC: 45 } });
    expect(failed.outcome).toBe('failed');
    expect(failed.message).toContain('GPU temperature reached 62 °C (limit 45 °C)');
    const first = played('GPU', { summary: failed.summary as Record<string, unknown>, coverage: failed.coverage, message: failed.message }).page();
    expect(first).toContain('Out of limits Stage Part Figure Value (limit) GPU — Hottest ✗ 62 °C (< 45 °C) Coverage');
  });
});

// Overrides and holds as the stored rows tell them, including rows that do not tell everything.
describe('report verdict from incomplete records', () => {
  it('an attempt marked overridden with no audit row is listed as such, not trusted silently; one with a row is listed once', () => {
    const { db, store, host } = freshDb();
    const runId = insertRun(db, host, { state: 'FailedHolding', failedStage: 'CPUStress', holdReason: 'StageFailed' });
    insertStage(db, runId, 'Inventory', 1, 'passed', T0, T0 + 1000);
    insertStage(db, runId, 'SMART', 1, 'overridden', T0 + 1000, T0 + 2000, null, 'SMART failed: WD-A1 1872 reallocated sectors');
    insertStage(db, runId, 'CPUStress', 1, 'overridden', T0 + 2000, T0 + 3000, null, 'CPUStress failed');
    insertTransition(db, runId, 'FailedHolding', 'Memory', 'override', 'operator', T0 + 3000, 'fan replaced', { failedStage: 'CPUStress' });
    const overrides = gatherReportData(store, runId).verdict.overrides;
    expect(overrides.map((o) => [o.stage, o.actor, o.reason])).toEqual([
      ['CPUStress', 'operator', 'fan replaced'],
      ['SMART', 'unknown (no audit row)', 'SMART failed: WD-A1 1872 reallocated sectors'],
    ]);
  });

  it('a run held with no stage or reason recorded still says it waits for a person', () => {
    const { db, store, host } = freshDb();
    const runId = insertRun(db, host, { state: 'FailedHolding', failedStage: null, holdReason: null });
    const v = gatherReportData(store, runId).verdict;
    expect(v.value).toBe('FAIL');
    expect(v.reasons[0]).toBe('held at a stage: waiting for a person to decide');
  });
});
