import { describe, expect, it } from 'vitest';
import { PROFILES } from '../../../common/profiles.ts';
import { captured } from '../../parsers/test-fixtures.ts';
import { corpusFiles } from '../../parsers/corpus/corpus-files.ts';
import type { ToolResult, ToolRunner } from '../../runtime/tool-runner.ts';
import { fakeContext } from '../../testing/fake-context.ts';
import { nvmeController, runSelfTests, selfTestCoverage, selfTestFailure, type SelfTestParams } from './self-test.ts';

// The self-test flow driven by the drives' real answers: each command line gets the output a
// real drive gave it (QEMU's AHCI and NVMe disks, captured/qemu-selftest-bmc-2026-12/), in the
// order they were captured; the failing drive's log is a real drive's (corpus/selftest/).

const cap = (f: string) => captured(`qemu-selftest-bmc-2026-12/${f}`);
type Answer = { stdout: string; stderr?: string; exitCode?: number };

/** A tool runner answering each command line with the next of its recorded answers (the last one repeats). */
function replay(answers: Record<string, Answer[]>, calls: string[]): ToolRunner {
  return async (tool, args) => {
    const key = [tool, ...args].join(' ');
    calls.push(key);
    const queue = answers[key];
    if (!queue) throw new Error(`no recorded answer for "${key}"`);
    const a = queue.length > 1 ? queue.shift()! : queue[0]!;
    return { tool, args, exitCode: a.exitCode ?? 0, stdout: a.stdout, stderr: a.stderr ?? '', truncated: false, durationMs: 1 } satisfies ToolResult;
  };
}

const p: SelfTestParams = { ...PROFILES.smoke.smart, selfTestPollS: 0.001 };

describe('disk self-tests', () => {
  it('runs the short test on an ATA disk and reads its pass from the drive\'s log', async () => {
    const calls: string[] = [];
    const ctx = fakeContext({ stage: 'SMART' });
    ctx.runTool = replay(
      {
        'smartctl -j -c /dev/sda': [{ stdout: cap('smartctl-j-c-sda-before.json') }, { stdout: cap('smartctl-j-c-sda-after.json') }],
        'smartctl -j -l selftest /dev/sda': [{ stdout: cap('smartctl-j-l-selftest-sda-before.json') }, { stdout: cap('smartctl-j-l-selftest-sda-after.json') }],
        'smartctl -t short -t force /dev/sda': [{ stdout: cap('smartctl-t-long-sda.txt').replace(/Extended/g, 'Short').replace('54 minutes', '2 minutes') }],
      },
      calls,
    );
    const results = await runSelfTests(ctx, [{ disk: 'LABSATA0001', path: '/dev/sda', type: null, protocol: 'ATA' }], p);
    const st = results.get('LABSATA0001')!;
    expect(st).toMatchObject({ kind: 'short', status: 'passed', detail: 'Short offline: Completed without error', lba: null, powerOnHours: 4660 });
    expect(calls).toEqual(['smartctl -j -c /dev/sda', 'smartctl -j -l selftest /dev/sda', 'smartctl -t short -t force /dev/sda', 'smartctl -j -c /dev/sda', 'smartctl -j -l selftest /dev/sda']);
    expect(selfTestCoverage({ kind: 'disk', id: 'LABSATA0001' }, st)).toMatchObject({ check: 'SMART short self-test', status: 'tested' });
    expect(selfTestFailure(st)).toBeNull();
    // Every command and answer, in order, in one transcript per device.
    expect([...ctx.artifacts.keys()]).toEqual(['selftest-sda.txt']);
    expect(ctx.artifacts.get('selftest-sda.txt')!.match(/^\$ smartctl .*$/gm)).toEqual(calls.map((c) => `$ ${c}`));
  });

  it('fails a disk whose drive logs a failed test, naming the drive\'s words and the LBA', async () => {
    const failing = corpusFiles('selftest').find((f) => f.why.includes('selftest-electrical-failure'))!;
    const row = /^#\s*1\s+Extended offline\s+Completed: electrical failure\s+90%\s+(\d+)\s+(\d+)/m.exec(failing.text)!;
    const after = JSON.parse(cap('smartctl-j-l-selftest-sda-after.json'));
    after.ata_smart_self_test_log.standard.table = [{ type: { value: 2, string: 'Extended offline' }, status: { value: 0x59, string: 'Completed: electrical failure', passed: false }, lifetime_hours: Number(row[1]), lba: Number(row[2]) }];
    const calls: string[] = [];
    const ctx = fakeContext({ stage: 'SMART' });
    ctx.runTool = replay(
      {
        'smartctl -j -c /dev/sdb': [{ stdout: cap('smartctl-j-c-sda-before.json') }],
        'smartctl -j -l selftest /dev/sdb': [{ stdout: cap('smartctl-j-l-selftest-sda-before.json') }, { stdout: JSON.stringify(after) }],
        'smartctl -t long -t force /dev/sdb': [{ stdout: cap('smartctl-t-long-sda.txt') }],
      },
      calls,
    );
    const st = (await runSelfTests(ctx, [{ disk: 'SER-B', path: '/dev/sdb', type: null, protocol: 'ATA' }], { ...p, selfTest: 'long' })).get('SER-B')!;
    expect(st).toMatchObject({ kind: 'long', status: 'failed', detail: 'Extended offline: Completed: electrical failure', lba: 205352 });
    expect(selfTestFailure(st)).toBe('long self-test failed: Extended offline: Completed: electrical failure (first failing LBA 205352)');
    expect(selfTestCoverage({ kind: 'disk', id: 'SER-B' }, st).status).toBe('tested');
  });

  it('says an NVMe controller without the self-test command was not tested, without holding the run', async () => {
    const calls: string[] = [];
    const ctx = fakeContext({ stage: 'SMART' });
    ctx.runTool = replay({ 'nvme id-ctrl /dev/nvme0 -o json': [{ stdout: cap('nvme-id-ctrl-nvme0.json') }] }, calls);
    const st = (await runSelfTests(ctx, [{ disk: 'LABNVME0001', path: '/dev/nvme0n1', type: null, protocol: 'NVMe' }], p)).get('LABNVME0001')!;
    expect(st).toMatchObject({ status: 'unsupported', detail: 'the controller does not support the Device Self-test command (OACS 0x10a, bit 4 clear)', durationS: null });
    expect(calls).toEqual(['nvme id-ctrl /dev/nvme0 -o json']);
    expect(selfTestCoverage({ kind: 'disk', id: 'LABNVME0001' }, st)).toMatchObject({ status: 'not-tested', required: false });
    expect(nvmeController('/dev/nvme12n3')).toBe('/dev/nvme12');
  });

  it('says a test the drive refused, or one that outlived the profile\'s wait, was not tested, and required', async () => {
    const calls: string[] = [];
    const ctx = fakeContext({ stage: 'SMART' });
    const busy = JSON.parse(cap('smartctl-j-c-sda-before.json'));
    busy.ata_smart_data.self_test.status = { value: 249, string: 'in progress, 90% remaining', remaining_percent: 90 };
    ctx.runTool = replay(
      {
        'smartctl -j -c /dev/sda': [{ stdout: cap('smartctl-j-c-sda-before.json') }, { stdout: JSON.stringify(busy) }],
        'smartctl -j -l selftest /dev/sda': [{ stdout: cap('smartctl-j-l-selftest-sda-before.json') }],
        'smartctl -t short -t force /dev/sda': [{ stdout: cap('smartctl-t-long-sda.txt') }],
        'smartctl -X /dev/sda': [{ stdout: '' }],
        'smartctl -j -c /dev/sdb': [{ stdout: cap('smartctl-j-c-sda-before.json') }],
        'smartctl -j -l selftest /dev/sdb': [{ stdout: cap('smartctl-j-l-selftest-sda-before.json') }],
        'smartctl -t short -t force /dev/sdb': [{ stdout: 'Can\'t start self-test without aborting current test', exitCode: 4 }],
      },
      calls,
    );
    const results = await runSelfTests(
      ctx,
      [
        { disk: 'A', path: '/dev/sda', type: null, protocol: 'ATA' },
        { disk: 'B', path: '/dev/sdb', type: null, protocol: 'ATA' },
      ],
      { ...p, selfTestMaxS: 0.0001 },
    );
    expect(results.get('A')).toMatchObject({ status: 'timed-out', detail: expect.stringMatching(/had not finished after 0.0001 s .* aborted/) });
    expect(calls).toContain('smartctl -X /dev/sda');
    expect(results.get('B')).toMatchObject({ status: 'not-started', detail: expect.stringMatching(/^smartctl -t short: Can't start self-test/) });
    for (const st of results.values()) expect(selfTestCoverage({ kind: 'disk', id: 'x' }, st)).toMatchObject({ status: 'not-tested', required: true });
  });

  it('runs nothing when the profile asks for no self-test, and says so', async () => {
    const ctx = fakeContext({ stage: 'SMART' });
    ctx.runTool = replay({}, []);
    const st = (await runSelfTests(ctx, [{ disk: 'A', path: '/dev/sda', type: null, protocol: 'ATA' }], { ...p, selfTest: 'none' })).get('A')!;
    expect(selfTestCoverage({ kind: 'disk', id: 'A' }, st)).toMatchObject({ check: 'SMART self-test', status: 'not-tested', required: false, reason: 'the profile runs no self-test' });
  });
});
