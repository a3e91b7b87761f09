import { ParseError } from './parse-error.ts';
import type { SelfTestResult } from './smartctl-selftest.ts';
import { arr, at, num, parseJsonObject, str } from './util.ts';

// nvme-cli (Debian 12: 2.3) for what smartctl 7.3 cannot do on NVMe: the Device Self-test.
//   nvme id-ctrl DEV -o json                        OACS bit 4 says the controller has the command; EDSTT its extended test's minutes
//   nvme device-self-test DEV -n 0xffffffff -s 1|2  starts a short (1) or extended (2) test on every namespace
//   nvme self-test-log DEV -o json                  the current operation, its completion and the last 20 results, newest first
// The JSON keys are nvme-cli's (json_self_test_log in nvme-print.c): "Current Device Self-Test
// Operation", "Current Device Self-Test Completion", "List of Valid Reports" with one object per
// result ("Self test result", "Self test code", "Segment number", "Power on hours", and the
// failing LBA / namespace when "Valid Diagnostic Information" says they hold).

const TOOL = 'nvme';

export interface NvmeController {
  serial: string | null;
  model: string | null;
  /** OACS bit 4: the controller supports the Device Self-test command. */
  selfTestSupported: boolean;
  oacs: number | null;
  /** EDSTT: the extended self-test's expected minutes (0 or null: not said). */
  extendedSelfTestMinutes: number | null;
}

/** `nvme id-ctrl DEV -o json`. */
export function parseNvmeIdCtrl(text: string): NvmeController {
  const root = parseJsonObject(TOOL, text);
  const oacs = num(root.oacs);
  if (oacs === null) throw new ParseError(TOOL, 'id-ctrl JSON has no "oacs" (not nvme id-ctrl -o json output?)');
  const edstt = num(root.edstt);
  return {
    serial: str(root.sn),
    model: str(root.mn),
    selfTestSupported: (oacs & 0x10) !== 0,
    oacs,
    extendedSelfTestMinutes: edstt && edstt > 0 ? edstt : null,
  };
}

export interface NvmeSelfTestEntry {
  /** The Self-test Result nibble (NVMe base spec, Device Self-test log). */
  resultCode: number;
  result: SelfTestResult;
  /** What the code means, in words. */
  resultText: string;
  /** 1 short, 2 extended, 0xe vendor. */
  code: number | null;
  kind: 'short' | 'long' | 'other';
  segment: number | null;
  powerOnHours: number | null;
  failingLba: number | null;
  nsid: number | null;
}

export interface NvmeSelfTestLog {
  /** 0 none, 1 a short test, 2 an extended test is running. */
  currentOperation: number;
  /** The running test's completion (valid only while one runs). */
  completionPercent: number | null;
  /** Results newest first; unused slots (result 0xf) left out. */
  entries: NvmeSelfTestEntry[];
}

const RESULT_TEXT: Record<number, [SelfTestResult, string]> = {
  0: ['passed', 'completed without error'],
  1: ['aborted', 'aborted by a Device Self-test command'],
  2: ['aborted', 'aborted by a controller reset'],
  3: ['aborted', 'aborted because a namespace was removed'],
  4: ['aborted', 'aborted by a Format NVM command'],
  5: ['failed', 'a fatal or unknown test error'],
  6: ['failed', 'completed with a failed segment (which one is unknown)'],
  7: ['failed', 'completed with one or more failed segments'],
  8: ['aborted', 'aborted for an unknown reason'],
  9: ['aborted', 'aborted by a sanitize operation'],
};

export function nvmeSelfTestResult(code: number): { result: SelfTestResult; text: string } {
  const known = RESULT_TEXT[code];
  return known ? { result: known[0], text: known[1] } : { result: 'unknown', text: `result code 0x${code.toString(16)}` };
}

/** `nvme self-test-log DEV -o json`. */
export function parseNvmeSelfTestLog(text: string): NvmeSelfTestLog {
  const root = parseJsonObject(TOOL, text);
  const current = num(root['Current Device Self-Test Operation']);
  if (current === null) throw new ParseError(TOOL, 'self-test-log JSON has no "Current Device Self-Test Operation"');
  const entries: NvmeSelfTestEntry[] = [];
  for (const row of arr(root['List of Valid Reports'])) {
    const resultCode = num(at(row, 'Self test result'));
    if (resultCode === null || resultCode === 0xf) continue;
    const code = num(at(row, 'Self test code'));
    const { result, text: resultText } = nvmeSelfTestResult(resultCode);
    entries.push({
      resultCode,
      result,
      resultText,
      code,
      kind: code === 1 ? 'short' : code === 2 ? 'long' : 'other',
      segment: num(at(row, 'Segment number')),
      powerOnHours: num(at(row, 'Power on hours')),
      failingLba: num(at(row, 'Failing LBA')),
      nsid: num(at(row, 'Namespace Identifier')),
    });
  }
  const completion = num(root['Current Device Self-Test Completion']);
  return { currentOperation: current & 0xf, completionPercent: current & 0xf ? (completion ?? 0) & 0x7f : null, entries };
}

/** nvme-cli's answer when the controller refuses a command ("NVMe status: Invalid Command Opcode …"). */
export function nvmeStatusText(stdout: string, stderr: string): string | null {
  const m = /NVMe status: ([^\n(]+)/.exec(`${stderr}\n${stdout}`);
  return m ? m[1]!.trim().replace(/:$/, '') : null;
}
