import { z } from 'zod';
import { defineStage } from './define.ts';

const count = z.number().int().nonnegative();

export const specValidateStage = defineStage({
  name: 'SpecValidate',
  owner: 'orchestrator',
  destructive: false,
  title: 'Compare the inventory with the host’s expected spec',
  paramsKey: null,
  params: null,
  timeoutS: () => 5,
  expectedS: () => 0.5,
  tools: [],
  covers: ['system'],
  summary: z.object({
    critical: count.meta({ title: 'Critical differences' }),
    warning: count.meta({ title: 'Warnings' }),
    info: count.meta({ title: 'Informational' }),
    /** False when the host has no expected spec to compare with. */
    compared: z.boolean().meta({ title: 'Compared with a spec' }),
  }),
});
