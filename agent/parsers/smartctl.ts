import { ParseError } from './parse-error.ts';
import { arr, at, bool, num, obj, parseJsonObject, str, type JsonObject } from './util.ts';

// smartctl -j output (smartmontools 7.x JSON). The stage runs `smartctl -j -a <dev>`
// (plus `-d megaraid,N` behind RAID controllers) and passes us stdout and the real exit
// status. smartctl's exit status is a bit mask, not a verdict: bit 2 ("a command
// failed") is common on healthy disks (e.g. virtio-scsi), bit 0 shows up for devices
// without any SMART at all (loop, virtio-blk: "Unable to detect device type").
//
// ATA attributes are read by what they mean, not by their number alone. smartctl's drive
// database (drivedb.h) renames attributes per model because vendors reuse the numbers: on one
// SSD attribute 198 counts offline-uncorrectable sectors, on another it counts GiB read by the
// host; Crucial MX500's 197 flips between 0 and 1 on healthy drives (smartctl 7.3 names it
// Current_Pending_ECC_Cnt, 7.4+ Bogus_Current_Pend_Sect). smartctl -j prints the name it chose
// (`name`, the same string as the ATTRIBUTE_NAME column of its text output), so each watched
// attribute id below lists the names under which it counts what the rule expects, and the
// names under which it counts something else. A name this table does not know is not read
// (and is reported in attributeNotes), rather than guessed at.

const TOOL = 'smartctl';

export interface SmartExitBits {
  /** bit 0: the command line did not parse (also: device type not detectable). */
  commandLineError: boolean;
  /** bit 1: device open failed, no IDENTIFY data, or device in low-power mode. */
  deviceOpenFailed: boolean;
  /** bit 2: some SMART or other command to the disk failed, or a checksum error. */
  commandFailed: boolean;
  /** bit 3: SMART status check returned "DISK FAILING". */
  diskFailing: boolean;
  /** bit 4: prefail attributes at or below their threshold now. */
  prefailAttrs: boolean;
  /** bit 5: disk OK now, but some attributes were at or below threshold in the past. */
  prefailPast: boolean;
  /** bit 6: the device error log contains records of errors. */
  errorLog: boolean;
  /** bit 7: the device self-test log contains records of errors. */
  selfTestLog: boolean;
}

export type SmartProtocol = 'ATA' | 'NVMe' | 'SCSI' | 'unknown';

export interface SmartReport {
  device: string | null;
  /** smartctl's -d type as it detected it (sat, nvme, scsi, megaraid,N …). */
  deviceType: string | null;
  protocol: SmartProtocol;
  model: string | null;
  serial: string | null;
  /** Formatted like lsblk's WWN column (0x5000c500…, or eui.… for NVMe) so the two compare. */
  wwn: string | null;
  firmware: string | null;
  capacityBytes: number | null;
  smartSupported: boolean | null;
  smartEnabled: boolean | null;
  healthPassed: boolean | null;
  /** ATA 5 (by meaning) or the SCSI grown defect list. */
  reallocated: number | null;
  /** ATA 197 by meaning. */
  pending: number | null;
  /** ATA 198 by meaning. */
  offlineUncorrectable: number | null;
  /** ATA 184 by meaning: data corrupted on its way between the host interface and the media. */
  endToEndErrors: number | null;
  /** ATA 187 and kin: uncorrectable errors reported to the host. Shown, not judged (see ATA_ATTRIBUTES). */
  reportedUncorrectable: number | null;
  /** ATA 196: remap operations. Shown, not judged (attribute 5 counts what they remapped). */
  reallocationEvents: number | null;
  /** ATA 199: interface CRC errors, a cable or backplane fault more than a drive fault. Shown, not judged. */
  crcErrors: number | null;
  /** NVMe media and data integrity errors, or the SCSI error counter log's uncorrected errors. */
  mediaErrors: number | null;
  criticalWarning: number | null;
  temperatureC: number | null;
  powerOnHours: number | null;
  exitCode: number;
  exitBits: SmartExitBits;
  /** smartctl's own messages ("severity: text"). */
  messages: string[];
  /** Watched ATA attributes that were not read as their usual counter, and why. */
  attributeNotes: string[];
}

/** Decodes smartctl's exit status bit by bit (smartctl(8), "RETURN VALUES"). */
export function decodeSmartExit(exitCode: number): SmartExitBits {
  const bit = (n: number): boolean => (exitCode & (1 << n)) !== 0;
  return {
    commandLineError: bit(0),
    deviceOpenFailed: bit(1),
    commandFailed: bit(2),
    diskFailing: bit(3),
    prefailAttrs: bit(4),
    prefailPast: bit(5),
    errorLog: bit(6),
    selfTestLog: bit(7),
  };
}

function protocolOf(root: JsonObject): SmartProtocol {
  const p = (str(at(root, 'device', 'protocol')) ?? '').toUpperCase();
  if (p === 'ATA') return 'ATA';
  if (p === 'NVME') return 'NVMe';
  if (p === 'SCSI') return 'SCSI';
  return 'unknown';
}

/** A counter one of the watched ATA attribute ids can hold. */
export type AtaCounter = 'reallocated' | 'pending' | 'offlineUncorrectable' | 'endToEnd' | 'reportedUncorrectable' | 'reallocationEvents' | 'crcErrors';

/** What a watched attribute means under a given name: a counter, or something else (why). */
export type AtaMeaning = { counter: AtaCounter } | { other: string };

const count = (counter: AtaCounter): AtaMeaning => ({ counter });
const other = (what: string): AtaMeaning => ({ other: what });

/**
 * The watched ATA attribute ids, each with the names smartctl gives it: smartctl's default
 * name first, then the drive database's renames (drivedb.h of smartmontools 7.3, plus the
 * names smartctl 6.6–7.5 printed in the hw-probe EnterpriseDrive corpus). A test reads
 * Debian's drivedb.h and fails when it renames one of these ids to a name missing here.
 */
export const ATA_ATTRIBUTES: Readonly<Record<number, { label: string; names: Readonly<Record<string, AtaMeaning>> }>> = {
  5: {
    label: 'reallocated sectors',
    names: {
      Reallocated_Sector_Ct: count('reallocated'),
      // SSDs count retired NAND blocks here: the same event (media replaced by spare) in blocks.
      Reallocate_NAND_Blk_Cnt: count('reallocated'),
      Reallocated_Block_Count: count('reallocated'),
      Retired_Block_Count: count('reallocated'),
      Runtime_Bad_Block: count('reallocated'),
      Later_Bad_Block: count('reallocated'),
      New_Bad_Blk_Cnt: count('reallocated'),
      Retried_Blk_Ct: other('blocks that needed read retries (SanDisk CS1K), not retired blocks'),
    },
  },
  184: {
    label: 'end-to-end errors',
    names: {
      'End-to-End_Error': count('endToEnd'),
      'End-to-End_Error_Count': count('endToEnd'),
      // Intel: "I/O error detection code" errors, i.e. the end-to-end data path check.
      IO_Error_Detect_Code_Ct: count('endToEnd'),
      // Micron/Crucial: errors their data path protection detected between host and NAND.
      Error_Correction_Count: count('endToEnd'),
      Initial_Bad_Block_Count: other('bad blocks the NAND shipped with (factory defects)'),
      Factory_Bad_Block_Count: other('bad blocks the NAND shipped with (factory defects)'),
    },
  },
  187: {
    label: 'reported uncorrectable errors',
    names: {
      Reported_Uncorrect: count('reportedUncorrectable'),
      Reported_UE_Counts: count('reportedUncorrectable'),
      Uncorrectable_Error_Cnt: count('reportedUncorrectable'),
      Uncorrectable_ECC_Ct: count('reportedUncorrectable'),
      Total_Unc_NAND_Reads: count('reportedUncorrectable'),
      Unknown_JMF_Attribute: other('an attribute JMicron controllers do not document'),
    },
  },
  196: {
    label: 'reallocation events',
    names: {
      Reallocated_Event_Count: count('reallocationEvents'),
      Spare_Blocks: other('the spare block pool, not remap events'),
      Not_In_Use: other('nothing (the vendor marks it unused)'),
      Erase_Failure_Blk_Ct: other('blocks that failed to erase'),
      Total_Erase_Failures: other('erase failures'),
      Lifetime_Retried_Blk_Ct: other('blocks that needed retries'),
    },
  },
  197: {
    label: 'pending sectors',
    names: {
      Current_Pending_Sector: count('pending'),
      Pending_Sector_Count: count('pending'),
      // `-v 197,increasing` (Samsung SpinPoint): a count that never goes down; any is still a sector that went bad.
      Total_Pending_Sectors: count('pending'),
      // Crucial MX500: "may flip 0 <> 1" on healthy drives (drivedb.h, smartmontools ticket #1227).
      Current_Pending_ECC_Cnt: other('a counter smartctl\'s drive database marks unreliable on this model (flips between 0 and 1)'),
      Bogus_Current_Pend_Sect: other('a counter smartctl\'s drive database marks bogus on this model (flips between 0 and 1)'),
      Not_In_Use: other('nothing (the vendor marks it unused)'),
      ECC_Error_Count: other('corrected ECC errors'),
      Read_Failure_Blk_Ct: count('reportedUncorrectable'),
      Total_Unc_Read_Failures: count('reportedUncorrectable'),
    },
  },
  198: {
    label: 'offline uncorrectable sectors',
    names: {
      Offline_Uncorrectable: count('offlineUncorrectable'),
      Uncorrectable_Sector_Ct: count('offlineUncorrectable'),
      Offline_Scan_UNC_SectCt: count('offlineUncorrectable'),
      Total_Offl_Uncorrectabl: count('offlineUncorrectable'),
      Uncor_Read_Error_Ct: count('reportedUncorrectable'),
      Host_Reads_GiB: other('GiB read by the host (a workload counter)'),
      Read_Sectors_Tot_Ct: other('sectors read in total (a workload counter)'),
      Not_In_Use: other('nothing (the vendor marks it unused)'),
    },
  },
  199: {
    label: 'interface CRC errors',
    names: {
      UDMA_CRC_Error_Count: count('crcErrors'),
      CRC_Error_Count: count('crcErrors'),
      SATA_CRC_Error_Count: count('crcErrors'),
      SATA_CRC_Error: count('crcErrors'),
      Host_Writes_GiB: other('GiB written by the host (a workload counter)'),
      Write_Sectors_Tot_Ct: other('sectors written in total (a workload counter)'),
    },
  },
};

/** The meaning of watched attribute `id` under smartctl's `name`; null for a name not in the table. */
export function ataAttributeMeaning(id: number, name: string): AtaMeaning | null {
  const rule = ATA_ATTRIBUTES[id];
  if (!rule) return null;
  return Object.hasOwn(rule.names, name) ? rule.names[name]! : null;
}

/** The count in an attribute's raw value. The raw "string" is preferred: some formats pack
 *  extra fields into the upper bytes of the 48-bit value ("0 (2000 0)", "0/5280540"), and the
 *  string's leading number is the count; a hex string ("0x…") is read as hex. */
function rawCount(row: unknown): number | null {
  const s = str(at(row, 'raw', 'string'));
  const hexM = s ? /^\s*0x([0-9a-fA-F]+)/.exec(s) : null;
  if (hexM?.[1]) return Number.parseInt(hexM[1], 16);
  const m = s ? /^\s*(\d+)/.exec(s) : null;
  if (m?.[1]) return Number(m[1]);
  return num(at(row, 'raw', 'value'));
}

/** Reads the watched counters from `ata_smart_attributes.table` by meaning. */
export function ataCounters(table: unknown[]): { counters: Partial<Record<AtaCounter, number>>; notes: string[] } {
  const counters: Partial<Record<AtaCounter, number>> = {};
  const notes: string[] = [];
  for (const row of table) {
    const id = num(at(row, 'id'));
    if (id === null) continue;
    const rule = ATA_ATTRIBUTES[id];
    if (!rule) continue;
    const name = str(at(row, 'name')) ?? '';
    const meaning = ataAttributeMeaning(id, name);
    if (meaning === null) {
      notes.push(`attribute ${id} is named "${name.slice(0, 64)}" on this drive, a name the bench does not know: not read as ${rule.label}`);
      continue;
    }
    if ('other' in meaning) {
      notes.push(`attribute ${id} is ${name} on this drive (smartctl's drive database): it counts ${meaning.other}, not ${rule.label}`);
      continue;
    }
    const value = rawCount(row);
    // Two attributes of one meaning (e.g. 187 and 197 both counting uncorrectable reads): the larger.
    if (value !== null) counters[meaning.counter] = Math.max(counters[meaning.counter] ?? 0, value);
  }
  return { counters, notes };
}

function hex(n: number, width: number): string {
  return Math.trunc(n).toString(16).padStart(width, '0');
}

function wwnOf(root: JsonObject): string | null {
  // ATA/SAS: {naa, oui, id} → NAA(4 bits) OUI(24) vendor id(36): 16 hex digits.
  const w = obj(root.wwn);
  if (w) {
    const naa = num(w.naa);
    const oui = num(w.oui);
    const id = num(w.id);
    if (naa !== null && oui !== null && id !== null) return `0x${hex(naa, 1)}${hex(oui, 6)}${hex(id, 9)}`;
  }
  // SCSI: the logical unit id is already a hex string.
  const lu = str(root.logical_unit_id);
  if (lu) return lu.toLowerCase().startsWith('0x') ? lu.toLowerCase() : `0x${lu.toLowerCase()}`;
  // NVMe: the first namespace's EUI-64 (24-bit OUI + 40-bit extension), as the kernel names it.
  const ns = arr(root.nvme_namespaces)[0];
  const eOui = num(at(ns, 'eui64', 'oui'));
  const eExt = num(at(ns, 'eui64', 'ext_id'));
  if (eOui !== null && eExt !== null) return `eui.${hex(eOui, 6)}${hex(eExt, 10)}`;
  return null;
}

function capacityOf(root: JsonObject): number | null {
  return (
    num(at(root, 'user_capacity', 'bytes')) ??
    num(at(root, 'nvme_namespaces', 0, 'size', 'bytes')) ??
    num(at(root, 'nvme_total_capacity')) ??
    null
  );
}

function modelOf(root: JsonObject): string | null {
  const m = str(root.model_name) ?? str(root.scsi_model_name);
  if (m) return m;
  const v = str(root.scsi_vendor);
  const p = str(root.scsi_product);
  return v || p ? [v, p].filter(Boolean).join(' ') : null;
}

/**
 * Parses `smartctl -j …` stdout. `exitCode` is the process's real exit status; when it
 * is null the JSON's own smartctl.exit_status is used (they agree in practice).
 */
export function parseSmartctlJson(text: string, exitCode: number | null): SmartReport {
  const root = parseJsonObject(TOOL, text);
  const meta = obj(root.smartctl);
  if (!meta) throw new ParseError(TOOL, 'JSON has no "smartctl" section (not smartctl -j output?)');
  const code = exitCode ?? num(meta.exit_status);
  if (code === null || !Number.isInteger(code) || code < 0 || code > 255) {
    throw new ParseError(TOOL, `exit status ${String(exitCode ?? meta.exit_status)} is not a number 0..255`);
  }

  const protocol = protocolOf(root);
  const smartSupported = bool(at(root, 'smart_support', 'available'));
  const nvmeLog = obj(root.nvme_smart_health_information_log);

  let reallocated: number | null = null;
  let mediaErrors: number | null = null;
  let ata: ReturnType<typeof ataCounters> = { counters: {}, notes: [] };
  if (protocol === 'ATA') {
    ata = ataCounters(arr(at(root, 'ata_smart_attributes', 'table')));
    reallocated = ata.counters.reallocated ?? null;
  } else if (protocol === 'SCSI') {
    reallocated = num(root.scsi_grown_defect_list);
    const r = num(at(root, 'scsi_error_counter_log', 'read', 'total_uncorrected_errors'));
    const w = num(at(root, 'scsi_error_counter_log', 'write', 'total_uncorrected_errors'));
    const v = num(at(root, 'scsi_error_counter_log', 'verify', 'total_uncorrected_errors'));
    if (r !== null || w !== null || v !== null) mediaErrors = (r ?? 0) + (w ?? 0) + (v ?? 0);
  }
  if (nvmeLog) mediaErrors = num(nvmeLog.media_errors);

  let temperatureC = num(at(root, 'temperature', 'current')) ?? (nvmeLog ? num(nvmeLog.temperature) : null);
  // Devices without SMART (e.g. QEMU virtio-scsi) report a placeholder 0 °C: not a reading.
  if (smartSupported === false && temperatureC === 0) temperatureC = null;

  const messages = arr(meta.messages)
    .map((m) => {
      const s = str(at(m, 'string'));
      const sev = str(at(m, 'severity'));
      return s ? (sev ? `${sev}: ${s}` : s) : null;
    })
    .filter((m): m is string => m !== null);

  return {
    device: str(at(root, 'device', 'name')) ?? str(arr(meta.argv).at(-1)),
    deviceType: str(at(root, 'device', 'type')),
    protocol,
    model: modelOf(root),
    serial: str(root.serial_number),
    wwn: wwnOf(root),
    firmware: str(root.firmware_version) ?? str(root.scsi_revision),
    capacityBytes: capacityOf(root),
    smartSupported,
    smartEnabled: bool(at(root, 'smart_support', 'enabled')),
    healthPassed: bool(at(root, 'smart_status', 'passed')),
    reallocated,
    pending: ata.counters.pending ?? null,
    offlineUncorrectable: ata.counters.offlineUncorrectable ?? null,
    endToEndErrors: ata.counters.endToEnd ?? null,
    reportedUncorrectable: ata.counters.reportedUncorrectable ?? null,
    reallocationEvents: ata.counters.reallocationEvents ?? null,
    crcErrors: ata.counters.crcErrors ?? null,
    mediaErrors,
    criticalWarning: nvmeLog ? num(nvmeLog.critical_warning) : null,
    temperatureC,
    powerOnHours: num(at(root, 'power_on_time', 'hours')),
    exitCode: code,
    exitBits: decodeSmartExit(code),
    messages,
    attributeNotes: ata.notes,
  };
}

export interface SmartThresholds {
  maxReallocated: number;
  maxPending: number;
  maxOfflineUncorrectable: number;
  maxMediaErrors: number;
  /** ATA 184; profiles stored before it existed default to 0 (see the profile schema). */
  maxEndToEndErrors: number;
}

/**
 * What a SMART verdict rests on, for coverage:
 * - `full`: the overall health and every counter the protocol is judged by (ATA: reallocated
 *   and pending, plus offline-uncorrectable and end-to-end when the drive has them; NVMe: the
 *   SMART/health log's critical warning and media errors; SCSI: grown defect list and error
 *   counter log);
 * - `partial`: the overall health and some of those counters (`countersNotRead` says which);
 * - `overall-health-only`: the drive's own PASSED/FAILED and nothing else, e.g. an NVMe or SATA
 *   drive behind a SCSI translation layer (USB bridge, some RAID/HBA paths) that exposes no
 *   NVMe health log and no ATA attributes;
 * - `unavailable`: no SMART at all (virtio, loop): nothing was judged.
 */
export type SmartBasis = 'full' | 'partial' | 'overall-health-only' | 'unavailable';

export interface SmartEvaluation {
  passed: boolean;
  /** False when the device has no SMART to judge (virtio, loop): the stage decides policy. */
  smartAvailable: boolean;
  reasons: string[];
  basis: SmartBasis;
  /** One sentence for people: what the verdict rests on and, short of full, why. */
  basisReason: string;
  /** Counters that were read and judged against a threshold. */
  countersRead: string[];
  /** Counters of this protocol's set the drive did not report. */
  countersNotRead: string[];
}

// NVMe critical_warning bits (NVMe base spec, SMART / Health log byte 0).
const CRITICAL_WARNING_BITS = [
  'available spare below threshold',
  'temperature above or below threshold',
  'NVM subsystem reliability degraded',
  'media placed in read-only mode',
  'volatile memory backup device failed',
  'persistent memory region read-only or unreliable',
];

export function describeCriticalWarning(value: number): string[] {
  const out: string[] = [];
  CRITICAL_WARNING_BITS.forEach((text, i) => {
    if (value & (1 << i)) out.push(text);
  });
  if (value >> CRITICAL_WARNING_BITS.length) out.push(`unknown bits 0x${(value >> 6 << 6).toString(16)}`);
  return out;
}

/** The counters judged for each protocol; the first ones are required for a `full` basis. */
function judgedCounters(r: SmartReport): { label: string; value: number | null; required: boolean }[] {
  if (r.protocol === 'ATA') {
    return [
      { label: 'reallocated sectors', value: r.reallocated, required: true },
      { label: 'pending sectors', value: r.pending, required: true },
      { label: 'offline uncorrectable sectors', value: r.offlineUncorrectable, required: false },
      { label: 'end-to-end errors', value: r.endToEndErrors, required: false },
    ];
  }
  if (r.protocol === 'NVMe') {
    return [
      { label: 'critical warning', value: r.criticalWarning, required: true },
      { label: 'media errors', value: r.mediaErrors, required: true },
    ];
  }
  if (r.protocol === 'SCSI') {
    return [
      { label: 'grown defect list', value: r.reallocated, required: true },
      { label: 'uncorrected errors', value: r.mediaErrors, required: true },
    ];
  }
  return [];
}

function basisOf(r: SmartReport): Pick<SmartEvaluation, 'basis' | 'basisReason' | 'countersRead' | 'countersNotRead'> {
  const dev = r.device ?? 'device';
  const counters = judgedCounters(r);
  const countersRead = counters.filter((c) => c.value !== null).map((c) => c.label);
  const countersNotRead = counters.filter((c) => c.value === null).map((c) => c.label);
  if (countersRead.length === 0) {
    const how =
      r.protocol === 'SCSI'
        ? 'smartctl reached it as a SCSI device with neither a grown defect list nor an error counter log (a SCSI translation layer, e.g. a USB or RAID bridge in front of an NVMe or SATA drive, gives no NVMe health log or ATA attributes)'
        : r.protocol === 'NVMe'
          ? 'smartctl read no NVMe SMART/health log'
          : r.protocol === 'ATA'
            ? 'smartctl read no ATA attribute the bench judges'
            : 'smartctl could not tell the protocol';
    return { basis: 'overall-health-only', basisReason: `${dev}: the verdict rests on the overall health alone: ${how}`, countersRead, countersNotRead };
  }
  const missingRequired = counters.filter((c) => c.required && c.value === null).map((c) => c.label);
  if (missingRequired.length > 0) {
    return { basis: 'partial', basisReason: `${dev}: overall health and ${countersRead.join(', ')}; the drive does not report ${missingRequired.join(', ')}`, countersRead, countersNotRead };
  }
  return { basis: 'full', basisReason: `${dev}: overall health and ${countersRead.join(', ')}`, countersRead, countersNotRead };
}

/**
 * Applies the SMART pass rules: FAILED overall health, a non-zero NVMe critical warning,
 * prefail attributes at threshold (exit bit 4) or counts above the profile's thresholds
 * fail. A device without SMART passes with a reason saying so (basis `unavailable`).
 */
export function evaluateSmart(report: SmartReport, t: SmartThresholds): SmartEvaluation {
  const dev = report.device ?? 'device';
  const reasons: string[] = [];
  const hasVerdict = report.healthPassed !== null || report.criticalWarning !== null;

  if (report.smartSupported === false || (!hasVerdict && report.smartSupported !== true)) {
    const notes = [...report.messages];
    if (report.exitBits.deviceOpenFailed) notes.push('smartctl could not open the device');
    if (report.exitBits.commandLineError && notes.length === 0) notes.push('smartctl could not detect the device type');
    const why = notes.length ? ` (${notes.join('; ')})` : '';
    const text = `SMART is unavailable on ${dev}${why}`;
    return { passed: true, smartAvailable: false, reasons: [text], basis: 'unavailable', basisReason: text, countersRead: [], countersNotRead: [] };
  }

  let passed = true;
  // Either signal alone fails the disk. They normally agree, but they come from different
  // places: smart_status from the JSON body, bit 3 from the process's exit status. A report
  // whose body lost the verdict (a controller pass-through that answers the status command
  // only through the exit code), or whose exit status was not handed over (null: the JSON's
  // own exit_status is used), must still fail on the one that says FAILING.
  if (report.healthPassed === false || report.exitBits.diskFailing) {
    passed = false;
    reasons.push(`${dev}: SMART overall health is FAILED`);
  }
  if (report.criticalWarning !== null && report.criticalWarning !== 0) {
    passed = false;
    const bits = describeCriticalWarning(report.criticalWarning).join(', ');
    reasons.push(`${dev}: NVMe critical warning 0x${report.criticalWarning.toString(16)} (${bits})`);
  }
  if (report.exitBits.prefailAttrs) {
    passed = false;
    reasons.push(`${dev}: prefailure attributes are at or below their threshold`);
  }
  const counts: [string, number | null, number][] = [
    ['reallocated sectors', report.reallocated, t.maxReallocated],
    ['pending sectors', report.pending, t.maxPending],
    ['offline uncorrectable sectors', report.offlineUncorrectable, t.maxOfflineUncorrectable],
    ['end-to-end errors (ATA 184)', report.endToEndErrors, t.maxEndToEndErrors],
    ['media errors', report.mediaErrors, t.maxMediaErrors],
  ];
  for (const [label, value, max] of counts) {
    if (value !== null && value > max) {
      passed = false;
      reasons.push(`${dev}: ${value} ${label} (allowed at most ${max})`);
    }
  }
  // The bench passes a disk only on a PASSED verdict: a SMART-capable disk that gives none fails.
  if (report.healthPassed === null && report.criticalWarning === null) {
    passed = false;
    reasons.push(`${dev}: smartctl gave no overall health verdict`);
  }
  // Informational bits: worth showing, not a verdict by themselves.
  if (report.exitBits.prefailPast) reasons.push(`${dev}: some attributes were at threshold in the past`);
  if (report.exitBits.errorLog) reasons.push(`${dev}: the device error log has entries`);
  if (report.exitBits.selfTestLog) reasons.push(`${dev}: the self-test log records errors`);
  if (passed && reasons.length === 0) reasons.push(`${dev}: SMART health PASSED, counts within thresholds`);
  // Renamed attributes last: they explain why a number was not judged, they are not problems.
  for (const note of report.attributeNotes) reasons.push(`${dev}: ${note}`);
  return { passed, smartAvailable: true, reasons, ...basisOf(report) };
}

export interface SmartScanDevice {
  name: string;
  /** The -d type to pass back to smartctl (sat, nvme, scsi, megaraid,N …). */
  type: string | null;
  protocol: SmartProtocol;
  infoName: string | null;
}

/** Parses `smartctl -j --scan` / `--scan-open`; a scan that found nothing gives []. */
export function parseSmartctlScan(text: string): SmartScanDevice[] {
  const root = parseJsonObject(TOOL, text);
  if (!obj(root.smartctl)) throw new ParseError(TOOL, 'scan JSON has no "smartctl" section');
  if (root.devices !== undefined && !Array.isArray(root.devices)) {
    throw new ParseError(TOOL, 'scan JSON "devices" is not a list');
  }
  const out: SmartScanDevice[] = [];
  for (const d of arr(root.devices)) {
    const name = str(at(d, 'name'));
    if (!name) continue;
    out.push({
      name,
      type: str(at(d, 'type')),
      protocol: protocolOf({ device: d }),
      infoName: str(at(d, 'info_name')),
    });
  }
  return out;
}
