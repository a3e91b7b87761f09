import { Inventory } from '../../../common/schema/index.ts';
import type { Store } from '../store/index.ts';

/** The normalised inventory from the run's latest Inventory attempt (SpecValidate runs only after it passed or was overridden). */
export function inventoryOf(store: Store, runId: number): { ok: true; inventory: Inventory } | { ok: false; message: string } {
  const attempt = store.runs.latestAttempt(runId, 'Inventory');
  if (!attempt?.summary_json) return { ok: false, message: 'no inventory was reported for this run' };
  const parsed = Inventory.safeParse((JSON.parse(attempt.summary_json) as { inventory?: unknown }).inventory);
  if (!parsed.success) return { ok: false, message: `the reported inventory is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}` };
  return { ok: true, inventory: parsed.data };
}
