import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  applyBackspaces,
  BADBLOCKS_MAX_BLOCKS,
  chooseBadblocksBlockSize,
  parseBadblocksOutput,
  parseBadblocksProgress,
} from './badblocks.ts';
import { expectParseError, fixture, truncated } from '../../../parsers/test-fixtures.ts';

const captured = (name: string): string => readFileSync(new URL(`./captured/${name}`, import.meta.url), 'utf8');

describe('parseBadblocksOutput', () => {
  it('reads a clean -svw pass over a loop device', () => {
    const r = parseBadblocksOutput(fixture('badblocks-svw-stdout.txt'), fixture('badblocks-svw-stderr.raw'));
    expect(r).toEqual({
      badBlocks: [],
      counts: { read: 0, write: 0, corruption: 0 },
      total: 0,
      summaryFound: true,
      range: { first: 0, last: 32767 },
      badRanges: [],
    });
  });

  it('reads 32 bad blocks from a device that answers EIO (exit status was 0)', () => {
    const r = parseBadblocksOutput(captured('badblocks-svw-eio-stdout.txt'), captured('badblocks-svw-eio-stderr.raw'));
    expect(r.summaryFound).toBe(true);
    expect(r.total).toBe(32);
    expect(r.counts).toEqual({ read: 32, write: 0, corruption: 0 });
    expect(r.badBlocks).toHaveLength(32);
    expect(r.badRanges).toEqual([{ first: 1024, last: 1055 }]);
  });

  it('says the summary is missing when stderr was cut short', () => {
    const stderr = captured('badblocks-svw-eio-stderr.raw');
    const cut = stderr.slice(0, stderr.indexOf('Pass completed'));
    const r = parseBadblocksOutput(captured('badblocks-svw-eio-stdout.txt'), cut);
    expect(r.summaryFound).toBe(false);
    expect(r.total).toBe(32);
    expect(r.counts.read).toBe(32);
    expect(parseBadblocksOutput('', truncated(fixture('badblocks-svw-stderr.raw'), 0.3)).summaryFound).toBe(false);
    expect(parseBadblocksOutput('', '').summaryFound).toBe(false);
  });

  it('rejects stdout that is not a list of block numbers', () => {
    expectParseError(() => parseBadblocksOutput(fixture('badblocks-svw-stderr.raw'), ''), 'badblocks', /stdout line 1 is not a block number/);
  });
});

describe('parseBadblocksProgress', () => {
  it('takes the latest record from a chunk with backspaces', () => {
    const stderr = captured('badblocks-svw-512m-stderr.raw');
    const upTo = stderr.indexOf('errors)', stderr.indexOf('72.51%')) + 'errors)'.length;
    const p = parseBadblocksProgress(stderr.slice(0, upTo));
    expect(p).toMatchObject({ percent: 72.51, elapsed: '0:01', elapsedS: 1, errorsText: '0/0/0', phase: 'write', pattern: '0xaa' });
  });

  it('follows the phase and error counts through a real run', () => {
    const stderr = captured('badblocks-svw-eio-stderr.raw');
    const p = parseBadblocksProgress(stderr);
    expect(p).toMatchObject({ phase: 'read', pattern: '0x00', errorsText: '32/0/0' });
    const first = parseBadblocksProgress(fixture('badblocks-svw-stderr.raw').slice(0, 160));
    expect(first).toMatchObject({ percent: 0, phase: 'write', pattern: '0xaa' });
  });

  it('returns null when a chunk holds no record', () => {
    expect(parseBadblocksProgress('Checking for bad blocks in read-write mode\n')).toBeNull();
    expect(parseBadblocksProgress('\b\b\b\bdone    \n')).toBeNull();
  });

  it('applies backspaces like a terminal', () => {
    expect(applyBackspaces('abc\b\bX\n')).toBe('aX\n');
  });
});

describe('chooseBadblocksBlockSize', () => {
  const TiB = 2 ** 40;
  it('keeps the 1 KiB default up to 4 TiB, then grows the block', () => {
    expect(chooseBadblocksBlockSize(2 * TiB)).toMatchObject({ blockSize: 1024, coversAll: true });
    expect(chooseBadblocksBlockSize(4 * TiB - 1024).blockSize).toBe(1024);
    expect(chooseBadblocksBlockSize(4 * TiB).blockSize).toBe(4096);
    expect(chooseBadblocksBlockSize(12 * TiB).blockSize).toBe(4096);
    expect(chooseBadblocksBlockSize(20 * TiB).blockSize).toBe(8192);
    const plan = chooseBadblocksBlockSize(18 * TiB);
    expect(plan.blockCount).toBeLessThanOrEqual(BADBLOCKS_MAX_BLOCKS);
    expect(plan.ranges).toEqual([{ first: 0, last: plan.blockCount - 1 }]);
  });
  it('honours a 4Kn sector size and refuses nonsense', () => {
    expect(chooseBadblocksBlockSize(1e9, 4096)).toMatchObject({ blockSize: 4096, blockCount: Math.floor(1e9 / 4096) });
    expect(chooseBadblocksBlockSize(400 * TiB).coversAll).toBe(false);
    expect(() => chooseBadblocksBlockSize(0)).toThrow(RangeError);
    expect(() => chooseBadblocksBlockSize(Number.NaN)).toThrow(RangeError);
  });
});
