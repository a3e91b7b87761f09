import type { ExpectedSpec, Inventory, InventoryPciDevice, SpecDiff } from '../../../common/schema/index.ts';

// PCI Express links that trained below what they can do: a riser, a slot or a cable
// that leaves a NIC at x4 instead of x16 or at Gen3 instead of Gen4. SpecValidate holds
// every link to its own capability, with or without an expected spec; a spec's `pcie`
// entries hold a slot to a stated speed and width instead (docs/spec.md).
//
// Both ends of a link report it, and a port's maximum is the port's, not the device's:
// a Gen4 x16 root port with a Gen3 x4 card in it reads "8.0 GT/s x4 of 16.0 GT/s x16"
// while nothing is wrong (captured on a real kernel: agent/parsers/captured/
// qemu-lab-2026-12-faults/pci-sysfs). So each link is judged once, at its lower end,
// against the smaller of the two ends' maxima. Counting PCI functions above a device
// (sysfs nesting), root ports sit at depth 0 and every physical link ends at an odd
// depth (endpoint or switch upstream port below a root port or a switch downstream
// port); the links between a switch's upstream and downstream ports (even depths) are
// internal to the switch and not judged. A function at depth 0 that is not a bridge
// (class 0604) is judged against its own maximum. Links read only from lspci (no
// topology) are listed, not judged.

export interface PcieLinkRow {
  address: string;
  /** "Mellanox Technologies MT27800 Family [ConnectX-5]" from lspci; null when unnamed. */
  device: string | null;
  width: number | null;
  expectedWidth: number | null;
  speedGTs: number | null;
  expectedSpeedGTs: number | null;
  /** What the expectation came from: both ends' capability, or the spec's pin. */
  basis: 'capability' | 'spec';
  outcome: 'ok' | 'degraded' | 'missing';
}

export interface PcieLinkResult {
  diffs: SpecDiff[];
  rows: PcieLinkRow[];
}

const isBridge = (d: InventoryPciDevice) => (d.classId ?? '').startsWith('0604');
/** GPUs lower their link speed at idle to save power; speed is judged under load (GPU stage), width here. */
const isDisplay = (d: InventoryPciDevice) => (d.classId ?? '').startsWith('03');

/** "Vendor Device" as lspci names them; the ids where lspci does not know the function; null without either. */
export function pciName(d: InventoryPciDevice): string | null {
  const name = [d.vendor, d.device].filter(Boolean).join(' ');
  if (name !== '') return name;
  return d.vendorId && d.deviceId ? `PCI device [${d.vendorId}:${d.deviceId}]` : null;
}

const gts = (v: number) => v.toFixed(1);
const smaller = (a: number | null | undefined, b: number | null | undefined): number | null => {
  const known = [a, b].filter((v): v is number => typeof v === 'number' && v > 0);
  return known.length ? Math.min(...known) : null;
};

function depthOf(d: InventoryPciDevice, byAddress: Map<string, InventoryPciDevice>): number {
  let depth = 0;
  let up = d.upstream ?? null;
  const seen = new Set<string>([d.address]);
  while (up && !seen.has(up)) {
    depth++;
    seen.add(up);
    up = byAddress.get(up)?.upstream ?? null;
  }
  return depth;
}

function diff(d: InventoryPciDevice, what: 'width' | 'speed', expected: string, actual: string, severity: SpecDiff['severity'], rule: string): SpecDiff {
  const name = pciName(d);
  return { field: `pcie[${d.address}].${what}`, expected, actual: `${actual}${name ? ` (${name})` : ''}`, severity, rule };
}

/** Judges every link with a known topology, and every link the spec pins. */
export function checkPcieLinks(inv: Inventory, pins: ExpectedSpec['pcie'] = []): PcieLinkResult {
  const pci = inv.pci ?? [];
  const byAddress = new Map(pci.map((d) => [d.address, d]));
  const pinned = new Map(pins.map((p) => [p.address, p]));
  const diffs: SpecDiff[] = [];
  const rows: PcieLinkRow[] = [];

  for (const d of pci) {
    const pin = pinned.get(d.address);
    const link = d.link;
    if (!pin && (d.linkSource !== 'sysfs' || !link || !link.current.width)) continue;
    const depth = depthOf(d, byAddress);
    if (!pin && !(depth % 2 === 1 || (depth === 0 && !isBridge(d)))) continue;
    const port = d.upstream ? byAddress.get(d.upstream)?.link?.capable : undefined;
    const expectedWidth = pin ? (pin.width ?? null) : smaller(link?.capable.width, port?.width);
    const expectedSpeed = pin ? (pin.speedGTs ?? null) : smaller(link?.capable.speedGTs, port?.speedGTs);
    const width = link?.current.width ?? null;
    const speed = link?.current.speedGTs ?? null;
    const rule = pin ? 'pcie-link-pinned' : 'pcie-link-degraded';
    let degraded = false;
    if (pin && (!link || !width)) {
      diffs.push(diff(d, 'width', pin.width ? `x${pin.width}` : 'a link', 'no link', 'critical', rule));
      degraded = true;
    }
    if (width && expectedWidth && width < expectedWidth) {
      diffs.push(diff(d, 'width', `x${expectedWidth}`, `x${width} of x${expectedWidth}`, 'critical', rule));
      degraded = true;
    }
    if (speed && expectedSpeed && speed < expectedSpeed) {
      // A GPU at idle lowers its link speed by design: said, not failed (its width still counts).
      const idleGpu = isDisplay(d) && !pin;
      diffs.push(diff(d, 'speed', `${gts(expectedSpeed)} GT/s`, `${gts(speed)} of ${gts(expectedSpeed)} GT/s${idleGpu ? ', a GPU at idle may lower its speed' : ''}`, idleGpu ? 'warning' : 'critical', idleGpu ? 'pcie-gpu-idle-speed' : rule));
      degraded ||= !idleGpu;
    }
    rows.push({ address: d.address, device: pciName(d), width, expectedWidth, speedGTs: speed, expectedSpeedGTs: expectedSpeed, basis: pin ? 'spec' : 'capability', outcome: degraded ? 'degraded' : 'ok' });
  }
  for (const pin of pinned.values()) {
    if (byAddress.has(pin.address)) continue;
    diffs.push({ field: `pcie[${pin.address}]`, expected: [pin.width ? `x${pin.width}` : null, pin.speedGTs ? `${gts(pin.speedGTs)} GT/s` : null].filter(Boolean).join(' '), actual: null, severity: 'critical', rule: 'pcie-missing' });
    rows.push({ address: pin.address, device: null, width: null, expectedWidth: pin.width ?? null, speedGTs: null, expectedSpeedGTs: pin.speedGTs ?? null, basis: 'spec', outcome: 'missing' });
  }
  return { diffs, rows };
}
