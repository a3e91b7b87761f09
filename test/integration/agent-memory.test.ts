import { execFile } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PROFILES } from '../../common/profiles.ts';
import { memoryStage } from '../../agent/stages/memory/index.ts';
import type { StageOutcomeReport } from '../../agent/stages/types.ts';
import { Cleanup, tempDir } from '../../agent/testing/host-fixtures.ts';
import { fakeContext } from '../../agent/testing/fake-context.ts';
import { summaryOf } from '../../agent/testing/summary-of.ts';
import { setDimmCounts, writeEdacController, writeHwmon } from '../support/fake-sysfs.ts';

// The Memory stage with the real stressapptest (and stress-ng where stressapptest is
// missing), the real dmesg, and EDAC counters from a fake sysfs tree laid out as the
// kernel documents it, whose counts the test changes while the load runs.

const run = promisify(execFile);
const root = join(import.meta.dirname, '../..');
let cleanup: Cleanup;
let dir: string;
beforeEach(() => {
  cleanup = new Cleanup();
  dir = tempDir(cleanup, 'agent-memory-');
});
afterEach(() => cleanup.run());

// A light load: this machine is shared. 2 s of stressapptest over at most 1 % of free memory.
const params = { ...PROFILES.smoke, memory: { ...PROFILES.smoke.memory, durationS: 2, memoryPercent: 1 } };

async function until(pred: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (pred()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('Memory with real stressapptest', () => {
  it('passes, reports what it moved, and says ECC was not tested without an EDAC driver', async () => {
    const sys = join(dir, 'sys');
    writeHwmon(sys);
    mkdirSync(join(sys, 'devices', 'system', 'edac', 'mc'), { recursive: true });
    const ctx = fakeContext({ stage: 'Memory', params, sysfsRoot: sys, workDir: join(dir, 'work') });
    const r = await memoryStage.run(ctx);
    expect(r.outcome, r.message).toBe('passed');
    expect(r.message).toMatch(/^stressapptest moved [\d.]+ GB in [\d.]+ s over .*, no miscompares; memory ECC NOT TESTED: no EDAC driver loaded; no machine checks$/);
    const s = summaryOf('Memory', r);
    expect(s).toMatchObject({ tool: 'stressapptest', edac: false, dimms: [], machineChecks: [], exitCode: 0, miscompares: 0 });
    expect(s.movedGB! > 0 && s.elapsedS! > 0 && s.bandwidthGBps! > 0).toBe(true);
    expect(r.coverage.map((c) => [c.part.kind, c.part.id, c.status, c.required])).toEqual([
      ['memory', 'memory', 'tested', true],
      ['memory', 'ECC', 'not-tested', true],
      ['system', 'machine-check log', 'tested', true],
    ]);
    expect(r.coverage[1]!.reason).toMatch(/no EDAC driver is loaded .* ECC was not tested/);
    expect(ctx.artifacts.get('stressapptest.txt')).toMatch(/Status: PASS/);
  });

  it('fails and names the DIMM whose corrected-error count grows while the load runs', async () => {
    const sys = join(dir, 'sys');
    writeEdacController(sys, 0, [
      { label: 'DIMM_A1', location: 'channel 0 slot 0', sizeMiB: 16384, ce: 0, ue: 0 },
      { label: 'DIMM_B1', location: 'channel 1 slot 0', sizeMiB: 16384, ce: 1, ue: 0 },
    ]);
    const ctx = fakeContext({ stage: 'Memory', params, sysfsRoot: sys, workDir: join(dir, 'work') });
    const stage = memoryStage.run(ctx);
    // The counters were read before the load: its progress says it is running.
    await until(() => ctx.progressUpdates.some((u) => (u.percent ?? 0) > 0 && /stressapptest/.test(u.message ?? '')), 'the load to start');
    setDimmCounts(sys, 0, 1, { ce: 4 });
    const r = await stage;
    expect(r.outcome).toBe('failed');
    expect(r.message).toMatch(/^DIMM DIMM_B1 \(mc0 channel 1 slot 0\): 3 corrected ECC error\(s\) during the load — stressapptest moved/);
    const s = summaryOf('Memory', r);
    expect(s.dimms.map((d) => [d.dimm, d.correctedBefore, d.corrected, d.outcome])).toEqual([
      ['DIMM_A1', 0, 0, 'passed'],
      ['DIMM_B1', 1, 4, 'failed'],
    ]);
    expect(r.coverage.filter((c) => c.part.kind === 'dimm').map((c) => [c.part.label, c.status])).toEqual([
      ['DIMM_A1 (mc0 channel 0 slot 0)', 'tested'],
      ['DIMM_B1 (mc0 channel 1 slot 0)', 'tested'],
    ]);
  });

  it('falls back to stress-ng vm --verify where stressapptest is not installed', async () => {
    // A PATH with the tools the stage needs, but no stressapptest.
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    for (const tool of ['node', 'stress-ng', 'dmesg', 'dmidecode']) {
      const found = (await run('sh', ['-c', `command -v ${tool}`])).stdout.trim();
      symlinkSync(found, join(bin, tool));
    }
    const spec = join(dir, 'spec.json');
    writeFileSync(spec, JSON.stringify({ stage: 'Memory', params, sysfsRoot: join(dir, 'no-sys') }));
    const { stdout } = await run(join(root, 'node_modules/.bin/tsx'), [join(root, 'agent/testing/run-stage.ts'), spec], { cwd: root, timeout: 120_000, env: { ...process.env, PATH: bin } });
    const r = (JSON.parse(stdout) as { report: StageOutcomeReport<'Memory'> }).report;
    expect(r.outcome, r.message).toBe('passed');
    expect(r.message).toMatch(/^stress-ng over .* for [\d.]+ s, no verification failures; memory ECC NOT TESTED/);
    expect(summaryOf('Memory', r)).toMatchObject({ tool: 'stress-ng', movedGB: null, exitCode: 0 });
  });
});
