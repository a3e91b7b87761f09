import { isTerminal } from '../../../common/schema/run.ts';
import { PROTOCOL_VERSION, type Directive, type Welcome } from '../../../common/schema/index.ts';
import { hashToken } from '../auth/secrets.ts';
import { checkSpecYaml } from '../spec/spec-yaml.ts';
import type { Store } from '../store/index.ts';
import type { HostRecord } from '../store/hosts.ts';
import type { RunRow } from '../store/runs.ts';
import type { RunDeps } from './run-context.ts';
import { runParams } from './run-params.ts';
import { isStageState } from './state-machine.ts';

/**
 * What an agent is told, read from the store and changing nothing: whether its
 * token is good, its welcome, and what it should be doing now.
 */
export class AgentFacing {
  constructor(
    private readonly store: Store,
    private readonly bench: RunDeps['bench'],
  ) {}

  /** The run an agent token belongs to, or a reason to refuse it. */
  authenticate(token: string): { run: RunRow } | { error: 'bad-token' | 'run-closed'; message: string } {
    const run = this.store.runs.byTokenHash(hashToken(token));
    if (!run) return { error: 'bad-token', message: 'unknown or expired agent token' };
    // The token dies at the verdict: a finished run accepts nothing more from any agent.
    if (isTerminal(run.state)) return { error: 'run-closed', message: `run ${run.id} is ${run.state}; it accepts nothing more from an agent` };
    return { run };
  }

  welcome(run: RunRow): Welcome {
    const host = this.store.hosts.byId(run.host_id);
    const bench = this.bench(run.id);
    return {
      type: 'welcome',
      protocol: PROTOCOL_VERSION,
      run: run.id,
      host: host.name,
      profile: run.profile,
      params: runParams(run),
      maxTempC: maxTempC(host, run),
      expectedDisks: host.disks,
      deviceAllowlist: this.store.settings.get().deviceAllowlist,
      iperf: bench.iperf,
      artifactUrl: `${bench.artifactBase}/runs/${run.id}/artifacts`,
      lastSeq: run.last_seq,
    };
  }

  /** What the agent of this run should be doing now. */
  directive(run: RunRow): Directive {
    if (isStageState(run.state)) {
      const attempt = this.store.runs.latestAttempt(run.id, run.state);
      return { type: 'run-stage', stage: run.state, attempt: attempt?.attempt ?? 1, wipeOverride: run.state === 'Storage' ? (JSON.parse(run.wipe_override_json) as string[]) : [] };
    }
    if (run.state === 'FailedHolding') return { type: 'wait', reason: `held at ${run.failed_stage}: ${run.hold_reason} — waiting for a person to decide` };
    if (run.state === 'WaitingForAgent') return { type: 'wait', reason: 'run starting' };
    return { type: 'shutdown', action: 'poweroff', reason: `run ${run.id} is ${run.state}` };
  }

  /** The directive for a run by id, or null when there is no such run. */
  currentDirective(runId: number): Directive | null {
    const run = this.store.runs.get(runId);
    return run ? this.directive(run) : null;
  }
}

/** The thermal ceiling for a run: the host's own, else its expected spec's, else its profile's. */
export function maxTempC(host: HostRecord, run: RunRow): number {
  if (host.maxTempC) return host.maxTempC;
  const spec = host.specYaml ? checkSpecYaml(host.specYaml).spec : null;
  if (spec?.maxTempC) return spec.maxTempC;
  return runParams(run).thermal.maxTempC;
}
