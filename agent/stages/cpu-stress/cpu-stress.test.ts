import { describe, expect, it } from 'vitest';
import { PROFILES } from '../../../common/profiles.ts';
import type { Sample } from '../../../common/schema/protocol.ts';
import { meminfoBytes } from '../../parsers/meminfo.ts';
import { planCpuStress, stressNgExitMeaning } from './index.ts';
import { judgeTemperatures } from './thermal-watch.ts';

const MiB = 1024 * 1024;
const t = (sensor: string, value: number): Sample => ({ kind: 'thermal', sensor, value, unit: '°C', ts: 1 });

describe('planCpuStress', () => {
  const p = PROFILES.standard.cpuStress; // 90 %, 768 MiB headroom
  it('uses every logical CPU and half as many vm workers', () => {
    const plan = planCpuStress(16, 64 * 1024 * MiB, p);
    expect(plan.cpuWorkers).toBe(16);
    expect(plan.vmWorkers).toBe(8);
    expect(plan.vmBytesTotal).toBe(Math.floor((64 * 1024 * MiB * 0.9) / 4096) * 4096);
  });

  it('leaves the headroom when the percentage would eat into it', () => {
    const plan = planCpuStress(4, 2048 * MiB, p);
    expect(plan.vmBytesTotal).toBe(1280 * MiB);
    expect(plan.vmWorkers).toBe(2);
  });

  it('runs no vm workers rather than starving the live image', () => {
    expect(planCpuStress(8, 700 * MiB, p)).toEqual({ cpuWorkers: 8, vmWorkers: 0, vmBytesTotal: 0 });
  });

  it('has at least one vm worker on one CPU and fewer when memory is tight', () => {
    expect(planCpuStress(1, 8192 * MiB, p).vmWorkers).toBe(1);
    expect(planCpuStress(64, 1024 * MiB, p).vmWorkers).toBe(16);
  });

  it('reads MemAvailable and maps stress-ng exit statuses', () => {
    expect(meminfoBytes('MemTotal: 100 kB\nMemAvailable:   2048 kB\n', 'MemAvailable')).toBe(2048 * 1024);
    expect(meminfoBytes('MemTotal: 100 kB\n', 'MemAvailable')).toBeNull();
    expect(stressNgExitMeaning(0).verdict).toBe('passed');
    expect(stressNgExitMeaning(2).verdict).toBe('failed');
    expect(stressNgExitMeaning(3).verdict).toBe('error');
  });
});

describe('thermal judgement', () => {
  it('fails at or above the ceiling and keeps peaks per sensor', () => {
    const v = judgeTemperatures([t('coretemp/Package id 0', 70), t('nvme/Composite', 40), t('coretemp/Package id 0', 85)], 85);
    expect(v.peaks).toEqual({ 'coretemp/Package id 0': 85, 'nvme/Composite': 40 });
    expect(v.overLimit).toHaveLength(1);
  });
});
