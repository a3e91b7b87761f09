import { describe, expect, it } from 'vitest';
import { Settings } from '../../../common/schema/api.ts';
import { DnsmasqConfigError, dnsmasqSettingsProblems, renderDnsmasqConfig } from './dnsmasq-config.ts';
import { explainDnsmasqFailure } from './dnsmasq-service.ts';

const bench = (patch: Record<string, unknown>) => Settings.parse({ bench: { interface: 'vbench0', address: '10.9.8.1', port: 8069, ...patch } }).bench;
const paths = { benchUrl: 'http://10.9.8.1:8069', tftpRoot: '/var/lib/vetting/dnsmasq/tftp', leaseFile: '/var/lib/vetting/dnsmasq/leases', user: 'root' };

describe('dnsmasq configuration', () => {
  it('full DHCP: range and lease time on the bench interface, DNS off, TFTP, RA, iPXE by HTTP', () => {
    const conf = renderDnsmasqConfig({ bench: bench({ dhcpMode: 'full', uefiBoot: 'ipxe', dhcpRange: { start: '10.9.8.100', end: '10.9.8.150', leaseTime: '2h' } }), ...paths });
    const lines = conf.split('\n');
    for (const l of [
      'port=0',
      'interface=vbench0',
      'dhcp-range=10.9.8.100,10.9.8.150,2h',
      'enable-tftp',
      'tftp-root=/var/lib/vetting/dnsmasq/tftp',
      'enable-ra',
      'dhcp-range=::,constructor:vbench0,ra-only',
      'dhcp-userclass=set:ipxe,iPXE',
      'dhcp-boot=tag:ipxe,http://10.9.8.1:8069/boot/ipxe?mac=${net0/mac}&platform=${platform}&buildarch=${buildarch}',
      'dhcp-boot=tag:!ipxe,tag:efi64,snponly.efi,,10.9.8.1',
      'dhcp-boot=tag:!ipxe,undionly.kpxe,,10.9.8.1',
      'log-dhcp',
    ]) {
      expect(lines).toContain(l);
    }
    expect(conf).not.toContain('proxy');
  });

  it('proxy DHCP: proxy range on the given subnet and PXE services for BIOS and UEFI', () => {
    const conf = renderDnsmasqConfig({ bench: bench({ dhcpMode: 'proxy', uefiBoot: 'ipxe', proxySubnet: '10.9.8.0' }), ...paths });
    expect(conf).toContain('dhcp-range=10.9.8.0,proxy');
    expect(conf).toContain('pxe-service=tag:!ipxe,x86PC,"Vetting (BIOS)",undionly.kpxe');
    expect(conf).toContain('pxe-service=tag:!ipxe,BC_EFI,"Vetting (UEFI)",snponly.efi');
    expect(conf).not.toContain('dhcp-authoritative');
  });

  it('UEFI gets the signed chain (shim) by default, in full and proxy mode; BIOS keeps iPXE', () => {
    const full = renderDnsmasqConfig({ bench: bench({ dhcpMode: 'full', dhcpRange: { start: '10.9.8.100', end: '10.9.8.150', leaseTime: '1h' } }), ...paths }).split('\n');
    expect(full).toContain('dhcp-boot=tag:!ipxe,tag:efi64,shimx64.efi,,10.9.8.1');
    expect(full).toContain('dhcp-boot=tag:!ipxe,undionly.kpxe,,10.9.8.1');
    // dnsmasq takes the last matching dhcp-boot line: the catch-all BIOS file must come before the UEFI ones
    // (seen in the lab: OVMF was offered undionly.kpxe when it came after).
    const boot = full.filter((l) => l.startsWith('dhcp-boot=')).map((l) => l.replace(/,,10\.9\.8\.1$/, ''));
    expect(boot).toEqual([
      'dhcp-boot=tag:!ipxe,undionly.kpxe',
      'dhcp-boot=tag:!ipxe,tag:efi32,ipxe.efi',
      'dhcp-boot=tag:!ipxe,tag:efi64,shimx64.efi',
      'dhcp-boot=tag:ipxe,http://10.9.8.1:8069/boot/ipxe?mac=${net0/mac}&platform=${platform}&buildarch=${buildarch}',
    ]);
    const proxy = renderDnsmasqConfig({ bench: bench({ dhcpMode: 'proxy', proxySubnet: '10.9.8.0' }), ...paths });
    expect(proxy).toContain('pxe-service=tag:!ipxe,X86-64_EFI,"Vetting (UEFI)",shimx64.efi');
    expect(proxy).toContain('pxe-service=tag:!ipxe,x86PC,"Vetting (BIOS)",undionly.kpxe');
    expect(proxy).not.toContain('snponly.efi');
  });

  it('names every problem with settings that cannot work', () => {
    expect(dnsmasqSettingsProblems(bench({ dhcpMode: 'full' }))).toEqual(['full DHCP needs bench.dhcpRange {start, end, leaseTime}']);
    expect(dnsmasqSettingsProblems(bench({ dhcpMode: 'proxy', interface: null }))).toEqual([
      'bench.interface is not set: dnsmasq must know which interface faces the bench switch',
      'proxy DHCP needs bench.proxySubnet (the subnet the existing DHCP server serves, e.g. 10.1.2.0)',
    ]);
    const bad = dnsmasqSettingsProblems(bench({ dhcpMode: 'full', interface: 'eth0\nport=53', dhcpRange: { start: '10.9.8.200', end: '10.9.8.100', leaseTime: 'forever' } }));
    expect(bad.join('\n')).toMatch(/not a valid interface name/);
    expect(bad.join('\n')).toMatch(/start is after/);
    expect(bad.join('\n')).toMatch(/leaseTime "forever"/);
    expect(() => renderDnsmasqConfig({ bench: bench({ dhcpMode: 'off' }), ...paths })).toThrow(DnsmasqConfigError);
    expect(() => renderDnsmasqConfig({ bench: bench({ dhcpMode: 'proxy', proxySubnet: '10.9.8.0' }), ...paths, tftpRoot: '/a b' })).toThrow(/spaces, commas or quotes/);
  });

  it('explains dnsmasq start-up failures in actionable words', () => {
    const exit = { exitCode: 2, signal: null, spawnError: null };
    expect(explainDnsmasqFailure(exit, ['dnsmasq: failed to bind DHCP server socket: Permission denied'], 'vbench0', '/usr/sbin/dnsmasq')).toMatch(
      /vetting-privileges\.sh grant.*\/usr\/lib\/vetting\/dnsmasq cap_net_bind_service,cap_net_raw,cap_net_admin/,
    );
    expect(explainDnsmasqFailure({ exitCode: null, signal: null, spawnError: 'EACCES' }, [], null, '/usr/lib/vetting/dnsmasq')).toMatch(/join the vetting group/);
    expect(explainDnsmasqFailure(exit, ['dnsmasq: failed to bind DHCP server socket: Address already in use'], 'vbench0', 'dnsmasq')).toMatch(/port 67 \(DHCP\) is already taken/);
    expect(explainDnsmasqFailure(exit, ['dnsmasq: unknown interface vbench9'], 'vbench9', 'dnsmasq')).toMatch(/bench interface vbench9 does not exist/);
    expect(explainDnsmasqFailure({ exitCode: null, signal: null, spawnError: 'ENOENT' }, [], null, 'dnsmasq')).toMatch(/apt-get install dnsmasq-base/);
    expect(explainDnsmasqFailure(exit, ['something else'], null, 'dnsmasq')).toBeNull();
  });
});
