import type { z } from 'zod';
import { stageDefinition, type StageName } from '../../../common/stages/index.ts';
import { summaryView } from '../../../common/stages/summary-view.ts';
import type { ReportData, ReportStage } from './types.ts';

// Export of a run in the OCP Test & Validation output format (version 2.0):
// JSON Lines, one output artifact per line, each with a sequence number and a
// timestamp. The run becomes one test run, each reached stage one test step
// with its measurements (checked against their floors / ceilings as
// validators), a diagnosis and an end status. Built from ReportData only, so
// it is as deterministic as report.json (timestamps come from the store).

type Json = Record<string, unknown>;
type StepStatus = 'COMPLETE' | 'ERROR' | 'SKIP';

function stepStatus(s: ReportStage): StepStatus {
  if (s.outcome === 'skipped') return 'SKIP';
  if (s.outcome === 'error' || s.outcome === null) return 'ERROR';
  return 'COMPLETE';
}

function diagnosisType(outcome: string | null): 'PASS' | 'FAIL' | 'UNKNOWN' {
  if (outcome === 'passed' || outcome === 'overridden') return 'PASS';
  if (outcome === 'failed' || outcome === 'error') return 'FAIL';
  return 'UNKNOWN';
}

function measurement(name: string, value: number | string | boolean | null, unit?: string, validators?: Json[], hardwareInfoId?: string): Json | null {
  if (value === null) return null;
  const m: Json = { name, value };
  if (unit) m.unit = unit;
  if (validators && validators.length) m.validators = validators;
  if (hardwareInfoId) m.hardwareInfoId = hardwareInfoId;
  return m;
}

const atLeast = (name: string, v: number | null): Json[] => (v === null ? [] : [{ name, type: 'GREATER_THAN_OR_EQUAL', value: v }]);
const atMost = (name: string, v: number | null): Json[] => (v === null ? [] : [{ name, type: 'LESS_THAN_OR_EQUAL', value: v }]);

// Interim: figures marked `measure` in each stage's summary schema (the report engineer finishes this).
function stageMeasurements(data: ReportData, stage: string): Json[] {
  const r = data.results.find((x) => x.stage === stage);
  if (!r) return [];
  const view = summaryView(stageDefinition(stage as StageName).summary as z.ZodType, r.summary);
  const out: (Json | null)[] = [];
  for (const t of view.tables) {
    for (const row of t.rows) {
      for (const c of t.columns) {
        const cell = row.cells[c.key];
        if (!cell?.measure || typeof cell.value !== 'number') continue;
        const validators = cell.limitValue === undefined ? [] : cell.limitKind === 'floor' ? atLeast('floor', cell.limitValue) : atMost('ceiling', cell.limitValue);
        out.push(measurement(`${row.partId ?? t.title} ${c.label}`, cell.value, c.unit, validators));
      }
    }
  }
  return out.filter((m): m is Json => m !== null);
}

/** The run as OCPTV 2.0 JSON Lines (one artifact per line, newline-terminated). */
export function buildOcptvLines(data: ReportData): string {
  const lines: Json[] = [];
  const fallbackTime = data.run.startedAt ?? data.run.createdAt;
  const push = (artifact: Json, timestamp: string | null): void => {
    lines.push({ ...artifact, sequenceNumber: lines.length, timestamp: timestamp ?? fallbackTime });
  };
  const hardwareInfos: Json[] = [];
  push({ schemaVersion: { major: 2, minor: 0 } }, data.run.createdAt);
  push(
    {
      testRunArtifact: {
        testRunStart: {
          name: 'vetting',
          version: '1',
          commandLine: `vetting run ${data.run.id} --profile ${data.run.profile}`,
          parameters: { runId: data.run.id, profile: data.run.profile },
          dutInfo: {
            id: data.host.serial ?? data.host.name,
            hostname: data.host.name,
            platformInfos: [{ info: [data.host.manufacturer, data.host.model].filter(Boolean).join(' ') || 'unknown platform' }],
            hardwareInfos,
          },
        },
      },
    },
    data.run.startedAt,
  );
  data.stages.forEach((s, i) => {
    if (s.attempts === 0 && s.outcome === null) return; // never reached
    const id = String(i + 1);
    push({ testStepArtifact: { testStepId: id, testStepStart: { name: s.name } } }, s.startedAt);
    for (const m of stageMeasurements(data, s.name)) push({ testStepArtifact: { testStepId: id, measurement: m } }, s.completedAt ?? s.startedAt);
    for (const o of data.verdict.overrides.filter((x) => x.stage === s.name)) {
      push({ testStepArtifact: { testStepId: id, log: { severity: 'WARNING', message: `overridden by ${o.actor}: ${o.reason ?? 'no reason recorded'}` } } }, o.at);
    }
    const diag: Json = { verdict: `${s.name.toLowerCase()}-${s.outcome ?? 'unfinished'}`, type: diagnosisType(s.outcome) };
    if (s.message) diag.message = s.message;
    push({ testStepArtifact: { testStepId: id, diagnosis: diag } }, s.completedAt ?? s.startedAt);
    push({ testStepArtifact: { testStepId: id, testStepEnd: { status: stepStatus(s) } } }, s.completedAt ?? s.startedAt);
  });
  const v = data.verdict.value;
  push(
    { testRunArtifact: { testRunEnd: { status: v === 'INCOMPLETE' ? 'ERROR' : 'COMPLETE', result: v === 'FAIL' ? 'FAIL' : v === 'INCOMPLETE' ? 'NOT_APPLICABLE' : 'PASS' } } },
    data.run.finishedAt,
  );
  return lines.map((l) => JSON.stringify(l)).join('\n') + '\n';
}
