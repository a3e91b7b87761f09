import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

// The kernel's own per-interface counters, <sysfs>/class/net/<nic>/statistics/<name>
// (struct rtnl_link_stats64: rx_crc_errors, rx_missed_errors, rx_dropped, tx_errors …),
// one decimal number per file. Every driver fills the standard ones it can, so they
// complement `ethtool -S`, whose names are each driver's own. Read through the
// sensor root (--sysfs-root), so tests can feed a tree whose counters change.

/** Counter name ("statistics/rx_crc_errors") → value; null when the NIC has no statistics directory. */
export async function readNetStatistics(sysfsRoot: string, nic: string): Promise<Map<string, number> | null> {
  const dir = join(sysfsRoot, 'class', 'net', nic, 'statistics');
  const names = await readdir(dir).catch(() => null);
  if (names === null) return null;
  const out = new Map<string, number>();
  await Promise.all(
    names.map(async (name) => {
      const text = await readFile(join(dir, name), 'utf8').catch(() => null);
      if (text !== null && /^\d+\s*$/.test(text)) out.set(`statistics/${name}`, Number(text.trim()));
    }),
  );
  return out;
}
