import { takeOutputFile } from '../../runtime/take-output-file.ts';
import { join } from 'node:path';
import type { ProfileParams } from '../../../common/schema/profile.ts';
import type { Sample } from '../../../common/schema/protocol.ts';
import { fioJsonFromOutputFile, parseFioJson, parseFioStatusLine } from './parsers/fio.ts';
import { ToolInfraError, type ToolRunner } from '../../runtime/tool-runner.ts';
import type { StageProgressUpdate } from '../types.ts';
import { backgroundUploads } from './background-uploads.ts';
import { diskClass, type BlockDeviceInfo } from './device-resolution.ts';
import { runBadblocksScan, type BadblocksSummary } from './badblocks-scan.ts';
import { runVerifiedScan, type VerifiedScanSummary } from './verified-scan.ts';
import { handBack, type HandBack } from './hand-back.ts';
import type { ReadAt } from './bluestore-label.ts';

// The destructive part of Storage for one disk that passed every gate: the
// surface scan (the verified scan by default, or badblocks), then fio random
// read/write checked against the floor for the disk's class, then — when the
// scan passed — the clean hand-back (discard, wipe-probe again). Runs
// concurrently for all disks.

export type DiskOutcome = 'passed' | 'failed' | 'error';

export interface DiskTestResult {
  disk: string;
  device: string;
  diskClass: 'nvme' | 'ssd' | 'hdd';
  outcome: DiskOutcome;
  reasons: string[];
  badblocks: BadblocksSummary | null;
  verifiedScan: VerifiedScanSummary | null;
  handBack: HandBack | null;
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
  /** Where the hand-back reads the disk's discard support. */
  sysRoot: string;
  /** How the wipe-probe reads BlueStore label offsets (tests). */
  readAt?: ReadAt;
  progress(update: StageProgressUpdate): void;
  artifact(name: string, body: string): Promise<void>;
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
    verifiedScan: null,
    handBack: null,
    fio: null,
    measurements: [],
  };
  const tag = safeFileName(o.device.name);
  // Tool reports are uploaded while the next tool runs: fio need not wait for the scan's report.
  const uploads = backgroundUploads((name, body) => o.artifact(name, body));
  const upload = uploads.upload;
  const surface = o.scratchFile ? 'off' : o.params.surface;
  const scan = o.params.scan;
  const device = { ...o.device, name: tag };
  const scanTimeoutMs = o.params.timeoutS * 1000;
  try {
    let scannedBytes = 0;
    if (surface !== 'off') {
      const common = { disk: o.disk, device, iodepth: scan.iodepth, timeoutMs: scanTimeoutMs, runTool: o.runTool, signal: o.signal, progress: o.progress, upload };
      const r =
        surface === 'badblocks'
          ? await runBadblocksScan({ ...common, limitBytes: scan.limitBytes })
          : await runVerifiedScan({ ...common, end: scan.limitBytes, ioSize: scan.ioSize, workDir: o.workDir });
      if (surface === 'badblocks') result.badblocks = r.summary as BadblocksSummary;
      else result.verifiedScan = r.summary as VerifiedScanSummary;
      scannedBytes = r.summary.coveredBytes;
      if (r.failure) {
        result.outcome = 'failed';
        result.reasons.push(r.failure);
        // A disk with bad blocks has its verdict; fio would only add noise, and it is not handed back.
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
    if (surface !== 'off') {
      // The scan passed: hand the disk back clean, whatever fio's verdict (it only measured speed).
      const logical = o.device.logicalBlockSize ?? 512;
      const written = Math.min(o.device.sizeBytes, Math.ceil(Math.max(scannedBytes, fioSpan(o)) / logical) * logical);
      const wholeDisk = written >= o.device.sizeBytes;
      result.handBack = await handBack({ device: { name: o.device.name, path: o.device.path }, length: written, wholeDisk, runTool: o.runTool, signal: o.signal, sysRoot: o.sysRoot, readAt: o.readAt, upload });
      if (result.handBack.clean) result.reasons.push(`handed back clean: ${result.handBack.method}, no signature found afterwards`);
      else {
        const left = `data signature(s) on the disk after the hand-back: ${result.handBack.found.join(', ')}`;
        // After a whole-disk scan nothing may survive; after a partial one the unscanned rest may still hold it.
        if (wholeDisk) {
          result.outcome = 'failed';
          result.reasons.push(`${left} (the whole disk was overwritten, so the disk does not keep what is written to it)`);
        } else result.reasons.push(`${left} (outside the part the stage wrote)`);
      }
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

/** Bytes at the start of the disk that fio's random I/O may have written. */
function fioSpan(o: DiskTestOptions): number {
  return Math.min(o.params.fio.sizeBytes, o.device.sizeBytes);
}

type Upload = (name: string, body: string) => void;

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
  const json = await takeOutputFile(outFile);
  upload(`fio-${tag}.json`, json || res.stdout);
  if (!json.trim()) {
    throw new Error(`fio on ${o.device.path} exited ${res.exitCode} without a JSON report: ${res.stderr.trim().slice(0, 300)}`);
  }
  const parsed = parseFioJson(fioJsonFromOutputFile(json));
  const errJob = parsed.jobs.find((j) => j.error !== 0);
  const ioError = errJob ? `fio reported error ${errJob.error} on ${o.device.path}${parsed.messages.length ? `: ${parsed.messages.join('; ').slice(0, 200)}` : ''}` : null;
  if (res.exitCode !== 0 && !ioError) throw new Error(`fio on ${o.device.path} exited ${res.exitCode}: ${res.stderr.trim().slice(0, 300)}`);
  const readIops = parsed.jobs.reduce((s, j) => s + j.readIops, 0);
  const writeIops = parsed.jobs.reduce((s, j) => s + j.writeIops, 0);
  return { iops: parsed.totalIops, readIops, writeIops, p99Ms: parsed.p99Ms, ioError };
}
