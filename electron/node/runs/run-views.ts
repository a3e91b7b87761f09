import type { BoardEntry, BoardView, RunDetailView, RunSummaryView, WipeProbeHit } from '../../../common/schema/index.ts';
import { STAGE_NAMES, type StageName } from '../../../common/stages/index.ts';
import type { Store } from '../store/index.ts';
import { stageView, type RunRow } from '../store/runs.ts';
import { notFound } from '../util/errors.ts';
import { maxTempC } from './agent-facing.ts';
import type { LiveState } from './live-state.ts';
import { runParams } from './run-params.ts';
import { verdictOf } from './run-verdict.ts';

/** What the UI, the API and the CLI show of runs: a run's summary and detail, and the board. Reads only. */
export class RunViews {
  constructor(
    private readonly store: Store,
    private readonly live: LiveState,
  ) {}

  summary(run: RunRow, connected = false): RunSummaryView {
    const host = this.store.hosts.byId(run.host_id);
    const overridden = this.store.runs.hasOverriddenStage(run.id);
    return {
      id: run.id,
      host: host.name,
      profile: run.profile,
      state: run.state,
      holdReason: run.hold_reason,
      result: run.result,
      failedStage: run.failed_stage,
      createdAt: run.created_at,
      startedAt: run.started_at,
      completedAt: run.completed_at,
      agentLost: run.agent_lost === 1,
      agentConnected: connected,
      agentLastSeen: run.agent_last_seen,
      bootMac: run.boot_mac,
      dmiSerial: run.dmi_serial,
      overridden,
    };
  }

  detail(runId: number, connected = false): RunDetailView {
    const run = this.store.runs.get(runId);
    if (!run) throw notFound(`run ${runId}`);
    const attempts = this.store.runs.stageAttempts(runId).map(stageView);
    const latest = new Map<StageName, (typeof attempts)[number]>();
    for (const a of attempts) latest.set(a.name, a);
    const host = this.store.hosts.byId(run.host_id);
    const storage = latest.get('Storage');
    const verdict = verdictOf(this.store, runId);
    const unexpected = run.hold_reason === 'UnexpectedData' && storage?.summary ? ((storage.summary as { unexpectedData?: WipeProbeHit[] }).unexpectedData ?? []) : [];
    return {
      ...this.summary(run, connected),
      stages: STAGE_NAMES.flatMap((n) => (latest.has(n) ? [latest.get(n)!] : [])),
      attempts,
      specDiffs: this.store.runs.specDiffs(runId),
      transitions: this.store.runs.transitions(runId),
      boot: this.store.runs.bootEvents(runId),
      artifacts: this.store.runs.artifacts(runId).map(({ path: _path, ...a }) => a),
      wipeOverride: JSON.parse(run.wipe_override_json) as string[],
      unexpectedData: unexpected.map((h) => ({ disk: h.disk, device: h.device, found: h.found })),
      maxTempC: maxTempC(host, run),
      params: runParams(run),
      verdict: { certifies: runParams(run).certifies, reasons: verdict.reasons, coverage: verdict.coverage },
    };
  }

  board(connected: (runId: number) => boolean): BoardView {
    const entries: BoardEntry[] = this.store.hosts.list().map((host) => {
      const run = this.store.runs.activeForHost(host.id) ?? this.store.runs.latestForHost(host.id);
      const showRun = run && run.state !== 'Released' ? run : null;
      const attempts = showRun ? this.store.runs.stageAttempts(showRun.id).map(stageView) : [];
      const latest = new Map(attempts.map((a) => [a.name, a]));
      const needsPerson = !showRun
        ? null
        : showRun.hold_reason === 'UnexpectedData' && showRun.state === 'FailedHolding'
          ? 'UnexpectedData'
          : showRun.state === 'FailedHolding'
            ? 'FailedHolding'
            : showRun.agent_lost
              ? 'AgentLost'
              : null;
      const { id: _id, ...hostView } = host;
      return {
        host: hostView,
        run: showRun ? this.summary(showRun, connected(showRun.id)) : null,
        stages: STAGE_NAMES.flatMap((n) => (latest.has(n) ? [latest.get(n)!] : [])),
        progress: showRun ? this.live.progressOf(showRun.id) : [],
        hottest: showRun ? this.store.measurements.hottestLatest(showRun.id) : null,
        boot: showRun?.state === 'WaitingForAgent' ? (this.store.runs.bootEvents(showRun.id).at(-1) ?? null) : null,
        needsPerson,
      };
    });
    const rank = { UnexpectedData: 0, FailedHolding: 1, AgentLost: 2 } as const;
    entries.sort((a, b) => (a.needsPerson ? rank[a.needsPerson] : 9) - (b.needsPerson ? rank[b.needsPerson] : 9) || a.host.name.localeCompare(b.host.name));
    return { entries, newHosts: this.store.seen.unadopted() };
  }
}
