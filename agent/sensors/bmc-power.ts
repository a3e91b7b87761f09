import type { Sample } from '../../common/schema/protocol.ts';
import { parseSdrElist, powerUnit, type SdrReading } from '../parsers/ipmitool.ts';
import type { ToolRunner } from '../runtime/tool-runner.ts';

// Voltage, current and power readings from the BMC's sensors (ipmitool sdr elist), for hosts
// whose voltages hwmon does not show: on most servers the rails are wired to the BMC, not to
// a Super I/O chip the kernel has a driver for. Sensor names get a "bmc/" prefix so they never
// mix with hwmon's.

/** The SDR's power-related readings as samples (sensors without a reading are left out). */
export function powerSamplesFromSdr(readings: readonly SdrReading[], ts = Date.now()): Sample[] {
  const out: Sample[] = [];
  for (const r of readings) {
    const unit = powerUnit(r.unit);
    if (unit === null || r.value === null || !Number.isFinite(r.value)) continue;
    out.push({ kind: 'psu', sensor: `bmc/${r.name}`.slice(0, 200), value: r.value, unit, ts });
  }
  return out;
}

/** One reading of the BMC's power sensors; throws what the tool runner throws, and a ParseError on unreadable output. */
export async function readBmcPowerSamples(runTool: ToolRunner, opts: { timeoutMs: number; signal: AbortSignal }): Promise<Sample[]> {
  const res = await runTool('ipmitool', ['-I', 'open', 'sdr', 'elist'], { timeoutMs: opts.timeoutMs, signal: opts.signal, env: { TZ: 'UTC' } });
  if (res.exitCode !== 0) return [];
  return powerSamplesFromSdr(parseSdrElist(res.stdout));
}
