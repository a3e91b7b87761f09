import type { BootStep } from '../../../common/schema/index.ts';
import type { HostSeenEvent } from './dnsmasq-log.ts';

// What a dnsmasq log event means for a registered host's boot, in words for the
// run's boot timeline. Discover and lease are both kept: a host that asks and
// never gets an address is stuck in a different place from one that never asks.

const WHO: Record<HostSeenEvent['client'], string> = { pxe: 'PXE firmware', ipxe: 'iPXE', other: 'the live image' };

export function bootStepOfSeen(e: HostSeenEvent): { step: BootStep; detail: string } | null {
  const arch = e.arch ? ` (${e.arch})` : '';
  switch (e.source) {
    case 'dhcp':
      if (e.message === 'DHCPDISCOVER') return { step: 'dhcp', detail: `${WHO[e.client]} asked for an address${arch}` };
      if (e.message === 'DHCPACK' && e.ip) return { step: 'dhcp', detail: `${WHO[e.client]} leased ${e.ip}${arch}` };
      return null;
    case 'proxy-dhcp':
      return { step: 'dhcp', detail: `${WHO[e.client]} got its boot file by proxy DHCP${arch}${e.ip ? ` at ${e.ip}` : ''}` };
    case 'tftp':
      return { step: 'tftp', detail: `${e.file ?? 'a file'} sent${e.ip ? ` to ${e.ip}` : ''}` };
    default:
      return null;
  }
}
