import { describe, expect, it } from 'vitest';
import type { BmcView } from '../../../common/schema/power.ts';
import { bmcFieldsOf, fingerprintText, validateBmcForm } from './bmcForm.ts';

const stored: BmcView = { driver: 'ipmi', address: '10.0.0.5', user: 'admin', credential: 'stored', certSha256: null, bootMode: null, power: null };

describe('the BMC part of the host form', () => {
  it('leaves the BMC out for a host without one, and removes it when the driver is cleared', () => {
    expect(validateBmcForm(bmcFieldsOf(null), null)).toEqual({ ok: true, value: undefined });
    expect(validateBmcForm({ ...bmcFieldsOf(stored), driver: '' }, stored)).toEqual({ ok: true, value: null });
  });

  it('needs a password for a new BMC and keeps the stored one when left empty', () => {
    const fresh = validateBmcForm({ ...bmcFieldsOf(null), driver: 'ipmi', address: '10.0.0.5', user: 'admin' }, null);
    expect(fresh).toEqual({ ok: false, errors: { password: expect.stringContaining('enter the BMC password') } });
    const kept = validateBmcForm(bmcFieldsOf(stored), stored);
    expect(kept).toEqual({ ok: true, value: { driver: 'ipmi', address: '10.0.0.5', user: 'admin', certSha256: null, bootMode: null } });
  });

  it('puts the schema’s complaints next to their fields', () => {
    const r = validateBmcForm({ ...bmcFieldsOf(null), driver: 'redfish', address: 'http://bmc', user: 'root', password: 'pw' }, null);
    expect(r).toEqual({ ok: false, errors: { address: expect.stringContaining('Redfish must use https') } });
    const ipmi = validateBmcForm({ ...bmcFieldsOf(null), driver: 'ipmi', address: '10.0.0.5', user: 'admin', password: 'x'.repeat(21) }, null);
    expect(ipmi).toEqual({ ok: false, errors: { password: 'an IPMI 2.0 password has at most 20 bytes' } });
  });

  it('prints fingerprints the way BMC pages do', () => {
    expect(fingerprintText('ab01cd')).toBe('AB:01:CD');
  });
});
