// Parsers for every tool the agent runs: pure functions from captured stdout/stderr (and
// exit status where it carries meaning) to typed results. Malformed or truncated input
// throws ParseError naming the tool; a stage reports that as an infrastructure error.
export { ParseError } from './parse-error.ts';
export * from './smartctl.ts';
export * from './smartctl-selftest.ts';
export * from './nvme.ts';
export * from './ipmitool.ts';
export * from '../stages/storage/parsers/fio.ts';
export * from '../stages/storage/parsers/badblocks.ts';
export * from '../stages/storage/parsers/wipefs.ts';
export * from '../stages/storage/parsers/blkid.ts';
export * from '../stages/network/iperf3.ts';
export * from './lsblk.ts';
export * from './dmidecode.ts';
export * from './lscpu.ts';
export * from './lshw.ts';
export * from './lspci.ts';
export * from '../stages/cpu-stress/stress-ng.ts';
export * from './nvidia-smi.ts';
export * from './inventory.ts';
