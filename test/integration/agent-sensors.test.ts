import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PROFILES } from '../../common/profiles.ts';
import { cpuStressStage } from '../../agent/stages/cpu-stress/index.ts';
import { psuStage } from '../../agent/stages/psu/index.ts';
import { Cleanup, tempDir } from '../../agent/testing/host-fixtures.ts';
import { fakeContext } from '../../agent/testing/fake-context.ts';
import { summaryOf } from '../../agent/testing/summary-of.ts';

// CPUStress and PSU with the real stress-ng and fio, judged against a fake
// hwmon tree whose values the test changes while the load runs.

let cleanup: Cleanup;
let dir: string;
beforeEach(() => {
  cleanup = new Cleanup();
  dir = tempDir(cleanup, 'agent-sensors-');
});
afterEach(() => cleanup.run());

function hwmonChip(root: string, n: number, files: Record<string, string>): (file: string, value: string) => void {
  const chip = join(root, 'class', 'hwmon', `hwmon${n}`);
  mkdirSync(chip, { recursive: true });
  for (const [f, v] of Object.entries(files)) writeFileSync(join(chip, f), v);
  return (file, value) => writeFileSync(join(chip, file), value);
}

/** Runs `fn` after `ms`, cancelled by cleanup. */
function later(ms: number, fn: () => void): void {
  const t = setTimeout(fn, ms);
  cleanup.add(() => clearTimeout(t));
}

// A light memory load: this machine is shared.
const params = { ...PROFILES.smoke, cpuStress: { ...PROFILES.smoke.cpuStress, durationS: 3, vmBytesPercent: 1 } };

describe('CPUStress with real stress-ng', () => {
  it('passes when stress-ng exits 0 and temperatures stay below the ceiling', async () => {
    const hw = join(dir, 'hw');
    hwmonChip(hw, 0, { name: 'coretemp', temp1_input: '45000', temp1_label: 'Package id 0' });
    const ctx = fakeContext({ stage: 'CPUStress', params, hwmonRoot: hw, welcome: { maxTempC: 80 }, workDir: join(dir, 'work') });
    const r = await cpuStressStage.run(ctx);
    expect(r.outcome, r.message).toBe('passed');
    const summary = summaryOf('CPUStress', r);
    expect(summary).toMatchObject({ exitCode: 0, peaks: [{ sensor: 'coretemp/Package id 0', peakC: 45, ceilingC: 80 }], ceilingC: 80 });
    expect(summary.vmWorkers >= 1).toBe(true);
    expect(summary.metrics.map((m) => m.stressor)).toEqual(expect.arrayContaining(['cpu', 'vm']));
    expect(r.coverage.map((c) => [c.part.kind, c.status])).toEqual([
      ['cpu', 'tested'],
      ['memory', 'tested'],
      ['sensor', 'tested'],
    ]);
    expect(ctx.artifacts.has('stress-ng.txt')).toBe(true);
  });

  it('fails when a sensor heats past the host’s max temperature during the run', async () => {
    const hw = join(dir, 'hw');
    const set = hwmonChip(hw, 0, { name: 'coretemp', temp1_input: '50000', temp1_label: 'Package id 0' });
    hwmonChip(hw, 1, { name: 'nvme', temp1_input: '40000', temp1_label: 'Composite' });
    later(1200, () => set('temp1_input', '95500'));
    const slow = { ...params, cpuStress: { ...params.cpuStress, durationS: 30 } };
    const ctx = fakeContext({ stage: 'CPUStress', params: slow, hwmonRoot: hw, welcome: { maxTempC: 90 }, workDir: join(dir, 'work') });
    const r = await cpuStressStage.run(ctx);
    expect(r.outcome).toBe('failed');
    expect(r.message).toMatch(/coretemp\/Package id 0 at 95\.5 °C \(limit 90 °C\); load stopped early/);
    expect(summaryOf('CPUStress', r).peaks.map((p) => [p.sensor, p.peakC])).toEqual([
      ['coretemp/Package id 0', 95.5],
      ['nvme/Composite', 40],
    ]);
    // The stopped stress-ng's own output is kept as evidence.
    expect(ctx.artifacts.get('stress-ng.txt')).toMatch(/stopped: temperature ceiling reached/);
  });
});

describe('PSU with a real load burst', () => {
  it('fails when a rail sags more than the allowed fraction under load, and records the envelope', async () => {
    const hw = join(dir, 'hw');
    const set = hwmonChip(hw, 0, { name: 'nct6775', in0_input: '12000', in0_label: '+12V', in1_input: '3300', in1_label: '+3.3V', power1_average: '150000000' });
    const ctx = fakeContext({ stage: 'PSU', hwmonRoot: hw, workDir: join(dir, 'work') });
    // The stage reports progress only once the burst is under way: sag then,
    // so the idle baseline is certainly taken before.
    const report = ctx.progress;
    ctx.progress = (u) => {
      set('in0_input', '11200'); // −6.7 %
      set('power1_average', '420000000');
      report(u);
    };
    const r = await psuStage.run(ctx);
    expect(r.outcome).toBe('failed');
    expect(r.message).toMatch(/nct6775\/\+12V fell from 12\.000 V to 11\.200 V \(6\.7%\)/);
    const sensors = new Set(r.measurements!.map((m) => `${m.kind}:${m.sensor}:${m.unit}`));
    expect(sensors).toEqual(new Set(['psu:nct6775/+12V:V', 'psu:nct6775/+3.3V:V', 'psu:nct6775/power1:W']));
    expect(r.measurements!.some((m) => m.unit === 'W' && m.value === 420)).toBe(true);
    expect(summaryOf('PSU', r).loads!.map((l) => [l.load, l.ok])).toEqual([
      ['cpu', true],
      ['disk', true],
    ]);
  });

  it('passes with steady rails, and tests nothing (saying so) when nothing is exposed', async () => {
    const hw = join(dir, 'hw');
    hwmonChip(hw, 0, { name: 'nct6775', in0_input: '12000', in0_label: '+12V' });
    const steady = await psuStage.run(fakeContext({ stage: 'PSU', hwmonRoot: hw, workDir: join(dir, 'work') }));
    expect(steady.outcome, steady.message).toBe('passed');
    expect(steady.message).toMatch(/1 rail\(s\) stayed within 5\.0% of idle/);
    expect(steady.coverage.map((c) => [c.part.id, c.status])).toEqual([['nct6775/+12V', 'tested']]);

    const empty = join(dir, 'empty');
    mkdirSync(join(empty, 'class', 'hwmon'), { recursive: true });
    const none = await psuStage.run(fakeContext({ stage: 'PSU', hwmonRoot: empty, workDir: join(dir, 'work') }));
    expect(none.outcome).toBe('skipped');
    expect(none.message).toMatch(/PSU not tested: this host exposes no voltage or power sensor/);
    expect(none.coverage).toEqual([expect.objectContaining({ status: 'not-tested', required: false })]);
  });
});
