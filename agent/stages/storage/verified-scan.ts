import { randomInt } from 'node:crypto';
import { takeOutputFile } from '../../runtime/take-output-file.ts';
import { join } from 'node:path';
import { fioJsonFromOutputFile, parseFioErrorLine, parseFioJson, parseFioStatusLine, type FioIoFailure, type FioJob, type FioVerifyFailure } from './parsers/fio.ts';
import { badBlockCount, badRangesFailure, describeBadRange, mergeRanges, type BadRange } from './bad-ranges.ts';
import { ToolInfraError, type ToolRunner } from '../../runtime/tool-runner.ts';
import type { StageProgressUpdate } from '../types.ts';

// The verified surface scan: the physical floor for proving every block of a
// disk writable and readable with the right data is one write pass and one
// read pass, which is what this does, with fio at device speed (O_DIRECT,
// libaio, a deep queue, 1 MiB I/Os).
//
// Both passes run in one fio process (a second one cost up to half a second
// of start-up on this bench), as two groups of jobs: the write jobs, then —
// behind a stonewall, once every write has finished — the read jobs.
//
// Write pass: fio writes the span sequentially with verify=crc32c, so every
// `verifyInterval` bytes (4 KiB, or the logical block if larger) begin with a
// header holding the interval's own offset and a checksum of its random data.
// Read pass: fio replays the same job with verify_only and checks every
// interval: its magic, its length, that the offset it carries is where it was
// read from (a misdirected write shows), and the checksum (flipped bits show).
// The header sits at a byte position (verify_offset) drawn afresh for each
// scan, so a block still holding an earlier scan's pattern — a write the disk
// silently dropped — has no header where this scan looks, and fails.
//
// fio stops checking an I/O at its first bad header (a bad checksum it reports
// interval by interval), and reports a failed read for the whole 1 MiB I/O. So each 1 MiB chunk that failed is read again
// one verify interval at a time, and intervals that cannot be read one logical
// block at a time: every bad range is named in bytes and in logical blocks.
// Without --error_dump fio counts I/O errors under continue_on_error but does
// not say where they were (fio 3.33), so it is always on.

/** One fio job of a pass: the 1 MiB body of the span, or its tail in logical blocks. */
export interface ScanJob {
  name: 'body' | 'tail';
  offset: number;
  size: number;
  ioSize: number;
  verifyInterval: number;
  /** Where in each interval fio puts its header (see drawVerifyOffset). */
  verifyOffset: number;
}

/**
 * fio 3.33's crc32c verify header is 40 bytes plus a 4-byte checksum. fio
 * accepts verify_offset ≥ 40, but measured on this bench every offset below 44
 * makes every interval fail its checksum (the swapped header overlaps
 * itself), and one above interval − 44 breaks the header: offsets are drawn
 * in 8-byte steps from 48 to interval − 48.
 */
const HEADER_MARGIN = 48;
/** Runs of failed chunks re-read after a failure; beyond it they are reported as fio saw them (whole I/Os). */
const MAX_REFINED_CHUNKS = 64;
/** Failures kept from one pass; past this a disk is plainly bad and the pass is stopped. */
const MAX_FAILURES = 4096;

function drawVerifyOffset(interval: number, draw: (min: number, max: number) => number): number {
  const steps = Math.floor((interval - 2 * HEADER_MARGIN) / 8);
  return HEADER_MARGIN + 8 * draw(0, steps + 1);
}

/**
 * The jobs that cover [start, end) exactly: whole I/Os, then the rest (a disk
 * need not be a multiple of 1 MiB) in logical blocks. The arithmetic is in
 * bytes with 64-bit offsets, so there is no block-count limit (badblocks
 * stops at 2³² − 1 blocks).
 */
export function planVerifiedScan(
  start: number,
  end: number,
  logicalBlockSize: number,
  ioSize: number,
  draw: (min: number, max: number) => number = randomInt,
): ScanJob[] {
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end <= start) throw new RangeError(`scan span ${start}..${end} is empty or not whole bytes`);
  if (start % logicalBlockSize !== 0) throw new RangeError(`scan start ${start} is not a multiple of the ${logicalBlockSize}-byte logical block`);
  const interval = Math.max(4096, logicalBlockSize);
  if (ioSize % interval !== 0) throw new RangeError(`I/O size ${ioSize} is not a multiple of the ${interval}-byte verify interval`);
  const span = end - start;
  const body = Math.floor(span / ioSize) * ioSize;
  const tail = Math.floor((span - body) / logicalBlockSize) * logicalBlockSize;
  const jobs: ScanJob[] = [];
  if (body > 0) jobs.push({ name: 'body', offset: start, size: body, ioSize, verifyInterval: interval, verifyOffset: drawVerifyOffset(interval, draw) });
  if (tail > 0) jobs.push({ name: 'tail', offset: start + body, size: tail, ioSize: logicalBlockSize, verifyInterval: logicalBlockSize, verifyOffset: drawVerifyOffset(logicalBlockSize, draw) });
  if (jobs.length === 0) throw new RangeError(`scan span of ${span} bytes is smaller than one ${logicalBlockSize}-byte logical block`);
  return jobs;
}

/** Bytes the jobs cover. */
export const plannedBytes = (jobs: readonly ScanJob[]) => jobs.reduce((n, j) => n + j.size, 0);

export interface VerifiedScanOptions {
  disk: string;
  device: { path: string; name: string; sizeBytes: number; logicalBlockSize?: number | null };
  /** Bytes [start, end) to scan; default the whole disk. */
  start?: number;
  end?: number;
  ioSize: number;
  iodepth: number;
  timeoutMs: number;
  runTool: ToolRunner;
  signal: AbortSignal;
  workDir: string;
  progress(update: StageProgressUpdate): void;
  upload(name: string, body: string): void;
  /** For tests: where the header goes (default: drawn at random). */
  draw?: (min: number, max: number) => number;
}

export interface VerifiedScanSummary {
  ioSize: number;
  verifyInterval: number;
  logicalBlockSize: number;
  badBlocks: number;
  maxBadBlocks: 0;
  badRanges: string[];
  coveredBytes: number;
  diskBytes: number;
  writeSeconds: number;
  readSeconds: number;
  errors: { read: number; write: number; corruption: number };
}

export interface VerifiedScanResult {
  summary: VerifiedScanSummary;
  ranges: BadRange[];
  /** Null when every block was written and read back as written. */
  failure: string | null;
}

type Failure = FioIoFailure | FioVerifyFailure;

interface PassResult {
  failures: Failure[];
  /** fio's report of each job (empty when the run was stopped early). */
  jobs: FioJob[];
  seconds: number;
  stoppedEarly: boolean;
  log: string;
}

const safeName = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, '_').slice(-80);

/** The write jobs, then the read jobs behind a stonewall (a job option: it waits for every job before it). */
function scanJobArgs(jobs: readonly ScanJob[]): string[][] {
  const own = (j: ScanJob, direction: 'write' | 'read') => [`--name=${direction}-${j.name}`, `--offset=${j.offset}`, `--size=${j.size}`, `--bs=${j.ioSize}`, `--verify_interval=${j.verifyInterval}`, `--verify_offset=${j.verifyOffset}`];
  return [...jobs.map((j) => [...own(j, 'write'), '--do_verify=0']), ...jobs.map((j, i) => [...own(j, 'read'), ...(i === 0 ? ['--stonewall'] : []), '--verify_only=1'])];
}

const sum = (jobs: readonly FioJob[], prefix: string, pick: (j: FioJob) => number) => jobs.filter((j) => j.name.startsWith(prefix)).reduce((n, j) => n + pick(j), 0);
const longest = (jobs: readonly FioJob[], prefix: string) => Math.max(0, ...jobs.filter((j) => j.name.startsWith(prefix)).map((j) => j.runtimeMs)) / 1000;

/**
 * One fio run over `jobs`. Failures are parsed from stderr as they come, so a
 * disk that fails everywhere is stopped after MAX_FAILURES instead of filling
 * memory; the JSON report (io_bytes) says how much was really moved.
 */
async function runPass(
  o: VerifiedScanOptions,
  label: string,
  globalArgs: string[],
  jobs: string[][],
  onStatus?: (line: string) => void,
): Promise<PassResult> {
  const outFile = join(o.workDir, `scan-${safeName(o.device.name)}-${label}-${process.pid}-${Date.now()}.json`);
  const args = [...globalArgs, '--output-format=json', `--output=${outFile}`, ...(onStatus ? ['--eta=always', '--eta-newline=1'] : []), ...jobs.flat()];
  const failures: Failure[] = [];
  // Our own stop (too many failures), kept apart from the stage's cancellation.
  const stop = new AbortController();
  const forward = () => stop.abort();
  if (o.signal.aborted) stop.abort();
  o.signal.addEventListener('abort', forward, { once: true });
  let stoppedEarly = false;
  const started = Date.now();
  let exit: number | string;
  let stderr = '';
  try {
    const res = await o.runTool('fio', args, {
      timeoutMs: o.timeoutMs,
      signal: stop.signal,
      onLine: (line, stream) => {
        if (stream === 'stdout') return onStatus?.(line);
        const f = parseFioErrorLine(line);
        if (!f) return;
        if (failures.length >= MAX_FAILURES) {
          stoppedEarly = true;
          stop.abort();
          return;
        }
        failures.push(f);
      },
    });
    exit = res.exitCode;
    stderr = res.stderr;
  } catch (err) {
    if (!(stoppedEarly && !o.signal.aborted && err instanceof ToolInfraError && err.kind === 'cancelled')) throw err;
    exit = 'stopped';
  } finally {
    o.signal.removeEventListener('abort', forward);
  }
  const seconds = (Date.now() - started) / 1000;
  const json = await takeOutputFile(outFile);
  const log = `$ fio ${args.join(' ')}\nexit ${exit}\n--- stderr (failures and messages) ---\n${stderr.slice(-200_000)}\n--- JSON ---\n${json.slice(0, 200_000)}\n`;
  if (stoppedEarly) return { failures, jobs: [], seconds, stoppedEarly, log };
  if (!json.trim()) throw new Error(`fio (${label}) on ${o.device.path} exited ${exit} without a JSON report: ${stderr.trim().split('\n').slice(-2).join(' ').slice(0, 300)}`);
  const parsed = parseFioJson(fioJsonFromOutputFile(json));
  // A job error that is not an I/O or verify error of a block (EIO 5, EILSEQ 84) means fio itself could not run the pass.
  const odd = parsed.jobs.find((j) => j.error !== 0 && j.error !== 5 && j.error !== 84);
  if (odd) throw new Error(`fio (${label}) on ${o.device.path} stopped with error ${odd.error}${parsed.messages.length ? `: ${parsed.messages.join('; ').slice(0, 200)}` : ''}`);
  return { failures, jobs: parsed.jobs, seconds, stoppedEarly, log };
}

/** Bytes of distinct I/Os that failed in `direction` (fio counts none of them in io_bytes). */
function failedIoBytes(failures: readonly Failure[], direction: string): number {
  const seen = new Map<number, number>();
  for (const f of failures) if (f.kind === 'io' && f.direction === direction) seen.set(f.offset, Math.max(seen.get(f.offset) ?? 0, f.length));
  return [...seen.values()].reduce((a, b) => a + b, 0);
}

function jobAt(jobs: readonly ScanJob[], offset: number): ScanJob {
  return jobs.find((j) => offset >= j.offset && offset < j.offset + j.size) ?? jobs[jobs.length - 1]!;
}

/** A contiguous piece of the disk to read again, with the job whose pattern lies there. */
interface Recheck {
  offset: number;
  size: number;
  job: ScanJob;
}

/**
 * Reads the failed chunks again, one verify interval at a time (checking each),
 * then the intervals that could not be read, one logical block at a time.
 */
async function refine(o: VerifiedScanOptions, chunks: readonly Recheck[], logs: string[]): Promise<{ unreadable: BadRange[]; corrupted: BadRange[] }> {
  const base = ['--filename=' + o.device.path, '--direct=1', '--ioengine=libaio', `--iodepth=${o.iodepth}`, '--rw=read', '--verify_state_save=0', '--continue_on_error=all', '--error_dump=1'];
  const byInterval = chunks.map((c, i) => [`--name=recheck${i}`, `--offset=${c.offset}`, `--size=${c.size}`, `--bs=${c.job.verifyInterval}`, '--verify=crc32c', `--verify_interval=${c.job.verifyInterval}`, `--verify_offset=${c.job.verifyOffset}`]);
  const first = await runPass(o, 'recheck', base, byInterval);
  logs.push(first.log);
  const corrupted: BadRange[] = [];
  let unreadable: BadRange[] = [];
  for (const f of first.failures) {
    if (f.kind === 'verify') corrupted.push({ start: f.offset, end: f.offset + f.length, kind: 'corrupted' });
    else unreadable.push({ start: f.offset, end: f.offset + f.length, kind: 'unreadable' });
  }
  const logical = o.device.logicalBlockSize ?? 512;
  const coarse = mergeRanges(unreadable).filter((r) => r.end - r.start > logical).slice(0, MAX_REFINED_CHUNKS);
  if (coarse.length > 0) {
    const byBlock = coarse.map((r, i) => [`--name=block${i}`, `--offset=${r.start}`, `--size=${r.end - r.start}`, `--bs=${logical}`]);
    const second = await runPass(o, 'blocks', base, byBlock);
    logs.push(second.log);
    const exact = second.failures.flatMap((f) => (f.kind === 'io' ? [{ start: f.offset, end: f.offset + f.length, kind: 'unreadable' as const }] : []));
    // Intervals read block by block keep only the blocks that failed; the others stay as found.
    unreadable = [...unreadable.filter((u) => !coarse.some((c) => u.start >= c.start && u.end <= c.end)), ...exact];
  }
  return { unreadable, corrupted };
}

export async function runVerifiedScan(o: VerifiedScanOptions): Promise<VerifiedScanResult> {
  const logical = o.device.logicalBlockSize ?? 512;
  const start = o.start ?? 0;
  const end = Math.min(o.end ?? o.device.sizeBytes, o.device.sizeBytes);
  const jobs = planVerifiedScan(start, end, logical, o.ioSize, o.draw);
  const span = plannedBytes(jobs);
  // --thread: jobs as threads of one process; fio's start-up and hand-over between job groups
  // is mostly waiting, and forking a process per job made it longer.
  const global = [`--filename=${o.device.path}`, '--thread', '--direct=1', '--ioengine=libaio', `--iodepth=${o.iodepth}`, '--rw=write', '--verify=crc32c', '--verify_state_save=0', '--continue_on_error=all', '--error_dump=1'];
  const logs: string[] = [];
  const started = Date.now();
  const report = (percent: number, message: string) => {
    const elapsedS = (Date.now() - started) / 1000;
    const etaS = percent > 0.5 ? (elapsedS * (100 - percent)) / percent : undefined;
    o.progress({ item: o.disk, percent: Math.min(100, percent), etaS, message });
  };
  try {
    // Progress: fio shows no percentage for the verify_only jobs, so the bytes written and
    // read are summed from the rates on its status line (one a second; a scan shorter
    // than that shows only where it starts and ends).
    report(0, `verified scan: writing ${span} bytes, then reading them back`);
    let written = 0;
    let checked = 0;
    let last = Date.now();
    const pass = await runPass(o, 'scan', global, scanJobArgs(jobs), (line) => {
      const s = parseFioStatusLine(line);
      const now = Date.now();
      const dt = (now - last) / 1000;
      last = now;
      if (!s) return;
      const reading = s.jobStates?.includes('V') ?? false;
      if (reading) {
        written = span;
        checked = Math.min(span, checked + (s.readBps ?? 0) * dt);
      } else written = Math.min(span, written + (s.writeBps ?? 0) * dt);
      const pct = Math.min(99.9, ((written + checked) / (2 * span)) * 100);
      const rate = reading ? s.readBps : s.writeBps;
      report(pct, `verified scan: ${reading ? 'reading and checking' : 'writing'} ~${(((reading ? checked : written) / span) * 100).toFixed(0)}%${rate ? ` at ${(rate / 1e6).toFixed(0)} MB/s` : ''}`);
    });
    logs.push(pass.log);

    const failures = pass.failures;
    const readFailures = failures.filter((f) => f.kind === 'verify' || f.direction !== 'write');
    const errors = {
      write: failures.filter((f) => f.kind === 'io' && f.direction === 'write').length,
      read: failures.filter((f) => f.kind === 'io' && f.direction !== 'write').length,
      corruption: failures.filter((f) => f.kind === 'verify').length,
    };
    const summary: VerifiedScanSummary = {
      ioSize: o.ioSize,
      verifyInterval: jobs[0]!.verifyInterval,
      logicalBlockSize: logical,
      badBlocks: 0,
      maxBadBlocks: 0,
      badRanges: [],
      coveredBytes: 0,
      diskBytes: o.device.sizeBytes,
      writeSeconds: longest(pass.jobs, 'write-'),
      readSeconds: longest(pass.jobs, 'read-'),
      errors,
    };
    if (pass.stoppedEarly) {
      const ranges = mergeRanges(failures.map(chunkOf));
      return finish(o, summary, ranges, logical, `the verified scan stopped on ${o.device.path} after ${MAX_FAILURES} failed I/Os: the disk fails almost everywhere`);
    }
    report(99.9, `verified scan: written in ${summary.writeSeconds.toFixed(1)} s, read and checked in ${summary.readSeconds.toFixed(1)} s`);
    // fio's own count must account for every byte of the span: moved, or failed and named.
    const wrote = sum(pass.jobs, 'write-', (j) => j.writeBytes) + failedIoBytes(failures, 'write');
    const readBack = sum(pass.jobs, 'read-', (j) => j.readBytes) + failedIoBytes(failures, 'read');
    if (wrote !== span || readBack !== span) {
      throw new Error(`the verified scan did not cover its span on ${o.device.path}: fio wrote ${wrote} and read ${readBack} of ${span} bytes`);
    }
    summary.coveredBytes = span;

    const writeFailed = failures.flatMap((f) => (f.kind === 'io' && f.direction === 'write' ? [chunkOf(f)] : []));
    // Failed chunks (runs of them merged, each kind apart), read again up to MAX_REFINED_CHUNKS runs.
    const suspects = mergeRanges(readFailures.map(chunkOf));
    const rechecks: Recheck[] = suspects.slice(0, MAX_REFINED_CHUNKS).map((r) => ({ offset: r.start, size: r.end - r.start, job: jobAt(jobs, r.start) }));
    let ranges: BadRange[] = [...writeFailed];
    if (rechecks.length > 0) {
      report(99.9, `verified scan: re-reading ${rechecks.length} failed chunk(s) block by block`);
      const found = await refine(o, rechecks, logs);
      ranges.push(...found.unreadable, ...found.corrupted);
      // A chunk that failed in the read pass but reads back correctly now is still bad, and said so.
      const seenNow = [...found.unreadable, ...found.corrupted];
      for (const c of rechecks) {
        const end = c.offset + c.size;
        if (seenNow.some((r) => r.start < end && r.end > c.offset)) continue;
        for (const f of readFailures) {
          if (f.offset < c.offset || f.offset >= end) continue;
          ranges.push({ start: f.offset, end: f.offset + f.length, kind: f.kind === 'verify' ? 'corrupted-once' : 'unreadable-once' });
        }
      }
      // Chunks beyond the re-read limit are named as fio reported them.
      for (const r of suspects.slice(MAX_REFINED_CHUNKS)) ranges.push(r);
    }
    ranges = mergeRanges(ranges);
    return finish(o, summary, ranges, logical, null);
  } finally {
    o.upload(`scan-${safeName(o.device.name)}.txt`, logs.join('\n'));
  }
}

/** The bytes a failure speaks for: the failed I/O, or the first bad interval fio found in it. */
function chunkOf(f: Failure): BadRange {
  if (f.kind === 'io') return { start: f.offset, end: f.offset + f.length, kind: f.direction === 'write' ? 'write-failed' : 'unreadable' };
  return { start: f.requestedOffset, end: f.requestedOffset + f.requestedLength, kind: 'corrupted' };
}

function finish(o: VerifiedScanOptions, summary: VerifiedScanSummary, ranges: BadRange[], logical: number, stopped: string | null): VerifiedScanResult {
  const described = ranges.map((r) => describeBadRange(r, logical));
  summary.badRanges = described.slice(0, 1000);
  summary.badBlocks = badBlockCount(ranges, logical);
  let failure: string | null = null;
  if (stopped) failure = `${stopped}; ${badRangesFailure('it', o.device.path, summary.badBlocks, described)}`;
  else if (ranges.length > 0) failure = badRangesFailure('the verified scan', o.device.path, summary.badBlocks, described);
  return { summary, ranges, failure };
}
