import { z } from 'zod';
import { defineStage } from './define.ts';

/** How fast stress-ng's vm workers fault their memory in, for the estimate (a server's DRAM does several GB/s). */
const VM_FAULT_BYTES_PER_S = 2 * 1024 ** 3;

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
  // Plus the memory its vm workers fault in first, which -t does not count (LAB.md).
  expectedS: (p, host) => p.durationS + 1.5 + (host.memoryBytes ? (host.memoryBytes * p.vmBytesPercent) / 100 / VM_FAULT_BYTES_PER_S : 0),
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
          peakC: z.number().meta({ title: 'Peak', unit: '°C', ceiling: 'ceilingC', below: true, measure: true }),
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
