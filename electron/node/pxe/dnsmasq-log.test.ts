import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DnsmasqLogParser, archFromNumber, parseDnsmasqLog } from './dnsmasq-log.ts';

const fixture = (p: string): string => readFileSync(new URL(`../../../fixtures/tool-outputs/${p}`, import.meta.url), 'utf8');

describe('dnsmasq log → host-seen events (real lab logs)', () => {
  it('BIOS full DHCP: iPXE ROM discover/ack with arch, TFTP of the script, then the live image lease', () => {
    const events = parseDnsmasqLog(fixture('pxe-guest/dnsmasq-bios-pxe.log'));
    expect(new Set(events.map((e) => e.mac))).toEqual(new Set(['52:54:00:00:07:01']));
    const ack = events.find((e) => e.message === 'DHCPACK' && e.client === 'ipxe');
    expect(ack).toMatchObject({ ip: '10.231.7.140', arch: 'bios', source: 'dhcp' });
    expect(events.find((e) => e.source === 'tftp')).toMatchObject({ ip: '10.231.7.140', file: 'boot.ipxe', arch: 'bios' });
    // The live image's udhcpc is not PXE firmware: no architecture claimed.
    const live = events.filter((e) => e.client === 'other');
    expect(live.map((e) => e.message)).toEqual(['DHCPDISCOVER', 'DHCPACK']);
    expect(live.every((e) => e.arch === null)).toBe(true);
  });

  it('UEFI full DHCP: OVMF PXE (arch 7) gets snponly.efi, then iPXE, then the live image', () => {
    const events = parseDnsmasqLog(fixture('pxe-guest-uefi/dnsmasq-uefi-pxe.log'));
    const firmware = events.filter((e) => e.source === 'dhcp' && e.client === 'pxe');
    expect(firmware[0]).toMatchObject({ mac: '52:54:00:00:07:02', arch: 'efi-x64', message: 'DHCPDISCOVER', ip: null });
    expect(firmware.find((e) => e.message === 'DHCPACK')?.ip).toBe('10.231.7.141');
    expect(events.filter((e) => e.source === 'tftp').map((e) => e.file)).toContain('snponly.efi');
    expect(events.some((e) => e.client === 'ipxe' && e.arch === 'efi-x64')).toBe(true);
  });

  it('proxy DHCP with UEFI firmware: the TFTP transfer is tied to its MAC through the neighbour table', () => {
    const text = fixture('pxe-proxydhcp/dnsmasq-proxy.log');
    // Alone, the log never pairs 10.231.7.191 with a MAC (UEFI skips the boot-server request).
    expect(parseDnsmasqLog(text).filter((e) => e.source === 'tftp' && e.ip === '10.231.7.191')).toEqual([]);
    const asked: string[] = [];
    const p = new DnsmasqLogParser((ip) => (asked.push(ip), ip === '10.231.7.191' ? '52:54:00:00:07:04' : null));
    const tftp = text.split('\n').map((l) => p.feed(l)).filter((e) => e?.source === 'tftp' && e.ip === '10.231.7.191');
    expect(tftp.map((e) => [e!.mac, e!.file, e!.arch])).toEqual([
      ['52:54:00:00:07:04', 'snponly.efi', 'efi-x64'],
      ['52:54:00:00:07:04', 'snponly.efi', 'efi-x64'],
      ['52:54:00:00:07:04', 'boot.ipxe', 'efi-x64'],
    ]);
    // Addresses the log already knows (BIOS's boot-server request) need no lookup.
    expect(asked.every((ip) => ip === '10.231.7.191')).toBe(true);
  });

  it('proxy DHCP: PXE requests carry the MAC, and the IP once the client has one', () => {
    const events = parseDnsmasqLog(fixture('pxe-proxydhcp/dnsmasq-proxy.log'));
    expect(events.every((e) => e.source === 'proxy-dhcp' || e.source === 'tftp')).toBe(true);
    const bios = events.filter((e) => e.mac === '52:54:00:00:07:03');
    expect(bios[0]).toMatchObject({ arch: 'bios', client: 'ipxe', ip: null });
    expect(bios.some((e) => e.ip === '10.231.7.190')).toBe(true);
    const efi = events.filter((e) => e.mac === '52:54:00:00:07:04');
    expect(efi[0]).toMatchObject({ arch: 'efi-x64', client: 'pxe' });
    expect(efi.some((e) => e.client === 'ipxe')).toBe(true);
  });

  it('ignores noise and malformed lines without throwing', () => {
    const p = new DnsmasqLogParser();
    for (const line of ['', 'garbage', 'dnsmasq[1]: started, version 2.90 DNS disabled', 'dnsmasq-dhcp[1]: 5 DHCPACK(eth0) 999.1.1 zz:zz', 'dnsmasq-tftp[1]: sent /x to nowhere']) {
      expect(p.feed(line)).toBeNull();
    }
  });

  it('accepts stderr lines without the syslog date (log-facility=-)', () => {
    const p = new DnsmasqLogParser();
    expect(p.feed('dnsmasq-dhcp[42]: 77 vendor class: PXEClient:Arch:00009:UNDI:003016')).toBeNull();
    expect(p.feed('dnsmasq-dhcp[42]: 77 DHCPDISCOVER(vbench) AA:BB:CC:DD:EE:0F ')).toEqual({
      mac: 'aa:bb:cc:dd:ee:0f',
      ip: null,
      arch: 'efi-x64',
      source: 'dhcp',
      message: 'DHCPDISCOVER',
      client: 'pxe',
    });
  });

  it('maps RFC 4578 architecture numbers', () => {
    expect([0, 6, 7, 9, 10, 11, 16, 99].map(archFromNumber)).toEqual(['bios', 'efi-ia32', 'efi-x64', 'efi-x64', 'efi-arm32', 'efi-arm64', 'efi-x64-http', 'other']);
  });
});
