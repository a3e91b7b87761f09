import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { WipeProbeHit } from '../../../common/schema/protocol.ts';
import { deviceFacts, readHostTables } from './device-facts.ts';
import { discoverDisks } from './identify.ts';
import { resolveExpectedDisks } from './device-resolution.ts';
import { backgroundUploads } from './background-uploads.ts';
import { testDisk, type DiskTestResult } from './disk-test.ts';
import { safetyRefusals } from './safety.ts';
import { wipeProbeAll, type WipeProbeResult } from './wipe-probe.ts';
import { extentText, notTested, tested, type CoverageEntry, type PartRef } from '../../../common/schema/coverage.ts';
import type { StageContext, StageModule, StageOutcomeReport } from '../types.ts';
import type { ProfileParams } from '../../../common/schema/profile.ts';

// Storage (destructive). Three gates stand in front of any write, in order:
// identity (only the host's expected disks, matched by serial / WWN / loop
// backing file), device safety (block device, not removable / mounted / boot /
// in use, under the allowlist), and the wipe-probe (no data signatures unless a
// supervisor overrode that disk). Only when every disk clears every gate does
// any disk get written; then all disks are tested in parallel.
//
// The stage's time outside the scan and fio is overhead, and most of it is
// the gates, so each gate looks at every disk at once (and reads the host-wide
// tables once), the wipe-probe needs as few processes as it can, and artifact
// uploads never hold a destructive tool back from starting.

const SCAN = 'surface scan';
const RANDOM_IO = 'random I/O';

function diskPart(id: string, device?: string | null): PartRef {
  return { kind: 'disk', id, label: device ? `${id} (${device})` : id };
}

/** Every expected disk untested, for a stage that stopped before writing anything. */
function noneTested(expected: readonly string[], why: string): CoverageEntry[] {
  return expected.flatMap((id) => [notTested(diskPart(id), SCAN, why, true), notTested(diskPart(id), RANDOM_IO, why, true)]);
}

/**
 * What one disk's tests covered. A scan of less than the whole disk is not a
 * scan of the disk: it is "not tested", with the extent it did reach. The
 * extent is what the scan itself reports having covered (for the verified
 * scan: the bytes fio wrote and read back, or failed on, by its own count).
 */
export function diskCoverage(r: DiskTestResult, surface: ProfileParams['storage']['surface']): CoverageEntry[] {
  const part = diskPart(r.disk, r.device);
  const out: CoverageEntry[] = [];
  const scan = r.verifiedScan ?? r.badblocks;
  const tool = r.verifiedScan ? 'the verified scan' : 'badblocks';
  if (surface === 'off') out.push(notTested(part, SCAN, 'the profile runs no surface scan', true));
  else if (!scan) out.push(notTested(part, SCAN, `the surface scan did not finish: ${r.reasons.join('; ') || r.outcome}`, true));
  else {
    const extent = { done: Math.min(scan.coveredBytes, scan.diskBytes || scan.coveredBytes), total: scan.diskBytes || scan.coveredBytes, unit: 'bytes' as const };
    if (extent.done < extent.total) out.push(notTested(part, SCAN, `${tool} covered ${extentText(extent)}`, true, extent));
    else out.push(tested(part, SCAN, { extent }));
  }
  if (r.fio) out.push(tested(part, RANDOM_IO));
  else out.push(notTested(part, RANDOM_IO, r.outcome === 'failed' ? 'not run: the surface scan had already failed the disk' : `fio did not finish: ${r.reasons.join('; ') || r.outcome}`, true));
  return out;
}

async function run(ctx: StageContext): Promise<StageOutcomeReport<'Storage'>> {
  if (ctx.params.storage.scratchFile) return runOnScratchFile(ctx);
  const expected = ctx.welcome.expectedDisks;
  if (expected.length === 0) {
    const why = 'the host lists no expected disks, so no disk may be tested destructively';
    return {
      outcome: 'skipped',
      message: `no disk was tested: ${why} (add them to the host to have them tested)`,
      summary: { overridden: [] },
      coverage: noneTested(['expected disks'], why),
    };
  }

  // The host-wide tables for gate 2 are read meanwhile (this never rejects).
  const hostTables = readHostTables(ctx.paths.procRoot);

  // Gate 1: identity.
  const devices = await discoverDisks(ctx, expected);
  const matches = resolveExpectedDisks(expected, devices);
  const unresolved = matches.flatMap((m) => (m.status === 'found' ? [] : [m]));
  if (unresolved.length > 0) {
    const reasons = unresolved.map((m) => m.reason);
    const ambiguous = unresolved.some((m) => m.status === 'ambiguous');
    return {
      outcome: ambiguous ? 'error' : 'failed',
      message: `Storage not started: ${reasons.join('; ')}`,
      summary: { stoppedAt: 'identity', unresolved: unresolved.map((m) => ({ disk: m.id, problem: m.reason })), overridden: [] },
      coverage: noneTested(expected, `Storage stopped at the identity gate before writing: ${reasons.join('; ')}`),
    };
  }
  const found = matches.flatMap((m) => (m.status === 'found' ? [{ id: m.id, device: m.device }] : []));

  // Gate 2: device safety. Facts for every disk are read at once (the decision stays per disk, in order).
  const factsOpts = { sysRoot: ctx.paths.sysRoot, procRoot: ctx.paths.procRoot };
  const host = await hostTables;
  const facts = await Promise.all(found.map((f) => deviceFacts(f.device, factsOpts, host)));
  const refused: { disk: string; device: string; reasons: string[] }[] = [];
  found.forEach((f, i) => {
    const reasons = safetyRefusals(facts[i]!, ctx.welcome.deviceAllowlist);
    if (reasons.length > 0) refused.push({ disk: f.id, device: f.device.path, reasons });
  });
  if (refused.length > 0) {
    return {
      outcome: 'error',
      message: `Storage refused to write: ${refused.map((r) => `${r.disk}: ${r.reasons.join(', ')}`).join('; ')}`.slice(0, 4096),
      summary: { stoppedAt: 'safety', refused, overridden: [] },
      coverage: noneTested(expected, 'Storage stopped at the safety gate before writing'),
    };
  }

  // Gate 3: wipe-probe, every disk probed at once; findings are judged in disk order.
  const hits: WipeProbeHit[] = [];
  const overridden: WipeProbeHit[] = [];
  // The agent's own work directory is made meanwhile (no disk is touched by that);
  // a failure counts only once a disk is about to be tested.
  const workDirReady = mkdir(ctx.paths.workDir, { recursive: true });
  workDirReady.catch(() => undefined);
  const probes = await wipeProbeAll(
    found.map((f) => f.device),
    { runTool: ctx.runTool, signal: ctx.signal, sysRoot: ctx.paths.sysRoot },
  );
  // A disk that could not be probed is never written: the stage stops, naming it.
  const unprobed = found.flatMap((f, i) => {
    const p = probes[i]!;
    return 'error' in p ? [{ disk: f.id, device: f.device.path, error: p.error }] : [];
  });
  if (unprobed.length > 0) {
    return {
      outcome: 'error',
      message: `Storage not started: the wipe-probe could not read ${unprobed.map((u) => `${u.disk} (${u.device}): ${u.error}`).join('; ')}`.slice(0, 4096),
      summary: { stoppedAt: 'wipe-probe', unprobed, overridden: [] },
      coverage: noneTested(expected, 'the wipe-probe could not read every disk, so nothing was written'),
    };
  }
  // The probe reports are uploaded while the stage goes on; the stage waits for them before it ends.
  const uploads = backgroundUploads((name, body) => ctx.artifact(name, body));
  try {
    for (const [i, f] of found.entries()) {
      const probe = probes[i] as WipeProbeResult;
      uploads.upload(`wipe-probe-${f.device.name}.txt`, `${probe.raw.wipefsCommand}\n${probe.raw.wipefs}\n\nblkid -p -o export ${f.device.path} (exit ${probe.raw.blkidExit})\n${probe.raw.blkid}\n\n${probe.raw.labels}`);
      if (probe.found.length === 0) continue;
      const entry = { disk: f.id, device: f.device.path, found: probe.found.slice(0, 64).map((s) => s.slice(0, 512)) };
      if (ctx.wipeOverride.includes(f.id)) overridden.push(entry);
      else hits.push(entry);
    }
    if (hits.length > 0) {
      return {
        outcome: 'failed',
        message: `Unexpected data, nothing was written: ${hits.map((h) => `${h.disk} (${h.device}): ${h.found.join(', ')}`).join('; ')}`.slice(0, 4096),
        summary: { stoppedAt: 'wipe-probe', unexpectedData: hits, overridden },
        coverage: noneTested(expected, 'data was found on a disk, so nothing was written (a supervisor may override)'),
        unexpectedData: hits,
      };
    }
    for (const o of overridden) ctx.log.warn('wipe-probe findings overridden by a supervisor; disk will be overwritten', o);

    // Destructive tests, every disk at once.
    await workDirReady;
    const results = await Promise.all(
      found.map((f) =>
        testDisk({
          disk: f.id,
          device: f.device,
          params: ctx.params.storage,
          runTool: ctx.runTool,
          signal: ctx.signal,
          workDir: ctx.paths.workDir,
          sysRoot: ctx.paths.sysRoot,
          progress: (u) => ctx.progress(u),
          artifact: (name, body) => ctx.artifact(name, body),
        }),
      ),
    );
    return combine(results, overridden, ctx.params.storage.surface);
  } finally {
    await uploads.settled();
  }
}

/**
 * Self-test: fio on a scratch file in the agent's work directory. No disk of
 * the host is opened for writing, so none of the disk gates apply.
 */
async function runOnScratchFile(ctx: StageContext): Promise<StageOutcomeReport<'Storage'>> {
  await mkdir(ctx.paths.workDir, { recursive: true });
  const path = join(ctx.paths.workDir, 'selftest-scratch.bin');
  const size = ctx.params.storage.fio.sizeBytes;
  try {
    const result = await testDisk({
      disk: 'scratch-file',
      device: { name: 'scratch', path, serial: null, wwn: null, backingFile: null, sizeBytes: size, rotational: null, removable: null, readOnly: null, transport: null, model: 'scratch file' },
      params: { ...ctx.params.storage, surface: 'off' },
      scratchFile: true,
      runTool: ctx.runTool,
      signal: ctx.signal,
      workDir: ctx.paths.workDir,
      sysRoot: ctx.paths.sysRoot,
      progress: (u) => ctx.progress(u),
      artifact: (name, body) => ctx.artifact(name, body),
    });
    const report = combine([result], [], 'off');
    const why = 'self-test mode: fio ran on a scratch file and no disk of the host was opened';
    return {
      ...report,
      message: `self-test on a scratch file (no disk touched): ${report.message}`.slice(0, 4096),
      summary: { ...report.summary, scratchFile: true },
      coverage: noneTested(['expected disks'], why),
    };
  } finally {
    await rm(path, { force: true });
  }
}

function combine(results: DiskTestResult[], overridden: WipeProbeHit[], surface: ProfileParams['storage']['surface']): StageOutcomeReport<'Storage'> {
  const failed = results.filter((r) => r.outcome === 'failed');
  const errored = results.filter((r) => r.outcome === 'error');
  // A hardware verdict outranks an infrastructure error on another disk.
  const outcome = failed.length > 0 ? 'failed' : errored.length > 0 ? 'error' : 'passed';
  const coverage = results.flatMap((r) => diskCoverage(r, surface));
  // A partial scan is said in the message too, not only in the coverage table.
  const partial = (r: DiskTestResult) => coverage.find((c) => c.part.id === r.disk && c.check === SCAN && c.status === 'not-tested')?.reason;
  const lines = results.map((r) => `${r.disk} (${r.device}): ${r.outcome}: ${[...r.reasons, ...(partial(r) ? [`NOT FULLY SCANNED: ${partial(r)}`] : [])].join('; ')}`);
  const message = outcome === 'passed' ? `${results.length} disk(s) passed. ${lines.join(' | ')}` : lines.filter((_, i) => results[i]!.outcome !== 'passed').join(' | ');
  return {
    outcome,
    message: message.slice(0, 4096),
    summary: {
      disks: results.map(({ measurements: _m, ...rest }) => rest),
      overridden,
    },
    coverage,
    measurements: results.flatMap((r) => r.measurements),
  };
}

export const storageStage: StageModule<'Storage'> = { name: 'Storage', run };
