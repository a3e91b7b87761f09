import { describe, expect, it } from 'vitest';
import { agentWsUrl, liveKernelArgs } from './boot-args.ts';
import { liveBootScript, newHostScript } from './ipxe-script.ts';

const sha = 'a'.repeat(64);

describe('iPXE scripts', () => {
  it('refuses values that would break the command line or be expanded by iPXE', () => {
    expect(() => liveKernelArgs({ benchUrl: 'http://10.0.0.1:8069', host: 'h', mac: '52:54:00:12:34:56', token: 'a b', agentSha256: sha })).toThrow(/cannot carry/);
    expect(() => liveKernelArgs({ benchUrl: 'http://10.0.0.1:8069', host: 'h', mac: '52:54:00:12:34:56', token: '${x}', agentSha256: sha })).toThrow(/cannot carry/);
    expect(() => liveKernelArgs({ benchUrl: 'http://10.0.0.1:8069', host: 'h', mac: '52:54:00:12:34:56', token: 't', agentSha256: 'XYZ' })).toThrow(/cannot carry|sha256/);
  });

  it('neutralises settings expansion in host names shown by echo', () => {
    expect(liveBootScript({ benchUrl: 'http://10.0.0.1:8069', host: 'x${net0/ip}', mac: '52:54:00:12:34:56', token: 't', agentSha256: sha })).toContain('echo Vetting: booting the live image for host x?{net0/ip}');
    expect(newHostScript('aa:bb:cc:dd:ee:ff', { benchUrl: 'http://h:1' })).toContain('sleep 20');
  });

  it("puts initrd= before the shared command line and loads the flavour's files", () => {
    const script = liveBootScript({ benchUrl: 'http://10.0.0.1:8069', host: 'h', mac: '52:54:00:12:34:56', token: 't', agentSha256: sha, flavour: 'gpu', console: 'ttyS1,115200n8' });
    const kernel = script.split('\n').find((l) => l.startsWith('kernel '))!;
    const args = liveKernelArgs({ benchUrl: 'http://10.0.0.1:8069', host: 'h', mac: '52:54:00:12:34:56', token: 't', agentSha256: sha, console: 'ttyS1,115200n8' });
    expect(kernel).toBe(`kernel http://10.0.0.1:8069/boot/host/52-54-00-12-34-56/gpu/vmlinuz initrd=initrd.img ${args.join(' ')} || goto failed`);
    expect(script).toContain('initrd http://10.0.0.1:8069/boot/host/52-54-00-12-34-56/gpu/initrd.img || goto failed');
  });

  it('derives the agent WebSocket URL from the bench URL', () => {
    expect(agentWsUrl('http://10.0.0.1:8069/')).toBe('ws://10.0.0.1:8069/agent');
  });
});
