import { ParseError } from './parse-error.ts';
import { arr, at, bool, num, obj, parseJsonObject, str } from './util.ts';

// A drive's own self-test, read through smartctl (ATA and SATA behind SAT). Three commands:
//   smartctl -t short|long DEV     starts it (text: smartctl 7.3's -j prints nothing about the test)
//   smartctl -j -c DEV             capabilities, polling times and the current self-test status
//   smartctl -j -l selftest DEV    the self-test log, newest entry first
// The status byte is the ATA one: its high nibble says how the test ended (0 without error,
// 1 aborted by host, 2 interrupted by a reset, 3–8 a failure, 15 still running), its low
// nibble the tenths still to do while it runs. NVMe drives are read through nvme-cli
// (nvme.ts): smartctl 7.3 cannot start or read an NVMe self-test.

const TOOL = 'smartctl';

/** How a self-test ended, in the bench's words. */
export type SelfTestResult = 'passed' | 'failed' | 'aborted' | 'in-progress' | 'unknown';

/** The ATA status nibble's meaning (smartctl's ataprint.cpp uses the same table). */
export function ataSelfTestResult(statusValue: number | null, passed: boolean | null): SelfTestResult {
  if (statusValue !== null) {
    const nibble = statusValue >> 4;
    if (nibble === 0) return 'passed';
    if (nibble === 1 || nibble === 2) return 'aborted';
    if (nibble >= 3 && nibble <= 8) return 'failed';
    if (nibble === 15) return 'in-progress';
    return 'unknown';
  }
  if (passed === true) return 'passed';
  if (passed === false) return 'failed';
  return 'unknown';
}

export interface AtaSelfTestStatus {
  /** The drive says it can run self-tests (null: smartctl did not say). */
  supported: boolean | null;
  /** The last or current self-test's status byte, and smartctl's words for it. */
  statusValue: number | null;
  statusText: string | null;
  result: SelfTestResult;
  /** While a test runs: the part still to do. */
  remainingPercent: number | null;
  /** The drive's own estimate of each test's length. */
  pollingMinutes: { short: number | null; extended: number | null };
}

/** `smartctl -j -c DEV` of an ATA drive. */
export function parseSmartctlSelfTestStatus(text: string): AtaSelfTestStatus {
  const root = parseJsonObject(TOOL, text);
  if (!obj(root.smartctl)) throw new ParseError(TOOL, 'JSON has no "smartctl" section (not smartctl -j output?)');
  const st = obj(at(root, 'ata_smart_data', 'self_test'));
  const statusValue = num(at(st, 'status', 'value'));
  const passed = bool(at(st, 'status', 'passed'));
  const result = st ? ataSelfTestResult(statusValue, passed) : 'unknown';
  let remaining = num(at(st, 'status', 'remaining_percent'));
  if (remaining === null && result === 'in-progress' && statusValue !== null) remaining = (statusValue & 0x0f) * 10;
  return {
    supported: bool(at(root, 'ata_smart_data', 'capabilities', 'self_tests_supported')),
    statusValue,
    statusText: str(at(st, 'status', 'string')),
    result,
    remainingPercent: remaining,
    pollingMinutes: { short: num(at(st, 'polling_minutes', 'short')), extended: num(at(st, 'polling_minutes', 'extended')) },
  };
}

export interface SelfTestLogEntry {
  /** smartctl's name for the test ("Short offline", "Extended offline" …). */
  type: string;
  kind: 'short' | 'long' | 'other';
  statusValue: number | null;
  /** The drive's result in smartctl's words ("Completed: read failure"). */
  statusText: string;
  result: SelfTestResult;
  remainingPercent: number | null;
  /** The drive's power-on hours when the test ran. */
  lifetimeHours: number | null;
  /** First failing LBA, when the test failed on a sector. */
  lba: number | null;
}

export interface SelfTestLog {
  /** Entries the drive keeps (the log is a ring: at most 21 on ATA). */
  count: number;
  /** Newest first. */
  entries: SelfTestLogEntry[];
}

function kindOf(type: string, typeValue: number | null): SelfTestLogEntry['kind'] {
  const t = typeValue !== null ? typeValue & 0x7f : null;
  if (t === 1 || /^short/i.test(type)) return 'short';
  if (t === 2 || /^extended/i.test(type)) return 'long';
  return 'other';
}

/** `smartctl -j -l selftest DEV` of an ATA drive. */
export function parseSmartctlSelfTestLog(text: string): SelfTestLog {
  const root = parseJsonObject(TOOL, text);
  if (!obj(root.smartctl)) throw new ParseError(TOOL, 'JSON has no "smartctl" section (not smartctl -j output?)');
  const std = obj(at(root, 'ata_smart_self_test_log', 'standard'));
  if (!std) throw new ParseError(TOOL, 'no ata_smart_self_test_log.standard: the drive gave no ATA self-test log');
  const entries = arr(std.table).map((row): SelfTestLogEntry => {
    const typeValue = num(at(row, 'type', 'value'));
    const type = str(at(row, 'type', 'string')) ?? (typeValue !== null ? `type 0x${typeValue.toString(16)}` : 'unknown');
    const statusValue = num(at(row, 'status', 'value'));
    const result = ataSelfTestResult(statusValue, bool(at(row, 'status', 'passed')));
    return {
      type,
      kind: kindOf(type, typeValue),
      statusValue,
      statusText: str(at(row, 'status', 'string')) ?? 'no status',
      result,
      remainingPercent: num(at(row, 'status', 'remaining_percent')),
      lifetimeHours: num(at(row, 'lifetime_hours')),
      lba: result === 'failed' ? num(at(row, 'lba')) : null,
    };
  });
  return { count: num(std.count) ?? entries.length, entries };
}

/** `smartctl -t short|long DEV` (text): whether the drive accepted the command, and smartctl's words. */
export function parseSmartctlTestStart(stdout: string, exitCode: number): { started: boolean; message: string } {
  const started = /Testing has begun/.test(stdout);
  const lines = stdout.split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !/^(smartctl \d|Copyright|===)/.test(l));
  const message = (started ? lines.find((l) => /Please wait/.test(l)) ?? 'Testing has begun' : lines.slice(-3).join(' ')) || `smartctl exited ${exitCode} without a word`;
  return { started: started && (exitCode & 0b11) === 0, message: message.slice(0, 500) };
}
