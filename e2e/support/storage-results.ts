import { extentText, notTested, tested, type CoverageEntry } from '../../common/schema/coverage.ts';
import type { WipeProbeHit } from '../../common/schema/wipe-probe.ts';
import type { StageResultBody } from '../../test/support/stage-results.ts';

// Storage results as the real stage (agent/stages/storage) reports them under
// the smoke profile, for the UI test: a wipe-probe hit that stops the stage
// before anything is written, and, once a supervisor overrode it, a surface
// scan limited to the first bytes of each disk, which is *not tested* with the
// extent it reached. test/support/stage-results.ts covers the other stages;
// its Storage result scans the whole disk, which smoke never does.

export interface SmokeDisk {
  id: string;
  device: string;
  sizeBytes: number;
}

const SCAN = 'surface scan';
const RANDOM_IO = 'random I/O';
const part = (d: SmokeDisk) => ({ kind: 'disk' as const, id: d.id, label: `${d.id} (${d.device})` });

/** The wipe-probe found data: nothing written, every expected disk untested. */
export function wipeProbeHit(disks: readonly SmokeDisk[], hits: WipeProbeHit[]): StageResultBody<'Storage'> & { unexpectedData: WipeProbeHit[] } {
  const why = 'data was found on a disk, so nothing was written (a supervisor may override)';
  return {
    outcome: 'failed',
    message: `Unexpected data, nothing was written: ${hits.map((h) => `${h.disk} (${h.device}): ${h.found.join(', ')}`).join('; ')}`,
    summary: { stoppedAt: 'wipe-probe', unexpectedData: hits, overridden: [] },
    coverage: disks.flatMap((d) => [notTested(part(d), SCAN, why, true), notTested(part(d), RANDOM_IO, why, true)]),
    unexpectedData: hits,
  };
}

/** The scan that covered `scannedBytes` of each disk; how much it missed is said in the coverage and the message. */
export function partialScanPassed(disks: readonly SmokeDisk[], overridden: WipeProbeHit[], scannedBytes: number): StageResultBody<'Storage'> {
  const coverage: CoverageEntry[] = [];
  const lines: string[] = [];
  for (const d of disks) {
    const extent = { done: scannedBytes, total: d.sizeBytes, unit: 'bytes' as const };
    const reason = `the verified scan covered ${extentText(extent)}`;
    coverage.push(notTested(part(d), SCAN, reason, true, extent), tested(part(d), RANDOM_IO));
    lines.push(`${d.id} (${d.device}): passed: 15234 IOPS, p99 1.80 ms (ssd floor 100 IOPS / 1000 ms); handed back clean: blkdiscard of the first ${scannedBytes} bytes (the part the stage wrote), no signature found afterwards; NOT FULLY SCANNED: ${reason}`);
  }
  return {
    outcome: 'passed',
    message: `${disks.length} disk(s) passed. ${lines.join(' | ')}`,
    summary: {
      overridden,
      disks: disks.map((d) => ({
        disk: d.id,
        device: d.device,
        diskClass: 'ssd',
        outcome: 'passed',
        reasons: ['15234 IOPS, p99 1.80 ms (ssd floor 100 IOPS / 1000 ms)', `handed back clean: blkdiscard of the first ${scannedBytes} bytes (the part the stage wrote), no signature found afterwards`],
        badblocks: null,
        verifiedScan: { ioSize: 1024 ** 2, verifyInterval: 4096, logicalBlockSize: 512, badBlocks: 0, badRanges: [], coveredBytes: scannedBytes, diskBytes: d.sizeBytes, writeSeconds: 0.1, readSeconds: 0.1, errors: { read: 0, write: 0, corruption: 0 } },
        handBack: { method: `blkdiscard of the first ${scannedBytes} bytes (the part the stage wrote)`, discarded: true, clean: true, found: [] },
        fio: { iops: 15_234, readIops: 7_620, writeIops: 7_614, p99Ms: 1.8, minIops: 100, maxP99Ms: 1000 },
      })),
    },
    coverage,
  };
}
