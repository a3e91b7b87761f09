import { ParseError } from './parse-error.ts';
import { arr, at, bool, num, obj, parseJsonObject, str, type JsonObject } from './util.ts';

// smartctl -j output (smartmontools 7.x JSON). The stage runs `smartctl -j -a <dev>`
// (plus `-d megaraid,N` behind RAID controllers) and passes us stdout and the real exit
// status. smartctl's exit status is a bit mask, not a verdict: bit 2 ("a command
// failed") is common on healthy disks (e.g. virtio-scsi), bit 0 shows up for devices
// without any SMART at all (loop, virtio-blk: "Unable to detect device type").

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
  reallocated: number | null;
  pending: number | null;
  offlineUncorrectable: number | null;
  mediaErrors: number | null;
  criticalWarning: number | null;
  temperatureC: number | null;
  powerOnHours: number | null;
  exitCode: number;
  exitBits: SmartExitBits;
  /** smartctl's own messages ("severity: text"). */
  messages: string[];
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

/** Raw value of an ATA attribute. The raw "string" is preferred: some vendors pack extra
 *  fields into the upper bytes of the 48-bit raw value, the string's leading number is the count. */
function ataRaw(root: JsonObject, id: number): number | null {
  for (const a of arr(at(root, 'ata_smart_attributes', 'table'))) {
    if (num(at(a, 'id')) !== id) continue;
    const s = str(at(a, 'raw', 'string'));
    const m = s ? /^\s*(\d+)/.exec(s) : null;
    if (m?.[1]) return Number(m[1]);
    return num(at(a, 'raw', 'value'));
  }
  return null;
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
  let pending: number | null = null;
  let offline: number | null = null;
  let mediaErrors: number | null = null;
  if (protocol === 'ATA') {
    reallocated = ataRaw(root, 5);
    pending = ataRaw(root, 197);
    offline = ataRaw(root, 198);
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
    pending,
    offlineUncorrectable: offline,
    mediaErrors,
    criticalWarning: nvmeLog ? num(nvmeLog.critical_warning) : null,
    temperatureC,
    powerOnHours: num(at(root, 'power_on_time', 'hours')),
    exitCode: code,
    exitBits: decodeSmartExit(code),
    messages,
  };
}

export interface SmartThresholds {
  maxReallocated: number;
  maxPending: number;
  maxOfflineUncorrectable: number;
  maxMediaErrors: number;
}

export interface SmartEvaluation {
  passed: boolean;
  /** False when the device has no SMART to judge (virtio, loop): the stage decides policy. */
  smartAvailable: boolean;
  reasons: string[];
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

/**
 * Applies the SMART pass rules: FAILED overall health, a non-zero NVMe critical warning,
 * prefail attributes at threshold (exit bit 4) or counts above the profile's thresholds
 * fail. A device without SMART passes with a reason saying so.
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
    return { passed: true, smartAvailable: false, reasons: [`SMART is unavailable on ${dev}${why}`] };
  }

  let passed = true;
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
  return { passed, smartAvailable: true, reasons };
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
