import { describe, expect, it } from 'vitest';
import { hwmonSensorKind, hwmonSensors, parseHwmonValue } from './hwmon.ts';
import { fixture } from './test-fixtures.ts';

describe('hwmon helpers', () => {
  it('names sensor files', () => {
    expect(hwmonSensorKind('temp1_input')).toEqual({ kind: 'temp', index: 1, attribute: 'input' });
    expect(hwmonSensorKind('in0_input')).toEqual({ kind: 'in', index: 0, attribute: 'input' });
    expect(hwmonSensorKind('power1_average')).toEqual({ kind: 'power', index: 1, attribute: 'average' });
    expect(hwmonSensorKind('pwm2')).toEqual({ kind: 'pwm', index: 2, attribute: '' });
    expect(hwmonSensorKind('name')).toBeNull();
    expect(hwmonSensorKind('uevent')).toBeNull();
  });

  it('converts sysfs units to SI', () => {
    expect(parseHwmonValue('temp1_input', '49850\n')).toBe(49.85);
    expect(parseHwmonValue('temp1_min', '-273150')).toBe(-273.15);
    expect(parseHwmonValue('in1_input', '12096')).toBe(12.096);
    expect(parseHwmonValue('power1_average', '213330000')).toBe(213.33);
    expect(parseHwmonValue('curr1_input', '1500')).toBe(1.5);
    expect(parseHwmonValue('fan3_input', '4200')).toBe(4200);
    expect(parseHwmonValue('temp1_alarm', '1')).toBe(1);
    expect(parseHwmonValue('temp1_label', 'Composite')).toBeNull();
    expect(parseHwmonValue('temp1_input', '')).toBeNull();
    expect(parseHwmonValue('temp1_input', 'N/A')).toBeNull();
  });

  it('groups the live guest NVMe chip into one sensor', () => {
    const tree = JSON.parse(fixture('live-guest-agent/hwmon.json')) as Record<string, Record<string, string>>;
    expect(hwmonSensors(tree.hwmon0!)).toEqual([
      { chip: 'nvme', kind: 'temp', index: 1, label: 'Composite', unit: '°C', value: 49.85, min: -273.15, max: 69.85, crit: 99.85, alarm: false },
    ]);
  });

  it('reads the QEMU guest dump the same way', () => {
    const files: Record<string, string> = {};
    for (const line of fixture('qemu-guest/hwmon.txt').split('\n')) {
      const eq = line.indexOf('=');
      if (eq > 0 && !line.startsWith('==')) files[line.slice(0, eq)] = line.slice(eq + 1);
    }
    const [s] = hwmonSensors(files);
    expect(s).toMatchObject({ chip: 'nvme', label: 'Composite', value: 49.85, crit: 99.85 });
  });
});
