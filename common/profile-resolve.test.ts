import { describe, expect, it } from 'vitest';
import { diffOverrides, fieldLabel, profileFields, resolveProfile } from './profile-resolve.ts';
import { PROFILES } from './profiles.ts';
import { BUILTIN_PROFILE_NAMES } from './schema/profile.ts';
import { STAGES } from './stages/index.ts';

describe('resolving a custom profile', () => {
  it('lays the overrides over its built-in and keeps everything else', () => {
    const r = resolveProfile('standard', { storage: { floors: { nvme: { minIops: 80_000 } } }, thermal: { maxTempC: 85 } });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.params.storage.floors.nvme).toEqual({ minIops: 80_000, maxP99Ms: PROFILES.standard.storage.floors.nvme.maxP99Ms });
    expect(r.params.thermal.maxTempC).toBe(85);
    expect(r.params.cpuStress).toEqual(PROFILES.standard.cpuStress);
    expect(r.params.certifies).toBe(true);
  });

  it('names each field out of range with what it allows', () => {
    const r = resolveProfile('standard', { storage: { floors: { nvme: { minIops: -5, maxP99Ms: 'fast' } }, fio: { rwmixread: 150 } }, thermal: { maxTempC: 400 } });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues).toEqual(
      expect.arrayContaining([
        { path: 'storage.floors.nvme.minIops', message: '-5 is not allowed; allowed: a number at least 0' },
        { path: 'storage.floors.nvme.maxP99Ms', message: '"fast" is not allowed; allowed: a number above 0' },
        { path: 'storage.fio.rwmixread', message: '150 is not allowed; allowed: a whole number from 0 to 100' },
        { path: 'thermal.maxTempC', message: '400 is not allowed; allowed: a number above 0, at most 150' },
      ]),
    );
  });

  it('refuses fields the schema does not have, naming the ones it does', () => {
    const r = resolveProfile('standard', { storage: { floor: { nvme: { minIops: 1 } } } });
    expect(r).toEqual({ ok: false, issues: [{ path: 'storage.floor', message: expect.stringMatching(/^not a profile field \(fields here: .*floors/) }] });
  });

  it('never lets a custom profile decide that it certifies: only its built-in does', () => {
    const r = resolveProfile('smoke', { certifies: true });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues[0]).toMatchObject({ path: 'certifies', message: expect.stringMatching(/certifies exactly when the built-in it extends does/) });
    const s = resolveProfile('smoke', { storage: { fio: { runtimeS: 600 } } });
    expect(s.ok && s.params.certifies).toBe(false);
  });

  it('drops an optional field set to null (a whole-disk scan from smoke) and refuses to drop a required one', () => {
    const r = resolveProfile('smoke', { storage: { scan: { limitBytes: null } } });
    expect(r.ok && r.params.storage.scan.limitBytes).toBeUndefined();
    expect(r.ok && r.params.storage.scan.ioSize).toBe(PROFILES.smoke.storage.scan.ioSize);
    const bad = resolveProfile('smoke', { storage: { fio: { runtimeS: null } } });
    expect(bad).toEqual({ ok: false, issues: [{ path: 'storage.fio.runtimeS', message: 'cannot be removed (only optional fields can); allowed: a number above 0' }] });
  });

  it('finds what params differ from their built-in, and resolving those gives the params back', () => {
    const changed = structuredClone(PROFILES.smoke);
    changed.storage.floors.ssd.minIops = 123;
    delete changed.storage.scan.limitBytes;
    const overrides = diffOverrides('smoke', changed);
    expect(overrides).toEqual({ storage: { scan: { limitBytes: null }, floors: { ssd: { minIops: 123 } } } });
    const r = resolveProfile('smoke', overrides);
    expect(r.ok && r.params).toEqual(changed);
    for (const name of BUILTIN_PROFILE_NAMES) expect(diffOverrides(name, PROFILES[name])).toEqual({});
  });
});

describe('the editor fields', () => {
  it('cover every parameter of every stage, read from the stages themselves', () => {
    const fields = profileFields();
    const paths = fields.map((f) => f.path.join('.'));
    for (const s of STAGES) {
      if (!s.paramsKey) continue;
      expect(fields.some((f) => f.path[0] === s.paramsKey && f.section === s.name), s.name).toBe(true);
    }
    expect(paths).toEqual(expect.arrayContaining(['storage.floors.nvme.minIops', 'storage.floors.hdd.maxP99Ms', 'thermal.maxTempC', 'cpuStress.durationS', 'storage.scan.limitBytes']));
    expect(paths).not.toContain('certifies');
    expect(fields.find((f) => f.path.join('.') === 'storage.scan.limitBytes')).toMatchObject({ optional: true, unit: 'bytes', kind: 'number' });
    expect(fields.find((f) => f.path.join('.') === 'storage.floors.nvme.maxP99Ms')).toMatchObject({ label: 'Floors · NVMe · Max p99', unit: 'ms', allowed: 'a number above 0' });
  });

  it('labels fields from their names', () => {
    expect(fieldLabel('minIops')).toBe('Min IOPS');
    expect(fieldLabel('maxTempC')).toBe('Max temperature');
    expect(fieldLabel('durationS')).toBe('Duration');
    expect(fieldLabel('floorFraction')).toBe('Floor share');
    expect(fieldLabel('enabled')).toBe('Enabled');
  });
});
