import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ProgressView, Sample } from '../../../common/schema/index.ts';
import type { EventBus } from '../events/bus.ts';

const LOG_TAIL = 500;

/**
 * What is live but not worth a database row: the current progress of each
 * running item and the tail of the tool output. Log lines are also appended to
 * `<dataDir>/logs/run-<N>.log` so nothing the agent printed is lost.
 */
export class LiveState {
  private readonly progressByRun = new Map<number, Map<string, ProgressView>>();
  /** When each progress report arrived, by this machine's clock (the agent's `ts` is the host's, which may be off). */
  private readonly receivedAt = new WeakMap<ProgressView, number>();
  private readonly logs = new Map<number, { ts: number; source: string; line: string }[]>();

  constructor(
    private readonly bus: EventBus,
    private readonly logDir: string,
  ) {
    mkdirSync(logDir, { recursive: true });
  }

  progress(runId: number, p: ProgressView): void {
    let items = this.progressByRun.get(runId);
    if (!items) this.progressByRun.set(runId, (items = new Map()));
    items.set(`${p.stage}/${p.item ?? ''}`, p);
    this.receivedAt.set(p, Date.now());
    this.bus.publish({
      type: 'progress',
      runId,
      stage: p.stage,
      ts: p.ts,
      ...(p.item !== null ? { item: p.item } : {}),
      ...(p.percent !== null ? { percent: p.percent } : {}),
      ...(p.etaS !== null ? { etaS: p.etaS } : {}),
      ...(p.message !== null ? { message: p.message } : {}),
    });
  }

  progressOf(runId: number): ProgressView[] {
    return [...(this.progressByRun.get(runId)?.values() ?? [])];
  }

  /** The run's progress with when each report arrived here (for the estimated end: run-eta.ts). */
  progressReceived(runId: number): { view: ProgressView; receivedAt: number }[] {
    return this.progressOf(runId).map((view) => ({ view, receivedAt: this.receivedAt.get(view) ?? Date.now() }));
  }

  clearProgress(runId: number): void {
    this.progressByRun.delete(runId);
  }

  log(runId: number, source: string, lines: string[]): void {
    const ts = Date.now();
    let tail = this.logs.get(runId);
    if (!tail) this.logs.set(runId, (tail = []));
    for (const line of lines) tail.push({ ts, source, line });
    if (tail.length > LOG_TAIL) tail.splice(0, tail.length - LOG_TAIL);
    try {
      appendFileSync(join(this.logDir, `run-${runId}.log`), lines.map((l) => `${new Date(ts).toISOString()} [${source}] ${l}\n`).join(''));
    } catch {
      // The in-memory tail still serves the UI; a full disk shows up elsewhere.
    }
    this.bus.publish({ type: 'log', runId, source, lines });
  }

  logTail(runId: number): { ts: number; source: string; line: string }[] {
    return this.logs.get(runId) ?? [];
  }

  sensors(runId: number, ts: number, samples: Sample[]): void {
    let hottest: { sensor: string; value: number } | null = null;
    for (const s of samples) if (s.kind === 'thermal' && (!hottest || s.value > hottest.value)) hottest = { sensor: s.sensor, value: s.value };
    this.bus.publish({ type: 'sensors', runId, ts, hottest, count: samples.length });
  }
}
