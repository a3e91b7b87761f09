import { describe, expect, it } from 'vitest';
import type { Sample } from '../../../common/schema/protocol.ts';
import { findDips, idleBaseline } from './index.ts';

const t = (sensor: string, value: number, unit: string): Sample => ({ kind: 'psu', sensor, value, unit, ts: 1 });

describe('PSU judgement', () => {
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
