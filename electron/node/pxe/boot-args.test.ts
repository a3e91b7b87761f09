import { describe, expect, it } from 'vitest';
import { imageFileNames, liveKernelArgs, parseImageFilePath } from './boot-args.ts';

const base = { benchUrl: 'http://10.0.0.1:8069/', host: 'h', mac: '52:54:00:12:34:56', token: 'tok_1', agentSha256: 'b'.repeat(64) };

describe('the live image command line (one list for iPXE and GRUB)', () => {
  it('carries the agent URL, token, bundle and checksum, the boot NIC, the console and the extra arguments', () => {
    expect(liveKernelArgs({ ...base, extraArgs: ['vetting.debug=shell'] })).toEqual([
      'vetting.url=ws://10.0.0.1:8069/agent',
      'vetting.token=tok_1',
      'vetting.agent=http://10.0.0.1:8069/boot/agent.mjs?mac=52:54:00:12:34:56',
      `vetting.sha256=${'b'.repeat(64)}`,
      'vetting.debug=shell',
      'BOOTIF=01-52-54-00-12-34-56',
      'console=tty0',
      'console=ttyS0,115200n8',
      'panic=30',
      'quiet',
      'loglevel=4',
    ]);
  });

  it('puts the host\'s console last (it becomes /dev/console)', () => {
    const args = liveKernelArgs({ ...base, console: 'ttyS1,115200' });
    expect(args.filter((a) => a.startsWith('console='))).toEqual(['console=tty0', 'console=ttyS1,115200']);
  });

  it('refuses a console, MAC or argument that could smuggle more onto the command line', () => {
    expect(() => liveKernelArgs({ ...base, console: 'ttyS1 init=/bin/sh' })).toThrow(/serial console/);
    expect(() => liveKernelArgs({ ...base, mac: '52:54:00:12:34:56 x' })).toThrow(/MAC/);
    expect(() => liveKernelArgs({ ...base, extraArgs: ['a;b'] })).toThrow(/cannot carry/);
    expect(() => liveKernelArgs({ ...base, extraArgs: ['"x"'] })).toThrow(/cannot carry/);
  });

  it('names each flavour\'s files', () => {
    expect(imageFileNames()).toEqual({ kernel: 'vmlinuz', initrd: 'initrd.img' });
    expect(imageFileNames('gpu')).toEqual({ kernel: 'gpu/vmlinuz', initrd: 'gpu/initrd.img' });
    expect(imageFileNames('gpu', '52:54:00:12:34:56')).toEqual({ kernel: 'host/52-54-00-12-34-56/gpu/vmlinuz', initrd: 'host/52-54-00-12-34-56/gpu/initrd.img' });
    expect(parseImageFilePath('/boot/host/52-54-00-12-34-56/gpu/initrd.img')).toEqual({ flavour: 'gpu', file: 'initrd', mac: '52:54:00:12:34:56' });
    // As a client may send it: colons, or colons percent-encoded (iPXE does that).
    expect(parseImageFilePath('/boot/host/52%3A54%3A00%3A12%3A34%3A56/vmlinuz')).toEqual({ flavour: 'base', file: 'kernel', mac: '52:54:00:12:34:56' });
    expect(parseImageFilePath('boot/host/52-54-00-12-34-56/vmlinuz')?.mac).toBe('52:54:00:12:34:56');
    expect(parseImageFilePath('boot/vmlinuz')).toEqual({ flavour: 'base', file: 'kernel', mac: null });
    for (const bad of ['/boot/host/52:54:00:12:34/vmlinuz', '/boot/../vmlinuz', '/boot/gpu/initrd.img.sig', '/boot/host/52-54-00-12-34-56/']) expect(parseImageFilePath(bad), bad).toBeNull();
  });
});
