import type { StageView } from '../../../common/schema/api.ts';
import { extentText, type CoverageEntry, type CoverageStatus } from '../../../common/schema/coverage.ts';
import type { StageName } from '../../../common/stages/index.ts';

// What a run covered, per stage and part, as the run page's coverage panel
// says it: the verdict (common/verdict.ts) never claims more than these
// entries, so a person can see why a run is INCOMPLETE rather than PASS.

export const COVERAGE_STATUS_TEXT: Record<CoverageStatus, string> = {
  tested: 'tested',
  'not-applicable': 'not applicable',
  'not-tested': 'not tested',
};

/** Icons beside the words, never instead of them. */
export const COVERAGE_STATUS_ICON: Record<CoverageStatus, string> = {
  tested: '✓',
  'not-applicable': '–',
  'not-tested': '!',
};

export interface StageCoverage {
  stage: StageName;
  attempt: number;
  entries: CoverageEntry[];
}

/**
 * The verdict's coverage claims (each stage's latest attempt, plus the checks the
 * orchestrator adds for parts the host's spec and expected disks name), grouped
 * by stage in stage order.
 */
export function coverageByStage(stages: readonly StageView[], lines: readonly (CoverageEntry & { stage: StageName })[]): StageCoverage[] {
  return stages
    .map((s) => ({ stage: s.name, attempt: s.attempt, entries: lines.filter((l) => l.stage === s.name).map(({ stage: _stage, ...entry }) => entry) }))
    .filter((s) => s.entries.length > 0);
}

export interface CoverageCounts {
  tested: number;
  notApplicable: number;
  notTested: number;
  /** Not-tested entries the verdict depends on: any of them keeps the run from passing. */
  requiredGaps: number;
}

export function coverageCounts(entries: readonly CoverageEntry[]): CoverageCounts {
  const counts: CoverageCounts = { tested: 0, notApplicable: 0, notTested: 0, requiredGaps: 0 };
  for (const e of entries) {
    if (e.status === 'tested') counts.tested++;
    else if (e.status === 'not-applicable') counts.notApplicable++;
    else {
      counts.notTested++;
      if (e.required) counts.requiredGaps++;
    }
  }
  return counts;
}

/** "12 tested · 2 not applicable · 1 not tested"; parts of no kind are left out. */
export function coverageLine(c: CoverageCounts): string {
  const parts = [c.tested ? `${c.tested} tested` : '', c.notApplicable ? `${c.notApplicable} not applicable` : '', c.notTested ? `${c.notTested} not tested` : ''].filter(Boolean);
  return parts.length ? parts.join(' · ') : 'nothing reported';
}

/** The part as a person reads it: its label, or its id. */
export function partText(e: CoverageEntry): string {
  return e.part.label ?? e.part.id;
}

/**
 * Why and how much: "the smoke profile scans the first 16 MiB · surface scan
 * covered 16 MiB of 64 MiB (25 %)". The extent is left out where the reason
 * already states it (the Storage stage's "badblocks covered …").
 */
export function coverageDetail(e: CoverageEntry): string {
  const extent = e.extent ? extentText(e.extent) : '';
  const extentLine = extent && !e.reason?.includes(extent) ? `${e.check} covered ${extent}` : '';
  return [e.reason ?? '', extentLine].filter(Boolean).join(' · ');
}

/** A not-tested check the verdict depends on: what the panel emphasises. */
export function isRequiredGap(e: CoverageEntry): boolean {
  return e.status === 'not-tested' && e.required;
}
