import type { ExpectedSpec, Inventory } from '../../../common/schema/index.ts';

const GIB = 1024 ** 3;

/**
 * Turns a run's inventory into an expected spec: how people create specs, by
 * vetting a known-good machine once and keeping what it reported.
 */
export function captureSpec(inv: Inventory): ExpectedSpec {
  const spec: ExpectedSpec = { version: 1 };
  const sys = Object.fromEntries(
    Object.entries({ manufacturer: inv.system.manufacturer, product: inv.system.product, serial: inv.system.serial }).filter(([, v]) => v),
  ) as ExpectedSpec['system'];
  if (sys && Object.keys(sys).length) spec.system = sys;
  spec.cpu = { ...(inv.cpu.model ? { model: inv.cpu.model } : {}), ...(inv.cpu.sockets ? { sockets: inv.cpu.sockets } : {}), ...(inv.cpu.cores ? { cores: inv.cpu.cores } : {}), ...(inv.cpu.threads ? { threads: inv.cpu.threads } : {}) };
  if (inv.memory.totalBytes > 0) spec.memory = { totalGiB: Math.round((inv.memory.totalBytes / GIB) * 10) / 10, toleranceGiB: 1 };
  const disks = inv.disks
    .filter((d) => !d.removable && (d.serial || d.wwn))
    .map((d) => ({ ...(d.serial ? { serial: d.serial } : { wwn: d.wwn! }), ...(d.model ? { model: d.model } : {}), sizeGB: Number((d.sizeBytes / 1e9).toPrecision(4)) }));
  if (disks.length) spec.disks = disks;
  const nics = inv.nics.filter((n) => /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i.test(n.mac)).map((n) => ({ mac: n.mac.toLowerCase(), ...(n.speedMbps ? { speedMbps: n.speedMbps } : {}) }));
  if (nics.length) spec.nics = nics;
  const gpuCounts = new Map<string, number>();
  for (const g of inv.gpus) gpuCounts.set(g.model, (gpuCounts.get(g.model) ?? 0) + 1);
  if (gpuCounts.size) spec.gpus = [...gpuCounts].map(([model, count]) => ({ model, count }));
  const firmware = { ...(inv.bios.version ? { bios: inv.bios.version } : {}), ...(inv.bmc?.version ? { bmc: inv.bmc.version } : {}) };
  if (Object.keys(firmware).length) spec.firmware = firmware;
  return spec;
}
