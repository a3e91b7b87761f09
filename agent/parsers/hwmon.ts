// Pure helpers for Linux hwmon sysfs files (Documentation/hwmon/sysfs-interface): the
// runtime reads /sys/class/hwmon/hwmonN/*, these turn names and raw strings into
// sensors and SI values. No file access here.

export type HwmonKind = 'temp' | 'in' | 'curr' | 'power' | 'energy' | 'fan' | 'pwm' | 'humidity' | 'freq' | 'intrusion';

export interface HwmonSensorName {
  kind: HwmonKind;
  /** The channel number (temp1 → 1; in0 → 0). */
  index: number;
  /** input, label, max, crit, min, alarm, average, lowest, highest … ("" for bare pwmN). */
  attribute: string;
}

const UNIT: Record<HwmonKind, string> = {
  temp: '°C',
  in: 'V',
  curr: 'A',
  power: 'W',
  energy: 'J',
  fan: 'RPM',
  pwm: 'duty/255',
  humidity: '%',
  freq: 'Hz',
  intrusion: '',
};

// sysfs units → SI: temp milli-°C, in mV, curr mA, power µW, energy µJ, humidity milli-%.
const SCALE: Record<HwmonKind, number> = {
  temp: 1e-3,
  in: 1e-3,
  curr: 1e-3,
  power: 1e-6,
  energy: 1e-6,
  fan: 1,
  pwm: 1,
  humidity: 1e-3,
  freq: 1,
  intrusion: 1,
};

// Attributes that are flags or settings rather than measurements in the kind's unit.
const UNSCALED = new Set(['alarm', 'beep', 'fault', 'enable', 'type', 'label', 'mode', 'div', 'pulses', 'offset_enable']);

/** Splits "temp1_input" → {kind: temp, index: 1, attribute: input}; null for name, uevent, device … */
export function hwmonSensorKind(fileName: string): HwmonSensorName | null {
  const m = /^(temp|in|curr|power|energy|fan|pwm|humidity|freq|intrusion)(\d+)(?:_(\w+))?$/.exec(fileName);
  if (!m?.[1] || m[2] === undefined) return null;
  return { kind: m[1] as HwmonKind, index: Number(m[2]), attribute: m[3] ?? '' };
}

export function hwmonUnit(kind: HwmonKind): string {
  return UNIT[kind];
}

/**
 * Converts one sysfs value to SI units (temp*_input 49850 → 49.85 °C, in*_input 12000 →
 * 12 V, power*_average µW → W, fan*_input RPM as is). Flags (alarm, fault …) stay 0/1.
 * Null for labels, unknown files, or text that is not an integer.
 */
export function parseHwmonValue(name: string, raw: string): number | null {
  const s = hwmonSensorKind(name);
  if (!s || s.attribute === 'label') return null;
  const t = typeof raw === 'string' ? raw.trim() : '';
  if (!/^-?\d+$/.test(t)) return null;
  const n = Number(t);
  if (UNSCALED.has(s.attribute)) return n;
  // Round away float noise (49850 * 1e-3 = 49.850000000000001).
  return Number((n * SCALE[s.kind]).toPrecision(12));
}

export interface HwmonSensor {
  chip: string | null;
  kind: HwmonKind;
  index: number;
  label: string | null;
  unit: string;
  /** The *_input (or power*_average when there is no input). */
  value: number | null;
  min: number | null;
  max: number | null;
  crit: number | null;
  alarm: boolean | null;
}

/**
 * Groups one chip's files (name → raw contents, e.g. {"name":"nvme","temp1_input":"49850"})
 * into sensors, so the sidecar and the PSU stage see "nvme Composite 49.85 °C".
 */
export function hwmonSensors(files: Record<string, string>): HwmonSensor[] {
  const chip = files.name?.trim() || null;
  const byChannel = new Map<string, Record<string, string>>();
  for (const [file, raw] of Object.entries(files)) {
    const s = hwmonSensorKind(file);
    if (!s) continue;
    const key = `${s.kind}${s.index}`;
    const attrs = byChannel.get(key) ?? {};
    attrs[s.attribute] = raw;
    byChannel.set(key, attrs);
  }
  const out: HwmonSensor[] = [];
  for (const [key, attrs] of byChannel) {
    const s = hwmonSensorKind(key)!;
    const v = (attr: string): number | null => (attrs[attr] === undefined ? null : parseHwmonValue(`${key}_${attr}`, attrs[attr]!));
    const value = v('input') ?? v('average') ?? (s.kind === 'pwm' ? parseHwmonValue(key, attrs[''] ?? '') : null);
    if (value === null && attrs.input === undefined && attrs.average === undefined && s.kind !== 'pwm') continue;
    const alarm = v('alarm');
    out.push({
      chip,
      kind: s.kind,
      index: s.index,
      label: attrs.label?.trim() || null,
      unit: UNIT[s.kind],
      value,
      min: v('min'),
      max: v('max'),
      crit: v('crit'),
      alarm: alarm === null ? null : alarm !== 0,
    });
  }
  return out.sort((a, b) => a.kind.localeCompare(b.kind) || a.index - b.index);
}
