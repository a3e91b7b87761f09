import { readdir, readFile, readlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { InventoryGpu, InventoryNic } from '../../../common/schema/inventory.ts';
import { describeFirmwareFailure, parseFirmwareFailures, parseDmidecode, type DmiInfo, buildInventory, LSBLK_ARGS, parseLsblkJson, type BlockDevice, parseLscpuJson, type CpuInfo, parseLshwJson, type LshwInfo, parseSmartctlJson, type SmartReport, parseLspciVmm, parseLspciVerbose } from '../../parsers/index.ts';
import { errorText } from '../../runtime/logger.ts';
import { ToolInfraError, throwIfCancelled, toolExists, type ToolResult } from '../../runtime/tool-runner.ts';
import { readPciLinks } from '../../sensors/pci-links.ts';
import { readBmcSnapshot } from '../bmc/read.ts';
import { gpuInventory } from '../gpu/probe.ts';
import type { StageContext, StageModule, StageOutcomeReport } from '../types.ts';
import { meminfoBytes } from '../../parsers/meminfo.ts';

// Inventory: ask every probe what the machine is, in machine-readable form where
// the tool has one, and merge it into the normalised Inventory (the stage's
// summary, which SpecValidate diffs) plus one raw inventory.json artifact. A
// missing or failing optional tool is recorded in missingTools, not fatal;
// only a machine about which nothing at all could be learned is an error.

interface RawEntry {
  command: string;
  exitCode?: number;
  /** Parsed JSON when the tool printed JSON, else its text. */
  output?: unknown;
  stderr?: string;
  problem?: string;
}

async function read(path: string): Promise<string | null> {
  return readFile(path, 'utf8').then((t) => t.trim(), () => null);
}

/** NICs from sysfs: physical ones (with a device link), or every non-loopback one when none is. */
export async function readNics(sysRoot: string): Promise<InventoryNic[]> {
  const base = join(sysRoot, 'class', 'net');
  const names = (await readdir(base).catch(() => [] as string[])).filter((n) => n !== 'lo').sort();
  const out: (InventoryNic & { physical: boolean })[] = [];
  for (const name of names) {
    const dir = join(base, name);
    const mac = await read(join(dir, 'address'));
    if (!mac) continue;
    const speed = Number(await read(join(dir, 'speed')));
    const driverLink = await readlink(join(dir, 'device', 'driver')).catch(() => null);
    const carrier = await read(join(dir, 'carrier'));
    out.push({
      name,
      mac,
      speedMbps: Number.isFinite(speed) && speed > 0 ? speed : null,
      driver: driverLink ? basename(driverLink) : null,
      link: carrier === null ? null : carrier === '1',
      physical: driverLink !== null,
    });
  }
  const physical = out.filter((n) => n.physical);
  return (physical.length > 0 ? physical : out).map(({ physical: _p, ...n }) => n);
}

async function run(ctx: StageContext): Promise<StageOutcomeReport<'Inventory'>> {
  const timeoutMs = ctx.params.inventory.timeoutS * 1000;
  const raw: Record<string, RawEntry> = {};
  const missingTools: string[] = [];

  /** Runs one probe; returns its result, or null (recorded as missing / failed). */
  const probe = async (key: string, tool: string, args: string[], okCodes: (code: number) => boolean = (c) => c === 0): Promise<ToolResult | null> => {
    const command = [tool, ...args].join(' ');
    try {
      const res = await ctx.runTool(tool, args, { timeoutMs, signal: ctx.signal });
      raw[key] = { command, exitCode: res.exitCode, output: asJson(res.stdout), stderr: res.stderr.slice(0, 4000) || undefined };
      if (!okCodes(res.exitCode)) {
        raw[key].problem = `exit status ${res.exitCode}`;
        missingTools.push(`${tool} (exit ${res.exitCode})`);
        return null;
      }
      return res;
    } catch (err) {
      throwIfCancelled(err);
      raw[key] = { command, problem: errorText(err) };
      missingTools.push(err instanceof ToolInfraError && err.kind === 'missing' ? tool : `${tool} (${err instanceof ToolInfraError ? err.kind : 'failed'})`);
      return null;
    }
  };
  /** Parses a probe's output; a parse failure is recorded like a missing tool. */
  const parse = <T>(key: string, tool: string, fn: () => T): T | null => {
    try {
      return fn();
    } catch (err) {
      raw[key] = { ...(raw[key] ?? { command: tool }), problem: errorText(err) };
      missingTools.push(`${tool} (unreadable output)`);
      return null;
    }
  };

  // The BMC's log and sensors first: the baseline the BMC stage is compared with at the end of
  // the run (common/stages/bmc.ts). A host without a BMC says so here and nothing is probed.
  ctx.progress({ percent: 0, message: 'BMC event log and sensors' });
  const bmcLog = await readBmcSnapshot(ctx, { timeoutMs, artifactPrefix: 'bmc-start' });

  ctx.progress({ percent: 5, message: 'dmidecode' });
  const dmiRes = await probe('dmidecode', 'dmidecode', []);
  const dmi: DmiInfo | null = dmiRes ? parse('dmidecode', 'dmidecode', () => parseDmidecode(dmiRes.stdout)) : null;
  ctx.progress({ percent: 15, message: 'lscpu' });
  const cpuRes = await probe('lscpu', 'lscpu', ['-J']);
  const cpu: CpuInfo | null = cpuRes ? parse('lscpu', 'lscpu', () => parseLscpuJson(cpuRes.stdout)) : null;
  ctx.progress({ percent: 25, message: 'lshw' });
  const lshwRes = await probe('lshw', 'lshw', ['-json', '-quiet']);
  const lshw: LshwInfo | null = lshwRes ? parse('lshw', 'lshw', () => parseLshwJson(lshwRes.stdout)) : null;
  ctx.progress({ percent: 45, message: 'lspci' });
  const pciRes = await probe('lspci', 'lspci', ['-vmm', '-nn', '-k', '-D']);
  const pci = pciRes ? parse('lspci', 'lspci', () => parseLspciVmm(pciRes.stdout)) : null;
  const pciVvRes = await probe('lspci -vv', 'lspci', ['-vv', '-nn', '-D']);
  const pciVerbose = pciVvRes ? parse('lspci -vv', 'lspci', () => parseLspciVerbose(pciVvRes.stdout)) : null;
  ctx.progress({ percent: 55, message: 'lsblk' });
  const lsblkRes = await probe('lsblk', 'lsblk', [...LSBLK_ARGS]);
  const blocks: BlockDevice[] | null = lsblkRes ? parse('lsblk', 'lsblk', () => parseLsblkJson(lsblkRes.stdout)) : null;

  // smartctl -i per whole disk (loop and RAM disks have no SMART to ask).
  const smart: SmartReport[] = [];
  const disks = (blocks ?? []).filter((b) => b.type === 'disk');
  if (disks.length > 0 && (await toolExists('smartctl'))) {
    for (const [i, d] of disks.entries()) {
      ctx.progress({ percent: 60 + (i / disks.length) * 25, message: `smartctl -i ${d.path}` });
      const key = `smartctl-i ${d.path}`;
      // smartctl's exit status is a bit mask; bits 0-1 mean it could not talk to the device.
      const res = await probe(key, 'smartctl', ['-j', '-i', d.path], () => true);
      const rep = res ? parse(key, 'smartctl', () => parseSmartctlJson(res.stdout, res.exitCode)) : null;
      if (rep) smart.push({ ...rep, device: rep.device ?? d.path });
    }
  } else if (disks.length > 0) {
    missingTools.push('smartctl');
  }

  ctx.progress({ percent: 85, message: 'GPUs' });
  let gpus: InventoryGpu[] = [];
  if (await toolExists('nvidia-smi')) {
    try {
      const g = await gpuInventory(ctx);
      gpus = g.gpus;
      raw['nvidia-smi'] = { command: g.command, output: g.raw };
    } catch (err) {
      throwIfCancelled(err);
      raw['nvidia-smi'] = { command: 'nvidia-smi', problem: errorText(err) };
      missingTools.push('nvidia-smi (failed)');
    }
  }

  // Firmware a NIC or HBA driver asked for and did not get (the image lacks it): named in the inventory.
  const kernelLog = await probe('dmesg', 'dmesg', ['--color=never']);
  const missingFirmware = kernelLog ? parseFirmwareFailures(kernelLog.stdout) : [];
  if (kernelLog) raw.dmesg = { command: 'dmesg --color=never', exitCode: kernelLog.exitCode, output: missingFirmware };

  const nics = await readNics(ctx.paths.sysRoot);
  // Link state is a health reading: it comes from the sensor root (--sysfs-root), like hwmon.
  const pciSysfs = await readPciLinks(ctx.paths.sysfsRoot);
  raw['pci sysfs'] = { command: `read ${ctx.paths.sysfsRoot}/bus/pci/devices/*/{current,max}_link_{speed,width}`, output: pciSysfs };
  const loopBackingFiles: Record<string, string> = {};
  for (const b of blocks ?? []) {
    if (b.type !== 'loop') continue;
    const f = await read(join(ctx.paths.sysRoot, 'block', b.name, 'loop', 'backing_file'));
    if (f) loopBackingFiles[b.name] = f;
  }
  const memTotal = meminfoBytes((await read(join(ctx.paths.procRoot, 'meminfo'))) ?? '', 'MemTotal');

  let inventory;
  try {
    inventory = buildInventory({
      dmi,
      cpu,
      lshw,
      blocks,
      smart,
      gpus,
      nics,
      loopBackingFiles,
      memTotalBytes: memTotal,
      pci,
      pciVerbose,
      pciSysfs,
      missingTools: [...new Set(missingTools)].slice(0, 64),
    });
  } catch (err) {
    await ctx.artifact('inventory.json', JSON.stringify({ collectedAt: new Date().toISOString(), raw }, null, 2));
    return { outcome: 'error', message: `could not build the inventory: ${errorText(err)}`, summary: { infraError: 'inventory', problems: missingTools }, coverage: [] };
  }
  inventory.missingFirmware = missingFirmware.slice(0, 256).map((f) => ({ file: f.file, driver: f.driver, device: f.device }));
  await ctx.artifact('inventory.json', JSON.stringify({ collectedAt: new Date().toISOString(), inventory, raw }, null, 2));
  ctx.progress({ percent: 100, message: 'inventory collected' });

  if (!dmi && !cpu && !lshw && !blocks) {
    return { outcome: 'error', message: `no inventory probe worked (${missingTools.join(', ')})`, summary: { inventory, bmcLog }, coverage: [] };
  }
  const parts = [
    inventory.system.product ?? 'unknown system',
    inventory.cpu.model ? `${inventory.cpu.model} × ${inventory.cpu.sockets}` : null,
    `${inventory.cpu.threads} threads`,
    `${Math.round(inventory.memory.totalBytes / 1024 ** 3)} GiB RAM`,
    `${inventory.disks.length} disk(s)`,
    `${inventory.nics.length} NIC(s)`,
    inventory.gpus.length ? `${inventory.gpus.length} GPU(s)` : null,
  ].filter(Boolean);
  const missingText = inventory.missingTools.length ? `; missing or failed: ${inventory.missingTools.join(', ')}` : '';
  const firmwareText = missingFirmware.length ? `; firmware missing: ${missingFirmware.map(describeFirmwareFailure).join(', ')}` : '';
  // Inventory describes the host and tests nothing, so it claims no coverage.
  const bmcText = bmcLog.present ? `; BMC: ${bmcLog.sel?.length ?? 0} event log record(s)` : '';
  return { outcome: 'passed', message: `${parts.join(', ')}${bmcText}${missingText}${firmwareText}`.slice(0, 4096), summary: { inventory, bmcLog }, coverage: [] };
}

function asJson(text: string): unknown {
  const t = text.trim();
  if (t.startsWith('{') || t.startsWith('[')) {
    try {
      return JSON.parse(t);
    } catch {
      // not JSON after all: keep the text
    }
  }
  return text.length > 1_000_000 ? `${text.slice(0, 1_000_000)}\n[truncated]` : text;
}

export const inventoryStage: StageModule<'Inventory'> = { name: 'Inventory', run };
