import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { SupervisedProcess, type ExitInfo } from '../services/supervised-process.ts';
import { DEFAULT_IPXE_DIR, findExecutable, installIpxeBinaries, installSignedBootFiles, resolveImageDir } from './boot-files.ts';
import { grubBootstrapConfig } from './grub-config.ts';
import { renderDnsmasqConfig, type BenchSettings } from './dnsmasq-config.ts';
import { DnsmasqLogParser, type HostSeenEvent } from './dnsmasq-log.ts';
import { neighbourMac } from './neighbours.ts';

// dnsmasq under supervision: writes <dataDir>/dnsmasq/{dnsmasq.conf,tftp/,leases}
// from the bench settings before every start, runs it in the foreground with
// its log on stderr, turns the log into host-seen events, and explains the
// usual failures (no privileges, a port already taken, a missing interface)
// in words an operator can act on.

export interface DnsmasqServiceOptions {
  dataDir: string;
  bench: BenchSettings;
  /** http://ADDRESS:PORT of the bench listener (the port actually bound). */
  benchUrl: string;
  onHostSeen: (event: HostSeenEvent) => void;
  /** Something works less well than configured but dnsmasq can still start (e.g. no signed UEFI chain in the image). */
  onWarning?: (message: string) => void;
  /** Default: dnsmasq from PATH or /usr/sbin. */
  dnsmasqPath?: string;
  /** Default: /usr/lib/ipxe (Debian's ipxe package). */
  ipxeDir?: string;
  /** Passed to the supervisor (tests shorten the backoff). */
  backoffBaseMs?: number;
  /**
   * Command prefix that dnsmasq runs under, e.g. ["ip", "netns", "exec", "bench"]
   * for a lab namespace. It must exec dnsmasq (not fork), so stop() reaches it by PID.
   * With a prefix, the interface check is left to dnsmasq itself.
   */
  wrap?: readonly string[];
}

export interface DnsmasqPaths {
  dir: string;
  config: string;
  tftpRoot: string;
  leases: string;
}

export function dnsmasqPaths(dataDir: string): DnsmasqPaths {
  const dir = join(dataDir, 'dnsmasq');
  return { dir, config: join(dir, 'dnsmasq.conf'), tftpRoot: join(dir, 'tftp'), leases: join(dir, 'leases') };
}

const OPERATIONS = 'see docs/operations.md (bench network and privileges)';
/** The copy of dnsmasq that build/deb/vetting-privileges.sh grants the DHCP/TFTP ports to. */
export const PRIVILEGED_DNSMASQ = '/usr/lib/vetting/dnsmasq';

/** Maps dnsmasq's own start-up errors to what the operator should do. */
export function explainDnsmasqFailure(exit: ExitInfo, tail: readonly string[], iface: string | null, binary: string): string | null {
  if (exit.spawnError === 'ENOENT') return `dnsmasq is not installed: sudo apt-get install dnsmasq-base (${OPERATIONS})`;
  if (exit.spawnError === 'EACCES' && binary === PRIVILEGED_DNSMASQ) {
    return `you may not run ${PRIVILEGED_DNSMASQ}: join the vetting group (sudo usermod -aG vetting $USER) and log in again (${OPERATIONS})`;
  }
  const text = tail.slice(-20).join('\n');
  if (/Permission denied|Operation not permitted/i.test(text) && /socket|bind|port/i.test(text)) {
    // The packaged app grants the ports to a private copy of dnsmasq (build/deb/vetting-privileges.sh),
    // never to Debian's binary, which dpkg would reset and which every user could run.
    return (
      'dnsmasq may not open the DHCP (67) and TFTP (69) ports: run Vetting as root, or grant them once with ' +
      `"sudo /opt/Vetting/resources/deb/vetting-privileges.sh grant" (a from-source checkout: "sudo build/deb/vetting-privileges.sh grant"), ` +
      `which gives ${PRIVILEGED_DNSMASQ} cap_net_bind_service,cap_net_raw,cap_net_admin (${OPERATIONS}; ${binary} was refused)`
    );
  }
  if (/Address already in use/i.test(text)) {
    const port = /port 69|TFTP/i.test(text) ? '69 (TFTP)' : /DHCP/i.test(text) ? '67 (DHCP)' : '67 (DHCP) or 69 (TFTP)';
    return (
      `port ${port} is already taken by another server on this machine (another dnsmasq, isc-dhcp-server, a TFTP daemon, libvirt's network). ` +
      `Find it with "sudo ss -ulpn 'sport = :67 or sport = :69'" and stop it, or switch Vetting's DHCP mode (${OPERATIONS})`
    );
  }
  const unknown = /unknown interface (\S+)/i.exec(text);
  if (unknown) return `bench interface ${unknown[1]} does not exist on this machine: check bench.interface in Settings (ip -br link lists interfaces)`;
  const noAddr = /no address range available for DHCP request|no address configured/i.exec(text);
  if (noAddr) return `dnsmasq has no usable address on ${iface ?? 'the bench interface'}: give the interface an address in the DHCP range's subnet`;
  const bad = /^dnsmasq: (bad .*|.*error.* at line \d+.*)$/im.exec(text);
  if (bad) return `dnsmasq rejected its configuration: ${bad[1]} (a Vetting bug or an unusual setting; report it with the log tail)`;
  return null;
}

/** Builds the supervised dnsmasq. Call start() on it; stop() on shutdown or settings change. */
export function createDnsmasqService(opts: DnsmasqServiceOptions): SupervisedProcess {
  const paths = dnsmasqPaths(opts.dataDir);
  // Prefer the capable private copy the package installs (docs/operations.md), then PATH.
  const binary = opts.dnsmasqPath ?? (existsSync(PRIVILEGED_DNSMASQ) ? PRIVILEGED_DNSMASQ : null) ?? findExecutable('dnsmasq') ?? 'dnsmasq';
  const iface = opts.bench.interface;
  const newParser = () => new DnsmasqLogParser((ip) => neighbourMac(ip, iface));
  let parser = newParser();

  const preflight = (): string | null => {
    if (!findExecutable(binary)) return `dnsmasq is not installed: sudo apt-get install dnsmasq-base (${OPERATIONS})`;
    if (!opts.wrap?.length && opts.bench.interface && existsSync('/sys/class/net') && !existsSync(join('/sys/class/net', opts.bench.interface))) {
      return `bench interface ${opts.bench.interface} does not exist on this machine: check bench.interface in Settings (ip -br link lists interfaces)`;
    }
    mkdirSync(paths.dir, { recursive: true });
    const ipxe = installIpxeBinaries(paths.tftpRoot, opts.ipxeDir ?? DEFAULT_IPXE_DIR);
    if (ipxe.problem) return ipxe.problem;
    let bench = opts.bench;
    if (bench.uefiBoot === 'signed') {
      const signed = installSignedBootFiles(paths.tftpRoot, resolveImageDir(bench.imageDir));
      if (signed.problem) {
        // An image built before the signed chain existed: UEFI machines get iPXE as before, and the log says why.
        opts.onWarning?.(`${signed.problem}; until then UEFI machines get iPXE, which Secure Boot refuses`);
        bench = { ...bench, uefiBoot: 'ipxe' };
      } else {
        // Debian's netboot GRUB reads grub/grub.cfg under its TFTP prefix; ours sends it on to the bench's own TFTP server.
        const listener = new URL(opts.benchUrl);
        mkdirSync(join(paths.tftpRoot, 'grub'), { recursive: true });
        writeFileSync(join(paths.tftpRoot, 'grub', 'grub.cfg'), grubBootstrapConfig({ address: listener.hostname, port: Number(listener.port || 80) }));
      }
    }
    let config: string;
    try {
      config = renderDnsmasqConfig({ bench, benchUrl: opts.benchUrl, tftpRoot: paths.tftpRoot, leaseFile: paths.leases, user: userInfo().username });
    } catch (err) {
      return `cannot configure dnsmasq: ${(err as Error).message}`;
    }
    writeFileSync(paths.config, config);
    // A fresh process logs fresh transactions: do not carry half-seen ones over.
    parser = newParser();
    return null;
  };

  return new SupervisedProcess({
    name: 'dnsmasq',
    // -k: stay in the foreground so we supervise the real PID; -C: only our config.
    command: opts.wrap?.length ? opts.wrap[0]! : binary,
    args: [...(opts.wrap?.slice(1) ?? []), ...(opts.wrap?.length ? [binary] : []), '-k', '-C', paths.config],
    preflight,
    backoffBaseMs: opts.backoffBaseMs,
    explainExit: (exit, tail) => explainDnsmasqFailure(exit, tail, opts.bench.interface, binary),
    onLine: (line) => {
      const event = parser.feed(line);
      if (event) opts.onHostSeen(event);
    },
  });
}
