import { z } from 'zod';
import { defineStage } from './define.ts';

export const psuStage = defineStage({
  name: 'PSU',
  owner: 'agent',
  destructive: false,
  title: 'Voltage and power envelope under combined load',
  paramsKey: 'psu',
  params: z.object({
    burstS: z.number().positive(),
    sampleIntervalMs: z.number().int().positive(),
    /** A rail fails when it dips more than this fraction below its idle value. */
    maxDipFraction: z.number().gt(0).lt(1),
  }),
  timeoutS: (p) => p.burstS * 3 + 120,
  expectedS: (p) => p.burstS + 5,
  tools: [
    { binary: 'stress-ng', debianPackage: 'stress-ng', why: 'CPU share of the load burst' },
    { binary: 'fio', debianPackage: 'fio', why: 'disk share of the load burst' },
    { binary: 'iperf3', debianPackage: 'iperf3', optional: true, why: 'network share of the load burst' },
    { binary: 'ipmitool', debianPackage: 'ipmitool', optional: true, why: 'the BMC\'s voltage, current and power sensors where hwmon shows none' },
  ],
  covers: ['psu'],
  summary: z.object({
    /** False when the host exposes no voltage or power sensor: nothing was measured. */
    telemetry: z.boolean().meta({ title: 'Telemetry' }),
    /** Where the readings came from: the kernel's hwmon, or the BMC's sensors (ipmitool sdr). */
    source: z.enum(['hwmon', 'bmc']).optional().meta({ title: 'Read from' }),
    sensors: z.number().int().nonnegative().optional().meta({ title: 'Sensors read' }),
    rails: z
      .array(
        z.object({
          sensor: z.string().max(200).meta({ title: 'Rail', partId: true }),
          idleV: z.number().meta({ title: 'Idle', unit: 'V' }),
          minV: z.number().meta({ title: 'Lowest under load', unit: 'V', measure: true }),
          dipFraction: z.number().meta({ title: 'Dip', format: 'fraction-percent', ceiling: 'maxDipFraction', measure: true }),
          maxDipFraction: z.number().meta({ title: 'Allowed dip', format: 'fraction-percent' }),
        }),
      )
      .max(500)
      .optional()
      .meta({ title: 'Voltage rails', part: 'psu' }),
    loads: z
      .array(z.object({ load: z.string().max(64).meta({ title: 'Load' }), ok: z.boolean().meta({ title: 'Applied' }), detail: z.string().max(1000).meta({ title: 'Detail' }) }))
      .max(16)
      .optional()
      .meta({ title: 'Load burst' }),
  }),
});
