import { readFileSync } from 'node:fs';

// The kernel's IPv4 neighbour (ARP) table: which MAC answered for an address on
// the bench interface. dnsmasq's TFTP log names only the client's address, and
// in proxy-DHCP mode (UEFI firmware, which skips the PXE boot-server request)
// dnsmasq never logs that address next to a MAC. The machine that just fetched
// a file over TFTP on the bench's own segment is in this table, so its MAC can
// be read there (docs/pxe.md, "Boot progress").

const FLAG_COMPLETE = 0x2;

/** /proc/net/arp → [address, MAC, device] of resolved entries. */
export function parseProcNetArp(text: string): { ip: string; mac: string; device: string }[] {
  const out: { ip: string; mac: string; device: string }[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 6) continue;
    const [ip, , flags, mac, , device] = f as [string, string, string, string, string, string];
    if ((Number.parseInt(flags, 16) & FLAG_COMPLETE) === 0) continue;
    if (!/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i.test(mac) || /^(00:){5}00$/.test(mac)) continue;
    out.push({ ip, mac: mac.toLowerCase(), device });
  }
  return out;
}

/** The MAC the kernel has for `ip` (on `device` when given), or null. */
export function neighbourMac(ip: string, device: string | null, read: () => string = () => readFileSync('/proc/net/arp', 'utf8')): string | null {
  let text: string;
  try {
    text = read();
  } catch {
    return null;
  }
  return parseProcNetArp(text).find((e) => e.ip === ip && (device === null || e.device === device))?.mac ?? null;
}
