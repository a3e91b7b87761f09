import { z } from 'zod';
import { WipeProbeHit } from '../schema/wipe-probe.ts';
import { defineStage } from './define.ts';

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

export const storageStage = defineStage({
  name: 'Storage',
  owner: 'agent',
  destructive: true,
  title: 'Wipe-probe, surface scan and fio random I/O per disk',
  paramsKey: 'storage',
  params: z.object({
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
  timeoutS: (p) => p.timeoutS,
  // The ETA issue refines this from the disks' sizes; a whole-disk scan has no fixed length.
  expectedS: (p) => p.fio.runtimeS + 60,
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
