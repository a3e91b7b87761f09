import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lastKernelLogStampS, machineCheckText, parseMachineChecks } from './kernel-log.ts';
import { ParseError } from './parse-error.ts';

const captured = (name: string) => readFileSync(join(import.meta.dirname, 'captured', name), 'utf8');

describe('machine checks in the kernel log', () => {
  it('finds a corrected memory error logged by a real 6.1 kernel among 500 other lines', () => {
    const log = captured('qemu-lab-2026-12-faults/dmesg-corrected-mce.txt');
    const mces = parseMachineChecks(log);
    expect(mces).toHaveLength(1);
    expect(mces[0]).toMatchObject({ atS: 33.070581, cpu: 0, bank: 1, status: '9c0000000001009f', uncorrected: false, address: '12345000' });
    expect(mces[0]!.lines).toEqual([
      'Machine check events logged',
      'CPU 0: Machine Check: 0 Bank 1: 9c0000000001009f',
      'TSC 0 ADDR 12345000 MISC 86',
      'PROCESSOR 0:50651 TIME 1796419556 SOCKET 0 APIC 0 microcode 1',
    ]);
    expect(machineCheckText(mces[0]!)).toBe('CPU 0 bank 1: corrected error, status 9c0000000001009f, address 12345000 at 33.1 s after boot');
    expect(lastKernelLogStampS(log)).toBeGreaterThanOrEqual(33.07);
  });

  it('reads a fatal machine check as uncorrected', () => {
    const [mce] = parseMachineChecks(captured('qemu-lab-2026-12-faults/console-fatal-mce.txt'));
    expect(mce).toMatchObject({ cpu: 0, bank: 2, status: 'be0000000001009f', uncorrected: true, address: '2468a000' });
    expect(mce!.lines.at(-1)).toBe('Machine check: Processor context corrupt');
  });

  it('reads a firmware-first (GHES) memory error as one corrected report', () => {
    const mces = parseMachineChecks(captured('dmesg-ghes-memory-linux-edac-2021.txt'));
    expect(mces).toHaveLength(1);
    expect(mces[0]).toMatchObject({ atS: 31940.060459, cpu: null, uncorrected: false });
    expect(mces[0]!.lines).toContain('section_type: memory error');
  });

  it('finds nothing in a clean boot log, and refuses what is not a kernel log', () => {
    const clean = captured('qemu-lab-2026-12-faults/dmesg-corrected-mce.txt')
      .split('\n')
      .filter((l) => !l.includes('[Hardware Error]'))
      .join('\n');
    expect(parseMachineChecks(clean)).toEqual([]);
    expect(parseMachineChecks('')).toEqual([]);
    expect(() => parseMachineChecks('dmesg: read kernel buffer failed: Operation not permitted\n')).toThrow(ParseError);
  });
});
