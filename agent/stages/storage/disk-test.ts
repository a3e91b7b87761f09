import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ProfileParams } from '../../../common/schema/profile.ts';
import type { Sample } from '../../../common/schema/protocol.ts';
import { applyBackspaces, chooseBadblocksBlockSize, parseBadblocksOutput, parseBadblocksProgress, type BadblocksCounts } from './parsers/badblocks.ts';
import { parseFioJson, parseFioStatusLine } from './parsers/fio.ts';
import { ToolInfraError, type ToolRunner } from '../../runtime/tool-runner.ts';
import type { StageProgressUpdate } from '../types.ts';
import { backgroundUploads } from './background-uploads.ts';
import { diskClass, type BlockDeviceInfo } from './device-resolution.ts';

// The destructive part of Storage for one disk that passed every gate:
// badblocks' four-pattern write/read test, then fio random read/write checked
// against the floor for the disk's class. Runs concurrently for all disks.

export type DiskOutcome = 'passed' | 'failed' | 'error';

export interface DiskTestResult {
  disk: string;
  device: string;
  diskClass: 'nvme' | 'ssd' | 'hdd';
  outcome: DiskOutcome;
  reasons: string[];
  badblocks: { blockSize: number; firstBlock: number; lastBlock: number; badBlocks: number; badRanges: string[]; coveredBytes: number; diskBytes: number; counts: BadblocksCounts | null } | null;
  fio: { iops: number; readIops: number; writeIops: number; p99Ms: number | null; minIops: number; maxP99Ms: number } | null;
  measurements: Sample[];
}

export interface DiskTestOptions {
  disk: string;
  device: BlockDeviceInfo;
  params: ProfileParams['storage'];
  /** A regular file (self-test), not a block device: buffered I/O, since tmpfs refuses O_DIRECT. */
  scratchFile?: boolean;
  runTool: ToolRunner;
  signal: AbortSignal;
  workDir: string;
  progress(update: StageProgressUpdate): void;
  artifact(name: string, body: string): Promise<void>;
}

/** badblocks -w writes and reads back four patterns: eight phases of equal length. */
const BADBLOCKS_PHASES = 8;

/** Byte range text for contiguous bad blocks. */
export function describeBadRange(r: { first: number; last: number }, blockSize: number): string {
  const start = r.first * blockSize;
  const end = (r.last + 1) * blockSize - 1;
  const blocks = r.first === r.last ? `block ${r.first}` : `blocks ${r.first}-${r.last}`;
  return `bytes ${start}-${end} (${blocks} of ${blockSize} B)`;
}

/** fio floor check for a class; returns the reasons it fails (empty = pass). */
export function checkFioFloor(iops: number, p99Ms: number | null, floor: { minIops: number; maxP99Ms: number }): string[] {
  const reasons: string[] = [];
  if (!(iops >= floor.minIops)) reasons.push(`fio ${Math.round(iops)} IOPS below the floor of ${floor.minIops}`);
  if (p99Ms !== null && p99Ms > floor.maxP99Ms) reasons.push(`fio p99 latency ${p99Ms.toFixed(2)} ms above ${floor.maxP99Ms} ms`);
  return reasons;
}

function safeFileName(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]/g, '_').slice(-80);
}

export async function testDisk(o: DiskTestOptions): Promise<DiskTestResult> {
  const cls = diskClass(o.device);
  const result: DiskTestResult = {
    disk: o.disk,
    device: o.device.path,
    diskClass: cls,
    outcome: 'passed',
    reasons: [],
    badblocks: null,
    fio: null,
    measurements: [],
  };
  const tag = safeFileName(o.device.name);
  // Tool reports are uploaded while the next tool runs: fio need not wait for badblocks' report.
  const uploads = backgroundUploads((name, body) => o.artifact(name, body));
  const upload = uploads.upload;
  try {
    if (o.params.badblocks.enabled) {
      const bb = await runBadblocks(o, tag, upload);
      result.badblocks = bb.summary;
      if (bb.failure) {
        result.outcome = 'failed';
        result.reasons.push(bb.failure);
        // A disk with unreadable sectors has its verdict; fio would only add noise.
        return result;
      }
    }
    const fio = await runFio(o, tag, upload);
    const floor = o.params.floors[cls];
    result.fio = { ...fio, minIops: floor.minIops, maxP99Ms: floor.maxP99Ms };
    const ts = Date.now();
    result.measurements.push({ kind: 'storage', sensor: `${o.disk}/iops`.slice(0, 200), value: fio.iops, unit: 'IOPS', ts });
    if (fio.p99Ms !== null) result.measurements.push({ kind: 'storage', sensor: `${o.disk}/p99`.slice(0, 200), value: fio.p99Ms, unit: 'ms', ts });
    if (fio.ioError) {
      result.outcome = 'failed';
      result.reasons.push(fio.ioError);
    }
    const floorReasons = checkFioFloor(fio.iops, fio.p99Ms, floor);
    if (floorReasons.length > 0) {
      result.outcome = 'failed';
      result.reasons.push(...floorReasons.map((r) => `${r} (${cls})`));
    }
    if (result.outcome === 'passed') {
      result.reasons.push(`${Math.round(fio.iops)} IOPS, p99 ${fio.p99Ms?.toFixed(2) ?? '?'} ms (${cls} floor ${floor.minIops} IOPS / ${floor.maxP99Ms} ms)`);
    }
  } catch (err) {
    if (err instanceof ToolInfraError && err.kind === 'cancelled') throw err;
    result.outcome = 'error';
    result.reasons.push(err instanceof Error ? err.message : String(err));
  } finally {
    await uploads.settled();
  }
  return result;
}

type Upload = (name: string, body: string) => void;

async function runBadblocks(o: DiskTestOptions, tag: string, upload: Upload) {
  const span = Math.min(o.device.sizeBytes, o.params.badblocks.limitBytes ?? Number.POSITIVE_INFINITY);
  // badblocks' block size must be a multiple of the sector size (4Kn disks need 4096).
  const plan = chooseBadblocksBlockSize(span, Math.max(1024, o.device.logicalBlockSize ?? 512));
  const range = plan.ranges[0]!;
  const args = ['-svw', '-b', String(plan.blockSize), o.device.path, String(range.last), String(range.first)];
  let phase = -1;
  const started = Date.now();
  const res = await o.runTool('badblocks', args, {
    timeoutMs: o.params.timeoutS * 1000,
    signal: o.signal,
    onLine: (line, stream) => {
      if (stream !== 'stderr') return;
      if (/^Testing with pattern|^Reading and comparing/.test(line)) phase++;
      const p = parseBadblocksProgress(line);
      if (!p) return;
      const overall = Math.min(100, ((Math.max(0, phase) + p.percent / 100) / BADBLOCKS_PHASES) * 100);
      const elapsedS = (Date.now() - started) / 1000;
      const etaS = overall > 0.5 ? (elapsedS * (100 - overall)) / overall : undefined;
      o.progress({ item: o.disk, percent: overall, etaS, message: `badblocks ${p.phase ?? ''} ${p.percent.toFixed(1)}% (${p.errorsText} errors)`.replace(/\s+/g, ' ') });
    },
  });
  upload(`badblocks-${tag}.txt`, `$ badblocks ${args.join(' ')}\nexit ${res.exitCode}\n--- stdout ---\n${res.stdout}\n--- stderr ---\n${applyBackspaces(res.stderr)}`);
  const parsed = parseBadblocksOutput(res.stdout, res.stderr);
  if (!parsed.summaryFound) {
    throw new Error(`badblocks on ${o.device.path} exited ${res.exitCode} without its summary: ${applyBackspaces(res.stderr).trim().split('\n').slice(-2).join(' ').slice(0, 300)}`);
  }
  const badRanges = parsed.badRanges.map((r) => describeBadRange(r, plan.blockSize));
  const summary = {
    blockSize: plan.blockSize,
    firstBlock: range.first,
    lastBlock: range.last,
    badBlocks: parsed.total,
    badRanges,
    // What the scan reached, so a partial scan (a smoke profile's first MiBs) says so.
    coveredBytes: (range.last - range.first + 1) * plan.blockSize,
    diskBytes: o.device.sizeBytes,
    counts: parsed.counts,
  };
  // Zero bad blocks is the only pass, whatever badblocks' exit status says.
  const failure =
    parsed.total > 0
      ? `badblocks found ${parsed.total} bad block(s) on ${o.device.path}: ${badRanges.slice(0, 5).join('; ') || 'range not listed'}${badRanges.length > 5 ? ` and ${badRanges.length - 5} more` : ''}`
      : null;
  return { summary, failure };
}

async function runFio(o: DiskTestOptions, tag: string, upload: Upload) {
  const f = o.params.fio;
  const size = Math.min(f.sizeBytes, o.device.sizeBytes);
  const outFile = join(o.workDir, `fio-${tag}-${process.pid}-${Date.now()}.json`);
  const args = [
    `--name=vetting-${tag}`,
    `--filename=${o.device.path}`,
    `--direct=${o.scratchFile ? 0 : 1}`,
    '--rw=randrw',
    `--rwmixread=${f.rwmixread}`,
    `--bs=${f.blockSize}`,
    `--iodepth=${f.iodepth}`,
    '--ioengine=libaio',
    `--runtime=${f.runtimeS}`,
    '--time_based',
    `--size=${size}`,
    '--output-format=json',
    `--output=${outFile}`,
    '--eta=always',
    '--eta-newline=1',
  ];
  const runtimeMs = f.runtimeS * 1000;
  const res = await o.runTool('fio', args, {
    timeoutMs: runtimeMs * 3 + 120_000,
    signal: o.signal,
    onLine: (line) => {
      const s = parseFioStatusLine(line);
      if (!s) return;
      o.progress({ item: o.disk, percent: s.percent ?? undefined, etaS: s.etaS ?? undefined, message: `fio ${line.slice(0, 200)}` });
    },
  });
  let json = '';
  try {
    json = await readFile(outFile, 'utf8');
  } catch {
    json = '';
  } finally {
    await rm(outFile, { force: true });
  }
  upload(`fio-${tag}.json`, json || res.stdout);
  if (!json.trim()) {
    throw new Error(`fio on ${o.device.path} exited ${res.exitCode} without a JSON report: ${res.stderr.trim().slice(0, 300)}`);
  }
  const parsed = parseFioJson(json);
  const errJob = parsed.jobs.find((j) => j.error !== 0);
  const ioError = errJob ? `fio reported error ${errJob.error} on ${o.device.path}${parsed.messages.length ? `: ${parsed.messages.join('; ').slice(0, 200)}` : ''}` : null;
  if (res.exitCode !== 0 && !ioError) throw new Error(`fio on ${o.device.path} exited ${res.exitCode}: ${res.stderr.trim().slice(0, 300)}`);
  const readIops = parsed.jobs.reduce((s, j) => s + j.readIops, 0);
  const writeIops = parsed.jobs.reduce((s, j) => s + j.writeIops, 0);
  return { iops: parsed.totalIops, readIops, writeIops, p99Ms: parsed.p99Ms, ioError };
}
