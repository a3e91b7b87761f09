import { z } from 'zod';
import { defineStage } from './define.ts';

export const cpuStressStage = defineStage({
  name: 'CPUStress',
  owner: 'agent',
  destructive: false,
  title: 'stress-ng CPU and memory load under a thermal ceiling',
  paramsKey: 'cpuStress',
  params: z.object({
    durationS: z.number().positive(),
    /** Share of available memory the vm stressors take in total. */
    vmBytesPercent: z.number().min(1).max(95),
    /** Memory kept free for the live image so stress-ng is not OOM-killed. */
    memoryHeadroomMiB: z.number().int().nonnegative(),
  }),
  // stress-ng overruns -t while memory is faulted in (LAB.md); the tool's own timeout is 2 × duration + 120 s.
  timeoutS: (p) => p.durationS * 2 + 180,
  expectedS: (p) => p.durationS + 10,
  tools: [{ binary: 'stress-ng', debianPackage: 'stress-ng', why: 'CPU and memory (vm --verify) load' }],
  covers: ['cpu', 'memory', 'sensor'],
  summary: z.object({
    metrics: z
      .array(
        z.object({
          stressor: z.string().max(64).meta({ title: 'Stressor' }),
          bogoOps: z.number().meta({ title: 'Bogo ops' }),
          bogoOpsPerSecReal: z.number().nullable().meta({ title: 'Bogo ops/s' }),
        }),
      )
      .max(64)
      .meta({ title: 'stress-ng metrics' }),
    cpuWorkers: z.number().int().nonnegative().meta({ title: 'CPU workers' }),
    vmWorkers: z.number().int().nonnegative().meta({ title: 'Memory workers' }),
    vmBytesTotal: z.number().nonnegative().meta({ title: 'Memory under test', format: 'bytes' }),
    durationS: z.number().nonnegative().meta({ title: 'Duration', format: 'seconds' }),
    exitCode: z.number().int().nullable().meta({ title: 'stress-ng exit' }),
    ceilingC: z.number().meta({ title: 'Ceiling', unit: '°C' }),
    peaks: z
      .array(
        z.object({
          sensor: z.string().max(200).meta({ title: 'Sensor', partId: true }),
          peakC: z.number().meta({ title: 'Peak', unit: '°C', ceiling: 'ceilingC', measure: true }),
          ceilingC: z.number().meta({ title: 'Ceiling', unit: '°C' }),
        }),
      )
      .max(500)
      .meta({ title: 'Hottest reading per sensor', part: 'sensor' }),
    thermalSamples: z.number().int().nonnegative().meta({ title: 'Temperature readings' }),
    /** Readings at or above the ceiling (the stage failed on them). */
    overLimit: z
      .array(z.object({ sensor: z.string().max(200).meta({ title: 'Sensor' }), valueC: z.number().meta({ title: 'Reading', unit: '°C' }) }))
      .max(500)
      .optional()
      .meta({ title: 'Over the ceiling' }),
    infraError: z.string().max(64).optional().meta({ hidden: true }),
  }),
});
