import { z } from 'zod';
import { defineStage } from './define.ts';

const count = z.number().int().nonnegative().nullable().optional();

/** The drive's own self-test (agent/stages/smart/self-test.ts). */
export const SmartSelfTest = z.object({
  kind: z.enum(['short', 'long']).meta({ title: 'Self-test' }),
  /**
   * passed / failed: the drive's verdict; aborted: the drive or a reset stopped it; timed-out:
   * still running after the profile's wait; unsupported: the drive has no self-test (or this
   * bench does not run its kind); not-started: it could not be started or followed; not-run:
   * the profile runs none; unknown: the drive logged no result.
   */
  status: z.enum(['passed', 'failed', 'aborted', 'timed-out', 'unsupported', 'not-started', 'not-run', 'unknown']).meta({ title: 'Self-test result' }),
  /** The drive's own words ("Short offline: Completed: read failure"), or why there are none. */
  detail: z.string().max(1000).meta({ title: 'Self-test detail' }),
  lba: z.number().int().nonnegative().nullable().meta({ title: 'First failing LBA', format: 'plain' }),
  durationS: z.number().nonnegative().nullable().meta({ title: 'Self-test time', format: 'seconds' }),
  powerOnHours: z.number().int().nonnegative().nullable().meta({ title: 'At power-on hours', hidden: true }),
});
export type SmartSelfTest = z.infer<typeof SmartSelfTest>;

/** The same disk's figures from its previous run, and what grew since (filled by the orchestrator: electron/node/stages/reviews/smart-history.ts). */
export const SmartSincePrevious = z.object({
  run: z.number().int().positive().meta({ title: 'Previous run', format: 'plain' }),
  at: z.string().max(40).meta({ title: 'Previous run at' }),
  host: z.string().max(256).nullable().meta({ title: 'Previous host' }),
  /** Counter → its value then, for the counters this stage compares. */
  figures: z.record(z.string(), z.number().nullable()).meta({ hidden: true }),
  /** "reallocated 3 → 8 (+5, allowed +0)" for every counter that grew. */
  grew: z.array(z.string().max(200)).max(10).meta({ title: 'Grew since' }),
});
export type SmartSincePrevious = z.infer<typeof SmartSincePrevious>;

/** Counters compared with the same disk's previous run, and the growth each may show (0: none). */
export const SmartGrowthLimits = z.object({
  reallocated: z.number().int().nonnegative().default(0),
  pending: z.number().int().nonnegative().default(0),
  offlineUncorrectable: z.number().int().nonnegative().default(0),
  endToEndErrors: z.number().int().nonnegative().default(0),
  mediaErrors: z.number().int().nonnegative().default(0),
});
export const GROWTH_COUNTERS = ['reallocated', 'pending', 'offlineUncorrectable', 'endToEndErrors', 'mediaErrors'] as const;

export const SmartDiskResult = z.object({
  disk: z.string().max(256).meta({ title: 'Disk', partId: true }),
  device: z.string().max(256).meta({ title: 'Device', partLabel: true }),
  /** smartctl -d type behind a RAID controller (megaraid,N …); null: detected by smartctl. */
  type: z.string().max(64).nullable().meta({ title: 'Type', hidden: true }),
  /** not-tested: SMART could not be read on a physical disk; not-applicable: a virtual disk. */
  outcome: z.enum(['passed', 'failed', 'error', 'not-tested', 'not-applicable']).meta({ title: 'Result' }),
  smartAvailable: z.boolean().optional().meta({ title: 'SMART readable' }),
  health: z.boolean().nullable().optional().meta({ title: 'Overall health passed' }),
  reallocated: count.meta({ title: 'Reallocated', measure: true, ceiling: 'maxReallocated' }),
  pending: count.meta({ title: 'Pending', measure: true, ceiling: 'maxPending' }),
  offlineUncorrectable: count.meta({ title: 'Offline uncorrectable', measure: true, ceiling: 'maxOfflineUncorrectable' }),
  /** ATA attribute 184 (End-to-End error / IOEDC): data corrupted between the host and the media. */
  endToEndErrors: count.meta({ title: 'End-to-end errors', measure: true, ceiling: 'maxEndToEndErrors' }),
  mediaErrors: count.meta({ title: 'NVMe media errors', measure: true, ceiling: 'maxMediaErrors' }),
  // The profile's limits each count was judged against, beside it so the UI, the report and the
  // OCP export can show the judgement (absent in summaries stored before they were kept).
  maxReallocated: count.meta({ hidden: true }),
  maxPending: count.meta({ hidden: true }),
  maxOfflineUncorrectable: count.meta({ hidden: true }),
  maxEndToEndErrors: count.meta({ hidden: true }),
  maxMediaErrors: count.meta({ hidden: true }),
  criticalWarning: count.meta({ title: 'NVMe critical warning' }),
  temperatureC: z.number().nullable().optional().meta({ title: 'Temperature', unit: '°C', measure: true }),
  powerOnHours: count.meta({ title: 'Power-on hours', measure: true }),
  exitCode: z.number().int().optional().meta({ title: 'smartctl exit', hidden: true }),
  exitBits: z.record(z.string(), z.boolean()).optional().meta({ hidden: true }),
  reasons: z.array(z.string().max(1000)).max(50).meta({ title: 'Reasons' }),
  selfTest: SmartSelfTest.nullable().optional(),
  sincePrevious: SmartSincePrevious.nullable().optional().meta({ title: 'Since the previous run' }),
});
export type SmartDiskResult = z.infer<typeof SmartDiskResult>;

export const smartStage = defineStage({
  name: 'SMART',
  owner: 'agent',
  destructive: false,
  title: 'SMART health and error counters of every expected disk',
  paramsKey: 'smart',
  params: z.object({
    timeoutS: z.number().positive(),
    /** A disk passes while each count is at most this. */
    maxReallocated: z.number().int().nonnegative(),
    maxPending: z.number().int().nonnegative(),
    maxOfflineUncorrectable: z.number().int().nonnegative(),
    /** ATA 184 End-to-End errors allowed (the seed's criterion: none). */
    maxEndToEndErrors: z.number().int().nonnegative().default(0),
    maxMediaErrors: z.number().int().nonnegative(),
    /** The drive's own self-test, on every disk at once: short (about 2 minutes), long (hours on a large HDD) or none. */
    selfTest: z.enum(['none', 'short', 'long']).default('short'),
    /** The longest the stage waits for the self-tests; one still running then is aborted and not tested. */
    selfTestMaxS: z.number().positive().default(1800),
    selfTestPollS: z.number().positive().max(600).default(10),
    /**
     * Growth allowed since the same disk's previous run (any host), per counter; the
     * orchestrator compares (electron/node/stages/reviews/smart-history.ts).
     */
    maxGrowthSincePrevious: SmartGrowthLimits.prefault({}),
  }),
  // One smartctl per disk, one after another (16 disks is a large host), then the self-tests,
  // all disks at once, with a few short tool calls per disk around them.
  timeoutS: (p) => p.timeoutS * 16 + 60 + (p.selfTest === 'none' ? 0 : p.selfTestMaxS + p.timeoutS * 4),
  expectedS: () => 20,
  tools: [
    { binary: 'smartctl', debianPackage: 'smartmontools', why: 'SMART health and counters (smartctl -j -a), ATA self-tests (smartctl -t, -c, -l selftest)' },
    { binary: 'nvme', debianPackage: 'nvme-cli', optional: true, why: 'NVMe device self-tests (nvme device-self-test, self-test-log): smartctl 7.3 cannot run them' },
  ],
  covers: ['disk'],
  summary: z.object({
    disks: z.array(SmartDiskResult).max(256).meta({ title: 'Disks', part: 'disk' }),
    /** Expected disks found neither as block devices nor behind a RAID controller. */
    missing: z.array(z.string().max(256)).max(256).meta({ title: 'Expected disks not found' }),
    notes: z.array(z.string().max(1000)).max(50).meta({ title: 'Notes' }),
  }),
});
