import { describe, expect, it } from 'vitest';
import { BmcInput, CertSha256, parseBmcAddress } from './power.ts';

describe('BMC addresses', () => {
  it('reads IPMI addresses with the default port 623, IPv6 in brackets', () => {
    expect(parseBmcAddress('ipmi', '10.0.0.5')).toEqual({ ok: true, endpoint: { host: '10.0.0.5', port: 623, systemPath: null } });
    expect(parseBmcAddress('ipmi', 'bmc-node1.lab:6230')).toEqual({ ok: true, endpoint: { host: 'bmc-node1.lab', port: 6230, systemPath: null } });
    expect(parseBmcAddress('ipmi', '[fd00::5]:623')).toEqual({ ok: true, endpoint: { host: 'fd00::5', port: 623, systemPath: null } });
    expect(parseBmcAddress('ipmi', 'https://10.0.0.5')).toMatchObject({ ok: false, error: expect.stringContaining('without a scheme') });
    expect(parseBmcAddress('ipmi', '10.0.0.5:70000')).toMatchObject({ ok: false, error: 'port 70000 is out of range 1-65535' });
    expect(parseBmcAddress('ipmi', 'bad host')).toMatchObject({ ok: false });
  });

  it('reads Redfish addresses with https, port 443 and an optional ComputerSystem; plain http is refused', () => {
    expect(parseBmcAddress('redfish', '10.0.0.5')).toEqual({ ok: true, endpoint: { host: '10.0.0.5', port: 443, systemPath: null } });
    expect(parseBmcAddress('redfish', 'https://bmc1:8443/redfish/v1/Systems/529QB9451R6/')).toEqual({ ok: true, endpoint: { host: 'bmc1', port: 8443, systemPath: '/redfish/v1/Systems/529QB9451R6' } });
    expect(parseBmcAddress('redfish', 'http://10.0.0.5')).toMatchObject({ ok: false, error: expect.stringContaining('in the clear') });
    expect(parseBmcAddress('redfish', 'https://10.0.0.5/redfish/v1/Managers/BMC')).toMatchObject({ ok: false, error: expect.stringContaining('not a ComputerSystem path') });
  });
});

describe('BMC settings', () => {
  it('normalise a fingerprint however it was copied', () => {
    const hex = 'ab'.repeat(32);
    expect(CertSha256.parse(`sha256:${hex.toUpperCase()}`)).toBe(hex);
    expect(CertSha256.parse(hex.toUpperCase().replace(/(..)(?!$)/g, '$1:'))).toBe(hex);
    expect(CertSha256.safeParse('abcd').success).toBe(false);
  });

  it("hold IPMI's limits (16-byte user, 20-byte password) and refuse a certificate for IPMI", () => {
    expect(BmcInput.safeParse({ driver: 'ipmi', address: '10.0.0.5', user: 'admin', password: 'x'.repeat(20) }).success).toBe(true);
    const issues = BmcInput.safeParse({ driver: 'ipmi', address: '10.0.0.5', user: 'u'.repeat(17), password: 'x'.repeat(21), certSha256: 'ab'.repeat(32) });
    expect(issues.success).toBe(false);
    expect(issues.error!.issues.map((i) => i.path.join('.')).sort()).toEqual(['certSha256', 'password', 'user']);
    expect(BmcInput.safeParse({ driver: 'redfish', address: 'https://10.0.0.5', user: 'a-long-redfish-user-name', password: 'y'.repeat(64) }).success).toBe(true);
  });

  it('name the address when it is wrong', () => {
    const r = BmcInput.safeParse({ driver: 'redfish', address: 'http://bmc', user: 'root' });
    expect(r.error!.issues).toEqual([expect.objectContaining({ path: ['address'], message: expect.stringContaining('Redfish must use https') })]);
  });
});
