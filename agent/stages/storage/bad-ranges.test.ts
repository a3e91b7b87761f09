import { describe, expect, it } from 'vitest';
import { badBlockCount, badRangesFailure, describeBadRange, mergeRanges, type BadKind } from './bad-ranges.ts';

// The bad places both surface scans report: how they are merged and counted (the count
// decides the Storage stage's result) and the words a technician reads for each.

describe('mergeRanges', () => {
  it('drops empty and inverted ranges: they name no byte', () => {
    expect(mergeRanges([{ start: 512, end: 512, kind: 'unreadable' }, { start: 1024, end: 512, kind: 'corrupted' }])).toEqual([]);
    expect(mergeRanges([{ start: 512, end: 513, kind: 'unreadable' }])).toEqual([{ start: 512, end: 513, kind: 'unreadable' }]);
  });

  it('merges a range into the latest of its kind, not an earlier one it does not touch', () => {
    const merged = mergeRanges([
      { start: 25, end: 40, kind: 'unreadable' },
      { start: 0, end: 10, kind: 'unreadable' },
      { start: 20, end: 30, kind: 'unreadable' },
    ]);
    expect(merged).toEqual([
      { start: 0, end: 10, kind: 'unreadable' },
      { start: 20, end: 40, kind: 'unreadable' },
    ]);
  });

  it('keeps the result in the order of the starts, kinds interleaved', () => {
    const merged = mergeRanges([
      { start: 4096, end: 8192, kind: 'corrupted' },
      { start: 0, end: 8192, kind: 'unreadable' },
      { start: 8192, end: 16384, kind: 'corrupted' },
      { start: 9000, end: 9512, kind: 'unreadable' },
    ]);
    expect(merged.map((r) => [r.start, r.end, r.kind])).toEqual([
      [0, 8192, 'unreadable'],
      [4096, 16384, 'corrupted'],
      [9000, 9512, 'unreadable'],
    ]);
  });
});

describe('badBlockCount', () => {
  it('counts every logical block any range touches once, whatever order the ranges come in', () => {
    // Out of order, one range inside another, one sharing its last block with the one before.
    const ranges = [
      { start: 8192, end: 9216, kind: 'corrupted' as const }, // blocks 16-17
      { start: 0, end: 4096, kind: 'unreadable' as const }, // blocks 0-7
      { start: 1024, end: 1536, kind: 'unreadable' as const }, // block 2, already counted
      { start: 3584, end: 5120, kind: 'corrupted' as const }, // blocks 7-9: 8 and 9 are new
    ];
    expect(badBlockCount(ranges, 512)).toBe(8 + 2 + 2);
    expect(badBlockCount([], 512)).toBe(0);
  });

  it('counts a range that ends inside a block as touching that block', () => {
    expect(badBlockCount([{ start: 4095, end: 4097, kind: 'unreadable' }], 4096)).toBe(2);
    expect(badBlockCount([{ start: 0, end: 1, kind: 'unreadable' }, { start: 4095, end: 4096, kind: 'corrupted' }], 4096)).toBe(1);
  });
});

describe('describeBadRange', () => {
  it('names every kind in words a technician reads', () => {
    const words: Record<BadKind, string> = {
      unreadable: 'unreadable (I/O error)',
      corrupted: 'read back other data than was written',
      'write-failed': 'write failed (I/O error)',
      'io-error': 'I/O error (read or write)',
      'unreadable-once': 'unreadable once (I/O error), read correctly when read again',
      'corrupted-once': 'read back other data once, correct when read again',
      listed: 'listed by badblocks, not seen again when re-read',
    };
    for (const [kind, text] of Object.entries(words)) {
      expect(describeBadRange({ start: 0, end: 512, kind: kind as BadKind }, 512)).toBe(`bytes 0-511 (logical block 0 of 512 B): ${text}`);
    }
  });

  it('adds the tool\'s own block numbers only when its block size differs, one block or several', () => {
    const r = { start: 4096, end: 5120, kind: 'listed' as const };
    expect(describeBadRange(r, 512, { size: 512, label: 'badblocks' })).toBe('bytes 4096-5119 (logical blocks 8-9 of 512 B): listed by badblocks, not seen again when re-read');
    expect(describeBadRange(r, 512, { size: 4096, label: 'badblocks' })).toBe('bytes 4096-5119 (logical blocks 8-9 of 512 B; badblocks block 1 of 4096 B): listed by badblocks, not seen again when re-read');
    expect(describeBadRange({ start: 4096, end: 12288, kind: 'listed' }, 512, { size: 4096, label: 'badblocks' })).toMatch(/; badblocks blocks 1-2 of 4096 B\)/);
  });
});

describe('badRangesFailure', () => {
  const described = (n: number) => Array.from({ length: n }, (_, i) => `range ${i + 1}`);

  it('says how many blocks, on which device, and the ranges', () => {
    expect(badRangesFailure('the verified scan', '/dev/sdb', 3, described(2))).toBe('the verified scan found 3 bad logical block(s) on /dev/sdb: range 1; range 2');
  });

  it('lists five ranges at most and counts the rest', () => {
    expect(badRangesFailure('it', '/dev/sdb', 9, described(5))).toBe('it found 9 bad logical block(s) on /dev/sdb: range 1; range 2; range 3; range 4; range 5');
    expect(badRangesFailure('it', '/dev/sdb', 9, described(7))).toBe('it found 9 bad logical block(s) on /dev/sdb: range 1; range 2; range 3; range 4; range 5 and 2 more range(s)');
  });

  it('says so when no range was listed', () => {
    expect(badRangesFailure('badblocks (4 bad block(s) of 4096 B)', '/dev/sdc', 32, [])).toBe('badblocks (4 bad block(s) of 4096 B) found 32 bad logical block(s) on /dev/sdc: range not listed');
  });
});
