import { z } from 'zod';
import { defineStage } from './define.ts';

export const gpuStage = defineStage({
  name: 'GPU',
  owner: 'agent',
  destructive: false,
  title: 'nvidia-smi health, ECC and a compute burn',
  paramsKey: 'gpu',
  params: z.object({
    burnS: z.number().positive(),
    maxTempC: z.number().positive(),
    timeoutS: z.number().positive(),
  }),
  timeoutS: (p) => p.timeoutS,
  // No GPU: the stage only looks (nvidia-smi absent or finding none).
  expectedS: (p, host) => ((host.gpus ?? 0) > 0 ? p.burnS + 20 : 0.2),
  tools: [
    { binary: 'nvidia-smi', debianPackage: 'nvidia-smi', optional: true, why: 'GPU health, ECC counters, temperature (GPU image flavour)' },
    { binary: 'gpu-burn', debianPackage: 'gpu-burn', optional: true, why: 'compute burn that checks its results (built into the GPU image flavour)' },
  ],
  covers: ['gpu'],
  summary: z.object({
    gpus: z
      .array(
        z.object({
          index: z.number().int().nonnegative().meta({ title: '#' }),
          name: z.string().max(256).meta({ title: 'Model' }),
          serial: z.string().max(256).nullable().meta({ title: 'Serial', partId: true }),
          uuid: z.string().max(256).nullable().meta({ title: 'UUID', hidden: true }),
          busId: z.string().max(64).nullable().meta({ title: 'PCI address' }),
          temperatureC: z.number().nullable().meta({ title: 'Temperature', unit: '°C', measure: true }),
          eccUncorrected: z.number().nullable().meta({ title: 'Uncorrected ECC', measure: true, better: 'lower' }),
          eccMode: z.string().max(64).nullable().meta({ title: 'ECC mode' }),
        }),
      )
      .max(64)
      .meta({ title: 'GPUs', part: 'gpu' }),
    burnTool: z.string().max(64).nullable().optional().meta({ title: 'Burn tool' }),
    burnS: z.number().optional().meta({ title: 'Burn', format: 'seconds' }),
    burnExit: z.number().int().nullable().optional().meta({ title: 'Burn exit' }),
    maxTempC: z.number().nullable().optional().meta({ title: 'Hottest', unit: '°C', ceiling: 'limitC', below: true }),
    limitC: z.number().optional().meta({ title: 'Limit', unit: '°C' }),
    dmonSamples: z.number().int().nonnegative().optional().meta({ title: 'dmon samples' }),
    notes: z.array(z.string().max(1000)).max(64).optional().meta({ title: 'Notes' }),
  }),
});
