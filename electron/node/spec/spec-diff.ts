import type { ExpectedSpec, Inventory, InventoryDisk, Severity, SpecDiff } from '../../../common/schema/index.ts';

// The diff engine. Each rule below is listed, with its severity, in docs/spec.md;
// keep the two in step. Pass = zero critical diffs.

const GIB = 1024 ** 3;

function diff(field: string, expected: unknown, actual: unknown, severity: Severity, rule: string): SpecDiff {
  const show = (v: unknown) => (v === null || v === undefined ? null : String(v));
  return { field, expected: show(expected), actual: show(actual), severity, rule };
}

const norm = (s: string | null | undefined) => (s ?? '').trim().replace(/\s+/g, ' ').toLowerCase();

function findDisk(inv: Inventory, want: { serial?: string | undefined; wwn?: string | undefined }): InventoryDisk | undefined {
  return inv.disks.find(
    (d) => (want.serial && norm(d.serial) === norm(want.serial)) || (want.wwn && norm(d.wwn).replace(/^0x/, '') === norm(want.wwn).replace(/^0x/, '')),
  );
}

export function diffSpec(spec: ExpectedSpec, inv: Inventory): SpecDiff[] {
  const out: SpecDiff[] = [];

  if (spec.system) {
    const s = spec.system;
    if (s.serial && norm(s.serial) !== norm(inv.system.serial)) out.push(diff('system.serial', s.serial, inv.system.serial, 'critical', 'system-serial'));
    if (s.product && norm(s.product) !== norm(inv.system.product)) out.push(diff('system.product', s.product, inv.system.product, 'critical', 'system-product'));
    if (s.manufacturer && norm(s.manufacturer) !== norm(inv.system.manufacturer)) out.push(diff('system.manufacturer', s.manufacturer, inv.system.manufacturer, 'warning', 'system-manufacturer'));
  }

  if (spec.cpu) {
    const c = spec.cpu;
    if (c.model && norm(c.model) !== norm(inv.cpu.model)) out.push(diff('cpu.model', c.model, inv.cpu.model, 'critical', 'cpu-model'));
    if (c.sockets !== undefined && c.sockets !== inv.cpu.sockets) out.push(diff('cpu.sockets', c.sockets, inv.cpu.sockets, 'critical', 'cpu-count'));
    if (c.cores !== undefined && c.cores !== inv.cpu.cores) out.push(diff('cpu.cores', c.cores, inv.cpu.cores, 'critical', 'cpu-count'));
    if (c.threads !== undefined && c.threads !== inv.cpu.threads) out.push(diff('cpu.threads', c.threads, inv.cpu.threads, 'critical', 'cpu-count'));
  }

  if (spec.memory) {
    const actualGiB = inv.memory.totalBytes / GIB;
    const delta = actualGiB - spec.memory.totalGiB;
    if (Math.abs(delta) > spec.memory.toleranceGiB) {
      // Less memory than ordered is a missing DIMM; more is odd but harmless.
      out.push(diff('memory.totalGiB', spec.memory.totalGiB, actualGiB.toFixed(1), delta < 0 ? 'critical' : 'warning', delta < 0 ? 'memory-short' : 'memory-extra'));
    }
  }

  if (spec.disks) {
    const matched = new Set<InventoryDisk>();
    spec.disks.forEach((want, i) => {
      const id = want.serial ?? want.wwn ?? `#${i}`;
      const disk = findDisk(inv, want);
      if (!disk) {
        out.push(diff(`disks[${id}]`, id, null, 'critical', 'disk-missing'));
        return;
      }
      matched.add(disk);
      if (want.model && norm(want.model) !== norm(disk.model)) out.push(diff(`disks[${id}].model`, want.model, disk.model, 'warning', 'disk-model'));
      if (want.sizeGB !== undefined) {
        const actualGB = disk.sizeBytes / 1e9;
        if (Math.abs(actualGB - want.sizeGB) / want.sizeGB > 0.02) out.push(diff(`disks[${id}].sizeGB`, want.sizeGB, actualGB.toFixed(1), 'warning', 'disk-size'));
      }
    });
    for (const d of inv.disks) {
      if (!matched.has(d) && !d.removable) out.push(diff(`disks[${d.serial ?? d.wwn ?? d.name}]`, null, `${d.name} ${d.model ?? ''}`.trim(), 'info', 'disk-extra'));
    }
  }

  if (spec.nics) {
    const seen = new Set<string>();
    for (const want of spec.nics) {
      const nic = inv.nics.find((n) => norm(n.mac) === want.mac);
      if (!nic) {
        out.push(diff(`nics[${want.mac}]`, want.mac, null, 'critical', 'nic-missing'));
        continue;
      }
      seen.add(nic.mac.toLowerCase());
      if (want.speedMbps !== undefined && nic.speedMbps != null && nic.speedMbps < want.speedMbps) {
        out.push(diff(`nics[${want.mac}].speedMbps`, want.speedMbps, nic.speedMbps, 'warning', 'nic-speed'));
      }
    }
    for (const n of inv.nics) if (!seen.has(n.mac.toLowerCase())) out.push(diff(`nics[${n.mac}]`, null, n.name, 'info', 'nic-extra'));
  }

  if (spec.gpus) {
    for (const want of spec.gpus) {
      const count = inv.gpus.filter((g) => norm(g.model).includes(norm(want.model))).length;
      if (count < want.count) out.push(diff(`gpus[${want.model}].count`, want.count, count, 'critical', 'gpu-missing'));
      else if (count > want.count) out.push(diff(`gpus[${want.model}].count`, want.count, count, 'info', 'gpu-extra'));
    }
  }

  if (spec.firmware) {
    if (spec.firmware.bios && norm(spec.firmware.bios) !== norm(inv.bios.version)) out.push(diff('firmware.bios', spec.firmware.bios, inv.bios.version, 'warning', 'firmware-version'));
    if (spec.firmware.bmc && norm(spec.firmware.bmc) !== norm(inv.bmc?.version)) out.push(diff('firmware.bmc', spec.firmware.bmc, inv.bmc?.version ?? null, 'warning', 'firmware-version'));
  }

  for (const tool of inv.missingTools) out.push(diff(`inventory.tools.${tool}`, 'present', 'missing', 'info', 'tool-missing'));
  return out;
}

export function hasCritical(diffs: readonly SpecDiff[]): boolean {
  return diffs.some((d) => d.severity === 'critical');
}
