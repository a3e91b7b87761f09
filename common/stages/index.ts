import { z } from 'zod';
import { bmcStage } from './bmc.ts';
import { cpuStressStage } from './cpu-stress.ts';
import type { StageDefinition, StageOwner } from './define.ts';
import { gpuStage } from './gpu.ts';
import { inventoryStage } from './inventory.ts';
import { memoryStage } from './memory.ts';
import { networkStage } from './network.ts';
import { psuStage } from './psu.ts';
import { reportingStage } from './reporting.ts';
import { smartStage } from './smart.ts';
import { specValidateStage } from './spec-validate.ts';
import { storageStage } from './storage.ts';

// The one ordered list of stages. Everything else (run states, the protocol's
// stage names, the profile schema, the state machine, the agent's dispatch, the
// UI pipeline, the report) derives from it. Adding a stage: its definition
// file beside this one, its folder under agent/stages/, and one line here
// (docs/adding-a-stage.md).
export const STAGES = [
  inventoryStage,
  specValidateStage,
  smartStage,
  cpuStressStage,
  memoryStage,
  storageStage,
  networkStage,
  gpuStage,
  psuStage,
  bmcStage,
  reportingStage,
] as const;

export type AnyStage = (typeof STAGES)[number];
export type StageName = AnyStage['name'];
export type AgentStage = Extract<AnyStage, { owner: 'agent' }>;
export type AgentStageName = AgentStage['name'];
export type OrchestratorStageName = Extract<AnyStage, { owner: 'orchestrator' }>['name'];
export type StageByName<N extends StageName> = Extract<AnyStage, { name: N }>;
/** The summary a stage's passed, failed or skipped attempt carries. */
export type StageSummary<N extends StageName> = z.infer<StageByName<N>['summary']>;
/** What a stage may send (before defaults are applied). */
export type StageSummaryInput<N extends StageName> = z.input<StageByName<N>['summary']>;
export type { StageOwner };

export const STAGE_NAMES = STAGES.map((s) => s.name) as unknown as readonly [StageName, ...StageName[]];
export const FIRST_STAGE: StageName = STAGE_NAMES[0];

/** The summary of an `error` attempt that did not get as far as its stage's own summary. */
export const StageErrorSummary = z.object({
  /** What kind of failure: a tool missing / killed / timed out, an exception, a summary the orchestrator refused. */
  infraError: z.string().max(64).optional(),
  tool: z.string().max(128).optional(),
  problems: z.array(z.string().max(4096)).max(100).optional(),
  /** The agent's summary as it arrived, when it did not match the stage's schema (kept, not lost). */
  rejectedSummary: z.unknown().optional(),
});
export type StageErrorSummary = z.infer<typeof StageErrorSummary>;

export function isStageName(value: string): value is StageName {
  return (STAGE_NAMES as readonly string[]).includes(value);
}

export function isAgentStageName(value: string): value is AgentStageName {
  return STAGES.some((s) => s.name === value && s.owner === 'agent');
}

export function stageDefinition<N extends StageName>(name: N): StageByName<N> {
  const def = STAGES.find((s) => s.name === name);
  if (!def) throw new Error(`unknown stage ${name}`);
  return def as StageByName<N>;
}

export function stageIndex(name: StageName): number {
  return STAGE_NAMES.indexOf(name);
}

/** The stage after `name`, or null after the last one. */
export function nextStage(name: StageName): StageName | null {
  return STAGE_NAMES[stageIndex(name) + 1] ?? null;
}

/**
 * Checks a stored or incoming summary against its stage's schema. An `error`
 * attempt may carry the stage's own summary or a StageErrorSummary.
 */
export function parseStageSummary(name: StageName, outcome: string | null, summary: unknown): { ok: true; summary: Record<string, unknown> } | { ok: false; problems: string[] } {
  const def: StageDefinition = stageDefinition(name);
  const own = def.summary.safeParse(summary);
  if (own.success) return { ok: true, summary: own.data as Record<string, unknown> };
  if (outcome === 'error') {
    const err = StageErrorSummary.safeParse(summary);
    if (err.success) return { ok: true, summary: err.data };
  }
  return { ok: false, problems: own.error.issues.slice(0, 10).map((i) => `${i.path.join('.') || '(summary)'}: ${i.message}`) };
}

/** The Debian packages the stages need, for the live image and `selftest --install-tools`. */
export function stageTools(): { binary: string; debianPackage: string; optional: boolean; stages: StageName[] }[] {
  const byBinary = new Map<string, { binary: string; debianPackage: string; optional: boolean; stages: StageName[] }>();
  for (const s of STAGES as readonly StageDefinition[]) {
    for (const t of s.tools) {
      const e = byBinary.get(t.binary) ?? { binary: t.binary, debianPackage: t.debianPackage, optional: true, stages: [] };
      e.optional &&= t.optional ?? false;
      e.stages.push(s.name as StageName);
      byBinary.set(t.binary, e);
    }
  }
  return [...byBinary.values()];
}
