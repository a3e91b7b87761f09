import { readdir, readFile, realpath } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

// PCI Express link state as the kernel keeps it: <sysfs>/bus/pci/devices/<address> is a
// symlink to the function's directory under devices/, nested below the port it hangs
// off (devices/pci0000:00/0000:00:02.0/0000:01:00.0), and holds current_link_speed
// ("8.0 GT/s PCIe" on 6.x kernels, "8 GT/s" on older ones, "Unknown" when the kernel
// cannot tell), current_link_width, max_link_speed, max_link_width (decimal lanes, 0 for a
// link that is down) for functions with an Express capability. The nesting is kept
// (`upstream`) because both ends of a link report it and a port's maximum is not the
// device's: judging which link trained below what both ends can do is SpecValidate's job
// (electron/node/spec/pcie-links.ts). Read through the sensor root (--sysfs-root), so
// tests can feed a tree with a degraded link; captured from a real kernel in
// agent/parsers/captured/qemu-lab-2026-12-faults/pci-sysfs/.

export interface PciLinkEnd {
  /** GT/s per lane; null for "Unknown" or a missing file. */
  speedGTs: number | null;
  /** Lanes; 0 for a link that is down; null when missing. */
  width: number | null;
}

export interface PciSysfsDevice {
  /** Domain-qualified, lower case: 0000:3b:00.0. */
  address: string;
  /** The PCI function this one hangs off (its port), null at a host bridge. */
  upstream: string | null;
  vendorId: string | null;
  deviceId: string | null;
  /** Four hex digits, as lspci prints them (0200 = Ethernet controller). */
  classId: string | null;
  /** Null when the function has no Express link attributes. */
  link: { current: PciLinkEnd; max: PciLinkEnd } | null;
}

const ADDRESS = /^[0-9a-f]{4,8}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$/;

/** "16.0 GT/s PCIe" / "8 GT/s" → GT/s; anything else (Unknown, empty) → null. */
export function parseLinkSpeedGTs(text: string | null): number | null {
  const m = /^(\d+(?:\.\d+)?)\s*GT\/s\b/.exec(text?.trim() ?? '');
  return m ? Number(m[1]) : null;
}

/** "16" → 16; anything but a decimal count → null. */
export function parseLinkWidth(text: string | null): number | null {
  const t = text?.trim() ?? '';
  return /^\d+$/.test(t) ? Number(t) : null;
}

/** "0x8086" → "8086"; "0x010802" (class) → "0108". */
function hexId(text: string | null, digits: number): string | null {
  const m = /^0x([0-9a-fA-F]+)$/.exec(text?.trim() ?? '');
  return m ? m[1]!.toLowerCase().padStart(digits, '0').slice(0, digits) : null;
}

async function read(path: string): Promise<string | null> {
  return readFile(path, 'utf8').then((t) => t.trim(), () => null);
}

/** Every PCI function under `<sysfsRoot>/bus/pci/devices`, with its link where it has one; [] when there is no PCI bus. */
export async function readPciLinks(sysfsRoot: string): Promise<PciSysfsDevice[]> {
  const base = join(sysfsRoot, 'bus', 'pci', 'devices');
  const names = (await readdir(base).catch(() => [] as string[])).filter((n) => ADDRESS.test(n.toLowerCase())).sort();
  return Promise.all(
    names.map(async (name): Promise<PciSysfsDevice> => {
      const entry = join(base, name);
      const dir = await realpath(entry).catch(() => entry);
      const parent = basename(dirname(dir)).toLowerCase();
      const [vendor, device, cls, curS, curW, maxS, maxW] = await Promise.all(
        ['vendor', 'device', 'class', 'current_link_speed', 'current_link_width', 'max_link_speed', 'max_link_width'].map((f) => read(join(dir, f))),
      );
      const hasLink = [curS, curW, maxS, maxW].some((v) => v !== null);
      return {
        address: name.toLowerCase(),
        upstream: ADDRESS.test(parent) ? parent : null,
        vendorId: hexId(vendor ?? null, 4),
        deviceId: hexId(device ?? null, 4),
        classId: hexId(cls ?? null, 6)?.slice(0, 4) ?? null,
        link: hasLink
          ? {
              current: { speedGTs: parseLinkSpeedGTs(curS ?? null), width: parseLinkWidth(curW ?? null) },
              max: { speedGTs: parseLinkSpeedGTs(maxS ?? null), width: parseLinkWidth(maxW ?? null) },
            }
          : null,
      };
    }),
  );
}
