import { ParseError } from './parse-error.ts';

// ipmitool (Debian 12: 1.8.19) talking to the host's own BMC through /dev/ipmi0:
//   ipmitool sel elist      the System Event Log, one line per record, sensors named from the SDR
//   ipmitool sel time get   the BMC's clock, printed like the log's timestamps
//   ipmitool sdr elist      every sensor with its status and reading
// Fields are separated by " | ". The record id is hexadecimal. Dates are mm/dd/yy (or
// mm/dd/yyyy) and times hh:mm:ss, followed by the zone ipmitool converted to when it printed
// one; records stamped before the BMC knew the time say "Pre-Init" and a count of seconds.
// A record's sensor column starts with the sensor type's name ("Power Supply"), then the
// sensor's SDR name or "#0x<number>". Threshold events may carry one more field
// ("Reading 90 > Threshold 85 degrees C"). Descriptions some OEM decoders build contain " | "
// themselves, so a record is read from both ends: id, date, time, sensor from the left,
// Asserted/Deasserted and what follows it from the right, the description in between.

const TOOL = 'ipmitool';

/** Sensor type names as ipmitool prints them (IPMI 2.0 table 42-3, ipmitool's sensor_type_desc). */
export const SENSOR_TYPES = [
  'Temperature', 'Voltage', 'Current', 'Fan', 'Physical Security', 'Platform Security', 'Processor', 'Power Supply',
  'Power Unit', 'Cooling Device', 'Other', 'Memory', 'Drive Slot / Bay', 'POST Memory Resize', 'System Firmwares',
  'System Firmware Progress', 'Event Logging Disabled', 'Watchdog1', 'Watchdog 1', 'System Event', 'Critical Interrupt',
  'Button', 'Button / Switch', 'Module / Board', 'Microcontroller', 'Microcontroller / Coprocessor', 'Add-in Card',
  'Chassis', 'Chip Set', 'Other FRU', 'Cable / Interconnect', 'Terminator', 'System Boot Initiated',
  'System Boot / Restart Initiated', 'Boot Error', 'OS Boot', 'OS Critical Stop', 'OS Stop / Shutdown',
  'Slot / Connector', 'System ACPI Power State', 'Watchdog2', 'Watchdog 2', 'Platform Alert', 'Entity Presence',
  'Monitor ASIC', 'LAN', 'Management Subsys Health', 'Management Subsystem Health', 'Battery', 'Session Audit',
  'Version Change', 'FRU State',
].sort((a, b) => b.length - a.length);

export interface SelEntry {
  /** The record id (hex in ipmitool's output). */
  id: number;
  /** The record's time as printed ("12/04/26 21:26:19 UTC"), or "Pre-Init". */
  when: string;
  /**
   * The record's time in seconds on the BMC's clock as ipmitool printed it (read as UTC,
   * whatever zone it named: only differences between such values are used). Null for
   * records logged before the BMC knew the time.
   */
  bmcTime: number | null;
  /** The sensor type ("Power Supply"), when the sensor column starts with a known one. */
  sensorType: string | null;
  /** The sensor column as printed ("Power Supply PSU1 Status", "Memory #0x09"). */
  sensor: string;
  event: string;
  direction: 'Asserted' | 'Deasserted' | null;
  /** What follows the direction (a threshold event's reading). */
  detail: string | null;
}

/** "12/04/26" + "21:26:19 UTC" → seconds (UTC reading), or null. */
export function ipmiTimeSeconds(date: string, time: string): number | null {
  const d = /^(\d{2})\/(\d{2})\/(\d{2}|\d{4})$/.exec(date.trim());
  const t = /^(\d{2}):(\d{2}):(\d{2})(?:\s+\S+)?$/.exec(time.trim());
  if (!d || !t) return null;
  const year = d[3]!.length === 2 ? 2000 + Number(d[3]) : Number(d[3]);
  const ms = Date.UTC(year, Number(d[1]) - 1, Number(d[2]), Number(t[1]), Number(t[2]), Number(t[3]));
  return Number.isFinite(ms) ? ms / 1000 : null;
}

function splitSensor(sensor: string): string | null {
  return SENSOR_TYPES.find((t) => sensor === t || sensor.startsWith(`${t} `)) ?? null;
}

/** `ipmitool sel elist` (or `sel list`): stdout, and stderr, where an empty log says "SEL has no entries". */
export function parseSelElist(text: string, stderr = ''): SelEntry[] {
  if (typeof text !== 'string') throw new ParseError(TOOL, 'input is not text');
  const lines = text.split(/\r?\n/).map((l) => l.trimEnd()).filter((l) => l.trim() !== '');
  if (lines.length === 0 && /^SEL has no entries/m.test(stderr)) return [];
  if (lines.length === 0) throw new ParseError(TOOL, 'sel elist printed nothing (not even "SEL has no entries")');
  const entries: SelEntry[] = [];
  for (const line of lines) {
    const f = line.split('|').map((x) => x.trim());
    const idText = f[0] ?? '';
    if (f.length < 5 || !/^[0-9a-f]+$/i.test(idText)) throw new ParseError(TOOL, `not a SEL record: "${line.slice(0, 120)}"`);
    const dirAt = f.findIndex((x, i) => i >= 4 && (x === 'Asserted' || x === 'Deasserted'));
    const sensor = f[3]!;
    const event = (dirAt > 0 ? f.slice(4, dirAt) : f.slice(4)).join(' | ');
    const detail = dirAt > 0 && dirAt < f.length - 1 ? f.slice(dirAt + 1).join(' | ') : null;
    const preInit = /^Pre-Init$/i.test(f[1]!);
    entries.push({
      id: Number.parseInt(idText, 16),
      when: preInit ? 'Pre-Init' : `${f[1]} ${f[2]}`,
      bmcTime: preInit ? null : ipmiTimeSeconds(f[1]!, f[2]!),
      sensorType: splitSensor(sensor),
      sensor,
      event,
      direction: dirAt > 0 ? (f[dirAt] as 'Asserted' | 'Deasserted') : null,
      detail,
    });
  }
  return entries;
}

/** `ipmitool sel time get` → seconds on the BMC's clock (read as UTC, like the log's records). */
export function parseSelTime(text: string): number {
  const m = /^\s*(\d{2}\/\d{2}\/\d{2,4})\s+(\d{2}:\d{2}:\d{2}(?:\s+\S+)?)\s*$/m.exec(text);
  const t = m ? ipmiTimeSeconds(m[1]!, m[2]!) : null;
  if (t === null) throw new ParseError(TOOL, `sel time get: no date and time in "${text.trim().slice(0, 80)}"`);
  return t;
}

export interface SdrReading {
  name: string;
  /** The sensor number as printed ("01h"). */
  sensorId: string;
  /** ok, ns (no reading), nc / cr / nr (non-critical, critical, non-recoverable), lnc … unr. */
  status: string;
  /** Entity id.instance ("10.1"). */
  entity: string;
  value: number | null;
  /** The unit as ipmitool names it ("Volts", "degrees C", "RPM", "Watts", "Amps"). */
  unit: string | null;
  /** The reading column as printed (a number and unit, a discrete state, or empty). */
  reading: string;
}

/** `ipmitool sdr elist` (also `sdr type X`). */
export function parseSdrElist(text: string): SdrReading[] {
  if (typeof text !== 'string') throw new ParseError(TOOL, 'input is not text');
  const out: SdrReading[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    const f = line.split('|').map((x) => x.trim());
    if (f.length !== 5 || !/^[0-9a-f]{2}h$/i.test(f[1]!)) throw new ParseError(TOOL, `not an SDR line: "${line.slice(0, 120)}"`);
    const m = /^(-?\d+(?:\.\d+)?)\s+(.+)$/.exec(f[4]!);
    out.push({ name: f[0]!, sensorId: f[1]!, status: f[2]!, entity: f[3]!, value: m ? Number(m[1]) : null, unit: m ? m[2]! : null, reading: f[4]! });
  }
  return out;
}

/** The bench's unit for an ipmitool unit, for the telemetry it can judge (null: not a power reading). */
export function powerUnit(unit: string | null): 'V' | 'A' | 'W' | null {
  if (unit === 'Volts') return 'V';
  if (unit === 'Amps') return 'A';
  if (unit === 'Watts') return 'W';
  return null;
}
