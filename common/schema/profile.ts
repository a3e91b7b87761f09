import { z } from 'zod';

// Parameters a profile gives each stage. Everything the agent needs to decide
// durations, thresholds and floors arrives in the welcome message, resolved from
// the host's profile, so the agent itself holds no policy.

const DiskClassFloor = z.object({
  /** fio randrw 4k qd32: read+write IOPS must reach this. */
  minIops: z.number().nonnegative(),
  /** fio 99th percentile completion latency (read and write), milliseconds. */
  maxP99Ms: z.number().positive(),
});

export const ProfileParams = z.object({
  heartbeatIntervalS: z.number().positive().max(300),
  /** The orchestrator marks the agent lost after this long without a message. */
  agentLostAfterS: z.number().positive(),
  thermal: z.object({
    intervalS: z.number().positive().max(300),
    /** Default ceiling; a host's own max_temp_c wins. */
    maxTempC: z.number().positive().max(150),
  }),
  inventory: z.object({ timeoutS: z.number().positive() }),
  smart: z.object({
    timeoutS: z.number().positive(),
    /** A disk passes while each count is at most this. */
    maxReallocated: z.number().int().nonnegative(),
    maxPending: z.number().int().nonnegative(),
    maxOfflineUncorrectable: z.number().int().nonnegative(),
    maxMediaErrors: z.number().int().nonnegative(),
    /** ATA attribute 184 (End-to-End error: data corrupted between host and media); default 0. */
    maxEndToEndErrors: z.number().int().nonnegative().default(0),
  }),
  cpuStress: z.object({
    durationS: z.number().positive(),
    /** Share of available memory the vm stressors take in total. */
    vmBytesPercent: z.number().min(1).max(95),
    /** Memory kept free for the live image so stress-ng is not OOM-killed. */
    memoryHeadroomMiB: z.number().int().nonnegative(),
  }),
  storage: z.object({
    timeoutS: z.number().positive(),
    /**
     * Self-test mode: instead of the host's disks, run fio on a scratch file in
     * the agent's work directory. No badblocks, nothing destructive, no disk gates.
     */
    scratchFile: z.boolean().default(false),
    badblocks: z.object({
      enabled: z.boolean(),
      /** Test only the first N bytes of each disk (smoke runs); omitted = whole disk. */
      limitBytes: z.number().int().positive().optional(),
    }),
    fio: z.object({
      runtimeS: z.number().positive(),
      sizeBytes: z.number().int().positive(),
      blockSize: z.string().regex(/^\d+[kKmM]?$/),
      iodepth: z.number().int().positive().max(1024),
      rwmixread: z.number().int().min(0).max(100),
    }),
    floors: z.object({ nvme: DiskClassFloor, ssd: DiskClassFloor, hdd: DiskClassFloor }),
  }),
  network: z.object({
    durationS: z.number().positive(),
    /** Pass when goodput ≥ this fraction of the NIC's negotiated link speed. */
    floorFraction: z.number().gt(0).max(1),
    /** Used when a NIC does not report its link speed (virtual NICs). */
    assumedLinkMbps: z.number().positive(),
    timeoutS: z.number().positive(),
  }),
  gpu: z.object({
    burnS: z.number().positive(),
    maxTempC: z.number().positive(),
    timeoutS: z.number().positive(),
  }),
  psu: z.object({
    burstS: z.number().positive(),
    sampleIntervalMs: z.number().int().positive(),
    /** A rail fails when it dips more than this fraction below its idle value. */
    maxDipFraction: z.number().gt(0).lt(1),
  }),
});
export type ProfileParams = z.infer<typeof ProfileParams>;

export const PROFILE_NAMES = ['standard', 'burn-in', 'smoke', 'selftest'] as const;
export const ProfileName = z.enum(PROFILE_NAMES);
export type ProfileName = z.infer<typeof ProfileName>;
