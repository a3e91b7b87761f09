import { z } from 'zod';
import { defineStage } from './define.ts';

const count = z.number().int().nonnegative();

export const specValidateStage = defineStage({
  name: 'SpecValidate',
  owner: 'orchestrator',
  destructive: false,
  title: 'Compare the inventory with the host’s expected spec; PCIe links at their full speed and width',
  paramsKey: null,
  params: null,
  timeoutS: () => 5,
  tools: [],
  covers: ['system', 'pci'],
  summary: z.object({
    critical: count.meta({ title: 'Critical differences' }),
    warning: count.meta({ title: 'Warnings' }),
    info: count.meta({ title: 'Informational' }),
    /** False when the host has no expected spec to compare with. */
    compared: z.boolean().meta({ title: 'Compared with a spec' }),
    /** Every PCIe link judged: at its lower end, against both ends' capability or the spec's pin. */
    links: z
      .array(
        z.object({
          address: z.string().max(64).meta({ title: 'Address', partId: true }),
          device: z.string().max(600).nullable().meta({ title: 'Device' }),
          width: z.number().int().nullable().meta({ title: 'Width', unit: 'lanes', floor: 'expectedWidth', measure: true }),
          expectedWidth: z.number().int().nullable().meta({ title: 'Expected width', unit: 'lanes' }),
          speedGTs: z.number().nullable().meta({ title: 'Speed', unit: 'GT/s', floor: 'expectedSpeedGTs', measure: true }),
          expectedSpeedGTs: z.number().nullable().meta({ title: 'Expected speed', unit: 'GT/s' }),
          basis: z.enum(['capability', 'spec']).meta({ title: 'Expected from' }),
          outcome: z.enum(['ok', 'degraded', 'missing']).meta({ title: 'Result' }),
        }),
      )
      .max(4096)
      .optional()
      .meta({ title: 'PCIe links', part: 'pci' }),
  }),
});
