import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ParseError } from '../../parsers/parse-error.ts';
import { counterClass, counterGrowth, judgeLink, parseEthtoolLink, parseEthtoolStats } from './ethtool.ts';

const captured = (name: string) => readFileSync(join(import.meta.dirname, 'captured', name), 'utf8');

describe('ethtool link settings', () => {
  it('reads an e1000e: modes, 1000 Mb/s full duplex, no link partner reported', () => {
    const link = parseEthtoolLink(captured('ethtool-e1000e.txt'));
    expect(link.supported.map((m) => m.name)).toEqual(['10baseT/Half', '10baseT/Full', '100baseT/Half', '100baseT/Full', '1000baseT/Full']);
    expect(link).toMatchObject({ speedMbps: 1000, duplex: 'full', autoneg: true, linkDetected: true, partner: null });
    expect(judgeLink(link)).toEqual({ fastestMbps: 1000, bestCommonMbps: null, faults: [], notes: [] });
  });

  it('reads virtual NICs without modes or a speed', () => {
    const veth = parseEthtoolLink(captured('ethtool-veth.txt'));
    expect(veth).toMatchObject({ supported: [], advertised: [], partner: null, speedMbps: 10000, duplex: 'full', autoneg: false });
    const virtio = parseEthtoolLink(captured('ethtool-virtio.txt'));
    expect(virtio).toMatchObject({ speedMbps: null, duplex: null, linkDetected: true });
    expect(judgeLink(virtio).faults).toEqual([]);
  });

  it('names a link that trained below what both ends advertise (linux-arm-kernel, 2019)', () => {
    const link = parseEthtoolLink(captured('ethtool-downshift-lore-2019.txt'));
    expect(link.partner?.map((m) => m.mbps)).toEqual([10, 10, 100, 100, 1000]);
    expect(link.speedMbps).toBe(100);
    expect(judgeLink(link)).toMatchObject({ fastestMbps: 1000, bestCommonMbps: 1000, faults: ['negotiated 100 of 1000 Mb/s that both ends support'] });
  });

  it('only notes a slower link when the far end is unknown, and fails half duplex', () => {
    const e1000e = captured('ethtool-e1000e.txt');
    const at100 = parseEthtoolLink(e1000e.replace('Speed: 1000Mb/s', 'Speed: 100Mb/s'));
    expect(judgeLink(at100)).toMatchObject({ faults: [], notes: [expect.stringMatching(/100 of the NIC's 1000 Mb\/s; the far end's modes are unknown/)] });
    const half = parseEthtoolLink(e1000e.replace('Duplex: Full', 'Duplex: Half'));
    expect(judgeLink(half).faults).toEqual(['half duplex, though the NIC supports full duplex']);
  });

  it('refuses text that is not ethtool output', () => {
    expect(() => parseEthtoolLink('netlink error: no device matches name (offset 24)\n')).toThrow(ParseError);
  });
});

describe('ethtool -S counters', () => {
  it('reads driver counters and classes the error ones', () => {
    const before = parseEthtoolStats(captured('ethtool-S-e1000e-before.txt'));
    const after = parseEthtoolStats(captured('ethtool-S-e1000e-after.txt'));
    expect(before.get('rx_crc_errors')).toBe(0);
    expect(after.get('tx_packets')! > before.get('tx_packets')!).toBe(true);
    // Real pings grew packet and byte counters only: no error counter moved.
    expect(counterGrowth(before, after)).toEqual([]);
    expect(counterClass('rx_crc_errors')).toBe('error');
    expect(counterClass('rx_missed_errors')).toBe('drop');
    expect(counterClass('rx_no_buffer_count')).toBe('drop');
    expect(counterClass('statistics/rx_dropped')).toBe('drop');
    expect(counterClass('rx_align_errors')).toBe('error');
    expect(counterClass('tx_packets')).toBeNull();
    expect(counterClass('rx_xdp_drops')).toBeNull();
    expect(counterClass('statistics/rx_nohandler')).toBeNull();
  });

  it('reads veth and virtio counters', () => {
    const veth = parseEthtoolStats(captured('ethtool-S-veth.txt'));
    expect(veth.get('peer_ifindex')).toBeGreaterThan(0);
    expect(counterClass('rx_queue_0_drops')).toBe('drop');
    expect(parseEthtoolStats(captured('ethtool-S-virtio.txt')).get('rx_drops')).toBe(0);
  });

  it('reports growth by counter, largest first', () => {
    const before = new Map([['rx_crc_errors', 3], ['rx_missed_errors', 10], ['tx_packets', 5]]);
    const after = new Map([['rx_crc_errors', 7], ['rx_missed_errors', 110], ['tx_packets', 500]]);
    expect(counterGrowth(before, after)).toEqual([
      { counter: 'rx_missed_errors', class: 'drop', before: 10, after: 110, growth: 100 },
      { counter: 'rx_crc_errors', class: 'error', before: 3, after: 7, growth: 4 },
    ]);
  });

  it('refuses the "no stats available" answer', () => {
    expect(() => parseEthtoolStats('no stats available\n')).toThrow(ParseError);
  });
});
