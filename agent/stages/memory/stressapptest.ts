import { ParseError } from '../../parsers/parse-error.ts';

// stressapptest 1.0.6, run as `stressapptest -s SECONDS -M MIB -m THREADS -W`. It logs to
// stdout: "Log:" / "Stats:" lines, one "Report Error: miscompare …" plus one "Hardware
// Error: miscompare on CPU …" per bad word it finds, and a final
//   Stats: Completed: 51730.00M in 5.06s 10231.52MB/s, with 0 hardware incidents, 0 errors
//   Status: PASS - please verify no corrected errors     (exit 0)
//   Status: FAIL - test discovered HW problems            (exit 1)
// "M" is MiB (kMegabyte = 1024 × 1024 in its source). A run that could not start prints
// "Process Error: …" lines, no Stats, and "Status: FAIL - test encountered procedural
// errors" (exit 1): a failure of the run, not of the hardware. It cannot map an address to a DIMM
// ("DIMM Unknown"): the EDAC counters name the module.

const TOOL = 'stressapptest';

export interface StressapptestResult {
  /** Null when the run never got to a verdict (killed). */
  status: 'pass' | 'fail' | null;
  /** "test discovered HW problems" / "test encountered procedural errors" / "please verify no corrected errors". */
  statusText: string | null;
  /** The FAIL blames the hardware ("HW problems"), not the run ("procedural errors"). */
  hardwareFault: boolean;
  /** Data copied and checked, in bytes. */
  movedBytes: number | null;
  /** The run's own measured time (longest worker), seconds. */
  seconds: number | null;
  /** "hardware incidents": miscompares and other faults it blames on the hardware. */
  hardwareIncidents: number | null;
  /** "errors": problems of the run itself. */
  errors: number | null;
  /** The first "Hardware Error: …" reports, verbatim. */
  hardwareErrors: string[];
  /** "Process Error: …" lines (the run could not do its job). */
  processErrors: string[];
}

const MiB = 1024 * 1024;

export function parseStressapptest(stdout: string): StressapptestResult {
  if (typeof stdout !== 'string') throw new ParseError(TOOL, 'input is not text');
  if (!/^(Log|Stats|Status|Process Error|Report Error|Hardware Error):/m.test(stdout)) {
    throw new ParseError(TOOL, `no "Log:", "Stats:" or "Status:" lines: "${stdout.trim().split(/\r?\n/)[0]?.slice(0, 120) ?? ''}"`);
  }
  const completed = /^Stats: Completed: ([\d.]+)M in ([\d.]+)s [\d.]+MB\/s, with (\d+) hardware incidents, (\d+) errors$/m.exec(stdout);
  const status = /^Status: (PASS|FAIL)\b(?:\s*-\s*(.*))?$/m.exec(stdout);
  const lines = stdout.split(/\r?\n/);
  return {
    status: status ? (status[1] === 'PASS' ? 'pass' : 'fail') : null,
    statusText: status?.[2]?.trim() ?? null,
    hardwareFault: (status?.[1] === 'FAIL' && /HW problems/i.test(status[2] ?? '')) || (completed ? Number(completed[3]) > 0 : false),
    movedBytes: completed ? Math.round(Number(completed[1]) * MiB) : null,
    seconds: completed ? Number(completed[2]) : null,
    hardwareIncidents: completed ? Number(completed[3]) : null,
    errors: completed ? Number(completed[4]) : null,
    hardwareErrors: [...new Set(lines.filter((l) => l.startsWith('Hardware Error: ')))].slice(0, 20),
    processErrors: lines.filter((l) => l.startsWith('Process Error: ')).slice(0, 20),
  };
}
