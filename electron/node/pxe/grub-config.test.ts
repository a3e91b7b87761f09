import { describe, expect, it } from 'vitest';
import { liveKernelArgs } from './boot-args.ts';
import { grubBootstrapConfig, grubLiveConfig, grubNewHostConfig, grubNoRunConfig } from './grub-config.ts';
import { liveBootScript } from './ipxe-script.ts';

const t = { address: '10.9.8.1', port: 8069 };
const p = { benchUrl: 'http://10.9.8.1:8069', host: 'pve-7', mac: '52:54:00:00:07:01', token: 'tok', agentSha256: 'c'.repeat(64), console: 'ttyS1,115200n8', extraArgs: ['vetting.pin=sha256:ab'] };

describe('GRUB configurations (Secure Boot chain)', () => {
  it('the bootstrap in dnsmasq\'s TFTP root asks the bench\'s TFTP server for this machine\'s own configuration', () => {
    const cfg = grubBootstrapConfig(t);
    expect(cfg).toContain('configfile (tftp,10.9.8.1:8069)/vetting/${net_default_mac}.cfg');
    expect(cfg).toMatch(/sleep 20\nconfigfile \$prefix\/grub\.cfg/);
  });

  it('boots the signed kernel over TFTP with exactly the command line iPXE passes (so extra arguments reach both chains)', () => {
    const cfg = grubLiveConfig(p, t).split('\n');
    const args = liveKernelArgs(p).join(' ');
    expect(cfg).toContain(`linux (tftp,10.9.8.1:8069)/boot/host/52-54-00-00-07-01/vmlinuz ${args}`);
    expect(cfg).toContain('initrd (tftp,10.9.8.1:8069)/boot/host/52-54-00-00-07-01/initrd.img');
    expect(cfg).toContain('boot');
    expect(args).toContain('vetting.pin=sha256:ab');
    // iPXE: the same list after its own initrd= (which only its EFI stub boot needs).
    expect(liveBootScript(p)).toContain(`initrd=initrd.img ${args} ||`);
    expect(grubLiveConfig({ ...p, flavour: 'gpu' }, t)).toContain('initrd (tftp,10.9.8.1:8069)/boot/host/52-54-00-00-07-01/gpu/initrd.img');
  });

  it('waiting answers show a message and ask again; names cannot break out of the quotes', () => {
    const nh = grubNewHostConfig('52:54:00:aa:bb:cc', t);
    expect(nh).toContain('echo "Vetting: new host 52:54:00:aa:bb:cc"');
    expect(nh).not.toMatch(/^linux/m);
    expect(nh).toMatch(/sleep 20\nconfigfile \(tftp,10\.9\.8\.1:8069\)\/vetting\/\$\{net_default_mac\}\.cfg/);
    expect(grubNoRunConfig('x"; linux evil; echo "${y}', t)).toContain('echo "Vetting: host x?? linux evil? echo ???y? has no run waiting."');
  });
});
