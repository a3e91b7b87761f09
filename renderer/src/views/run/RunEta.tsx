import type { RunSummaryView } from '../../../../common/schema/api.ts';
import { clockAround, etaText } from '../../../../common/format.ts';

/**
 * The run's estimated end under its state on the run page: "done around 14:20",
 * or that it waits for a person; the first estimate beside it, and what it rests
 * on in the tooltip (docs/state-machine.md, "Estimated end").
 */
export function RunEta({ run, now }: { run: RunSummaryView; now: number }) {
  const text = etaText(run.eta, now);
  if (!text || !run.eta) return null;
  const first = run.eta.firstAt && run.eta.status !== 'ended' ? Date.parse(run.eta.firstAt) : null;
  return (
    <p className={run.eta.status === 'waiting-for-person' ? 'run-eta attention' : 'run-eta'} data-testid="run-eta" title={`Estimate from ${run.eta.basis}`}>
      <strong>{text[0]!.toUpperCase() + text.slice(1)}</strong>
      {first !== null ? <span className="muted"> · first estimate {clockAround(first, now)}</span> : null}
    </p>
  );
}
