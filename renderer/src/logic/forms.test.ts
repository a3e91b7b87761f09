import { describe, expect, it } from 'vitest';
import { issuesToFields, splitList, validateAction, validateHostForm, validateSupervisor, type HostFormFields } from './forms.ts';

const fields = (over: Partial<HostFormFields> = {}): HostFormFields => ({
  name: 'node-7',
  macs: '52:54:00:12:34:56',
  profile: 'standard',
  disks: 'S3Z9NB0K123456\n0x5000c500a1b2c3d4',
  maxTempC: '',
  notes: '',
  ...over,
});

describe('validateHostForm', () => {
  it('accepts a good host and normalises lists', () => {
    const r = validateHostForm(fields({ macs: '52-54-00-12-34-56, 52:54:00:12:34:57', maxTempC: '85' }));
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.value.macs).toEqual(['52-54-00-12-34-56', '52:54:00:12:34:57']);
      expect(r.value.disks).toHaveLength(2);
      expect(r.value.maxTempC).toBe(85);
    }
  });

  it('names the bad MAC, the /dev disk and the bad name next to their fields', () => {
    const r = validateHostForm(fields({ name: '-bad name', macs: '52:54:00:12:34:56 zz:zz', disks: '/dev/sda' }));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.errors.name).toMatch(/letters, digits/);
      expect(r.errors.macs).toMatch(/“zz:zz”.*MAC address/);
      expect(r.errors.disks).toMatch(/never by a \/dev name/);
    }
  });

  it('refuses a temperature that is not a number or out of range', () => {
    const a = validateHostForm(fields({ maxTempC: 'hot' }));
    expect(!a.ok && a.errors.maxTempC).toMatch(/number/);
    const b = validateHostForm(fields({ maxTempC: '400' }));
    expect(!b.ok && b.errors.maxTempC).toBeTruthy();
  });

  it('splits lists on newlines, commas and spaces', () => {
    expect(splitList(' a,b\n c ;d ')).toEqual(['a', 'b', 'c', 'd']);
  });
});

describe('validateAction', () => {
  const empty = { reason: '', supervisor: '', secret: '' };
  it('refuses a wipe-probe override without name, credential and reason', () => {
    const errors = validateAction('override', 'UnexpectedData', empty);
    expect(Object.keys(errors).sort()).toEqual(['reason', 'secret', 'supervisor']);
    expect(validateAction('override', 'UnexpectedData', { ...empty, reason: 'disk was re-used', supervisor: 'Ana', secret: 'x' })).toEqual({});
  });
  it('asks only a reason of a plain override and an abandon, nothing of a retry', () => {
    expect(Object.keys(validateAction('override', 'StageFailed', empty))).toEqual(['reason']);
    expect(Object.keys(validateAction('abandon', null, empty))).toEqual(['reason']);
    expect(validateAction('retry', 'StageFailed', empty)).toEqual({});
    expect(validateAction('release', null, empty)).toEqual({});
  });
});

describe('validateSupervisor', () => {
  it('uses the shared schema message and checks the confirmation', () => {
    expect(validateSupervisor('Ana', 'short', 'short').secret).toMatch(/at least 8/);
    expect(validateSupervisor('', 'long-enough', 'long-enouhg')).toMatchObject({ confirm: 'the two entries differ' });
    expect(validateSupervisor('Ana', 'long-enough', 'long-enough')).toEqual({});
  });
});

describe('issuesToFields', () => {
  it('puts server issues beside their fields and keeps the rest as lines', () => {
    const r = issuesToFields([{ path: 'macs.1', message: 'bad MAC' }, { path: 'bench.port', message: 'too big' }], ['name', 'macs'] as const);
    expect(r.fields).toEqual({ macs: 'bad MAC' });
    expect(r.rest).toEqual(['bench.port: too big']);
  });
});
