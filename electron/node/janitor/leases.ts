// dnsmasq's lease file: one lease per line, "expiry mac ip hostname clientid"
// (expiry in epoch seconds, 0 = infinite; "*" for an unknown hostname or
// client id). Lines of any other shape (e.g. the DHCPv6 "duid" line) are kept
// untouched.

export interface Lease {
  line: string;
  expiry: number;
  mac: string;
  ip: string;
  hostname: string;
}

const LEASE = /^(\d+)\s+([0-9a-fA-F]{2}(?::[0-9a-fA-F]{2}){5})\s+(\S+)\s+(\S+)(?:\s+\S+)?\s*$/;

export function parseLeaseLine(line: string): Lease | null {
  const m = LEASE.exec(line);
  if (!m) return null;
  return { line, expiry: Number(m[1]), mac: (m[2] as string).toLowerCase(), ip: m[3] as string, hostname: m[4] as string };
}
