import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { toolExists } from '../../agent/runtime/tool-runner.ts';
import { stageTools } from '../../common/stages/index.ts';
import { cli, tempDir } from '../support/serve.ts';

// `vetting selftest` on this very machine: the whole pipeline with the real
// tools, harmlessly, ending in a report (docs/cli.md).

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir('vetting-selftest-test-');
});
afterEach(() => tmp.remove());

it('runs every stage against this machine and writes the report', async () => {
  const r = await cli(['selftest', '--data-dir', tmp.path, '--json']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const result = JSON.parse(r.stdout) as { run: number; state: string; result: string; report: string };
  // Everything passed, yet a self-test certifies nothing: it is incomplete, and says why.
  expect(result).toMatchObject({ state: 'Completed', result: 'incomplete' });
  expect(existsSync(result.report)).toBe(true);
  expect(result.report).toBe(join(tmp.path, 'artifacts', `run-${result.run}`, 'report.html'));
  expect(readFileSync(result.report, 'utf8')).toMatch(/INCOMPLETE/);

  const show = JSON.parse((await cli(['run', 'show', String(result.run), '--data-dir', tmp.path, '--json'])).stdout) as {
    stages: { name: string; outcome: string; message: string; coverage: { check: string; status: string; required: boolean }[] }[];
  };
  const outcome = Object.fromEntries(show.stages.map((s) => [s.name, s.outcome]));
  // Real tools ran: stress-ng, fio and iperf3 passed; storage touched only a scratch file.
  expect(outcome).toMatchObject({ Inventory: 'passed', CPUStress: 'passed', Memory: 'passed', Storage: 'passed', Network: 'passed', Reporting: 'passed' });
  // Memory ECC is tested only where an EDAC driver counts it; without one the run says "not tested", never pass.
  const edac = (() => {
    try {
      return readdirSync('/sys/devices/system/edac/mc').some((n) => /^mc\d+$/.test(n));
    } catch {
      return false;
    }
  })();
  const memory = show.stages.find((s) => s.name === 'Memory')!;
  const ecc = memory.coverage.filter((c) => c.check === 'ECC error counters under load');
  if (edac) {
    expect(ecc.length > 0 && ecc.every((c) => c.status === 'tested')).toBe(true);
  } else {
    expect(memory.message).toMatch(/memory ECC NOT TESTED: no EDAC driver loaded/);
    expect(ecc).toEqual([expect.objectContaining({ status: 'not-tested', required: true })]);
  }
  expect(show.stages.find((s) => s.name === 'Storage')!.message).toMatch(/scratch file \(no disk touched\)/);
  const human = await cli(['run', 'show', String(result.run), '--data-dir', tmp.path]);
  expect(human.stdout).toMatch(/INCOMPLETE/);
  if (!edac) expect(human.stdout).toMatch(/not tested: memory ECC \(Memory: ECC error counters under load\)/);
}, 240_000);

it('refuses to run on a data directory a server is using', async () => {
  const { serve } = await import('../support/serve.ts');
  const server = await serve(tmp.path);
  try {
    const r = await cli(['selftest', '--data-dir', tmp.path]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/a server is running/);
  } finally {
    await server.stop();
  }
}, 60_000);

it('checks the stages\' programs first: one missing stops it before any run, naming its Debian package and how to install it', async () => {
  // A PATH holding every program the stages declare, as found on this machine, but stress-ng.
  const bin = join(tmp.path, 'bin');
  mkdirSync(bin);
  for (const t of stageTools()) {
    if (t.binary === 'stress-ng' || !(await toolExists(t.binary))) continue;
    const found = (process.env.PATH ?? '').split(':').map((d) => join(d, t.binary)).find((p) => existsSync(p))!;
    symlinkSync(found, join(bin, t.binary));
  }
  const r = await cli(['selftest', '--data-dir', join(tmp.path, 'data')], { PATH: bin });
  expect(r.code).toBe(1);
  expect(r.stderr).toContain('the self-test needs programs this machine lacks:');
  expect(r.stderr).toContain('stress-ng (Debian package stress-ng), for CPUStress, Memory, PSU');
  expect(r.stderr).toMatch(/apt-get install -y --no-install-recommends stress-ng/);
  expect(r.stderr).not.toMatch(/\bfio\b.*Debian package/);
  // Nothing was started: no run, no database.
  expect(existsSync(join(tmp.path, 'data', 'vetting.db'))).toBe(false);
}, 60_000);

