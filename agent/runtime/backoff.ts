// Reconnect delays: exponential from `baseMs`, capped, with jitter so a bench
// full of agents that lost the orchestrator at the same moment do not all come
// back in the same millisecond.

export interface BackoffOptions {
  baseMs?: number;
  capMs?: number;
  random?: () => number;
}

/** Delay before reconnect attempt `attempt` (0-based): between half and all of min(cap, base·2^n). */
export function backoffDelay(attempt: number, opts: BackoffOptions = {}): number {
  const base = opts.baseMs ?? 250;
  const cap = opts.capMs ?? 5000;
  const random = opts.random ?? Math.random;
  const ceiling = Math.min(cap, base * 2 ** Math.min(Math.max(0, attempt), 20));
  return Math.round(ceiling * (0.5 + 0.5 * random()));
}
