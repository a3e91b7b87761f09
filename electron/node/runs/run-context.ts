import type { EventBus } from '../events/bus.ts';
import type { Store } from '../store/index.ts';
import type { RunRow } from '../store/runs.ts';
import type { LiveState } from './live-state.ts';
import type { PowerPort } from './run-power.ts';

/** What the notification registry receives; delivery is its business. */
export interface NotificationEvent {
  type: 'SpecMismatch' | 'StageFailed' | 'UnexpectedData' | 'AgentLost' | 'RunCompleted' | 'ServiceDown';
  runId?: number;
  host?: string;
  title: string;
  body: string;
  data?: Record<string, unknown>;
}
export interface NotifierPort {
  emit(event: NotificationEvent): void;
}

/** Writes report.html/report.json for a run (the Reporting stage). */
export type Reporter = (runId: number) => { html: string; json: string; jsonSha256: string };

export interface RunDeps {
  store: Store;
  bus: EventBus;
  live: LiveState;
  notifier: NotifierPort;
  reporter: Reporter;
  /** Checks a supervisor's credential (backoff, audit); throws a UserError when it does not hold. */
  supervisors: { check(name: string, secret: string, asker: string): Promise<void> };
  /** The bench listener's public data: where agents upload artifacts and find iperf3 (the run's own server, when given the run). */
  bench: (runId?: number) => { artifactBase: string; iperf: { host: string; port: number } | null };
  /** Hosts' BMCs (power/power-service.ts); without it runs never touch power. */
  power?: PowerPort;
}

/** The actor recorded when a person's action names nobody. */
export const OPERATOR = 'operator';

/**
 * The one transaction mechanism every command that moves a run shares: each
 * change happens inside one SQLite transaction together with its audit row,
 * before anything is acknowledged, and live events go out only after the
 * outermost transaction has committed. One instance serves all the run
 * commands of a store, so a command nested in another (a stage result that
 * enters the next stage) joins its transaction and its queue of events.
 */
export class RunContext {
  private pending: (() => void)[] = [];
  private depth = 0;

  /** Called after the commit that gave a run its verdict (Completed); run-power.ts powers the host off. */
  onVerdict: (runId: number) => void = () => {};

  constructor(readonly deps: RunDeps) {}

  get store(): Store {
    return this.deps.store;
  }

  /**
   * Runs `fn` in a transaction (a savepoint when nested) and publishes the
   * events it queued once the outermost transaction has committed.
   */
  tx<T>(fn: () => T): T {
    this.depth++;
    const mark = this.pending.length;
    let result: T;
    try {
      result = this.store.transaction(fn);
    } catch (e) {
      // Whatever the rolled-back part queued must not be announced.
      this.pending.length = mark;
      throw e;
    } finally {
      this.depth--;
    }
    if (this.depth === 0) {
      const queued = this.pending;
      this.pending = [];
      for (const publish of queued) publish();
    }
    return result;
  }

  /** Queues `fn` to run once the current transaction has committed (dropped if it rolls back). */
  afterCommit(fn: () => void): void {
    this.pending.push(fn);
  }

  /** Announces, after the commit, that the run changed and its agent's directive may have too. */
  changed(run: RunRow): void {
    const host = this.store.hosts.byId(run.host_id).name;
    this.afterCommit(() => {
      const fresh = this.store.runs.get(run.id);
      if (!fresh) return;
      this.deps.bus.publish({ type: 'run-updated', runId: run.id, host, state: fresh.state });
      this.deps.bus.publish({ type: 'directive-changed', runId: run.id });
    });
  }
}

/** A run's place as the state machine reads it. */
export function positionOf(run: RunRow) {
  return { state: run.state, holdReason: run.hold_reason, failedStage: run.failed_stage };
}
