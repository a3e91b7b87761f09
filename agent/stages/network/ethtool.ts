import { ParseError } from '../../parsers/parse-error.ts';

// ethtool 6.1 (Debian bookworm), two forms:
//
// 1. `ethtool IFACE`: the link settings. "Key: value" lines, where the link-mode lists
//    continue on indented lines without a key ("Supported link modes:   10baseT/Half …"
//    then "                        1000baseT/Full"). Virtual NICs print "Not reported" for
//    the modes and "Speed: Unknown!" (virtio) or a nominal "10000Mb/s" (veth). The "Link
//    partner advertised link modes" lines appear only when the driver knows what the far
//    end offered (copper autonegotiation); fibre and DAC links often do not say.
// 2. `ethtool -S IFACE`: the driver's own counters, "NIC statistics:" then one
//    "name: value" per line. Names are the driver's (rx_crc_errors on e1000e,
//    rx_queue_0_drops on veth, "[0]: rx_ucast_packets" on bnxt). A driver without
//    statistics makes ethtool exit 94 with "no stats available".

const TOOL = 'ethtool';

export interface LinkMode {
  /** "1000baseT/Full" as printed. */
  name: string;
  mbps: number;
  duplex: 'full' | 'half' | null;
}

export interface EthtoolLink {
  supported: LinkMode[];
  advertised: LinkMode[];
  /** Null when the driver does not report the far end's modes. */
  partner: LinkMode[] | null;
  /** Negotiated speed in Mbit/s; null for "Unknown!". */
  speedMbps: number | null;
  duplex: 'full' | 'half' | null;
  autoneg: boolean | null;
  linkDetected: boolean | null;
}

function modes(text: string): LinkMode[] | null {
  const t = text.trim();
  if (t === '' || /^not reported$/i.test(t)) return null;
  const out: LinkMode[] = [];
  for (const name of t.split(/\s+/)) {
    const m = /^(\d+)base[^/]*(?:\/(Full|Half))?$/i.exec(name);
    if (m) out.push({ name, mbps: Number(m[1]), duplex: m[2] ? (m[2].toLowerCase() as 'full' | 'half') : null });
  }
  return out;
}

/** Parses `ethtool IFACE`. */
export function parseEthtoolLink(text: string): EthtoolLink {
  if (typeof text !== 'string') throw new ParseError(TOOL, 'input is not text');
  if (!/^Settings for \S+:/m.test(text)) throw new ParseError(TOOL, `no "Settings for IFACE:" line: "${text.trim().split(/\r?\n/)[0]?.slice(0, 120) ?? ''}"`);
  const fields = new Map<string, string>();
  let key: string | null = null;
  for (const line of text.split(/\r?\n/)) {
    if (/^Settings for /.test(line) || line.trim() === '') continue;
    const kv = /^\s*([A-Za-z][A-Za-z0-9 -]*?):\s*(.*)$/.exec(line);
    if (kv) {
      key = kv[1]!.trim().toLowerCase();
      fields.set(key, (kv[2] ?? '').trim());
    } else if (key !== null) {
      fields.set(key, `${fields.get(key) ?? ''} ${line.trim()}`.trim());
    }
  }
  const speed = /^(\d+)\s*Mb\/s$/i.exec(fields.get('speed') ?? '');
  const duplex = (fields.get('duplex') ?? '').toLowerCase();
  const autoneg = fields.get('auto-negotiation');
  const link = fields.get('link detected');
  return {
    supported: modes(fields.get('supported link modes') ?? '') ?? [],
    advertised: modes(fields.get('advertised link modes') ?? '') ?? [],
    partner: fields.has('link partner advertised link modes') ? modes(fields.get('link partner advertised link modes')!) : null,
    speedMbps: speed ? Number(speed[1]) : null,
    duplex: duplex.startsWith('full') ? 'full' : duplex.startsWith('half') ? 'half' : null,
    autoneg: autoneg === undefined ? null : autoneg.startsWith('on'),
    linkDetected: link === undefined ? null : link === 'yes',
  };
}

/** Parses `ethtool -S IFACE` into name → value. */
export function parseEthtoolStats(text: string): Map<string, number> {
  if (typeof text !== 'string') throw new ParseError(TOOL, 'input is not text');
  if (!/^NIC statistics:/m.test(text)) throw new ParseError(TOOL, `no "NIC statistics:" header: "${text.trim().split(/\r?\n/)[0]?.slice(0, 120) ?? ''}"`);
  const out = new Map<string, number>();
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s+(.+?):\s+(-?\d+)\s*$/.exec(line);
    if (m) out.set(m[1]!.trim(), Number(m[2]));
  }
  return out;
}

export interface LinkJudgement {
  /** The fastest mode the NIC supports, Mbit/s; null when it does not say. */
  fastestMbps: number | null;
  /** The fastest mode both ends offer, when the far end's modes are known. */
  bestCommonMbps: number | null;
  /** Reasons the link is at fault (empty: nothing wrong that can be told). */
  faults: string[];
  /** Worth saying, not a fault: the far end may be slower than the NIC. */
  notes: string[];
}

function fastest(list: readonly LinkMode[]): number | null {
  return list.length ? Math.max(...list.map((m) => m.mbps)) : null;
}

/**
 * Whether the link trained as fast as it can. Against the far end's offer when
 * the driver reports it (a 10GBASE-T port at 1 Gb/s opposite a 10 Gb/s switch
 * port is a cable or a port to replace); without it, a speed below the NIC's
 * best is only noted, because the bench switch may simply be slower.
 */
export function judgeLink(link: EthtoolLink): LinkJudgement {
  const fastestMbps = fastest(link.supported);
  const partnerSpeeds = new Set((link.partner ?? []).filter((m) => m.duplex !== 'half').map((m) => m.mbps));
  const common = link.partner ? link.supported.filter((m) => m.duplex !== 'half' && partnerSpeeds.has(m.mbps)) : [];
  const bestCommonMbps = fastest(common);
  const faults: string[] = [];
  const notes: string[] = [];
  if (link.duplex === 'half' && link.supported.some((m) => m.duplex === 'full')) faults.push('half duplex, though the NIC supports full duplex');
  if (link.speedMbps !== null && bestCommonMbps !== null && link.speedMbps < bestCommonMbps) {
    faults.push(`negotiated ${link.speedMbps} of ${bestCommonMbps} Mb/s that both ends support`);
  } else if (link.speedMbps !== null && fastestMbps !== null && link.speedMbps < fastestMbps && bestCommonMbps === null) {
    notes.push(`running at ${link.speedMbps} of the NIC's ${fastestMbps} Mb/s; the far end's modes are unknown, so it may be the slower side`);
  }
  return { fastestMbps, bestCommonMbps, faults, notes };
}

// Which counters are errors. Two classes, each with its own allowance in the profile:
// frames damaged on the wire (a cable, a transceiver, a port) and frames the host did
// not take in time (rings full under load, which a healthy host can show at line rate).
// XDP counters count a program's decisions, not faults; rx_nohandler counts frames for
// protocols nobody listens to, normal on a bench network.
const IGNORED = /xdp|nohandler|hwtstamp|_bytes$|_packets$|^peer_ifindex$/i;
const ERROR = /crc|fcs|align|symbol|frame_err|length_err|jabber|fragment|undersize|oversize|code_?err|phy_?err|carrier|collision|coll$|_errors$|errors$|timeout|runt|giant/i;
const DROP = /drop|miss|discard|no_?buf|fifo|over_err|overrun|alloc_fail|no_dma/i;

export type CounterClass = 'error' | 'drop';

/** The class of an error counter by its name, or null for counters that are not errors. */
export function counterClass(name: string): CounterClass | null {
  if (IGNORED.test(name)) return null;
  if (DROP.test(name)) return 'drop';
  if (ERROR.test(name)) return 'error';
  return null;
}

export interface CounterGrowth {
  counter: string;
  class: CounterClass;
  before: number;
  after: number;
  growth: number;
}

/** Error counters that grew between two readings (counters missing from either are skipped). */
export function counterGrowth(before: ReadonlyMap<string, number>, after: ReadonlyMap<string, number>): CounterGrowth[] {
  const out: CounterGrowth[] = [];
  for (const [counter, a] of after) {
    const cls = counterClass(counter);
    const b = before.get(counter);
    if (cls === null || b === undefined || a <= b) continue;
    out.push({ counter, class: cls, before: b, after: a, growth: a - b });
  }
  return out.sort((x, y) => y.growth - x.growth);
}
