import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseSysfsInteger, readHwmon, readPowerRails, readTemperatures } from './hwmon.ts';

let root = '';
afterEach(() => root && rmSync(root, { recursive: true, force: true }));

function chip(n: number, files: Record<string, string>): void {
  const dir = join(root, 'class', 'hwmon', `hwmon${n}`);
  mkdirSync(dir, { recursive: true });
  for (const [f, v] of Object.entries(files)) writeFileSync(join(dir, f), v);
}

describe('readHwmon', () => {
  it('reads temperatures in °C named chip/label, skipping dead sensors', async () => {
    root = mkdtempSync(join(tmpdir(), 'hwmon-'));
    chip(0, { name: 'nvme\n', temp1_input: '38850\n', temp1_label: 'Composite\n', temp2_input: '41000\n' });
    chip(1, { name: 'coretemp', temp1_input: 'garbage', temp2_input: '55000', temp2_label: 'Core 0' });
    chip(2, { name: 'nvme', temp1_input: '30000', temp1_label: 'Composite' });
    const s = await readTemperatures(root, 5);
    expect(s).toEqual([
      { kind: 'thermal', sensor: 'nvme/Composite', value: 38.85, unit: '°C', ts: 5 },
      { kind: 'thermal', sensor: 'nvme/temp2', value: 41, unit: '°C', ts: 5 },
      { kind: 'thermal', sensor: 'coretemp/Core 0', value: 55, unit: '°C', ts: 5 },
      { kind: 'thermal', sensor: 'nvme/Composite@hwmon2', value: 30, unit: '°C', ts: 5 },
    ]);
  });

  it('reads voltages (mV) and average power (µW) for the PSU stage', async () => {
    root = mkdtempSync(join(tmpdir(), 'hwmon-'));
    chip(3, { name: 'nct6775', in0_input: '12096', in0_label: '+12V', in1_input: '3312', power1_average: '245000000', temp1_input: '40000' });
    const s = await readPowerRails(root, 1);
    expect(s.map((x) => [x.sensor, x.value, x.unit])).toEqual([
      ['nct6775/+12V', 12.096, 'V'],
      ['nct6775/in1', 3.312, 'V'],
      ['nct6775/power1', 245, 'W'],
    ]);
  });

  it('returns nothing for a missing tree', async () => {
    expect(await readHwmon('/nonexistent-hwmon-root', ['temp'])).toEqual([]);
    expect(parseSysfsInteger('-5')).toBe(-5);
    expect(parseSysfsInteger('1.5')).toBeNull();
    expect(parseSysfsInteger(null)).toBeNull();
  });
});
