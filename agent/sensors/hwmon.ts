import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Sample } from '../../common/schema/protocol.ts';

// Reads the kernel's hwmon tree (<root>/class/hwmon/hwmon*/). Values there are
// integers in milli-units (temperature m°C, voltage mV) or micro-units (power
// µW). A sensor whose file cannot be read, or holds something other than an
// integer, is a dead sensor: it simply drops out of this reading.

export type HwmonQuantity = 'temp' | 'in' | 'power';

interface QuantitySpec {
  file: RegExp;
  kind: Sample['kind'];
  unit: string;
  scale: number;
}

const QUANTITIES: Record<HwmonQuantity, QuantitySpec> = {
  temp: { file: /^temp(\d+)_input$/, kind: 'thermal', unit: '°C', scale: 1000 },
  in: { file: /^in(\d+)_input$/, kind: 'psu', unit: 'V', scale: 1000 },
  power: { file: /^power(\d+)_average$/, kind: 'psu', unit: 'W', scale: 1_000_000 },
};

async function readTrimmed(path: string): Promise<string | null> {
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch {
    return null;
  }
}

/** Parses one hwmon value file; null when it is not a plain integer. */
export function parseSysfsInteger(text: string | null): number | null {
  if (text === null || !/^-?\d+$/.test(text)) return null;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : null;
}

/** Reads every sensor of the given quantities; `ts` stamps the whole batch. */
export async function readHwmon(root: string, quantities: HwmonQuantity[], ts = Date.now()): Promise<Sample[]> {
  const classDir = join(root, 'class', 'hwmon');
  let chips: string[];
  try {
    chips = (await readdir(classDir)).filter((d) => /^hwmon\d+$/.test(d));
  } catch {
    return []; // no hwmon at all (containers, VMs without sensors)
  }
  chips.sort((a, b) => Number(a.slice(5)) - Number(b.slice(5)));
  const samples: Sample[] = [];
  const seen = new Set<string>();
  for (const chip of chips) {
    const dir = join(classDir, chip);
    let files: string[];
    try {
      files = await readdir(dir);
    } catch {
      continue;
    }
    const chipName = (await readTrimmed(join(dir, 'name'))) || chip;
    for (const q of quantities) {
      const spec = QUANTITIES[q];
      const inputs = files
        .map((f) => spec.file.exec(f))
        .filter((m): m is RegExpExecArray => m !== null)
        .sort((a, b) => Number(a[1]) - Number(b[1]));
      for (const m of inputs) {
        const raw = parseSysfsInteger(await readTrimmed(join(dir, m[0])));
        if (raw === null) continue;
        const channel = m[0].replace(/_(input|average)$/, '');
        const label = (await readTrimmed(join(dir, `${channel}_label`))) || channel;
        let sensor = `${chipName}/${label}`.slice(0, 180);
        // Two chips with the same driver name (two NVMe drives) must stay apart.
        if (seen.has(sensor)) sensor = `${sensor}@${chip}`;
        seen.add(sensor);
        samples.push({ kind: spec.kind, sensor, value: raw / spec.scale, unit: spec.unit, ts });
      }
    }
  }
  return samples;
}

export const readTemperatures = (root: string, ts?: number) => readHwmon(root, ['temp'], ts);
export const readPowerRails = (root: string, ts?: number) => readHwmon(root, ['in', 'power'], ts);
