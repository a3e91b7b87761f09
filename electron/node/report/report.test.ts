import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../store/db.ts';
import { openStore, type Store } from '../store/index.ts';
import { buildOcptvLines, buildReportJson, gatherReportData, renderReportHtml, serializeReportJson, writeRunReport } from './index.ts';
import { validateJsonSchema } from './testing/json-schema-lite.ts';
import { insertHost, insertRun, insertStage, makeFailedRun, makeOverriddenRun, makePassingRun, T0 } from './testing/sample-runs.ts';

const schema = JSON.parse(readFileSync(new URL('../../../docs/report.schema.json', import.meta.url), 'utf8')) as Record<string, unknown>;

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
  return html.replace(/<style>[\s\S]*?<\/style>/, '').replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
}

describe('report data and verdict', () => {
  it('a passing run reads PASS with identity, stages, results, charts and audit trail', () => {
    const { db, store, host } = freshDb();
    const run = makePassingRun(db, host);
    const data = gatherReportData(store, run);
    expect(data.verdict.value).toBe('PASS');
    expect(data.host).toMatchObject({ name: 'pve-node-07', serial: 'S-4471-ZX', manufacturer: 'Supermicro', model: 'SYS-1029U-TRT' });
    expect(data.host.macs).toEqual(['3c:ec:ef:00:11:22', '3c:ec:ef:00:11:23']);
    expect(data.stages.map((s) => s.outcome)).toEqual(['passed', 'passed', 'passed', 'passed', 'passed', 'passed', 'skipped', 'passed', 'passed']);
    expect(data.stages.find((s) => s.name === 'CPUStress')?.durationMs).toBe(30 * 60_000);
    expect(data.smart).toHaveLength(2);
    expect(data.storage[0]).toMatchObject({ iops: 412345, minIops: 100000, passed: true });
    expect(data.network[1]).toMatchObject({ nic: 'ens1f0', bps: 9_410_000_000, floorBps: 9_000_000_000, passed: true });
    // The agent reports the ceiling as maxTempC and per-sensor peaks; the report shows the hottest peak against the ceiling.
    expect(data.cpuStress).toMatchObject({ maxTempC: 81.5, ceilingC: 90, exitCode: 0 });
    expect(data.smart[0]).toMatchObject({ healthPassed: true, passed: true });
    // Series are LTTB-downsampled but keep their end points.
    const pkg = data.measurements.series.find((s) => s.sensor === 'coretemp Package id 0');
    expect(pkg && pkg.points.length).toBeLessThanOrEqual(240);
    expect(pkg?.points[0]?.[0]).toBe(T0);
    expect(data.measurements.aggregates.find((a) => a.sensor === 'coretemp Package id 0')?.count).toBe(661);

    const html = renderReportHtml(data);
    const text = textOf(html);
    expect(text).toContain('PASS');
    expect(text).not.toContain('PASS WITH OVERRIDES');
    for (const heading of ['Stages', 'Spec differences', 'SMART per disk', 'Storage against floors', 'Network against floors', 'Thermal and PSU', 'Audit trail']) {
      expect(text).toContain(heading);
    }
    expect(html.match(/<svg class="chart"/g)?.length).toBe(2); // thermal °C and PSU V
    expect(text).toContain('S-4471-ZX');
    expect(text).toContain('3c:ec:ef:00:11:23');
  });

  it('a failed run reads FAIL and names the failing stage and disk', () => {
    const { db, store, host } = freshDb();
    const run = makeFailedRun(db, host);
    const data = gatherReportData(store, run);
    expect(data.verdict.value).toBe('FAIL');
    expect(data.verdict.reasons[0]).toContain('SMART failed');
    expect(data.stages.find((s) => s.name === 'Storage')?.outcome).toBeNull();
    const text = textOf(renderReportHtml(data));
    expect(text).toMatch(/FAIL .*SMART failed: WD-A1: overall-health FAILED/);
    expect(text).toContain('not reached');
    expect(text).toContain('memory.totalBytes');
  });

  it('an overridden run reads PASS WITH OVERRIDES with who, what and why', () => {
    const { db, store, host } = freshDb();
    const run = makeOverriddenRun(db, host);
    const data = gatherReportData(store, run);
    expect(data.verdict.value).toBe('PASS WITH OVERRIDES');
    expect(data.verdict.overrides).toEqual([
      {
        stage: 'Storage',
        actor: 'supervisor:dana',
        reason: 'disk is a replacement from stock; old LVM label is from the vendor burn-in',
        at: '2026-11-20T08:17:00.000Z',
        detail: { stage: 'Storage', kind: 'wipe-probe', disks: ['WD-A1'] },
      },
    ]);
    const html = renderReportHtml(data);
    const firstSection = textOf(html.slice(0, html.indexOf('<section class="major" id="results">')));
    expect(firstSection).toContain('PASS WITH OVERRIDES');
    expect(firstSection).toContain('supervisor:dana');
    expect(firstSection).toContain('old LVM label is from the vendor burn-in');
    expect(firstSection).toContain('attempt 1 overridden');
  });

  it('a run still in Reporting reads as completed', () => {
    const { db, store, host } = freshDb();
    const run = makePassingRun(db, host, 'Reporting');
    const data = gatherReportData(store, run);
    expect(data.run.state).toBe('Completed');
    expect(data.run.result).toBe('pass');
    expect(data.verdict.value).toBe('PASS');
    expect(data.stages.at(-1)).toMatchObject({ name: 'Reporting', outcome: 'passed' });
  });

  it('shows summaries of unknown shape as key/value pairs instead of dropping them', () => {
    const { db, store, host } = freshDb();
    const run = makeFailedRun(db, host);
    insertStage(db, run, 'GPU', 1, 'passed', T0, T0 + 1000, { gpus: [{ uuid: 'GPU-1', eccErrors: 0, maxTempC: 71 }], tool: 'gpu-burn' });
    insertStage(db, run, 'Network', 1, 'passed', T0, T0 + 1000, { weird: true });
    const data = gatherReportData(store, run);
    const gpu = data.otherSummaries.find((o) => o.stage === 'GPU');
    expect(gpu?.entries).toEqual([
      ['gpus[0].uuid', 'GPU-1'],
      ['gpus[0].eccErrors', '0'],
      ['gpus[0].maxTempC', '71'],
      ['tool', 'gpu-burn'],
    ]);
    expect(data.otherSummaries.find((o) => o.stage === 'Network')?.entries).toEqual([['weird', 'true']]);
    expect(textOf(renderReportHtml(data))).toContain('gpus[0].eccErrors');
  });

  it('a run that has just started reads INCOMPLETE and still renders and validates', () => {
    const { db, store, host } = freshDb();
    const run = insertRun(db, host, { state: 'WaitingForAgent' });
    const data = gatherReportData(store, run);
    expect(data.verdict).toEqual({ value: 'INCOMPLETE', reasons: ['the run is still in WaitingForAgent'], overrides: [] });
    expect(data.host.serial).toBeNull();
    const text = textOf(renderReportHtml(data));
    expect(text).toContain('INCOMPLETE');
    expect(text).toContain('No sensor data was recorded for this run.');
    expect(validateJsonSchema(schema, JSON.parse(serializeReportJson(data).text))).toEqual([]);
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

  it('refuses a run that does not exist with a clear error', () => {
    const { store } = freshDb();
    expect(() => gatherReportData(store, 999)).toThrow('run 999 does not exist');
  });
});

describe('report files', () => {
  it('report.html is self-contained: no script, no external resource', () => {
    const { db, store, host } = freshDb();
    const html = renderReportHtml(gatherReportData(store, makeOverriddenRun(db, host)));
    expect(html).not.toMatch(/<script|<link|<img|<iframe|\ssrc=|\shref=|url\(|@import/i);
  });

  it('report.json validates against docs/report.schema.json for all three kinds of run', () => {
    const { db, store, host } = freshDb();
    for (const run of [makePassingRun(db, host), makeFailedRun(db, host), makeOverriddenRun(db, host), makePassingRun(db, host, 'Reporting')]) {
      const json = JSON.parse(serializeReportJson(gatherReportData(store, run)).text) as unknown;
      expect(validateJsonSchema(schema, json)).toEqual([]);
    }
  });

  it('the schema check is not vacuous: broken documents are rejected', () => {
    const { db, store, host } = freshDb();
    const good = buildReportJson(gatherReportData(store, makePassingRun(db, host)));
    const broken = JSON.parse(JSON.stringify(good)) as Record<string, any>;
    broken.verdict.value = 'MAYBE';
    delete broken.host.serial;
    broken.stages[0].durationMs = -5;
    broken.extra = 1;
    const errors = validateJsonSchema(schema, broken);
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.stringContaining('$.verdict.value'),
        '$.host: missing required property serial',
        expect.stringContaining('$.stages[0].durationMs'),
        '$: unexpected property extra',
      ]),
    );
  });

  it('writes both files, records artifact rows and prints report.json sha256 in the HTML footer', () => {
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
    // Only the artifact rows count, once each.
    expect(readFileSync(again.ocptv).equals(readFileSync(other.ocptv))).toBe(true);
    expect(a.db.prepare("SELECT COUNT(*) AS n FROM artifacts WHERE run_id = ? AND kind LIKE 'report_%'").get(runA)).toEqual({ n: 3 });
  });
});

describe('OCPTV export', () => {
  type Line = Record<string, any>;
  const parse = (text: string): Line[] => text.trimEnd().split('\n').map((l) => JSON.parse(l) as Line);

  it('is a well-formed OCPTV 2.0 stream: version first, run start/end around one step per reached stage', () => {
    const { db, store, host } = freshDb();
    const lines = parse(buildOcptvLines(gatherReportData(store, makeFailedRun(db, host))));
    expect(lines[0]).toMatchObject({ schemaVersion: { major: 2, minor: 0 }, sequenceNumber: 0 });
    lines.forEach((l, i) => {
      expect(l.sequenceNumber).toBe(i);
      expect(Number.isFinite(Date.parse(l.timestamp))).toBe(true);
      // Exactly one artifact kind per line, as the spec's oneOf requires.
      expect(Object.keys(l).filter((k) => !['sequenceNumber', 'timestamp'].includes(k))).toHaveLength(1);
    });
    expect(lines[1]?.testRunArtifact.testRunStart).toMatchObject({ name: 'vetting', dutInfo: { id: 'S-4471-ZX', hostname: 'pve-node-07' } });
    expect(lines.at(-1)?.testRunArtifact.testRunEnd).toEqual({ status: 'COMPLETE', result: 'FAIL' });
    const starts = lines.filter((l) => l.testStepArtifact?.testStepStart).map((l) => l.testStepArtifact.testStepStart.name);
    expect(starts).toEqual(['Inventory', 'SpecValidate', 'SMART']); // stages never reached are not steps
    const smartDiag = lines.find((l) => l.testStepArtifact?.diagnosis?.verdict === 'smart-failed');
    expect(smartDiag?.testStepArtifact.diagnosis.type).toBe('FAIL');
    const health = lines.find((l) => l.testStepArtifact?.measurement?.name === 'WD-A1 overall health passed');
    expect(health?.testStepArtifact.measurement).toMatchObject({ value: false, validators: [{ type: 'EQUAL', value: true }], hardwareInfoId: 'disk-WD-A1' });
    for (const l of lines.filter((x) => x.testStepArtifact?.testStepEnd)) expect(['COMPLETE', 'ERROR', 'SKIP']).toContain(l.testStepArtifact.testStepEnd.status);
  });

  it('records floors as validators and overrides as warnings', () => {
    const { db, store, host } = freshDb();
    const lines = parse(buildOcptvLines(gatherReportData(store, makeOverriddenRun(db, host))));
    expect(lines.at(-1)?.testRunArtifact.testRunEnd).toEqual({ status: 'COMPLETE', result: 'PASS' });
    const iops = lines.find((l) => l.testStepArtifact?.measurement?.name === 'NV-001 random 4k IOPS');
    expect(iops?.testStepArtifact.measurement).toMatchObject({ value: 412345, unit: 'IOPS', validators: [{ name: 'floor', type: 'GREATER_THAN_OR_EQUAL', value: 100000 }] });
    const warn = lines.find((l) => l.testStepArtifact?.log);
    expect(warn?.testStepArtifact.log).toEqual({ severity: 'WARNING', message: expect.stringContaining('overridden by supervisor:dana') });
  });
});
