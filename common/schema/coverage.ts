import { z } from 'zod';
import { formatBytes } from '../format.ts';

// What a stage result claims. Every stage says, per part it looked at, whether
// the part was tested, was not applicable (and why), or could not be tested
// (and why). The run's verdict is built from these claims (common/verdict.ts):
// a PASS never covers a part that was not exercised.

export const PART_KINDS = ['system', 'cpu', 'memory', 'dimm', 'disk', 'nic', 'gpu', 'psu', 'sensor', 'bmc', 'pci'] as const;
export const PartKind = z.enum(PART_KINDS);
export type PartKind = z.infer<typeof PartKind>;

export const COVERAGE_STATUSES = ['tested', 'not-applicable', 'not-tested'] as const;
export const CoverageStatus = z.enum(COVERAGE_STATUSES);
export type CoverageStatus = z.infer<typeof CoverageStatus>;

const text = z.string().min(1).max(1000);

export const PartRef = z.object({
  kind: PartKind,
  /** Stable identity where there is one (disk serial / WWN / loop:FILE, NIC MAC, GPU serial or UUID), else a name. */
  id: z.string().min(1).max(256),
  /** What a person reads: the device, slot or model. */
  label: z.string().max(256).optional(),
});
export type PartRef = z.infer<typeof PartRef>;

export const CoverageEntry = z
  .object({
    part: PartRef,
    /** What was (or would have been) checked on the part: "SMART health", "surface scan", "iperf3 throughput". */
    check: z.string().min(1).max(120),
    status: CoverageStatus,
    /** Why a part was not applicable or not tested (required then); optional detail when tested. */
    reason: text.optional(),
    /**
     * Whether the run's verdict depends on this check: a required check that was not
     * tested makes the run incomplete. Parts the host's spec or expected disks name are
     * always required (the orchestrator enforces that, whatever the stage says).
     */
    required: z.boolean(),
    /** How much of the part the check reached, when it is measurable (a surface scan's bytes). */
    extent: z.object({ done: z.number().nonnegative(), total: z.number().positive(), unit: z.enum(['bytes']) }).optional(),
  })
  .refine((c) => c.status === 'tested' || c.reason !== undefined, { message: 'a part that was not tested or not applicable needs a reason', path: ['reason'] });
export type CoverageEntry = z.infer<typeof CoverageEntry>;

export const MAX_COVERAGE_ENTRIES = 2000;
export const Coverage = z.array(CoverageEntry).max(MAX_COVERAGE_ENTRIES);

/** "16 MiB of 64 MiB (25 %)": how much of a part a check covered, for messages and the report. */
export function extentText(e: NonNullable<CoverageEntry['extent']>): string {
  const pct = (e.done / e.total) * 100;
  const pctText = pct > 0 && pct < 1 ? pct.toFixed(2) : pct > 99 && pct < 100 ? pct.toFixed(1) : String(Math.round(pct));
  return `${formatBytes(e.done)} of ${formatBytes(e.total)} (${pctText} %)`;
}

/** A part that was exercised by `check`. Required unless said otherwise: a tested part counts toward the verdict. */
export function tested(part: PartRef, check: string, extra: Partial<Pick<CoverageEntry, 'reason' | 'extent' | 'required'>> = {}): CoverageEntry {
  return { part, check, status: 'tested', required: extra.required ?? true, ...(extra.reason ? { reason: extra.reason } : {}), ...(extra.extent ? { extent: extra.extent } : {}) };
}

/** A part `check` could not exercise, and why. `required`: the run cannot pass without it. */
export function notTested(part: PartRef, check: string, reason: string, required: boolean, extent?: CoverageEntry['extent']): CoverageEntry {
  return { part, check, status: 'not-tested', reason, required, ...(extent ? { extent } : {}) };
}

/** A check that does not apply to the part (a virtual disk has no SMART), and why. */
export function notApplicable(part: PartRef, check: string, reason: string): CoverageEntry {
  return { part, check, status: 'not-applicable', reason, required: false };
}
