import type { ProfileParams } from '../../../common/schema/profile.ts';
import type { HoldReason, RunState } from '../../../common/schema/run.ts';
import type { EstimateHost, EstimateProgress, StageDefinition } from '../../../common/stages/define.ts';
import { STAGES, isStageName, stageIndex, type StageName } from '../../../common/stages/index.ts';

// The run's estimated end, as a pure function of what is known about the run
// at one moment (docs/state-machine.md, "Estimated end"). No clock, no store:
// run-eta.ts gathers the facts, this draws the estimate from them.

export interface EtaFacts {
  /** The moment the estimate is for (epoch ms). */
  now: number;
  profile: ProfileParams;
  state: RunState;
  holdReason: HoldReason | null;
  failedStage: StageName | null;
  agentLost: boolean;
  createdAt: number;
  /** A run that has ended: when, and whether it completed (rather than being abandoned). */
  end: { at: number; completed: boolean } | null;
  /** When the attempt of the stage the run is in started. */
  stageStartedAt: number | null;
  host: EstimateHost;
  /** The running attempt's latest progress, one entry per item. */
  progress: readonly EstimateProgress[];
  /** Seconds from a run's start to its agent's hello, as this bench has seen it (or assumes). */
  bootS: number;
  /** Seconds each stage took when this host last ran it under this profile and passed. */
  pastStageS: Partial<Record<StageName, number>>;
}

export type EtaStatus = 'running' | 'waiting-for-person' | 'done' | 'ended';

export interface EtaEstimate {
  status: EtaStatus;
  /** The estimated end (the real one once done); null while a person must decide, and for ended runs. */
  at: number | null;
  /** Seconds of testing left; for a held run, once it continues. */
  remainingS: number | null;
  /** What is left, per phase (the boot wait, then each stage), in seconds. */
  parts: { phase: 'boot' | StageName; s: number; from: 'history' | 'model' | 'progress' | 'elapsed' }[];
}

/** A phase still running is never given less than this share of what it was expected to take, nor under a second: it overran, it is not done. */
const OVERRUN_FLOOR = 0.05;

function definitionOf(name: StageName): StageDefinition {
  return STAGES[stageIndex(name)] as unknown as StageDefinition;
}

function paramsOf(def: StageDefinition, profile: ProfileParams): never {
  return (def.paramsKey ? (profile as unknown as Record<string, unknown>)[def.paramsKey] : null) as never;
}

/** What a stage that has not started yet is expected to take: this host's last time, else the stage's own model. */
export function expectedStageS(name: StageName, f: Pick<EtaFacts, 'profile' | 'host' | 'pastStageS'>): { s: number; from: 'history' | 'model' } {
  const past = f.pastStageS[name];
  if (past !== undefined) return { s: past, from: 'history' };
  const def = definitionOf(name);
  const params = paramsOf(def, f.profile);
  return { s: def.expectedS ? def.expectedS(params, f.host) : def.timeoutS(params), from: 'model' };
}

/** The longest etaS of the items, or what their percentages say of the time spent so far; null when they say nothing. */
export function remainingFromProgress(progress: readonly EstimateProgress[], elapsedS: number): number | null {
  let best: number | null = null;
  for (const p of progress) {
    let left: number | null = null;
    if (p.etaS !== null) left = Math.max(0, p.etaS - p.ageS);
    else if (p.percent !== null && p.percent >= 1 && p.percent < 100) left = (elapsedS * (100 - p.percent)) / p.percent;
    if (left !== null) best = Math.max(best ?? 0, left);
  }
  return best;
}

function runningStageLeft(name: StageName, f: EtaFacts): EtaEstimate['parts'][number] {
  const expected = expectedStageS(name, f);
  const elapsedS = f.stageStartedAt === null ? 0 : Math.max(0, (f.now - f.stageStartedAt) / 1000);
  const floor = Math.max(1, OVERRUN_FLOOR * expected.s);
  const def = definitionOf(name);
  const said = def.remainingS ? def.remainingS(paramsOf(def, f.profile), f.host, f.progress, elapsedS) : remainingFromProgress(f.progress, elapsedS);
  if (said !== null) return { phase: name, s: said, from: 'progress' };
  return { phase: name, s: Math.max(expected.s - elapsedS, Math.min(floor, expected.s)), from: elapsedS > 0 ? 'elapsed' : expected.from };
}

/** Every stage after `name`, as expected. */
function stagesAfter(name: StageName | null, f: EtaFacts): EtaEstimate['parts'] {
  const from = name === null ? 0 : stageIndex(name) + 1;
  return STAGES.slice(from).map((s) => {
    const e = expectedStageS(s.name, f);
    return { phase: s.name, s: e.s, from: e.from };
  });
}

const sum = (parts: EtaEstimate['parts']) => parts.reduce((n, p) => n + p.s, 0);

/** A run that has ended: done at its real end when it completed, else nothing to expect. */
export function endedRun(end: { at: number; completed: boolean } | null): EtaEstimate {
  return end?.completed ? { status: 'done', at: end.at, remainingS: 0, parts: [] } : { status: 'ended', at: null, remainingS: null, parts: [] };
}

/**
 * The run's end as known now. A run waiting for its agent counts its boot, then
 * every stage; a running stage counts what its progress says (else its
 * expectation less the time spent), then the stages after it. A held run, or one
 * whose agent went quiet, waits for a person: no time is given, only how much
 * testing is left once it continues (the held stage again, then the rest).
 */
export function estimateEnd(f: EtaFacts): EtaEstimate {
  if (f.end) return endedRun(f.end);
  if (f.state === 'FailedHolding') {
    const parts = f.failedStage ? [{ phase: f.failedStage, ...expectedStageS(f.failedStage, f) }, ...stagesAfter(f.failedStage, f)] : [];
    return { status: 'waiting-for-person', at: null, remainingS: sum(parts), parts };
  }
  let parts: EtaEstimate['parts'];
  if (f.state === 'WaitingForAgent') {
    const waitedS = Math.max(0, (f.now - f.createdAt) / 1000);
    const boot = Math.max(f.bootS - waitedS, Math.min(Math.max(1, OVERRUN_FLOOR * f.bootS), f.bootS));
    parts = [{ phase: 'boot', s: boot, from: waitedS > 0 ? 'elapsed' : 'history' }, ...stagesAfter(null, f)];
  } else if (isStageName(f.state)) {
    parts = [runningStageLeft(f.state, f), ...stagesAfter(f.state, f)];
  } else {
    return { status: 'ended', at: null, remainingS: null, parts: [] };
  }
  const remainingS = sum(parts);
  if (f.agentLost) return { status: 'waiting-for-person', at: null, remainingS, parts };
  return { status: 'running', at: f.now + remainingS * 1000, remainingS, parts };
}
