// dnsmasq's log-dhcp output → "host seen" events. A DHCP transaction logs
// several lines tagged with the same transaction id: the client's vendor class
// (which carries the PXE client architecture, option 93 as text) and user class
// come before the DHCPDISCOVER/ACK or PXE line that names the MAC, so the parser
// remembers per-transaction facts until the line with the MAC arrives.

export type BootArch = 'bios' | 'efi-ia32' | 'efi-x64' | 'efi-arm32' | 'efi-arm64' | 'efi-x64-http' | 'other';
export type SeenSource = 'dhcp' | 'proxy-dhcp' | 'tftp';

export interface HostSeenEvent {
  mac: string;
  /** Leased (DHCPACK) or known (proxy PXE request) IPv4; null before the client has one. */
  ip: string | null;
  /** PXE client architecture; null for a client that is not PXE firmware (e.g. the live image's udhcpc). */
  arch: BootArch | null;
  source: SeenSource;
  /** The DHCP message or PXE step that produced the event (DHCPDISCOVER, DHCPACK, PXE…). */
  message: string;
  /** Firmware running the request: PXE ROM, iPXE, or something else (an OS DHCP client). */
  client: 'pxe' | 'ipxe' | 'other';
  /** For TFTP events: the file sent. */
  file?: string;
}

const PREFIX = /^(?:[A-Z][a-z]{2}\s+\d+\s+\d\d:\d\d:\d\d\s+)?(?:\S+\s+)?dnsmasq(-dhcp|-tftp)?(?:\[\d+\])?:\s+(.*)$/;
const MAC = '([0-9a-fA-F]{2}(?::[0-9a-fA-F]{2}){5})';
const IP = '(\\d{1,3}(?:\\.\\d{1,3}){3})';
const DHCP_MSG = new RegExp(`^(?:(\\d+)\\s+)?(DHCPDISCOVER|DHCPREQUEST|DHCPACK|DHCPOFFER|DHCPINFORM)\\((\\S+)\\)\\s+(?:${IP}\\s+)?${MAC}`);
const PXE_MSG = new RegExp(`^(?:(\\d+)\\s+)?PXE\\((\\S+)\\)\\s+(?:${IP}\\s+)?${MAC}\\s*(\\S+)?`);
const CLASS = /^(\d+)\s+(vendor|user) class:\s+(.*)$/;
const TFTP_SENT = new RegExp(`^sent\\s+(\\S+)\\s+to\\s+${IP}`);

/** RFC 4578 client architecture numbers. */
export function archFromNumber(n: number): BootArch {
  switch (n) {
    case 0:
      return 'bios';
    case 6:
      return 'efi-ia32';
    case 7:
    case 9:
      return 'efi-x64';
    case 10:
      return 'efi-arm32';
    case 11:
      return 'efi-arm64';
    case 16:
      return 'efi-x64-http';
    default:
      return 'other';
  }
}

interface Txn {
  arch: BootArch | null;
  ipxe: boolean;
  pxe: boolean;
  seenAt: number;
}

/**
 * Stateful parser: feed it lines in order (one dnsmasq process's output).
 * Emits events only for lines that identify a client; everything else is
 * ignored, never an error (dnsmasq logs much more than we need).
 */
export class DnsmasqLogParser {
  /**
   * @param macForIp Where a TFTP client's MAC comes from when the log never paired
   * its address with one (proxy DHCP with UEFI firmware): the bench interface's
   * neighbour table (neighbours.ts). Without it, such transfers are dropped.
   */
  constructor(private readonly macForIp: (ip: string) => string | null = () => null) {}

  private readonly txns = new Map<string, Txn>();
  private readonly macByIp = new Map<string, string>();
  private readonly archByMac = new Map<string, BootArch>();
  private lineNo = 0;

  feed(rawLine: string): HostSeenEvent | null {
    this.lineNo += 1;
    const m = PREFIX.exec(rawLine.trim());
    // With log-facility=- some builds omit the prefix; accept the bare message too.
    const facility = m ? (m[1] ?? '') : '';
    const body = m ? m[2]! : rawLine.trim();

    if (facility === '-tftp' || (!m && body.startsWith('sent '))) return this.tftp(body);

    const cls = CLASS.exec(body);
    if (cls) {
      const t = this.txn(cls[1]!);
      if (cls[2] === 'vendor') {
        const arch = /^PXEClient:Arch:(\d{5})/.exec(cls[3]!);
        if (arch) {
          t.arch = archFromNumber(Number(arch[1]));
          t.pxe = true;
        } else if (/^PXEClient\b/.test(cls[3]!)) t.pxe = true;
      } else if (/\biPXE\b/.test(cls[3]!)) t.ipxe = true;
      return null;
    }

    const dhcp = DHCP_MSG.exec(body);
    if (dhcp) {
      const [, xid, message, , ip, mac] = dhcp;
      // OFFER and REQUEST repeat what DISCOVER/ACK say; one event per step is enough.
      if (message !== 'DHCPDISCOVER' && message !== 'DHCPACK') return null;
      const t = xid ? this.txns.get(xid) : undefined;
      const lowerMac = mac!.toLowerCase();
      const leased = message === 'DHCPACK' ? (ip ?? null) : null;
      if (t?.arch) this.archByMac.set(lowerMac, t.arch);
      if (leased) this.macByIp.set(leased, lowerMac);
      return { mac: lowerMac, ip: leased, arch: t?.arch ?? null, source: 'dhcp', message: message!, client: clientOf(t) };
    }

    const pxe = PXE_MSG.exec(body);
    if (pxe) {
      const [, xid, , ip, mac] = pxe;
      const t = xid ? this.txns.get(xid) : undefined;
      const lowerMac = mac!.toLowerCase();
      if (ip) this.macByIp.set(ip, lowerMac);
      if (t?.arch) this.archByMac.set(lowerMac, t.arch);
      return { mac: lowerMac, ip: ip ?? null, arch: t?.arch ?? null, source: 'proxy-dhcp', message: 'PXE', client: clientOf(t) ?? 'pxe' };
    }
    return null;
  }

  private tftp(body: string): HostSeenEvent | null {
    const sent = TFTP_SENT.exec(body);
    if (!sent) return null;
    // Proxy mode with UEFI firmware: dnsmasq never logs the address with a MAC, so ask
    // who answered for it on the bench segment; nobody known, drop it rather than guess.
    const mac = this.macByIp.get(sent[2]!) ?? this.macForIp(sent[2]!);
    if (!mac) return null;
    const file = sent[1]!.split('/').pop()!;
    return { mac, ip: sent[2]!, arch: this.archByMac.get(mac) ?? null, source: 'tftp', message: 'TFTP', client: 'pxe', file };
  }

  private txn(xid: string): Txn {
    let t = this.txns.get(xid);
    if (!t) {
      t = { arch: null, ipxe: false, pxe: false, seenAt: this.lineNo };
      this.txns.set(xid, t);
      // Transactions are short-lived; keep the map bounded on a busy bench.
      if (this.txns.size > 512) {
        const oldest = [...this.txns.entries()].sort((a, b) => a[1].seenAt - b[1].seenAt).slice(0, 256);
        for (const [k] of oldest) this.txns.delete(k);
      }
    }
    t.seenAt = this.lineNo;
    return t;
  }
}

function clientOf(t: Txn | undefined): HostSeenEvent['client'] {
  if (!t) return 'other';
  if (t.ipxe) return 'ipxe';
  if (t.pxe) return 'pxe';
  return 'other';
}

/** Parses a whole log; convenient for tests and for replaying a saved log. */
export function parseDnsmasqLog(text: string): HostSeenEvent[] {
  const parser = new DnsmasqLogParser();
  const events: HostSeenEvent[] = [];
  for (const line of text.split('\n')) {
    const e = parser.feed(line);
    if (e) events.push(e);
  }
  return events;
}
