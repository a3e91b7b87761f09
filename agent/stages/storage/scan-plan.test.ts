import { describe, expect, it } from 'vitest';
import { planVerifiedScan, plannedBytes } from './verified-scan.ts';
import { BADBLOCKS_MAX_BLOCKS, chooseBadblocksBlockSize } from './parsers/badblocks.ts';
import { parseBlueStoreLabelPrefix } from './bluestore-label.ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// How the verified scan divides a disk into fio jobs, by the arithmetic of
// bytes and blocks: every byte of disks far beyond badblocks' 32-bit block
// numbers is covered. (test/integration/agent-storage.test.ts writes and reads
// the last blocks of a real 17 TiB sparse loop device.)

const MiB = 1024 ** 2;
const TiB = 1024 ** 4;
const first = () => 0;
const last = (_min: number, max: number) => max - 1;

describe('planVerifiedScan', () => {
  it.each([
    ['an 18 TB 512e drive', 18_000_207_937_536, 512],
    ['a 22 TB 4Kn drive', 22_000_969_973_760, 4096],
    ['a 30.72 TB NVMe namespace', 30_720_383_410_176, 512],
    ['17 TiB exactly', 17 * TiB, 512],
  ])('covers every byte of %s, past 2³² blocks', (_what, size, logical) => {
    const jobs = planVerifiedScan(0, size, logical, MiB, first);
    expect(plannedBytes(jobs)).toBe(size);
    expect(jobs[0]).toMatchObject({ name: 'body', offset: 0, ioSize: MiB, verifyInterval: 4096 });
    expect(jobs[0]!.size % MiB).toBe(0);
    const tail = jobs[1];
    if (tail) {
      expect(tail).toMatchObject({ name: 'tail', offset: jobs[0]!.size, ioSize: logical, verifyInterval: logical });
      expect(tail.size).toBeLessThan(MiB);
    }
    // The disk's last logical block lies beyond what a 32-bit block number (badblocks) can name.
    expect(size / logical - 1).toBeGreaterThan(BADBLOCKS_MAX_BLOCKS);
    for (const j of jobs) expect(Number.isSafeInteger(j.offset + j.size)).toBe(true);
  });

  it('scans only the asked-for window, in whole logical blocks', () => {
    const jobs = planVerifiedScan(17 * TiB - 64 * MiB, 17 * TiB, 512, MiB, first);
    expect(jobs).toEqual([{ name: 'body', offset: 17 * TiB - 64 * MiB, size: 64 * MiB, ioSize: MiB, verifyInterval: 4096, verifyOffset: 48 }]);
    // A limit that is not a whole number of blocks stops at the last whole block.
    expect(plannedBytes(planVerifiedScan(0, 3 * MiB + 1000, 512, MiB, first))).toBe(3 * MiB + 512);
  });

  it('puts the header only where fio 3.33 verifies it: clear of its own 44 bytes at either end', () => {
    const lo = planVerifiedScan(0, MiB + 512, 512, MiB, first);
    const hi = planVerifiedScan(0, MiB + 512, 512, MiB, last);
    // Measured on a loop device: verify_offset 40 fails every interval's checksum, 44..4052 of 4096 verify.
    expect(lo.map((j) => j.verifyOffset)).toEqual([48, 48]);
    expect(hi.map((j) => j.verifyOffset)).toEqual([4048, 464]);
    for (const j of [...lo, ...hi]) {
      expect(j.verifyOffset).toBeGreaterThanOrEqual(44);
      expect(j.verifyOffset + 44).toBeLessThanOrEqual(j.verifyInterval);
    }
  });

  it('refuses a span it cannot cover', () => {
    expect(() => planVerifiedScan(0, 0, 512, MiB)).toThrow(RangeError);
    expect(() => planVerifiedScan(100, MiB, 512, MiB)).toThrow(/not a multiple of the 512-byte logical block/);
    expect(() => planVerifiedScan(0, 100, 512, MiB)).toThrow(/smaller than one 512-byte logical block/);
  });
});

describe('badblocks on the same drives', () => {
  it('needs 8 KiB blocks past 16 TiB (its block numbers are 32-bit) and runs one range', () => {
    const plan = chooseBadblocksBlockSize(18_000_207_937_536, 1024);
    expect(plan).toMatchObject({ blockSize: 8192, coversAll: true });
    expect(plan.ranges).toHaveLength(1);
    // With its default 1 KiB block it could not even name the end of a 5 TB disk.
    expect(Math.floor(5e12 / 1024)).toBeGreaterThan(BADBLOCKS_MAX_BLOCKS);
  });
});

describe('parseBlueStoreLabelPrefix', () => {
  const image = readFileSync(join(import.meta.dirname, 'parsers/captured/bluestore-util-linux.img'));
  it('reads the OSD from a real label and nothing from other bytes', () => {
    expect(parseBlueStoreLabelPrefix(image.subarray(0, 60))).toEqual({ osdUuid: '2f538ea4-e252-4b61-a363-0a1e470dd2a9' });
    expect(parseBlueStoreLabelPrefix(image.subarray(4096, 4156))).toBeNull();
    expect(parseBlueStoreLabelPrefix(Buffer.from('bluestore block device\nnot-a-uuid'))).toEqual({ osdUuid: null });
    expect(parseBlueStoreLabelPrefix(Buffer.from('bluestore block'))).toBeNull();
  });
});
