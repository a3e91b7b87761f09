import { z } from 'zod';
import { WipeProbeHit } from '../schema/wipe-probe.ts';
import { defineStage, type EstimateHost } from './define.ts';

const DiskClassFloor = z.object({
  /** fio randrw 4k qd32: read+write IOPS must reach this. */
  minIops: z.number().nonnegative(),
  /** fio 99th percentile completion latency (read and write), milliseconds. */
  maxP99Ms: z.number().positive(),
});

const diskRef = { disk: z.string().max(256).meta({ title: 'Disk', partId: true }), device: z.string().max(256).meta({ title: 'Device' }) };

export const StorageDiskResult = z.object({
  ...diskRef,
  diskClass: z.enum(['nvme', 'ssd', 'hdd']).meta({ title: 'Class' }),
  outcome: z.enum(['passed', 'failed', 'error']).meta({ title: 'Result' }),
  reasons: z.array(z.string().max(1000)).max(50).meta({ title: 'Reasons' }),
  badblocks: z
    .object({
      blockSize: z.number().int().positive().meta({ title: 'Block size', format: 'bytes' }),
      firstBlock: z.number().int().nonnegative().meta({ hidden: true }),
      lastBlock: z.number().int().nonnegative().meta({ hidden: true }),
      badBlocks: z.number().int().nonnegative().meta({ title: 'Bad blocks', ceiling: 'maxBadBlocks', measure: true }),
      maxBadBlocks: z.literal(0).default(0).meta({ hidden: true }),
      /** Bad ranges in bytes and blocks: "bytes 4096-36863 (blocks 4-35 of 1024 B)". */
      badRanges: z.array(z.string().max(200)).max(1000).meta({ title: 'Bad ranges' }),
      /** Bytes the scan read and wrote, and the disk's size: a partial scan says so. */
      coveredBytes: z.number().nonnegative().meta({ title: 'Scanned', format: 'bytes' }),
      diskBytes: z.number().nonnegative().meta({ title: 'Disk size', format: 'bytes' }),
      counts: z.object({ read: z.number(), write: z.number(), corruption: z.number() }).nullable().meta({ hidden: true }),
    })
    .nullable()
    .meta({ title: 'Surface scan' }),
  fio: z
    .object({
      iops: z.number().nonnegative().meta({ title: 'IOPS', floor: 'minIops', measure: true }),
      readIops: z.number().nonnegative().meta({ title: 'Read IOPS', hidden: true }),
      writeIops: z.number().nonnegative().meta({ title: 'Write IOPS', hidden: true }),
      p99Ms: z.number().nonnegative().nullable().meta({ title: 'p99', unit: 'ms', ceiling: 'maxP99Ms', measure: true }),
      ioError: z.string().max(1000).nullable().optional().meta({ title: 'I/O error' }),
      minIops: z.number().nonnegative().meta({ title: 'IOPS floor' }),
      maxP99Ms: z.number().positive().meta({ title: 'p99 ceiling', unit: 'ms' }),
    })
    .nullable()
    .meta({ title: 'Random I/O (fio)' }),
});
export type StorageDiskResult = z.infer<typeof StorageDiskResult>;

const StorageParams = z.object({
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
});

/**
 * Bytes a second `badblocks -w` moves on one disk of each class, writing or
 * reading (one thread, 64 blocks at a time): what a scan is estimated at until
 * its own progress says how fast this disk goes. A 4 TB hard disk: 8 passes of
 * 4 TB at 150 MB/s, about 59 hours.
 */
export const SCAN_BYTES_PER_S = { nvme: 1_000e6, ssd: 400e6, hdd: 150e6 } as const;
/** badblocks -w writes four patterns and reads each back: eight passes over the range. */
export const SCAN_PASSES = 8;
/** A disk whose size is not known yet (no inventory, no spec) is estimated as a hard disk this large. */
const UNKNOWN_DISK_BYTES = 1e12;
/** The gates before the first write (identity, allowlist, wipe-probe: tens of ms a disk, docs/performance.md). */
const GATES_S = 0.5;
/** Tool reports still uploading when the last tool ends. */
const UPLOADS_S = 0.3;

type StorageParams = z.infer<typeof StorageParams>;
const fioS = (p: StorageParams) => p.fio.runtimeS + 0.3; // and its start and end
function diskS(p: StorageParams, d: EstimateHost['disks'][number]): number {
  if (!p.badblocks.enabled) return fioS(p);
  const bytes = Math.min(d.bytes ?? UNKNOWN_DISK_BYTES, p.badblocks.limitBytes ?? Number.POSITIVE_INFINITY);
  return (SCAN_PASSES * bytes) / SCAN_BYTES_PER_S[d.diskClass ?? 'hdd'] + fioS(p);
}

export const storageStage = defineStage({
  name: 'Storage',
  owner: 'agent',
  destructive: true,
  title: 'Wipe-probe, surface scan and fio random I/O per disk',
  paramsKey: 'storage',
  params: StorageParams,
  timeoutS: (p) => p.timeoutS,
  // Every disk at once: the stage lasts as long as its slowest disk's scan and fio.
  expectedS: (p, host) => GATES_S + (p.scratchFile ? fioS(p) : Math.max(0, ...host.disks.map((d) => diskS(p, d)))),
  remainingS: (p, host, progress, elapsedS) => {
    // One item per disk. The agent's messages name the tool (agent/stages/storage/disk-test.ts):
    // a disk still scanning has its fio to come; its scan's etaS is its own measured throughput.
    const items = progress.filter((i) => i.item !== null);
    if (items.length === 0) return null;
    const left: number[] = [];
    for (const i of items) {
      const own = i.etaS !== null ? Math.max(0, i.etaS - i.ageS) : null;
      if (/^fio\b/.test(i.message ?? '')) left.push(own ?? p.fio.runtimeS * (1 - (i.percent ?? 0) / 100));
      else if (own !== null) left.push(own + fioS(p));
      else return null; // a scan too young to say its pace
    }
    // Disks that have said nothing yet: what the model gives them, less the time spent.
    if (items.length < host.disks.length) left.push(Math.max(0, Math.max(...host.disks.map((d) => diskS(p, d))) - elapsedS));
    return Math.max(...left) + UPLOADS_S;
  },
  tools: [
    { binary: 'wipefs', debianPackage: 'util-linux', why: 'wipe-probe: filesystem, RAID and partition signatures' },
    { binary: 'blkid', debianPackage: 'util-linux', why: 'wipe-probe: a second signature probe' },
    { binary: 'badblocks', debianPackage: 'e2fsprogs', why: 'write and read back every block' },
    { binary: 'fio', debianPackage: 'fio', why: 'random read/write IOPS and latency' },
  ],
  covers: ['disk'],
  summary: z.object({
    /** Where a gate stopped the stage before anything was written (absent when the disks were tested). */
    stoppedAt: z.enum(['identity', 'safety', 'wipe-probe']).optional().meta({ title: 'Stopped at gate' }),
    unresolved: z
      .array(z.object({ disk: diskRef.disk, problem: z.string().max(1000).meta({ title: 'Problem' }) }))
      .max(256)
      .optional()
      .meta({ title: 'Disks not identified', part: 'disk' }),
    refused: z
      .array(z.object({ ...diskRef, reasons: z.array(z.string().max(1000)).max(50).meta({ title: 'Reasons' }) }))
      .max(256)
      .optional()
      .meta({ title: 'Disks refused by the safety gate', part: 'disk' }),
    unprobed: z
      .array(z.object({ ...diskRef, error: z.string().max(1000).meta({ title: 'Error' }) }))
      .max(256)
      .optional()
      .meta({ title: 'Disks the wipe-probe could not read', part: 'disk' }),
    unexpectedData: z.array(WipeProbeHit).max(256).optional().meta({ title: 'Data found', part: 'disk' }),
    /** Findings a supervisor waived for this attempt: these disks were overwritten anyway. */
    overridden: z.array(WipeProbeHit).max(256).meta({ title: 'Wipe-probe findings overridden', part: 'disk' }),
    disks: z.array(StorageDiskResult).max(256).optional().meta({ title: 'Disks', part: 'disk' }),
    /** Self-test mode: fio ran on a scratch file; no disk of the host was opened. */
    scratchFile: z.boolean().optional().meta({ title: 'Scratch file only' }),
  }),
});
