import { extentText } from '../../../common/schema/coverage.ts';
import type { SummaryView, ViewCell } from '../../../common/stages/summary-view.ts';
import type { CoverageLine } from '../../../common/verdict.ts';
import { REPORT_SCHEMA_VERSION } from './json.ts';
import { findPart } from './parts.ts';
import { stageResultView } from './stage-view.ts';
import type { ReportData, ReportPart, ReportStage } from './types.ts';

// The run in the OCP Test & Validation output format, spec version 2.0
// (github.com/opencomputeproject/ocp-diag-core, json_spec/output; the commit
// validated against is named in docs/report-format.md): JSON Lines, one output
// artifact per line with a sequence number and a timestamp.
//
//   schemaVersion first; testRunStart with dutInfo declaring every part the
//   run speaks about as a hardware info (with its serial); one test step per
//   stage reached, carrying the figures its summary marks as measures (with
//   the floors / ceilings it was judged against as validators), what it did not
//   cover, each override and a diagnosis; a log with the result in the bench's
//   own words; testRunEnd with the closest OCP status / result pair.
//
// Built from ReportData only, so it is as deterministic as report.json.

type Json = Record<string, unknown>;
type Status = 'COMPLETE' | 'ERROR' | 'SKIP';
type Severity = 'INFO' | 'DEBUG' | 'WARNING' | 'ERROR' | 'FATAL';

/** The software a stage error is attributed to (the spec asks errors to name the diagnostic itself). */
const VETTING_SOFTWARE_ID = '0';
/** Part kinds whose identity (a MAC, a WWN, loop:FILE) stands in for a serial the inventory did not read. */
const IDENTITY_KINDS = new Set<ReportPart['kind']>(['disk', 'dimm', 'nic', 'gpu']);

/** The OCP status / result pair for the verdict the report prints (docs/report-format.md explains the choice). */
export function ocpRunEnd(data: ReportData): { status: Status; result: 'PASS' | 'FAIL' | 'NOT_APPLICABLE' } {
  switch (data.verdict.value) {
    case 'PASS':
    case 'PASS WITH OVERRIDES':
      return { status: 'COMPLETE', result: 'PASS' };
    case 'FAIL':
      return { status: 'COMPLETE', result: 'FAIL' };
    case 'INCOMPLETE':
      // No verdict can be rendered: ERROR when a stage could not run, SKIP when parts simply were not exercised.
      return { status: data.stages.some((s) => s.outcome === 'error') ? 'ERROR' : 'SKIP', result: 'NOT_APPLICABLE' };
  }
}

function hardwareInfo(p: ReportPart, id: string): Json {
  const serial = p.serial ?? (IDENTITY_KINDS.has(p.kind) && !p.id.startsWith('/') ? p.id : null);
  return {
    hardwareInfoId: id,
    name: p.label ?? p.id,
    partType: p.kind,
    ...(serial ? { serialNumber: serial } : {}),
    ...(p.model ? { manufacturerPartNumber: p.model } : {}),
    ...(p.location ? { location: p.location } : {}),
  };
}

function validatorOf(cell: ViewCell): Json[] {
  if (cell.limitValue === undefined || cell.limitKind === undefined) return [];
  const type = { floor: 'GREATER_THAN_OR_EQUAL', ceiling: 'LESS_THAN_OR_EQUAL', below: 'LESS_THAN' } as const;
  return [{ name: cell.limitKind === 'below' ? 'ceiling' : cell.limitKind, type: type[cell.limitKind], value: cell.limitValue }];
}

function measurementOf(name: string, cell: ViewCell, hardwareInfoId: string | undefined): Json | null {
  if (cell.value === null) return null;
  const validators = validatorOf(cell);
  return {
    name,
    value: cell.value,
    ...(cell.unit ? { unit: cell.unit } : {}),
    ...(validators.length ? { validators } : {}),
    ...(hardwareInfoId !== undefined ? { hardwareInfoId } : {}),
  };
}

function partName(c: CoverageLine): string {
  return c.part.label && c.part.label.includes(c.part.id) ? c.part.label : c.part.label ? `${c.part.label} (${c.part.id})` : c.part.id;
}

const DIAGNOSIS: Record<string, 'PASS' | 'FAIL' | 'UNKNOWN'> = { passed: 'PASS', failed: 'FAIL', overridden: 'UNKNOWN' };
const SPEC_SEVERITY: Record<string, Severity> = { critical: 'ERROR', warning: 'WARNING', info: 'INFO' };
const RESULT_SEVERITY: Record<ReportData['verdict']['value'], Severity> = { PASS: 'INFO', 'PASS WITH OVERRIDES': 'WARNING', INCOMPLETE: 'WARNING', FAIL: 'ERROR' };

/** The run as OCPTV 2.0 JSON Lines (one artifact per line, newline-terminated). */
export function buildOcptvLines(data: ReportData): string {
  const lines: Json[] = [];
  const fallbackTime = data.run.startedAt ?? data.run.createdAt;
  const push = (artifact: Json, timestamp: string | null): void => {
    lines.push({ ...artifact, sequenceNumber: lines.length, timestamp: timestamp ?? fallbackTime });
  };
  // Hardware ids are the parts' positions: zero-based integers, as the spec recommends.
  const hwId = (kind: ReportPart['kind'] | undefined, id: string | undefined): string | undefined => {
    if (!kind || id === undefined) return undefined;
    const part = findPart(data.parts, kind, id);
    return part ? String(data.parts.indexOf(part)) : undefined;
  };

  push({ schemaVersion: { major: 2, minor: 0 } }, data.run.createdAt);
  const platform = [data.host.manufacturer, data.host.model].filter(Boolean).join(' ');
  push(
    {
      testRunArtifact: {
        testRunStart: {
          name: 'vetting',
          version: String(REPORT_SCHEMA_VERSION),
          commandLine: `vetting run start --host ${data.host.name} --profile ${data.run.profile}`,
          parameters: { runId: data.run.id, profile: data.run.profile, certifies: data.verdict.certifies },
          dutInfo: {
            dutInfoId: data.host.serial ?? data.host.name,
            name: data.host.name,
            ...(platform ? { platformInfos: [{ info: platform }] } : {}),
            softwareInfos: [
              { softwareInfoId: VETTING_SOFTWARE_ID, name: 'vetting', softwareType: 'APPLICATION' },
              ...(data.host.bios ? [{ softwareInfoId: '1', name: 'BIOS', version: data.host.bios, softwareType: 'FIRMWARE' }] : []),
            ],
            hardwareInfos: data.parts.map((p, i) => hardwareInfo(p, String(i))),
            metadata: { serial: data.host.serial, macs: data.host.macs, bootMac: data.host.bootMac, expectedDisks: data.host.expectedDisks },
          },
        },
      },
    },
    data.run.startedAt,
  );

  let stepNo = 0;
  for (const s of data.stages) {
    if (s.attempts === 0 && s.outcome === null) continue; // never reached
    const id = String(stepNo++);
    const when = s.completedAt ?? s.startedAt;
    const step = (artifact: Json, ts: string | null = when) => push({ testStepArtifact: { testStepId: id, ...artifact } }, ts);
    step({ testStepStart: { name: s.name } }, s.startedAt);
    for (const a of data.attempts.filter((x) => x.name === s.name && x.attempt < s.attempt)) {
      step({ log: { severity: 'WARNING', message: `attempt ${a.attempt} ${a.outcome ?? 'unfinished'}${a.message ? `: ${a.message}` : ''}` } }, a.completedAt ?? a.startedAt);
    }
    stageFigures(data, s, step, hwId);
    for (const c of data.verdict.coverage.filter((x) => x.stage === s.name)) {
      const hw = hwId(c.part.kind, c.part.id);
      if (c.extent) {
        // The whole part is the requirement unless the stage counts a part share as tested (memory under
        // stress-ng): then the validator would contradict the verdict, so the figure goes without one.
        const wholeRequired = !(c.status === 'tested' && c.extent.done < c.extent.total);
        const validators = wholeRequired ? [{ name: 'whole part', type: 'GREATER_THAN_OR_EQUAL', value: c.extent.total }] : [];
        step({ measurement: { name: `${partName(c)} ${c.check}: bytes covered`, value: c.extent.done, unit: 'B', ...(validators.length ? { validators } : {}), ...(hw ? { hardwareInfoId: hw } : {}) } });
      }
      if (c.status === 'not-tested') {
        const extent = c.extent ? ` (${extentText(c.extent)})` : '';
        step({ diagnosis: { verdict: `${s.name.toLowerCase()}-not-tested`, type: 'UNKNOWN', message: `${c.check} not tested${extent}: ${c.reason ?? 'no reason given'}${c.required ? ' (the result depends on it)' : ''}`, ...(hw ? { hardwareInfoId: hw } : {}) } });
      } else if (c.status === 'not-applicable') {
        step({ log: { severity: 'INFO', message: `${c.check} not applicable to ${partName(c)}: ${c.reason ?? 'no reason given'}` } });
      }
    }
    if (s.name === 'SpecValidate') {
      for (const d of data.specDiffs) step({ log: { severity: SPEC_SEVERITY[d.severity] ?? 'INFO', message: `spec ${d.severity}: ${d.field} expected ${d.expected ?? '—'}, found ${d.actual ?? '—'} (${d.rule})` } });
    }
    for (const o of data.verdict.overrides.filter((x) => x.stage === s.name)) {
      step({ log: { severity: 'WARNING', message: `overridden by ${o.actor}: ${o.reason ?? 'no reason recorded'}` } }, o.at);
    }
    endStep(s, step);
  }

  // Overrides no reached stage explains still belong in the record.
  for (const o of data.verdict.overrides.filter((x) => !data.stages.some((s) => s.name === x.stage && (s.attempts > 0 || s.outcome !== null)))) {
    push({ testRunArtifact: { log: { severity: 'WARNING', message: `overridden by ${o.actor}${o.stage ? ` at ${o.stage}` : ''}: ${o.reason ?? 'no reason recorded'}` } } }, o.at);
  }
  const v = data.verdict;
  const resultCode = v.result ? ` (${v.result})` : '';
  push({ testRunArtifact: { log: { severity: RESULT_SEVERITY[v.value], message: `vetting result: ${v.value}${resultCode}${v.reasons.length ? ` — ${v.reasons.join('; ')}` : ''}` } } }, data.run.finishedAt);
  push({ testRunArtifact: { testRunEnd: ocpRunEnd(data) } }, data.run.finishedAt);
  return lines.map((l) => JSON.stringify(l)).join('\n') + '\n';
}

type StepPush = (artifact: Json, ts?: string | null) => void;
type HwLookup = (kind: ReportPart['kind'] | undefined, id: string | undefined) => string | undefined;

/** Measurements from the summary's figures marked `measure`, and a FAIL diagnosis per part with a figure out of its limit. */
function stageFigures(data: ReportData, s: ReportStage, step: StepPush, hwId: HwLookup): void {
  const result = data.results.find((r) => r.stage === s.name);
  if (!result) return;
  const walk = (view: SummaryView, prefix: string) => {
    for (const f of view.facts) {
      const m = f.cell.measure ? measurementOf(`${prefix}${f.label}`, f.cell, undefined) : null;
      if (m) step({ measurement: m });
    }
    for (const t of view.tables) {
      for (const row of t.rows) {
        const rowName = row.partId ?? Object.values(row.cells)[0]?.text ?? t.title;
        const hw = hwId(t.part, row.partId);
        const missed: string[] = [];
        for (const c of t.columns) {
          const cell = row.cells[c.key];
          if (!cell) continue;
          const m = cell.measure ? measurementOf(`${prefix}${rowName} ${c.label}`, cell, hw) : null;
          if (m) step({ measurement: m });
          if (cell.judged === 'bad') missed.push(`${c.label} ${cell.text} (${cell.limit ?? 'limit'})`);
        }
        if (missed.length) step({ diagnosis: { verdict: `${s.name.toLowerCase()}-out-of-limit`, type: 'FAIL', message: `${rowName}: ${missed.join('; ')}`, ...(hw ? { hardwareInfoId: hw } : {}) } });
      }
    }
    for (const sec of view.sections) walk(sec.view, `${prefix}${sec.title}: `);
  };
  walk(stageResultView(result).view, '');
}

/** The step's own diagnosis (or error) and its end status, from the latest attempt's outcome. */
function endStep(s: ReportStage, step: StepPush): void {
  const verdict = `${s.name.toLowerCase()}-${s.outcome ?? 'unfinished'}`;
  let status: Status;
  if (s.outcome === 'error') {
    step({ error: { symptom: verdict, message: s.message ?? 'the stage could not run', softwareInfoIds: [VETTING_SOFTWARE_ID] } });
    status = 'ERROR';
  } else if (s.outcome === 'skipped') {
    step({ log: { severity: 'INFO', message: `skipped${s.message ? `: ${s.message}` : ''}` } });
    status = 'SKIP';
  } else if (s.outcome === null) {
    step({ log: { severity: 'WARNING', message: 'the stage had not finished when this report was written' } });
    status = 'SKIP';
  } else {
    step({ diagnosis: { verdict, type: DIAGNOSIS[s.outcome] ?? 'UNKNOWN', ...(s.message ? { message: s.message } : {}) } });
    status = 'COMPLETE';
  }
  step({ testStepEnd: { status } });
}
