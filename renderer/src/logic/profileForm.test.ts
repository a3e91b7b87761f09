import { describe, expect, it } from 'vitest';
import { PROFILES } from '../../../common/profiles.ts';
import { STAGES } from '../../../common/stages/index.ts';
import { checkProfileForm, copyName, fieldSections, formFromParams } from './profileForm.ts';

describe('the profile editor form', () => {
  it('has a section per stage with parameters, from the stage list', () => {
    const sections = fieldSections().map((s) => s.section);
    for (const s of STAGES) if (s.paramsKey) expect(sections).toContain(s.name);
    expect(sections.slice(0, 2)).toEqual(['Run', 'Thermal sidecar']);
  });

  it('saves only what differs from the built-in', () => {
    const form = formFromParams(PROFILES.standard);
    expect(form['storage.floors.nvme.minIops']).toBe('50000');
    expect(checkProfileForm('standard', PROFILES.standard, form)).toEqual({ overrides: {}, errors: {} });
    form['storage.floors.nvme.minIops'] = '80 000';
    form['storage.scan.limitBytes'] = '1048576';
    form['storage.surface'] = 'badblocks';
    expect(checkProfileForm('standard', PROFILES.standard, form)).toEqual({
      overrides: { storage: { surface: 'badblocks', scan: { limitBytes: 1_048_576 }, floors: { nvme: { minIops: 80_000 } } } },
      errors: {},
    });
  });

  it('clears an optional field with an empty box (smoke\'s partial scan becomes a whole-disk scan)', () => {
    const form = formFromParams(PROFILES.smoke);
    expect(form['storage.scan.limitBytes']).toBe(String(16 * 1024 ** 2));
    form['storage.scan.limitBytes'] = '';
    expect(checkProfileForm('smoke', PROFILES.smoke, form).overrides).toEqual({ storage: { scan: { limitBytes: null } } });
  });

  it('marks each bad field with what it allows', () => {
    const form = formFromParams(PROFILES.standard);
    form['storage.floors.ssd.maxP99Ms'] = '0';
    form['cpuStress.durationS'] = 'ten';
    form['thermal.maxTempC'] = '';
    expect(checkProfileForm('standard', PROFILES.standard, form).errors).toEqual({
      'cpuStress.durationS': '"ten" is not a number; allowed: a number above 0',
      'thermal.maxTempC': 'required; allowed: a number above 0, at most 150',
    });
    form['cpuStress.durationS'] = '10';
    form['thermal.maxTempC'] = '90';
    expect(checkProfileForm('standard', PROFILES.standard, form).errors).toEqual({ 'storage.floors.ssd.maxP99Ms': '0 is not allowed; allowed: a number above 0' });
  });

  it('names a copy that is free', () => {
    expect(copyName('standard', ['standard'])).toBe('standard-copy');
    expect(copyName('standard', ['standard-copy', 'standard-copy-2'])).toBe('standard-copy-3');
  });
});
