import { cpSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

// Fake sysfs trees for `--sysfs-root` (the agent's sensor and health reads), laid out
// as the kernel lays them out: PCI functions nested under their ports with
// bus/pci/devices/<address> symlinks (as captured from a real kernel in
// agent/parsers/captured/qemu-lab-2026-12-faults/pci-sysfs), EDAC memory controllers
// with dimmN or csrowN directories (Documentation/admin-guide/ras.rst and
// Documentation/ABI/testing/sysfs-devices-edac), and hwmon chips. Only the values are
// chosen by the test; the layout and file formats are the kernel's.

export const CAPTURED_PCI_SYSFS = join(import.meta.dirname, '../../agent/parsers/captured/qemu-lab-2026-12-faults/pci-sysfs');

function put(path: string, value: string | number): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${value}\n`);
}

/** Copies the real kernel's PCI tree captured in QEMU into `root` (to change a link in it). */
export function copyCapturedPciTree(root: string): void {
  mkdirSync(root, { recursive: true });
  cpSync(CAPTURED_PCI_SYSFS, root, { recursive: true, verbatimSymlinks: true });
}

export interface FakePciFunction {
  /** 0000:3b:00.0 */
  address: string;
  /** Addresses of the ports above it, host bridge side first ([] under a host bridge). */
  path: string[];
  vendor: string;
  device: string;
  /** Six hex digits: 060400 bridge, 020000 Ethernet, 010802 NVMe. */
  classCode: string;
  current?: { speedGTs: number; width: number };
  max?: { speedGTs: number; width: number };
}

/** One PCI function at its place under devices/pci<domain>:<bus>, linked from bus/pci/devices. */
export function writePciFunction(root: string, f: FakePciFunction): void {
  const [domain, bus] = f.address.split(':');
  const dir = join(root, 'devices', `pci${domain}:${(f.path[0] ?? f.address).split(':')[1] ?? bus}`, ...f.path, f.address);
  put(join(dir, 'vendor'), `0x${f.vendor}`);
  put(join(dir, 'device'), `0x${f.device}`);
  put(join(dir, 'class'), `0x${f.classCode}`);
  // Linux 6.x prints "<speed> GT/s PCIe" (drivers/pci/pci-sysfs.c, pci_speed_string).
  if (f.current) {
    put(join(dir, 'current_link_speed'), `${f.current.speedGTs.toFixed(1)} GT/s PCIe`);
    put(join(dir, 'current_link_width'), f.current.width);
  }
  if (f.max) {
    put(join(dir, 'max_link_speed'), `${f.max.speedGTs.toFixed(1)} GT/s PCIe`);
    put(join(dir, 'max_link_width'), f.max.width);
  }
  const link = join(root, 'bus', 'pci', 'devices', f.address);
  mkdirSync(dirname(link), { recursive: true });
  symlinkSync(relative(dirname(link), dir), link);
}

export interface FakeDimm {
  label: string;
  location: string;
  sizeMiB: number;
  ce: number;
  ue: number;
  memType?: string;
}

/** An EDAC memory controller with dimmN directories (the layout EDAC uses since Linux 3.6). */
export function writeEdacController(root: string, mc: number, dimms: FakeDimm[], opts: { mcName?: string; ceNoInfo?: number; ueNoInfo?: number } = {}): void {
  const dir = join(root, 'devices', 'system', 'edac', 'mc', `mc${mc}`);
  put(join(dir, 'mc_name'), opts.mcName ?? 'Skylake Socket#0 IMC#0');
  put(join(dir, 'size_mb'), dimms.reduce((s, d) => s + d.sizeMiB, 0));
  put(join(dir, 'ce_count'), dimms.reduce((s, d) => s + d.ce, 0) + (opts.ceNoInfo ?? 0));
  put(join(dir, 'ue_count'), dimms.reduce((s, d) => s + d.ue, 0) + (opts.ueNoInfo ?? 0));
  put(join(dir, 'ce_noinfo_count'), opts.ceNoInfo ?? 0);
  put(join(dir, 'ue_noinfo_count'), opts.ueNoInfo ?? 0);
  put(join(dir, 'seconds_since_reset'), 120);
  dimms.forEach((d, i) => {
    const dd = join(dir, `dimm${i}`);
    put(join(dd, 'dimm_label'), d.label);
    // The kernel ends the location with a space (edac_dimm_info_location).
    put(join(dd, 'dimm_location'), `${d.location} `);
    put(join(dd, 'size'), d.sizeMiB);
    put(join(dd, 'dimm_ce_count'), d.ce);
    put(join(dd, 'dimm_ue_count'), d.ue);
    put(join(dd, 'dimm_mem_type'), d.memType ?? 'Registered-DDR4');
    put(join(dd, 'dimm_edac_mode'), 'S4ECD4ED');
    put(join(dd, 'dimm_dev_type'), 'x4');
  });
}

/** Sets one DIMM's counters (a test's error appearing while the load runs). */
export function setDimmCounts(root: string, mc: number, dimm: number, counts: { ce?: number; ue?: number }): void {
  const dd = join(root, 'devices', 'system', 'edac', 'mc', `mc${mc}`, `dimm${dimm}`);
  if (counts.ce !== undefined) put(join(dd, 'dimm_ce_count'), counts.ce);
  if (counts.ue !== undefined) put(join(dd, 'dimm_ue_count'), counts.ue);
}

/** A hwmon chip with one temperature and one voltage rail (what the load stages read). */
export function writeHwmon(root: string, opts: { tempC?: number; volts?: number } = {}): void {
  const hw = join(root, 'class', 'hwmon', 'hwmon0');
  put(join(hw, 'name'), 'coretemp');
  put(join(hw, 'temp1_input'), Math.round((opts.tempC ?? 47) * 1000));
  put(join(hw, 'temp1_label'), 'Package id 0');
  put(join(hw, 'in0_input'), Math.round((opts.volts ?? 12) * 1000));
  put(join(hw, 'in0_label'), '+12V');
}
