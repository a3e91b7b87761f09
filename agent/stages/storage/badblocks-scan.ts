import { applyBackspaces, chooseBadblocksBlockSize, parseBadblocksOutput, parseBadblocksProgress, type BadblocksCounts } from './parsers/badblocks.ts';
import { parseFioErrorLine } from './parsers/fio.ts';
import { badBlockCount, badRangesFailure, describeBadRange, mergeRanges, type BadRange } from './bad-ranges.ts';
import type { ToolRunner } from '../../runtime/tool-runner.ts';
import type { StageProgressUpdate } from '../types.ts';

// The seed's surface scan, kept for profiles that ask for it (surface:
// badblocks): `badblocks -svw`, four patterns (0xaa, 0x55, 0xff, 0x00), each
// written over the span and read back — eight passes, four times the I/O of
// the verified scan.
//
// badblocks lists a block that reads back without error but with other data
// (a "corruption error") late: e2fsprogs 1.47's test_rw() advances its
// position by the chunk just read before comparing that chunk, so it names
// block N + blocks-at-once instead of N (seen on this bench: a corrupted
// 40960-41023 at -b 1024 listed as 41024-41087). Read and write errors are
// listed where they are. So when badblocks reports corruption, the listed
// blocks and the chunk before each are read again and compared with the last
// pattern badblocks wrote (zeros), and the report names what was really found.

/** badblocks' last test pattern: a clean disk reads back all zeros afterwards. */
const LAST_PATTERN = '0x00';
/** Blocks per read/write (-c); also the distance badblocks lists corrupted blocks late by. */
export const BADBLOCKS_BLOCKS_AT_ONCE = 64;
/** badblocks -w writes and reads back four patterns: eight phases of equal length. */
const PHASES = 8;

export interface BadblocksSummary {
  blockSize: number;
  firstBlock: number;
  lastBlock: number;
  badBlocks: number;
  badRanges: string[];
  coveredBytes: number;
  diskBytes: number;
  counts: BadblocksCounts | null;
}

export interface BadblocksScanOptions {
  disk: string;
  device: { path: string; name: string; sizeBytes: number; logicalBlockSize?: number | null };
  limitBytes?: number;
  iodepth: number;
  timeoutMs: number;
  runTool: ToolRunner;
  signal: AbortSignal;
  progress(update: StageProgressUpdate): void;
  upload(name: string, body: string): void;
}

export async function runBadblocksScan(o: BadblocksScanOptions): Promise<{ summary: BadblocksSummary; ranges: BadRange[]; failure: string | null }> {
  const logical = o.device.logicalBlockSize ?? 512;
  const span = Math.min(o.device.sizeBytes, o.limitBytes ?? Number.POSITIVE_INFINITY);
  // badblocks' block size must be a multiple of the sector size (4Kn disks need 4096), and its
  // block numbers are 32-bit: the plan picks a block large enough for the span (one range).
  const plan = chooseBadblocksBlockSize(span, Math.max(1024, logical));
  const range = plan.ranges[0]!;
  const bs = plan.blockSize;
  const args = ['-svw', '-b', String(bs), '-c', String(BADBLOCKS_BLOCKS_AT_ONCE), o.device.path, String(range.last), String(range.first)];
  let phase = -1;
  const started = Date.now();
  const res = await o.runTool('badblocks', args, {
    timeoutMs: o.timeoutMs,
    signal: o.signal,
    onLine: (line, stream) => {
      if (stream !== 'stderr') return;
      if (/^Testing with pattern|^Reading and comparing/.test(line)) phase++;
      const p = parseBadblocksProgress(line);
      if (!p) return;
      const overall = Math.min(100, ((Math.max(0, phase) + p.percent / 100) / PHASES) * 100);
      const elapsedS = (Date.now() - started) / 1000;
      const etaS = overall > 0.5 ? (elapsedS * (100 - overall)) / overall : undefined;
      o.progress({ item: o.disk, percent: overall, etaS, message: `badblocks ${p.phase ?? ''} ${p.percent.toFixed(1)}% (${p.errorsText} errors)`.replace(/\s+/g, ' ') });
    },
  });
  const log = [`$ badblocks ${args.join(' ')}\nexit ${res.exitCode}\n--- stdout ---\n${res.stdout}\n--- stderr ---\n${applyBackspaces(res.stderr)}`];
  try {
    const parsed = parseBadblocksOutput(res.stdout, res.stderr);
    if (!parsed.summaryFound) {
      throw new Error(`badblocks on ${o.device.path} exited ${res.exitCode} without its summary: ${applyBackspaces(res.stderr).trim().split('\n').slice(-2).join(' ').slice(0, 300)}`);
    }
    // badblocks lists blocks without saying which error each had; its counts say which kinds there were.
    const c = parsed.counts;
    const kind = c.write === 0 ? 'unreadable' : c.read === 0 ? 'write-failed' : 'io-error';
    const listed: BadRange[] = parsed.badRanges.map((r) => ({ start: r.first * bs, end: (r.last + 1) * bs, kind }));
    let ranges = listed;
    if (parsed.counts.corruption > 0) ranges = await recheckCorruption(o, listed, bs, range, log);
    ranges = mergeRanges(ranges);
    const described = ranges.map((r) => describeBadRange(r, logical, { size: bs, label: 'badblocks' }));
    const summary: BadblocksSummary = {
      blockSize: bs,
      firstBlock: range.first,
      lastBlock: range.last,
      badBlocks: parsed.total,
      badRanges: described.slice(0, 1000),
      // What the scan reached, so a partial scan (a smoke profile's first MiBs) says so.
      coveredBytes: (range.last - range.first + 1) * bs,
      diskBytes: o.device.sizeBytes,
      counts: parsed.counts,
    };
    // Zero bad blocks is the only pass, whatever badblocks' exit status says.
    const failure = parsed.total > 0 ? badRangesFailure(`badblocks (${parsed.total} bad block(s) of ${bs} B)`, o.device.path, badBlockCount(ranges, logical), described) : null;
    return { summary, ranges, failure };
  } finally {
    o.upload(`badblocks-${o.device.name}.txt`, log.join('\n\n'));
  }
}

/**
 * Finds where corrupted blocks really are: reads every listed block and the
 * chunk before it with fio (O_DIRECT, one badblocks block per I/O), checking
 * for the zeros badblocks wrote last. Blocks that fail to read are unreadable,
 * blocks with other data are corrupted; a listed block explained by neither —
 * nor by a corrupted block up to one chunk before it, which badblocks would
 * list there — stays as listed.
 */
async function recheckCorruption(o: BadblocksScanOptions, listed: BadRange[], bs: number, range: { first: number; last: number }, log: string[]): Promise<BadRange[]> {
  const lag = BADBLOCKS_BLOCKS_AT_ONCE * bs;
  const lo = range.first * bs;
  const hi = (range.last + 1) * bs;
  const windows = mergeRanges(listed.map((r) => ({ start: Math.max(lo, r.start - lag), end: Math.min(hi, r.end), kind: 'listed' as const }))).slice(0, 64);
  const jobs = windows.flatMap((w, i) => [`--name=recheck${i}`, `--offset=${w.start}`, `--size=${w.end - w.start}`]);
  const args = [`--filename=${o.device.path}`, '--direct=1', '--ioengine=libaio', `--iodepth=${o.iodepth}`, '--rw=read', `--bs=${bs}`, '--verify=pattern', `--verify_pattern=${LAST_PATTERN}`, '--verify_state_save=0', '--continue_on_error=all', '--error_dump=1', '--output-format=terse', ...jobs];
  const found: BadRange[] = [];
  const res = await o.runTool('fio', args, {
    timeoutMs: o.timeoutMs,
    signal: o.signal,
    onLine: (line, stream) => {
      if (stream !== 'stderr') return;
      const f = parseFioErrorLine(line);
      if (f) found.push({ start: f.offset, end: f.offset + f.length, kind: f.kind === 'io' ? 'unreadable' : 'corrupted' });
    },
  });
  log.push(`badblocks reported corrupted blocks; re-read to find where they are:\n$ fio ${args.join(' ')}\nexit ${res.exitCode}\n--- stderr ---\n${res.stderr.slice(-100_000)}`);
  if (res.exitCode !== 0 && found.length === 0) throw new Error(`fio could not re-read the blocks badblocks listed on ${o.device.path} (exit ${res.exitCode}): ${res.stderr.trim().split('\n').pop()?.slice(0, 200) ?? ''}`);
  // What the re-read explains: the blocks it found bad, and for each corrupted block the chunk after it (where badblocks lists it).
  const explanations = [...found, ...found.filter((f) => f.kind === 'corrupted').map((c) => ({ ...c, end: c.end + lag }))];
  const unexplained = listed.flatMap((r) => subtract(r, explanations)).map((r) => ({ ...r, kind: 'listed' as const }));
  return [...found, ...unexplained];
}

/** The parts of `r` that no interval in `cut` covers. */
function subtract(r: BadRange, cut: readonly BadRange[]): BadRange[] {
  let parts = [r];
  for (const c of cut) {
    parts = parts.flatMap((p) => {
      if (c.end <= p.start || c.start >= p.end) return [p];
      const out: BadRange[] = [];
      if (c.start > p.start) out.push({ ...p, end: c.start });
      if (c.end < p.end) out.push({ ...p, start: c.end });
      return out;
    });
  }
  return parts;
}
