import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Settings } from '../../common/schema/api.ts';
import type { HostSeenEvent } from '../../electron/node/pxe/dnsmasq-log.ts';
import { createDnsmasqService } from '../../electron/node/pxe/dnsmasq-service.ts';
import type { SupervisedProcess } from '../../electron/node/services/supervised-process.ts';
import { createBenchNet, inNs, type BenchNet } from '../lab/netns.ts';

// dnsmasq in a network namespace answering a real DHCP client (busybox udhcpc,
// announcing itself as BIOS PXE firmware) and a real TFTP download of the iPXE
// binary, plus the actionable errors for a busy port and missing privileges.

let net: BenchNet;
let dataDir: string;
const services: SupervisedProcess[] = [];

beforeAll(async () => {
  net = await createBenchNet('dq', 61);
  dataDir = mkdtempSync(join(tmpdir(), 'vetting-dnsmasq-'));
  chmodSync(dataDir, 0o755);
});

afterAll(async () => {
  for (const s of services) await s.stop();
  await net?.cleanup();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

function bench(patch: Record<string, unknown>) {
  return Settings.parse({ bench: { interface: net.srvIf, address: net.srvAddr, port: 8069, ...patch } }).bench;
}

describe('dnsmasq supervisor in a namespace', () => {
  it('full DHCP: leases an address with the PXE boot file by architecture, serves it over TFTP, reports the host', async () => {
    const events: HostSeenEvent[] = [];
    const svc = createDnsmasqService({
      dataDir,
      bench: bench({ dhcpMode: 'full', dhcpRange: { start: net.srvAddr.replace(/\.1$/, '.100'), end: net.srvAddr.replace(/\.1$/, '.150'), leaseTime: '1h' } }),
      benchUrl: `http://${net.srvAddr}:8069`,
      onHostSeen: (e) => events.push(e),
      wrap: inNs(net.srvNs),
    });
    services.push(svc);
    svc.start();
    await svc.waitFor((s) => s === 'running', 10_000);
    await expect.poll(() => svc.logTail.join('\n'), { timeout: 10_000 }).toContain('TFTP root is');

    // udhcpc's hook prints what the server offered; -V claims BIOS PXE (arch 0).
    const hook = join(dataDir, 'hook.sh');
    writeFileSync(hook, '#!/bin/sh\n[ "$1" = bound ] && ip addr add "$ip/24" dev "$interface" && echo "LEASE ip=$ip boot_file=$boot_file siaddr=$siaddr"\nexit 0\n', { mode: 0o755 });
    // The client talks from its leased address only, like PXE firmware does.
    await execa('ip', ['-n', net.cliNs, 'addr', 'flush', 'dev', 'br0']);
    const dhcp = await execa('ip', ['netns', 'exec', net.cliNs, 'busybox', 'udhcpc', '-i', 'br0', '-q', '-n', '-f', '-t', '5', '-T', '2', '-s', hook, '-V', 'PXEClient:Arch:00000:UNDI:002001']);
    const lease = /LEASE ip=(\S+) boot_file=(\S*) siaddr=(\S*)/.exec(dhcp.stdout);
    expect(lease, dhcp.stdout + dhcp.stderr).not.toBeNull();
    const [, leasedIp, bootFile, siaddr] = lease!;
    expect(bootFile).toBe('undionly.kpxe');
    expect(siaddr).toBe(net.srvAddr);

    const got = join(dataDir, 'got.kpxe');
    await execa('ip', ['netns', 'exec', net.cliNs, 'busybox', 'tftp', '-g', '-r', 'undionly.kpxe', '-l', got, net.srvAddr]);
    expect(readFileSync(got).equals(readFileSync('/usr/lib/ipxe/undionly.kpxe'))).toBe(true);

    const mac = (await execa('ip', ['-n', net.cliNs, '-j', 'link', 'show', 'br0'])).stdout;
    const brMac = (JSON.parse(mac) as { address: string }[])[0]!.address;
    await expect.poll(() => events.find((e) => e.source === 'tftp'), { timeout: 5000, message: svc.logTail.join('\n') + JSON.stringify(events) }).toBeTruthy();
    expect(events.find((e) => e.message === 'DHCPDISCOVER')).toMatchObject({ mac: brMac, arch: 'bios', client: 'pxe' });
    expect(events.find((e) => e.message === 'DHCPACK')).toMatchObject({ mac: brMac, ip: leasedIp, arch: 'bios' });
    expect(events.find((e) => e.source === 'tftp')).toMatchObject({ mac: brMac, file: 'undionly.kpxe' });

    await svc.stop();
    expect(svc.state).toBe('stopped');
  });

  it('a port already held by another server: names the port and how to find the holder', async () => {
    // Another DHCP server's socket on 0.0.0.0:67 in the bench namespace.
    const blocker = execa('ip', [...inNs(net.srvNs).slice(1), 'python3', '-c', "import socket,time\ns=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\ns.bind(('0.0.0.0',67))\nprint('bound',flush=True)\ntime.sleep(120)"], { reject: false });
    try {
      await new Promise<void>((resolve) => blocker.stdout!.once('data', () => resolve()));
      const second = createDnsmasqService({
        dataDir: join(dataDir, 'second'),
        bench: bench({ dhcpMode: 'proxy', proxySubnet: net.subnet }),
        benchUrl: `http://${net.srvAddr}:8069`,
        onHostSeen: () => {},
        wrap: inNs(net.srvNs),
        backoffBaseMs: 60_000,
      });
      services.push(second);
      second.start();
      await second.waitFor((s) => s === 'failed', 10_000);
      expect(second.lastError, second.logTail.join('\n')).toMatch(/^port 67 \(DHCP\) is already taken by another server/);
      expect(second.lastError).toContain("ss -ulpn 'sport = :67 or sport = :69'");
      await second.stop();
    } finally {
      if (blocker.pid) process.kill(blocker.pid, 'SIGKILL');
      await blocker;
    }
  });

  it('without privileges: says to run as root or grant the ports to the private dnsmasq', async () => {
    const dir = join(dataDir, 'unpriv');
    // The data directory belongs to the user running Vetting; here that user is nobody.
    mkdirSync(join(dir, 'dnsmasq'), { recursive: true, mode: 0o777 });
    chmodSync(join(dir, 'dnsmasq'), 0o777);
    const svc = createDnsmasqService({
      dataDir: dir,
      bench: bench({ dhcpMode: 'proxy', proxySubnet: net.subnet }),
      benchUrl: `http://${net.srvAddr}:8069`,
      onHostSeen: () => {},
      // Drop to nobody with no capabilities, as a desktop user without setcap would be.
      wrap: [...inNs(net.srvNs), 'setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--inh-caps=-all', '--bounding-set=-all'],
      backoffBaseMs: 60_000,
    });
    services.push(svc);
    svc.start();
    await svc.waitFor((s) => s === 'failed', 10_000);
    expect(svc.lastError, svc.logTail.join('\n')).toMatch(/run Vetting as root, or grant them once with "sudo .*vetting-privileges\.sh grant"/);
    await svc.stop();
  });
});
