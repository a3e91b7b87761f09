import type { CoverageEntry, PartKind, PartRef } from './schema/coverage.ts';
import type { RunResult, RunState, StageOutcome } from './schema/run.ts';
import { STAGES, type StageName } from './stages/index.ts';

// The run's verdict is a claim, built only from what the stages say they
// covered. One function, used where the result is stored (the orchestrator, at
// the end of a run) and where it is shown (report, UI), so the two never differ.
//
//   fail        the run ended on a failure nobody waived (abandoned while held);
//   incomplete  a part the verdict depends on was not tested, a stage never ran,
//               or the profile is a demonstration that certifies nothing;
//   pass-with-overrides  a person waived a failed stage or a wipe-probe hit;
//   pass        everything else: every required part exercised and passed.
//
// The worse claim wins: fail > incomplete > pass-with-overrides > pass.

export interface VerdictStage {
  name: StageName;
  /** Latest attempt's outcome; null when the stage never ran or never finished. */
  outcome: StageOutcome | null;
  coverage: readonly CoverageEntry[];
}

/** Parts the host's expected disks and spec name: the run cannot pass without them. */
export interface NamedParts {
  /** Expected-disk ids (serial / WWN / loop:FILE) and disks the spec lists. */
  disks: readonly string[];
  /** NIC MACs the spec lists. */
  nics: readonly string[];
  /** GPUs the spec asks for (model and count). */
  gpus: readonly { model: string; count: number }[];
}

export interface VerdictInput {
  state: RunState;
  profile: string;
  certifies: boolean;
  /** Latest attempt per stage, in any order. */
  stages: readonly VerdictStage[];
  named: NamedParts;
  /** A supervisor overrode wipe-probe findings in this run. */
  wipeOverride: boolean;
  /** Why the run held last (an abandoned run held on found data never tested its disks). */
  holdReason?: string | null;
}

export interface CoverageLine extends CoverageEntry {
  stage: StageName;
}

export interface RunVerdict {
  /** null while the run is still going. */
  result: RunResult | null;
  /** Why the result is what it is, most important first. */
  reasons: string[];
  /** Every coverage claim, with the named-part checks the orchestrator added. */
  coverage: CoverageLine[];
}

const PASSING = new Set<StageOutcome | null>(['passed', 'skipped', 'overridden']);

/** Whether two part ids name the same part: case, a 0x prefix and separators (: - space) do not count. */
export function sameId(a: string, b: string): boolean {
  return partIdKey(a) === partIdKey(b);
}

/** A part id as compared (sameId) and as the component history keys it. */
export function partIdKey(id: string): string {
  return id.trim().toLowerCase().replace(/^0x/, '').replace(/[\s:-]/g, '');
}

/** Whether a GPU is of the spec's `model`: the stage names the model in the label; a GPU without a label is of no known model. */
function isModel(part: PartRef, model: string): boolean {
  return part.label !== undefined && part.label.toLowerCase().includes(model.toLowerCase());
}

/**
 * Adds what the stages did not say about parts the host names: a named disk a
 * disk-covering stage reported nothing for is not tested, and every claim about
 * a named part is required, whatever the stage marked.
 */
function withNamedParts(stages: readonly VerdictStage[], named: NamedParts): CoverageLine[] {
  const lines: CoverageLine[] = [];
  for (const s of stages) {
    const def = STAGES.find((d) => d.name === s.name);
    const covers = new Set<PartKind>(def?.covers ?? []);
    const own = s.coverage.map((c): CoverageLine => {
      const isNamed = (c.part.kind === 'disk' && named.disks.some((d) => sameId(d, c.part.id))) || (c.part.kind === 'nic' && named.nics.some((m) => sameId(m, c.part.id)));
      return { ...c, stage: s.name, required: c.required || isNamed };
    });
    lines.push(...own);
    // A stage that ended in error or never reported has no claims to check; the run cannot pass anyway.
    if (s.outcome === null || s.outcome === 'error' || s.outcome === 'failed') continue;
    const missing = (kind: PartKind, ids: readonly string[], what: string) => {
      if (!covers.has(kind)) return;
      for (const id of ids) {
        if (own.some((c) => c.part.kind === kind && sameId(c.part.id, id))) continue;
        lines.push({ stage: s.name, part: { kind, id }, check: s.name, status: 'not-tested', required: true, reason: `${s.name} reported nothing about ${what} ${id}` });
      }
    };
    missing('disk', named.disks, 'the expected disk');
    missing('nic', named.nics, 'the NIC');
    if (covers.has('gpu')) {
      for (const g of named.gpus) {
        const tested = own.filter((c) => c.part.kind === 'gpu' && c.status === 'tested' && isModel(c.part, g.model)).length;
        if (tested < g.count) {
          lines.push({
            stage: s.name,
            part: { kind: 'gpu', id: g.model },
            check: 'compute burn',
            status: 'not-tested',
            required: true,
            reason: `the spec asks for ${g.count} × ${g.model}; ${tested} were tested`,
          });
        }
      }
    }
  }
  return lines;
}

/** How a reason for a required part that was not tested begins (the report names such parts on one line). */
export const NOT_TESTED_REASON = 'not tested: ';

function lineText(c: CoverageLine): string {
  return `${c.part.label ?? c.part.id} (${c.stage}: ${c.check}): ${c.reason ?? c.status}`;
}

export function runVerdict(input: VerdictInput): RunVerdict {
  // Reporting is the report itself: it runs after the verdict is drawn.
  const stages = input.stages.filter((s) => s.name !== 'Reporting');
  const coverage = withNamedParts(stages, input.named);
  const finished = input.state === 'Completed' || input.state === 'Released' || input.state === 'Abandoned';
  const reasons: string[] = [];
  // Data found on a disk is not a hardware failure: abandoning there leaves the disks untested.
  const foundData = input.holdReason === 'UnexpectedData';
  const unwaived = stages.filter((s) => (s.outcome === 'failed' && !(foundData && s.name === 'Storage')) || s.outcome === 'error');
  const overridden = stages.filter((s) => s.outcome === 'overridden');
  const gaps = coverage.filter((c) => c.required && c.status === 'not-tested');
  const reached = new Set(stages.filter((s) => s.outcome !== null).map((s) => s.name));
  const neverRan = STAGES.filter((d) => !reached.has(d.name) && d.name !== 'Reporting').map((d) => d.name);

  // Each failure that stood when the run was abandoned is a reason it failed.
  if (input.state === 'Abandoned') {
    reasons.push(...unwaived.map((s) => `${s.name} ${s.outcome === 'error' ? 'could not run' : 'failed'} and the run was abandoned`));
  }
  if (input.state === 'Abandoned' && foundData) reasons.push('abandoned after data was found on its disks: the disks were not tested');
  if (neverRan.length > 0) reasons.push(`not run: ${neverRan.join(', ')}`);
  reasons.push(...gaps.map((g) => `${NOT_TESTED_REASON}${lineText(g)}`));
  if (!input.certifies) reasons.push(`the ${input.profile} profile is a demonstration run, not a certification`);
  if (overridden.length > 0) reasons.push(`overridden by a person: ${overridden.map((s) => s.name).join(', ')}`);
  if (input.wipeOverride) reasons.push('a supervisor overrode the wipe-probe: disks holding data were overwritten');

  if (!finished) return { result: null, reasons, coverage };
  let result: RunResult;
  if (input.state === 'Abandoned') result = unwaived.length > 0 ? 'fail' : 'incomplete';
  else if (gaps.length > 0 || neverRan.length > 0 || !input.certifies || stages.some((s) => !PASSING.has(s.outcome))) result = 'incomplete';
  else if (overridden.length > 0 || input.wipeOverride) result = 'pass-with-overrides';
  else result = 'pass';
  if (result === 'pass') reasons.push('every required part was exercised and passed');
  return { result, reasons, coverage };
}

/** How the bench says a result, on the board, the report's first page and notifications. */
export const RESULT_TEXT: Record<RunResult, string> = {
  pass: 'PASS',
  'pass-with-overrides': 'PASS WITH OVERRIDES',
  fail: 'FAIL',
  incomplete: 'INCOMPLETE',
};
