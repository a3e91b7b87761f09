import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

// The kernel's memory error counters (EDAC), per memory controller and per DIMM, from
// <sysfs>/devices/system/edac/mc/mc*/ (Documentation/admin-guide/ras.rst, "Sysfs
// interface", and Documentation/ABI/testing/sysfs-devices-edac):
//
//   mcN/{mc_name,ce_count,ue_count,ce_noinfo_count,ue_noinfo_count}
//   mcN/dimmM/{dimm_label,dimm_location,size,dimm_ce_count,dimm_ue_count,dimm_mem_type}
//     (rankM/ instead on controllers that see ranks, not modules; same files)
//   mcN/csrowR/{ce_count,ue_count,size_mb,chC_ce_count,chC_ue_count,chC_dimm_label}
//     (the older layout, still there with CONFIG_EDAC_LEGACY_SYSFS: read only when a
//     controller has no dimmM/rankM directories, or every error would count twice)
//
// Counts run from the driver's load (boot, in the live image) unless someone wrote
// reset_counters. dimm_location reads like "channel 1 slot 0 " (the layers the
// controller knows, with a trailing space). No mcN directory at all (edac/mc may
// exist, the core being built in) means no driver knows this memory controller: ECC
// cannot be read, which is "not tested", never "no errors".

export interface EdacDimm {
  /** "mc0/dimm3", "mc1/csrow2/ch1": stable within a boot, to match two readings. */
  key: string;
  mc: string;
  /** As the driver or firmware labels it (CPU_SrcID#0_Ha#0_Chan#0_DIMM#0, DIMM_A1); may be empty. */
  label: string;
  /** "channel 0 slot 0", "csrow 2 channel 1". */
  location: string;
  sizeMiB: number | null;
  corrected: number;
  /** Null in the csrow layout where only the row (not the channel) counts uncorrected errors. */
  uncorrected: number | null;
  memType: string | null;
}

export interface EdacController {
  mc: string;
  /** mc_name: the driver's name for the controller ("Skylake Socket#0 IMC#0", "ghes_edac"). */
  name: string | null;
  corrected: number | null;
  uncorrected: number | null;
  /** Errors the controller could not pin to a DIMM (whole-controller, or a csrow with several channels). */
  unattributed: { where: string; corrected: number; uncorrected: number }[];
  dimms: EdacDimm[];
}

async function read(path: string): Promise<string | null> {
  return readFile(path, 'utf8').then((t) => t.replace(/\s+$/, ''), () => null);
}

async function readCount(path: string): Promise<number | null> {
  const t = await read(path);
  return t !== null && /^\d+$/.test(t.trim()) ? Number(t.trim()) : null;
}

const byNumber = (prefix: string) => (a: string, b: string) => Number(a.slice(prefix.length)) - Number(b.slice(prefix.length));

async function readDimmDir(mcDir: string, mc: string, dir: string): Promise<EdacDimm> {
  const base = join(mcDir, dir);
  const [label, location, size, ce, ue, memType] = await Promise.all([
    read(join(base, 'dimm_label')),
    read(join(base, 'dimm_location')),
    readCount(join(base, 'size')),
    readCount(join(base, 'dimm_ce_count')),
    readCount(join(base, 'dimm_ue_count')),
    read(join(base, 'dimm_mem_type')),
  ]);
  return { key: `${mc}/${dir}`, mc, label: label?.trim() ?? '', location: location?.trim() ?? dir, sizeMiB: size, corrected: ce ?? 0, uncorrected: ue ?? 0, memType: memType?.trim() || null };
}

/** The csrow layout: one entry per populated channel of each row; a row's UEs without per-channel counts stay unattributed. */
async function readCsrows(mcDir: string, mc: string, rows: string[]): Promise<{ dimms: EdacDimm[]; unattributed: EdacController['unattributed'] }> {
  const dimms: EdacDimm[] = [];
  const unattributed: EdacController['unattributed'] = [];
  for (const row of rows) {
    const base = join(mcDir, row);
    const files = await readdir(base).catch(() => [] as string[]);
    const channels = files.map((f) => /^ch(\d+)_ce_count$/.exec(f)?.[1]).filter((c): c is string => c !== undefined).sort((a, b) => Number(a) - Number(b));
    const [rowUe, sizeMb, memType] = await Promise.all([readCount(join(base, 'ue_count')), readCount(join(base, 'size_mb')), read(join(base, 'mem_type'))]);
    const entries: EdacDimm[] = [];
    for (const ch of channels) {
      const [label, ce, ue] = await Promise.all([read(join(base, `ch${ch}_dimm_label`)), readCount(join(base, `ch${ch}_ce_count`)), readCount(join(base, `ch${ch}_ue_count`))]);
      entries.push({
        key: `${mc}/${row}/ch${ch}`,
        mc,
        label: label?.trim() ?? '',
        location: `${row.replace(/(\d+)$/, ' $1')} channel ${ch}`,
        sizeMiB: sizeMb !== null && channels.length > 0 ? Math.round(sizeMb / channels.length) : null,
        corrected: ce ?? 0,
        uncorrected: ue,
        memType: memType?.trim() || null,
      });
    }
    // Without per-channel UE counts, a row's UEs belong to its one channel, or to "one of" its channels.
    const perChannelUe = entries.every((e) => e.uncorrected !== null);
    if (!perChannelUe && rowUe) {
      if (entries.length === 1) entries[0]!.uncorrected = rowUe;
      else unattributed.push({ where: `${mc} ${row} (${entries.map((e) => e.label || e.location).join(' or ')})`, corrected: 0, uncorrected: rowUe });
    }
    dimms.push(...entries.map((e) => ({ ...e, uncorrected: e.uncorrected ?? 0 })));
  }
  return { dimms, unattributed };
}

/** Every EDAC memory controller with its DIMMs; [] when no EDAC driver knows the memory controllers. */
export async function readEdac(sysfsRoot: string): Promise<EdacController[]> {
  const root = join(sysfsRoot, 'devices', 'system', 'edac', 'mc');
  const mcs = (await readdir(root).catch(() => [] as string[])).filter((n) => /^mc\d+$/.test(n)).sort(byNumber('mc'));
  return Promise.all(
    mcs.map(async (mc): Promise<EdacController> => {
      const dir = join(root, mc);
      const entries = await readdir(dir).catch(() => [] as string[]);
      const modules = entries.filter((e) => /^(dimm|rank)\d+$/.test(e)).sort((a, b) => Number(a.replace(/\D/g, '')) - Number(b.replace(/\D/g, '')));
      const rows = entries.filter((e) => /^csrow\d+$/.test(e)).sort(byNumber('csrow'));
      const [name, ce, ue, ceNoInfo, ueNoInfo] = await Promise.all([
        read(join(dir, 'mc_name')),
        readCount(join(dir, 'ce_count')),
        readCount(join(dir, 'ue_count')),
        readCount(join(dir, 'ce_noinfo_count')),
        readCount(join(dir, 'ue_noinfo_count')),
      ]);
      const layout = modules.length > 0 ? { dimms: await Promise.all(modules.map((m) => readDimmDir(dir, mc, m))), unattributed: [] } : await readCsrows(dir, mc, rows);
      const noInfo = (ceNoInfo ?? 0) > 0 || (ueNoInfo ?? 0) > 0 ? [{ where: `${mc} (${name?.trim() || 'memory controller'}), DIMM unknown`, corrected: ceNoInfo ?? 0, uncorrected: ueNoInfo ?? 0 }] : [];
      // Drivers list empty slots too (size 0): they hold nothing to test or blame.
      return { mc, name: name?.trim() || null, corrected: ce, uncorrected: ue, unattributed: [...noInfo, ...layout.unattributed], dimms: layout.dimms.filter((d) => d.sizeMiB !== 0) };
    }),
  );
}
