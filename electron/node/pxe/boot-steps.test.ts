import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bootStepOfSeen } from './boot-steps.ts';
import { parseDnsmasqLog } from './dnsmasq-log.ts';

const fixture = (p: string): string => readFileSync(new URL(`../../../fixtures/tool-outputs/${p}`, import.meta.url), 'utf8');
const steps = (log: string) => parseDnsmasqLog(fixture(log)).flatMap((e) => bootStepOfSeen(e) ?? []);

describe('dnsmasq events → boot steps (real lab logs)', () => {
  it('UEFI full DHCP: firmware asks and leases, gets snponly.efi, then iPXE and the live image lease', () => {
    const s = steps('pxe-guest-uefi/dnsmasq-uefi-pxe.log');
    expect(s[0]).toEqual({ step: 'dhcp', detail: 'PXE firmware asked for an address (efi-x64)' });
    expect(s).toContainEqual({ step: 'dhcp', detail: 'PXE firmware leased 10.231.7.141 (efi-x64)' });
    expect(s).toContainEqual({ step: 'tftp', detail: 'snponly.efi sent to 10.231.7.141' });
    expect(s.some((x) => x.detail.startsWith('iPXE leased'))).toBe(true);
    expect(s.at(-1)).toEqual({ step: 'dhcp', detail: expect.stringMatching(/^the live image leased 10\.231\.7\.\d+$/) });
  });

  it('proxy DHCP: the boot file answer, with the address once the client has one', () => {
    const s = steps('pxe-proxydhcp/dnsmasq-proxy.log').filter((x) => x.detail.includes('proxy DHCP'));
    expect(s.length).toBeGreaterThan(0);
    expect(s[0]!.detail).toMatch(/^(PXE firmware|iPXE) got its boot file by proxy DHCP/);
  });
});
