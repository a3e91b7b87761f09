// Parsers for every tool the agent runs: pure functions from captured stdout/stderr (and
// exit status where it carries meaning) to typed results. Malformed or truncated input
// throws ParseError naming the tool; a stage reports that as an infrastructure error.
export { ParseError } from './parse-error.ts';
export * from './smartctl.ts';
export * from './fio.ts';
export * from './badblocks.ts';
export * from './wipefs.ts';
export * from './blkid.ts';
export * from './iperf3.ts';
export * from './lsblk.ts';
export * from './dmidecode.ts';
export * from './lscpu.ts';
export * from './lshw.ts';
export * from './lspci.ts';
export * from './stressng.ts';
export * from './nvidia-smi.ts';
export * from './hwmon.ts';
export * from './inventory.ts';
export * from './kernel-log.ts';
