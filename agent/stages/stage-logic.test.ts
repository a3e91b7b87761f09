import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROFILES } from '../../common/profiles.ts';
import type { Sample } from '../../common/schema/protocol.ts';
import { buildResult, errorReport } from '../runtime/agent-core.ts';
import { bootMacFromCmdline, parseCmdline } from '../runtime/host-identity.ts';
import { ToolInfraError } from '../runtime/tool-runner.ts';
import { memAvailableBytes, planCpuStress, stressNgExitMeaning } from './cpu-stress.ts';
import { parseDmonPeaks, parseGpuQuery } from './gpu-probe.ts';
import { floorMbps, parseLinkSpeed } from './network.ts';
import { findDips, idleBaseline } from './psu.ts';
import { smartArtifactName, smartctlArgs } from './smart.ts';
import { judgeTemperatures } from './thermal-watch.ts';

const MiB = 1024 * 1024;
const GPU_FIXTURES = join(import.meta.dirname, '../../fixtures/tool-outputs/gpu-h100');

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
    expect(memAvailableBytes('MemTotal: 100 kB\nMemAvailable:   2048 kB\n')).toBe(2048 * 1024);
    expect(memAvailableBytes('MemTotal: 100 kB\n')).toBeNull();
    expect(stressNgExitMeaning(0).verdict).toBe('passed');
    expect(stressNgExitMeaning(2).verdict).toBe('failed');
    expect(stressNgExitMeaning(3).verdict).toBe('error');
  });
});

describe('thermal and PSU judgement', () => {
  const t = (sensor: string, value: number, unit = '°C'): Sample => ({ kind: unit === '°C' ? 'thermal' : 'psu', sensor, value, unit, ts: 1 });
  it('fails at or above the ceiling and keeps peaks per sensor', () => {
    const v = judgeTemperatures([t('coretemp/Package id 0', 70), t('nvme/Composite', 40), t('coretemp/Package id 0', 85)], 85);
    expect(v.peaks).toEqual({ 'coretemp/Package id 0': 85, 'nvme/Composite': 40 });
    expect(v.overLimit).toHaveLength(1);
  });

  it('flags a rail that sags past the fraction, and only voltages', () => {
    const base = idleBaseline([t('nct6775/+12V', 12.0, 'V'), t('nct6775/+12V', 12.2, 'V'), t('acpi/power1', 100, 'W')]);
    expect(base.get('nct6775/+12V')).toBeCloseTo(12.1);
    expect(base.has('acpi/power1')).toBe(false);
    expect(findDips(base, [t('nct6775/+12V', 11.6, 'V'), t('acpi/power1', 300, 'W')], 0.05)).toEqual([]);
    const dips = findDips(base, [t('nct6775/+12V', 11.4, 'V')], 0.05);
    expect(dips).toHaveLength(1);
    expect(dips[0]!.dipFraction).toBeCloseTo(0.0579, 3);
  });
});

describe('network floors', () => {
  it('uses the negotiated speed, else the assumed one', () => {
    expect(parseLinkSpeed('10000\n')).toBe(10000);
    expect(parseLinkSpeed('-1')).toBeNull();
    expect(parseLinkSpeed(null)).toBeNull();
    expect(floorMbps(1000, PROFILES.standard.network)).toEqual({ floorMbps: 900, linkMbps: 1000, assumed: false });
    expect(floorMbps(null, PROFILES.smoke.network)).toEqual({ floorMbps: 50, linkMbps: 100, assumed: true });
  });
});

describe('SMART targets', () => {
  it('passes -d megaraid,N for disks behind a RAID controller', () => {
    expect(smartctlArgs({ path: '/dev/bus/0', type: 'megaraid,5' })).toEqual(['-j', '-a', '-d', 'megaraid,5', '/dev/bus/0']);
    expect(smartctlArgs({ path: '/dev/nvme0n1', type: null }, '-i')).toEqual(['-j', '-i', '/dev/nvme0n1']);
    expect(smartArtifactName({ path: '/dev/bus/0', type: 'megaraid,5' })).toBe('smart-bus_0-megaraid_5.json');
    expect(smartArtifactName({ path: '/dev/nvme0n1', type: null })).toBe('smart-nvme0n1.json');
  });
});

describe('GPU readings (real H100 output)', () => {
  it('reads the agent’s own query columns', () => {
    const text = readFileSync(join(import.meta.dirname, 'testdata/nvidia-smi-query-agent-columns.csv'), 'utf8');
    const [g, ...rest] = parseGpuQuery(text);
    expect(rest).toEqual([]);
    expect(g).toEqual({
      index: 0,
      name: 'NVIDIA H100 80GB HBM3',
      uuid: 'GPU-dbca2cac-c9ba-6002-97ac-67dc884b071a',
      serial: '1752524019632',
      busId: '00000000:00:06.0',
      memoryMiB: 81559,
      temperatureC: 34,
      powerW: 82.25,
      eccMode: 'Enabled',
      eccCorrectedVolatile: 0,
      eccUncorrectedVolatile: 0,
      eccUncorrectedAggregate: 0,
      retiredPagesPending: null,
    });
    expect(() => parseGpuQuery('0, H100')).toThrow(/fields/);
  });

  it('takes peak temperature and ECC from dmon', () => {
    const peaks = parseDmonPeaks(readFileSync(join(GPU_FIXTURES, 'nvidia-smi-dmon.txt'), 'utf8'));
    expect(peaks.samples).toBeGreaterThan(5);
    expect(peaks.maxTempC).toBeGreaterThanOrEqual(35);
    expect(peaks.maxEccDbe).toBe(0);
  });
});

describe('stage results', () => {
  it('turns infrastructure errors into outcome error naming the kind', () => {
    const r = errorReport(new ToolInfraError('missing', 'fio', 'fio: not installed'));
    expect(r).toMatchObject({ outcome: 'error', summary: { infraError: 'missing', tool: 'fio' } });
  });

  it('thins measurements so a result fits one frame', () => {
    const many: Sample[] = Array.from({ length: 20_000 }, (_, i) => ({ kind: 'psu', sensor: `chip/in${i % 8}-${'x'.repeat(60)}`, value: 12, unit: 'V', ts: i }));
    const r = buildResult({ stage: 'PSU', attempt: 1 }, { outcome: 'passed', message: 'ok', summary: {}, measurements: many });
    expect(r.outcome).toBe('passed');
    expect('measurements' in r && r.measurements!.length).toBeLessThan(20_000);
    expect(Buffer.byteLength(JSON.stringify(r))).toBeLessThan(1024 * 1024);
  });

  it('replaces an invalid report with an error result', () => {
    const r = buildResult({ stage: 'Storage', attempt: 1 }, { outcome: 'failed', message: 'x', summary: {}, unexpectedData: [{ disk: 'a', device: '/dev/x', found: [] }] });
    expect(r.outcome).toBe('error');
    expect(r.message).toMatch(/invalid result/);
  });
});

describe('kernel command line', () => {
  it('reads vetting.* keys and the boot MAC', () => {
    const args = parseCmdline('initrd=x vetting.url=ws://10.0.0.1:8080/agent vetting.token=abc BOOTIF=01-52-54-00-AB-CD-EF quiet');
    expect(args['vetting.url']).toBe('ws://10.0.0.1:8080/agent');
    expect(args['vetting.token']).toBe('abc');
    expect(bootMacFromCmdline(args)).toBe('52:54:00:ab:cd:ef');
    expect(bootMacFromCmdline({ 'vetting.mac': '52-54-00-00-00-01' })).toBe('52:54:00:00:00:01');
    expect(bootMacFromCmdline({ BOOTIF: 'junk' })).toBeNull();
  });
});
