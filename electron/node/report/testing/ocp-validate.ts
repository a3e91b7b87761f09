import { readdirSync, readFileSync } from 'node:fs';
import type { ValidateFunction } from 'ajv/dist/2020.js';
import { ajvErrors, makeAjv } from './ajv.ts';

// Test-only checker of an OCP Test & Validation output file (JSON Lines) against
// the official schema (vendored in ocp-output-schema/, see its README for the
// commit) and the rules of the spec's README that a schema cannot express.

const SCHEMA_DIR = new URL('./ocp-output-schema/', import.meta.url);
const ROOT_ID = 'https://github.com/opencomputeproject/ocp-diag-core/output';

let cached: ValidateFunction | null = null;

/** The compiled root schema, every file of the folder registered under its own $id (as the spec's own validator does). */
export function ocpOutputValidator(): ValidateFunction {
  if (cached) return cached;
  // strictTypes is off because the official files use `required` without `type: object`; that is valid 2020-12.
  const ajv = makeAjv({ strictTypes: false });
  for (const f of readdirSync(SCHEMA_DIR).filter((n) => n.endsWith('.json')).sort()) {
    ajv.addSchema(JSON.parse(readFileSync(new URL(f, SCHEMA_DIR), 'utf8')) as object);
  }
  const v = ajv.getSchema(ROOT_ID);
  if (!v) throw new Error(`the vendored OCP schema has no root ${ROOT_ID}`);
  cached = v;
  return v;
}

/** The status / result pairs the spec's README allows on testRunEnd ("Valid Test Result and Test Status Combinations"). */
const VALID_RUN_END = new Set(['SKIP/NOT_APPLICABLE', 'ERROR/NOT_APPLICABLE', 'COMPLETE/PASS', 'COMPLETE/FAIL']);

type Line = Record<string, any>;

/**
 * Every problem with an OCPTV output file, each naming its line (1-based);
 * empty when it conforms. Checks each line against the schema, then the
 * README's rules across lines.
 */
export function validateOcptv(text: string): string[] {
  const problems: string[] = [];
  if (!text.endsWith('\n')) problems.push('the file does not end with a newline');
  const raw = text.replace(/\n$/, '').split('\n');
  const lines: Line[] = [];
  const validate = ocpOutputValidator();
  raw.forEach((l, i) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(l);
    } catch {
      problems.push(`line ${i + 1}: not JSON`);
      return;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      problems.push(`line ${i + 1}: not a JSON object`);
      return;
    }
    if (!validate(parsed)) problems.push(...ajvErrors(validate.errors).map((e) => `line ${i + 1}: schema: ${e}`));
    lines.push(parsed as Line);
  });
  if (lines.length !== raw.length) return problems;

  // "This message shall be the first message emitted" (Schema Version).
  if (!lines[0]?.schemaVersion) problems.push('line 1: the first artifact is not schemaVersion');
  lines.forEach((l, i) => {
    if (i > 0 && l.schemaVersion) problems.push(`line ${i + 1}: a second schemaVersion`);
    // "A monotonically increasing field indicating the order of output".
    if (i > 0 && !(l.sequenceNumber > lines[i - 1]!.sequenceNumber)) problems.push(`line ${i + 1}: sequenceNumber ${l.sequenceNumber} does not increase on ${lines[i - 1]!.sequenceNumber}`);
  });

  const starts = lines.map((l, i) => [l, i] as const).filter(([l]) => l.testRunArtifact?.testRunStart);
  const ends = lines.map((l, i) => [l, i] as const).filter(([l]) => l.testRunArtifact?.testRunEnd);
  if (starts.length !== 1) problems.push(`${starts.length} testRunStart artifacts (one expected)`);
  if (ends.length !== 1) problems.push(`${ends.length} testRunEnd artifacts (one expected)`);
  const startAt = starts[0]?.[1] ?? -1;
  const endAt = ends[0]?.[1] ?? -1;
  if (startAt !== 1) problems.push(`line ${startAt + 1}: testRunStart is not the first artifact after schemaVersion`);
  if (endAt !== lines.length - 1) problems.push(`line ${endAt + 1}: testRunEnd is not the last artifact`);
  const runEnd = ends[0]?.[0].testRunArtifact.testRunEnd;
  if (runEnd && !VALID_RUN_END.has(`${runEnd.status}/${runEnd.result}`)) problems.push(`line ${endAt + 1}: testRunEnd status ${runEnd.status} with result ${runEnd.result} is not a valid combination`);

  // "Hardware/software related identifiers are emitted at the beginning of the test output so that they can be referenced".
  const dut = starts[0]?.[0].testRunArtifact.testRunStart.dutInfo ?? {};
  const declared = (list: Line[] | undefined, key: string, what: string): Set<string> => {
    const ids = new Set<string>();
    for (const x of list ?? []) {
      if (ids.has(x[key])) problems.push(`line ${startAt + 1}: ${what} ${x[key]} is declared twice`);
      ids.add(x[key]);
    }
    return ids;
  };
  const hardware = declared(dut.hardwareInfos, 'hardwareInfoId', 'hardwareInfoId');
  const software = declared(dut.softwareInfos, 'softwareInfoId', 'softwareInfoId');

  const steps = new Map<string, 'open' | 'ended'>();
  lines.forEach((l, i) => {
    const at = `line ${i + 1}`;
    const body: Line | undefined = l.testStepArtifact ?? l.testRunArtifact;
    if (!body) return;
    const artifact: Line = Object.values(body).find((v) => typeof v === 'object' && v !== null) ?? {};
    if (typeof artifact.hardwareInfoId === 'string' && !hardware.has(artifact.hardwareInfoId)) problems.push(`${at}: hardwareInfoId ${artifact.hardwareInfoId} is not declared in dutInfo`);
    for (const ref of (artifact.softwareInfoIds as string[] | undefined) ?? []) if (!software.has(ref)) problems.push(`${at}: softwareInfoId ${ref} is not declared in dutInfo`);
    if (l.testRunArtifact && !l.testRunArtifact.testRunStart && i < startAt) problems.push(`${at}: a run artifact before testRunStart`);
    if (!l.testStepArtifact) return;
    if (i < startAt || (endAt >= 0 && i > endAt)) problems.push(`${at}: a step artifact outside the test run`);
    const id: string = l.testStepArtifact.testStepId;
    const state = steps.get(id);
    if (l.testStepArtifact.testStepStart) {
      if (state) problems.push(`${at}: step ${id} started twice`);
      steps.set(id, 'open');
    } else if (state !== 'open') {
      problems.push(`${at}: step ${id} ${state === 'ended' ? 'has an artifact after its testStepEnd' : 'has an artifact before its testStepStart'}`);
    } else if (l.testStepArtifact.testStepEnd) {
      steps.set(id, 'ended');
    }
  });
  for (const [id, state] of steps) if (state === 'open') problems.push(`step ${id} never ends`);
  return problems;
}

/** The artifacts of a file, parsed (for tests that look at what it says). */
export function ocptvLines(text: string): Line[] {
  return text
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as Line);
}
