import { ParseError } from './parse-error.ts';

// The kernel log (`dmesg`, util-linux 2.38 or busybox: "[ seconds] text" per line),
// read for machine checks. On x86 the kernel prints each machine check it logs as a
// group of lines, all prefixed "mce: [Hardware Error]: " (arch/x86/kernel/cpu/mce/core.c,
// __print_mce); a real Linux 6.1 guest printed, for a corrected memory error:
//
//   mce: [Hardware Error]: Machine check events logged
//   mce: [Hardware Error]: CPU 0: Machine Check: 0 Bank 1: 9c0000000001009f
//   mce: [Hardware Error]: TSC 0 ADDR 12345000 MISC 86
//   mce: [Hardware Error]: PROCESSOR 0:50651 TIME 1796419556 SOCKET 0 APIC 0 microcode 1
//
// The "Bank N: <status>" value is the bank's MCi_STATUS register: bit 63 valid, 61
// uncorrected (UC), 57 processor context corrupt (PCC). A fatal one ends in "Kernel
// panic - not syncing: Fatal machine check" (or a broadcast timeout) and never reaches
// a log we can read afterwards; what we see after the fact is a corrected error, an
// uncorrected one the kernel recovered from, or one the firmware logged before boot.
// Firmware-first platforms report memory errors through APEI/GHES instead, as lines
// with "[Hardware Error]: " after a "{N}" record number; those count too.
//
// These functions are named for machine checks on purpose: other readers of the
// kernel log (firmware loading) live beside them in this file with their own names.

export interface MachineCheck {
  /** Seconds since boot from the line's "[ … ]" stamp; null when the line had none. */
  atS: number | null;
  /** "CPU 0" / "Bank 1" from the "Machine Check" line; null for lines that do not say. */
  cpu: number | null;
  bank: number | null;
  /** MCi_STATUS as printed (hex, no 0x); null for lines that do not carry it. */
  status: string | null;
  /** From MCi_STATUS bit 61 (or the GHES severity); null when the lines do not say. */
  uncorrected: boolean | null;
  /** Physical address from the "ADDR" line, hex as printed. */
  address: string | null;
  /** The group's lines, without timestamps and prefixes, in order. */
  lines: string[];
}

const STAMP = /^\[\s*(\d+(?:\.\d+)?)\]\s?(.*)$/;
/** "mce: [Hardware Error]: …", the AMD decoder's "[Hardware Error]: …", GHES's "{1}[Hardware Error]: …". */
const HW_ERROR = /(?:^|\s|\})(?:mce: )?\[Hardware Error\]:\s?(.*)$/;
const MACHINE_CHECK = /^CPU (\d+): Machine Check(?: Exception)?:\s*(?:\S+\s+)?Bank (\d+): ([0-9a-fA-F]+)/;
const ADDR = /(?:\bADDR |_ADDR:\s*0x)([0-9a-fA-F]+)/;
const GHES_SEVERITY = /event severity:\s*(\w+)/i;

function uncorrectedFromStatus(status: string): boolean | null {
  if (!/^[0-9a-fA-F]{1,16}$/.test(status)) return null;
  const v = BigInt(`0x${status}`);
  return (v & (1n << 61n)) !== 0n;
}

/**
 * The machine-check and hardware-error reports in a kernel log, one per "Machine
 * Check" group (or per GHES record, or per stray "[Hardware Error]" line). Lines
 * that are not hardware-error reports are ignored; text that is not a kernel log
 * at all is refused.
 */
export function parseMachineChecks(text: string): MachineCheck[] {
  if (typeof text !== 'string') throw new ParseError('dmesg', 'input is not text');
  const out: MachineCheck[] = [];
  let cur: MachineCheck | null = null;
  let lastAt: number | null = null;
  let stamped = 0;
  let other = 0;
  for (const raw of text.split(/\r?\n/)) {
    if (raw.trim() === '') continue;
    const s = STAMP.exec(raw);
    if (s) stamped++;
    else other++;
    const at = s ? Number(s[1]) : null;
    const body = s ? (s[2] ?? '') : raw;
    const hw = HW_ERROR.exec(body);
    if (!hw) {
      // Something else was logged in between: the next hardware-error line starts a new report.
      cur = null;
      continue;
    }
    const line = (hw[1] ?? '').trim();
    const mc = MACHINE_CHECK.exec(line);
    const ghesStart = /^\{\d+\}/.test(body.trim()) && /Hardware error from APEI/i.test(line);
    // "Machine check events logged" announces the report that follows it: keep it with that one.
    const announced = cur !== null && cur.status === null && cur.lines.length === 1 && /events logged/i.test(cur.lines[0]!);
    const continues = cur !== null && (announced || (!mc && !ghesStart)) && (at === null || lastAt === null || at - lastAt < 1);
    if (!continues || !cur) {
      cur = { atS: at, cpu: null, bank: null, status: null, uncorrected: null, address: null, lines: [] };
      out.push(cur);
    }
    cur.lines.push(line);
    const bankStatus = mc ? { cpu: mc[1]!, bank: mc[2]!, status: mc[3]! } : amdBankStatus(line);
    if (bankStatus && cur.status === null) {
      cur.cpu = Number(bankStatus.cpu);
      cur.bank = Number(bankStatus.bank);
      cur.status = bankStatus.status.toLowerCase();
      cur.uncorrected = uncorrectedFromStatus(bankStatus.status) ?? cur.uncorrected;
    }
    const addr = ADDR.exec(line);
    if (addr && cur.address === null) cur.address = addr[1]!.toLowerCase();
    const sev = GHES_SEVERITY.exec(line);
    if (sev && cur.uncorrected === null) cur.uncorrected = !/^corrected$/i.test(sev[1]!);
    if (cur.uncorrected === null && /Corrected error, no action required/i.test(line)) cur.uncorrected = false;
    if (/\bUncorrected\b|\bFatal\b|context corrupt/i.test(line)) cur.uncorrected = true;
    lastAt = at;
  }
  if (stamped === 0 && other > 0) throw new ParseError('dmesg', `no "[ seconds] text" lines: "${text.trim().split(/\r?\n/)[0]!.slice(0, 120)}" (was it dmesg output?)`);
  return out;
}

/** The AMD decoder's "CPU:6 (10:8:0) MC4_STATUS[-|CE|…]: 0x9c41…" (drivers/edac/mce_amd.c). */
function amdBankStatus(line: string): { cpu: string; bank: string; status: string } | null {
  const m = /CPU:(\d+)\b.*\bMC(\d+)_STATUS\[[^\]]*\]:\s*0x([0-9a-fA-F]+)/.exec(line);
  return m ? { cpu: m[1]!, bank: m[2]!, status: m[3]! } : null;
}

/** The last timestamp in a kernel log (seconds since boot), to tell later lines apart; null when none. */
export function lastKernelLogStampS(text: string): number | null {
  let last: number | null = null;
  for (const raw of text.split(/\r?\n/)) {
    const s = STAMP.exec(raw);
    if (s) last = Number(s[1]);
  }
  return last;
}

/** One line for a person: "CPU 0 bank 1: corrected error, status 9c0000000001009f, address 12345000". */
export function machineCheckText(m: MachineCheck): string {
  const where = m.cpu !== null ? `CPU ${m.cpu} bank ${m.bank}` : (m.lines[0] ?? 'hardware error');
  const kind = m.uncorrected === null ? 'hardware error' : m.uncorrected ? 'uncorrected error' : 'corrected error';
  const extra = [m.status ? `status ${m.status}` : null, m.address ? `address ${m.address}` : null].filter(Boolean).join(', ');
  const at = m.atS !== null ? ` at ${m.atS.toFixed(1)} s after boot` : '';
  return `${where}: ${kind}${extra ? `, ${extra}` : ''}${at}`.slice(0, 500);
}
