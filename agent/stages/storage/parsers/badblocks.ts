import { ParseError } from '../../../parsers/parse-error.ts';

// badblocks (e2fsprogs 1.47) with -s -v: bad block numbers go to stdout, one per line;
// progress and the summary go to stderr, the progress being rewritten in place with
// backspaces. badblocks exits 0 even when it found bad blocks, so the summary line
// "Pass completed, N bad blocks found. (r/w/c errors)" is the verdict; without it (killed,
// truncated) the stage must report an error, not a pass.

const TOOL = 'badblocks';

export interface BadblocksCounts {
  read: number;
  write: number;
  corruption: number;
}

export interface BadblocksResult {
  /** Block numbers (in the -b block size used) badblocks listed on stdout. */
  badBlocks: number[];
  counts: BadblocksCounts;
  /** Bad blocks per the summary (or the stdout list when the summary is missing). */
  total: number;
  summaryFound: boolean;
  /** The tested range badblocks announced ("From block 0 to 32767" / "Checking blocks 0 to 15"). */
  range: { first: number; last: number } | null;
  /** Contiguous runs of bad blocks, for naming "the bad range" in a report. */
  badRanges: { first: number; last: number }[];
}

const SUMMARY = /Pass completed, (\d+) bad blocks found\.(?: \((\d+)\/(\d+)\/(\d+) errors\))?/;
const RANGE = /(?:From block|Checking blocks) (\d+) to (\d+)/;
const PROGRESS = /(\d+(?:\.\d+)?)% done, ((?:\d+:)?\d+:\d\d) elapsed\. \((\d+)\/(\d+)\/(\d+) errors\)/g;

/** Applies backspaces the way a terminal would, so rewritten progress reads as plain text. */
export function applyBackspaces(text: string): string {
  if (!text.includes('\b')) return text;
  const out: string[] = [];
  for (const ch of text) {
    if (ch === '\b') {
      if (out.length && out[out.length - 1] !== '\n') out.pop();
    } else out.push(ch);
  }
  return out.join('');
}

export function parseBadblocksOutput(stdout: string, stderr: string): BadblocksResult {
  if (typeof stdout !== 'string' || typeof stderr !== 'string') throw new ParseError(TOOL, 'input is not text');
  const badBlocks: number[] = [];
  for (const [i, raw] of stdout.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line === '') continue;
    if (!/^\d+$/.test(line)) {
      throw new ParseError(TOOL, `stdout line ${i + 1} is not a block number: "${line.slice(0, 120)}"`);
    }
    badBlocks.push(Number(line));
  }

  const err = applyBackspaces(stderr);
  const rangeMatch = RANGE.exec(err);
  const range = rangeMatch ? { first: Number(rangeMatch[1]), last: Number(rangeMatch[2]) } : null;
  // With several passes (-p) the last summary is the one that counts.
  const summaries = [...err.matchAll(new RegExp(SUMMARY.source, 'g'))];
  const summary = summaries.at(-1);
  let counts: BadblocksCounts = { read: 0, write: 0, corruption: 0 };
  let total = badBlocks.length;
  if (summary) {
    total = Number(summary[1]);
    if (summary[2] !== undefined) {
      counts = { read: Number(summary[2]), write: Number(summary[3]), corruption: Number(summary[4]) };
    }
  } else {
    // No verdict: keep the last counts badblocks showed, so the error report says how far it got.
    // (On the raw text: applying the backspaces erases the progress records.)
    const last = [...stderr.replace(/\x08/g, '\n').matchAll(PROGRESS)].at(-1);
    if (last) counts = { read: Number(last[3]), write: Number(last[4]), corruption: Number(last[5]) };
  }
  const unique = [...new Set(badBlocks)].sort((a, b) => a - b);
  return { badBlocks: unique, counts, total, summaryFound: summary !== undefined, range, badRanges: toRanges(unique) };
}

function toRanges(sorted: number[]): { first: number; last: number }[] {
  const out: { first: number; last: number }[] = [];
  for (const b of sorted) {
    const cur = out[out.length - 1];
    if (cur && b === cur.last + 1) cur.last = b;
    else out.push({ first: b, last: b });
  }
  return out;
}

export interface BadblocksProgress {
  /** Percent of the current phase (each pattern is written, then read back). */
  percent: number;
  /** As badblocks prints it: "m:ss" or "h:mm:ss". */
  elapsed: string;
  elapsedS: number;
  /** "r/w/c" error counts so far, as printed. */
  errorsText: string;
  errors: BadblocksCounts;
  /** The phase the record belongs to, when the chunk names it. */
  phase: 'write' | 'read' | 'readonly' | null;
  /** The pattern being written ("0xaa"), when the chunk names it. */
  pattern: string | null;
}

/**
 * The latest progress record in a chunk of badblocks -s stderr (backspaces and all), or
 * null when the chunk holds none. Chunks may split records: the caller can keep the tail.
 */
export function parseBadblocksProgress(chunk: string): BadblocksProgress | null {
  if (typeof chunk !== 'string') return null;
  const text = chunk.replace(/\x08/g, '\n');
  const all = [...text.matchAll(PROGRESS)];
  const last = all.at(-1);
  if (!last || last.index === undefined) return null;
  const before = text.slice(0, last.index);
  const phases = [...before.matchAll(/(Testing with pattern (0x[0-9a-f]+|random)|Reading and comparing|Checking for bad blocks \(read-only test\))/gi)];
  const ph = phases.at(-1);
  let phase: BadblocksProgress['phase'] = null;
  if (ph?.[1]?.startsWith('Testing')) phase = 'write';
  else if (ph?.[1]?.startsWith('Reading')) phase = 'read';
  else if (ph) phase = 'readonly';
  const patterns = [...before.matchAll(/Testing with pattern (0x[0-9a-f]+|random)/gi)];
  const elapsed = last[2] ?? '0:00';
  const parts = elapsed.split(':').map(Number);
  const elapsedS = parts.reduce((s, p) => s * 60 + p, 0);
  return {
    percent: Number(last[1]),
    elapsed,
    elapsedS,
    errorsText: `${last[3]}/${last[4]}/${last[5]}`,
    errors: { read: Number(last[3]), write: Number(last[4]), corruption: Number(last[5]) },
    phase,
    pattern: patterns.at(-1)?.[1] ?? null,
  };
}

/** badblocks keeps block numbers in 32 bits: the last block it can test is 2^32 - 2
 *  ("invalid end block (4294967296): must be 32-bit value" for 4294967295), so at most
 *  2^32 - 1 blocks per run. */
export const BADBLOCKS_MAX_BLOCKS = 2 ** 32 - 1;
const BLOCK_SIZES = [1024, 4096, 8192, 16384, 32768, 65536];

export interface BadblocksPlan {
  /** Value for -b. */
  blockSize: number;
  /** Blocks of that size in the tested span. */
  blockCount: number;
  /** first/last block arguments; one range (the whole span) when it fits. */
  ranges: { first: number; last: number }[];
  /** False when even 64 KiB blocks cannot cover the span (over ~256 TiB): only the start is tested. */
  coversAll: boolean;
}

/**
 * Picks badblocks' -b so the block count fits its 32-bit limit: 1 KiB (its default) up to
 * 4 TiB, 4 KiB up to 16 TiB, then larger blocks (the real binary accepts -b 65536). Ranges
 * do not get around the limit — first/last are 32-bit too — so a bigger block is the way.
 * `minBlockSize` lets the stage pass the disk's logical sector size (4Kn disks need ≥ 4096).
 */
export function chooseBadblocksBlockSize(sizeBytes: number, minBlockSize = 1024): BadblocksPlan {
  if (!Number.isFinite(sizeBytes) || sizeBytes <= 0) throw new RangeError(`disk size ${sizeBytes} is not a positive number`);
  const candidates = BLOCK_SIZES.filter((b) => b >= minBlockSize);
  if (candidates.length === 0) candidates.push(minBlockSize);
  for (const blockSize of candidates) {
    const blockCount = Math.floor(sizeBytes / blockSize);
    if (blockCount <= BADBLOCKS_MAX_BLOCKS) {
      if (blockCount === 0) throw new RangeError(`disk size ${sizeBytes} is smaller than one ${blockSize}-byte block`);
      return { blockSize, blockCount, ranges: [{ first: 0, last: blockCount - 1 }], coversAll: true };
    }
  }
  const blockSize = candidates[candidates.length - 1]!;
  return {
    blockSize,
    blockCount: BADBLOCKS_MAX_BLOCKS,
    ranges: [{ first: 0, last: BADBLOCKS_MAX_BLOCKS - 1 }],
    coversAll: false,
  };
}
