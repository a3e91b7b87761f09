import { describe, expect, it } from 'vitest';
import { captured, expectParseError } from './test-fixtures.ts';
import { nvmeStatusText, parseNvmeIdCtrl, parseNvmeSelfTestLog } from './nvme.ts';

describe('nvme id-ctrl', () => {
  it('reads whether the controller has the Device Self-test command (QEMU 7.2: it has not)', () => {
    const c = parseNvmeIdCtrl(captured('qemu-selftest-bmc-2026-12/nvme-id-ctrl-nvme0.json'));
    expect(c).toMatchObject({ serial: 'LABNVME0001', model: 'QEMU NVMe Ctrl', oacs: 0x10a, selfTestSupported: false, extendedSelfTestMinutes: null });
    expectParseError(() => parseNvmeIdCtrl('{"sn":"x"}'), 'nvme', /no "oacs"/);
  });

  it('reads the controller\'s refusal of the command nvme-cli prints on stderr', () => {
    const d = 'qemu-selftest-bmc-2026-12/';
    expect(nvmeStatusText('', captured(`${d}nvme-device-self-test-s1-nvme0.txt.stderr`))).toMatch(/^Invalid Command Opcode: A reserved coded value .* command opcode field$/);
    expect(nvmeStatusText('', captured(`${d}nvme-self-test-log-nvme0.json.stderr`))).toMatch(/^Invalid Field in Command/);
    expect(nvmeStatusText('Device self-test started\n', '')).toBeNull();
  });
});

// Real results posted by users of real drives (captured/nvme-cli-self-test-log/README.md), in the
// document nvme-cli's json_self_test_log prints around each entry.
function document(entries: Record<string, number>[], current = 0, completion = 0): string {
  return JSON.stringify({ 'Current Device Self-Test Operation': current, 'Current Device Self-Test Completion': completion, 'List of Valid Reports': entries });
}

/** The text form's "Name : value" lines under nvme-cli's JSON names (the same fields, in the same order). */
function entryFromText(text: string): Record<string, number> {
  const names: Record<string, string> = {
    'Operation Result': 'Self test result',
    'Self Test Code': 'Self test code',
    'Segment Number': 'Segment number',
    'Valid Diagnostic Information': 'Valid Diagnostic Information',
    'Power on hours (POH)': 'Power on hours',
    'Namespace Identifier': 'Namespace Identifier',
    'Failing LBA': 'Failing LBA',
  };
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^[ \t]*(.+?)[ \t]*:[ \t]*(\S+)/gm)) {
    const key = names[m[1]!];
    if (key) out[key] = Number(m[2]);
  }
  return out;
}

describe('nvme self-test-log', () => {
  it('reads a passed extended test (nvme-cli issue 1758)', () => {
    const entry = JSON.parse(captured('nvme-cli-self-test-log/issue-1758-extended-passed.json.txt').trim().replace(/,$/, '')) as Record<string, number>;
    const log = parseNvmeSelfTestLog(document([entry, { 'Self test result': 15 }]));
    expect(log.currentOperation).toBe(0);
    expect(log.completionPercent).toBeNull();
    expect(log.entries).toEqual([expect.objectContaining({ result: 'passed', kind: 'long', powerOnHours: 285, segment: 0 })]);
  });

  it('reads an extended test that failed a segment, with its namespace (nvme-cli issue 1640)', () => {
    const entry = entryFromText(captured('nvme-cli-self-test-log/issue-1640-extended-failed-segment.txt'));
    expect(entry).toMatchObject({ 'Self test result': 7, 'Segment number': 7, 'Power on hours': 0x6ec });
    const [e] = parseNvmeSelfTestLog(document([entry])).entries;
    expect(e).toMatchObject({ result: 'failed', resultCode: 7, kind: 'long', segment: 7, nsid: 1, failingLba: 0, resultText: 'completed with one or more failed segments' });
  });

  it('says a test is running, and how far it got', () => {
    const log = parseNvmeSelfTestLog(document([], 1, 37));
    expect(log).toMatchObject({ currentOperation: 1, completionPercent: 37 });
    expectParseError(() => parseNvmeSelfTestLog('{"List of Valid Reports": []}'), 'nvme', /Current Device Self-Test Operation/);
  });
});
