import type { Store } from '../store/index.ts';
import { runJanitorPass, type JanitorPolicy, type JanitorReport } from './janitor.ts';

// The scheduled janitor (docs/janitor.md): a timer around runJanitorPass, one
// pass at a time, with the last pass read back from the store so it survives
// restarts.

export { runJanitorPass, POLICY_DEFAULTS, RETAINABLE_STATES, type JanitorPolicy, type JanitorReport, type JanitorPassOptions, type PrunedRun } from './janitor.ts';
export { parseLeaseLine, type Lease } from './leases.ts';

export interface JanitorPassView {
  id: number;
  trigger: string;
  startedAt: string;
  finishedAt: string;
  bytesReclaimed: number;
  report: JanitorReport;
}

export interface JanitorOptions {
  store: Store;
  dataDir: string;
  getPolicy: () => JanitorPolicy;
  intervalMs: number;
  log?: (line: string) => void;
  now?: () => number;
  leasesFile?: string;
  tempDirs?: string[];
  onAgentLost?: (run: { runId: number; host: string }) => void;
  onMeasurementsThinned?: () => void;
}

export interface Janitor {
  start(): void;
  stop(): Promise<void>;
  runNow(trigger?: string): Promise<JanitorReport>;
  lastPass(): JanitorPassView | null;
}

/** The latest recorded pass, or null before the first one. */
export function readLastJanitorPass(store: Store): JanitorPassView | null {
  const row = store.upkeep.lastJanitorPass();
  if (!row) return null;
  return { id: row.id, trigger: row.trigger, startedAt: row.started_at, finishedAt: row.finished_at, bytesReclaimed: row.bytes_reclaimed, report: { ...(JSON.parse(row.report_json) as JanitorReport), id: row.id } };
}

export function createJanitor(options: JanitorOptions): Janitor {
  const log = options.log ?? (() => {});
  const now = options.now ?? (() => Date.now());
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<JanitorReport> | null = null;

  function runNow(trigger = 'manual'): Promise<JanitorReport> {
    if (running) return running;
    running = (async () => {
      try {
        // Yield once so a caller's request handler returns before the (synchronous) pass.
        await new Promise((r) => setImmediate(r));
        const report = runJanitorPass({
          store: options.store,
          dataDir: options.dataDir,
          policy: options.getPolicy(),
          now: now(),
          leasesFile: options.leasesFile,
          tempDirs: options.tempDirs,
          trigger,
          onAgentLost: options.onAgentLost,
          onMeasurementsThinned: options.onMeasurementsThinned,
        });
        log(
          `janitor pass ${report.id ?? '?'} (${trigger}): reclaimed ${report.bytesReclaimed} bytes, pruned ${report.retention.pruned.length} run dir(s), ` +
            `${report.tempFiles.length} temp file(s), ${report.measurements.rowsDeleted} measurement row(s), marked ${report.agentsMarkedLost.length} agent(s) lost` +
            (report.errors.length ? `; errors: ${report.errors.join('; ')}` : ''),
        );
        return report;
      } finally {
        running = null;
      }
    })();
    return running;
  }

  return {
    start() {
      if (timer) return;
      timer = setInterval(() => {
        runNow('scheduled').catch((e: unknown) => log(`janitor pass failed: ${(e as Error).message}`));
      }, options.intervalMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      if (running) await running.catch(() => undefined);
    },
    runNow,
    lastPass: () => readLastJanitorPass(options.store),
  };
}
