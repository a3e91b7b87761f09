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
  /** The seed's tool, when the profile asks for it (`surface: 'badblocks'`); null otherwise. */
  badblocks: z
    .object({
      blockSize: z.number().int().positive().meta({ title: 'Block size', format: 'bytes' }),
      firstBlock: z.number().int().nonnegative().meta({ hidden: true }),
      lastBlock: z.number().int().nonnegative().meta({ hidden: true }),
      badBlocks: z.number().int().nonnegative().meta({ title: 'Bad blocks', ceiling: 'maxBadBlocks', measure: true }),
      maxBadBlocks: z.literal(0).default(0).meta({ hidden: true }),
      /** Bad ranges in bytes and in the disk's logical blocks: "bytes 4194304-4227071 (logical blocks 8192-8255 of 512 B): unreadable". */
      badRanges: z.array(z.string().max(300)).max(1000).meta({ title: 'Bad ranges' }),
      /** Bytes the scan read and wrote, and the disk's size: a partial scan says so. */
      coveredBytes: z.number().nonnegative().meta({ title: 'Scanned', format: 'bytes' }),
      diskBytes: z.number().nonnegative().meta({ title: 'Disk size', format: 'bytes' }),
      counts: z.object({ read: z.number(), write: z.number(), corruption: z.number() }).nullable().meta({ hidden: true }),
    })
    .nullable()
    .meta({ title: 'Surface scan (badblocks)' }),
  /** The default surface scan: one write pass of self-checking blocks, one read pass verifying every block. */
  verifiedScan: z
    .object({
      /** fio's I/O size for both passes. */
      ioSize: z.number().int().positive().meta({ title: 'I/O size', format: 'bytes', hidden: true }),
      /** Every interval of this many bytes carries its own header (offset, checksum): the resolution of a corrupted range. */
      verifyInterval: z.number().int().positive().meta({ title: 'Checked every', format: 'bytes' }),
      logicalBlockSize: z.number().int().positive().meta({ title: 'Logical block', format: 'bytes' }),
      /** Logical blocks found unreadable, unwritable or holding other data than written. */
      badBlocks: z.number().int().nonnegative().meta({ title: 'Bad logical blocks', ceiling: 'maxBadBlocks', measure: true }),
      maxBadBlocks: z.literal(0).default(0).meta({ hidden: true }),
      badRanges: z.array(z.string().max(300)).max(1000).meta({ title: 'Bad ranges' }),
      coveredBytes: z.number().nonnegative().meta({ title: 'Scanned', format: 'bytes' }),
      diskBytes: z.number().nonnegative().meta({ title: 'Disk size', format: 'bytes' }),
      writeSeconds: z.number().nonnegative().meta({ title: 'Write pass', format: 'seconds' }),
      readSeconds: z.number().nonnegative().meta({ title: 'Read pass', format: 'seconds' }),
      /** I/O errors and verify failures fio reported (before the bad chunks were re-read block by block). */
      errors: z.object({ read: z.number(), write: z.number(), corruption: z.number() }).meta({ hidden: true }),
    })
    .nullable()
    .optional()
    .meta({ title: 'Surface scan (verified)' }),
  /** How the disk was left after a passing scan, and what the wipe-probe saw on it then. */
  handBack: z
    .object({
      /** "blkdiscard" or "final scan pattern left (why)". */
      method: z.string().max(500).meta({ title: 'Handed back' }),
      discarded: z.boolean().meta({ hidden: true }),
      /** The wipe-probe found no signature after the hand-back. */
      clean: z.boolean().meta({ title: 'No signature left' }),
      /** What the wipe-probe found after the hand-back (empty when clean). */
      found: z.array(z.string().max(512)).max(64).meta({ title: 'Found after hand-back' }),
    })
    .nullable()
    .optional()
    .meta({ title: 'Hand-back' }),
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
  title: 'Wipe-probe, verified surface scan, fio random I/O and a clean hand-back per disk',
  paramsKey: 'storage',
  params: z.object({
    timeoutS: z.number().positive(),
    /**
     * Self-test mode: instead of the host's disks, run fio on a scratch file in
     * the agent's work directory. No badblocks, nothing destructive, no disk gates.
     */
    scratchFile: z.boolean().default(false),
    /**
     * The surface scan: `verified` (default) writes every block once with a
     * pattern carrying its own offset and checksum, then reads every block back
     * and checks it (fio, O_DIRECT, deep queue); `badblocks` runs the seed's
     * `badblocks -svw` (four patterns, eight passes); `off` runs none.
     */
    surface: z.enum(['verified', 'badblocks', 'off']).default('verified'),
    scan: z
      .object({
        /** Test only the first N bytes of each disk (smoke runs); omitted = whole disk. */
        limitBytes: z.number().int().positive().optional(),
        /** Verified scan: bytes per I/O and I/Os in flight. */
        ioSize: z.number().int().min(65536).max(16 * 1024 * 1024).default(1024 * 1024),
        iodepth: z.number().int().positive().max(256).default(32),
      })
      .prefault({}),
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
    { binary: 'fio', debianPackage: 'fio', why: 'verified surface scan (write and check every block), random read/write IOPS and latency' },
    { binary: 'badblocks', debianPackage: 'e2fsprogs', why: "surface scan when a profile asks for the seed's tool (surface: badblocks)" },
    { binary: 'blkdiscard', debianPackage: 'util-linux', why: 'hand a passing disk back discarded where it supports discard' },
  ],
  covers: ['disk'],
  summary: z.object({
    /** Where a gate stopped the stage before anything was written (absent when the disks were tested). */
    stoppedAt: z.enum(['identity', 'safety', 'wipe-probe']).optional().meta({ title: 'Stopped at gate' }),
    unresolved: z
      .array(z.object({ disk: diskRef.disk, problem: z.string().max(1000).meta({ title: 'Problem' }) }))
      .max(256)
      .optional()
      .meta({ title: 'Disks not identified', part: 'disk', absent: true }),
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
