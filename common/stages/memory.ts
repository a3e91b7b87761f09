import { z } from 'zod';
import { defineStage } from './define.ts';

// Memory: a memory pattern test under load (stressapptest), judged by what the
// tool found and by what the hardware itself counted: the kernel's EDAC error
// counters per DIMM, read before and after, and machine checks in the kernel log.
// A DIMM that corrects errors under load passes stressapptest (ECC hides them);
// only the counters tell.

const count = z.number().int().nonnegative();

export const memoryStage = defineStage({
  name: 'Memory',
  owner: 'agent',
  destructive: false,
  title: 'Memory pattern test under load, ECC counters per DIMM and machine checks',
  paramsKey: 'memory',
  params: z.object({
    durationS: z.number().positive(),
    /** Share of available memory put under test (the live image keeps the rest). */
    memoryPercent: z.number().min(1).max(95).default(90),
    /** Memory kept free for the live image so the tester is not OOM-killed. */
    memoryHeadroomMiB: z.number().int().nonnegative().default(768),
    /** Corrected errors a DIMM may have logged since boot; any increase during the load fails regardless. */
    maxCorrectedSinceBoot: z.number().int().nonnegative().default(5),
  }),
  // Filling a large memory before the timed run, and the EDAC and log reads around it, take minutes on big hosts.
  timeoutS: (p) => p.durationS * 2 + 600,
  expectedS: (p) => p.durationS + 20,
  tools: [
    { binary: 'stressapptest', debianPackage: 'stressapptest', why: 'memory pattern test under load (miscompares)' },
    { binary: 'stress-ng', debianPackage: 'stress-ng', optional: true, why: 'vm --verify load where stressapptest is missing' },
    { binary: 'dmesg', debianPackage: 'util-linux', why: 'machine checks in the kernel log' },
    { binary: 'dmidecode', debianPackage: 'dmidecode', optional: true, why: 'DIMM serial numbers for the slots EDAC names' },
  ],
  covers: ['memory', 'dimm', 'system'],
  summary: z.object({
    tool: z.enum(['stressapptest', 'stress-ng']).meta({ title: 'Load' }),
    threads: count.meta({ title: 'Threads' }),
    bytesTested: z.number().nonnegative().meta({ title: 'Memory under test', format: 'bytes' }),
    memTotalBytes: z.number().nonnegative().nullable().meta({ title: 'Memory seen by the kernel', format: 'bytes' }),
    durationS: z.number().nonnegative().meta({ title: 'Planned duration', format: 'seconds' }),
    /** The load's own measured run time (stressapptest), else the wall clock. */
    elapsedS: z.number().nonnegative().nullable().meta({ title: 'Time', format: 'seconds', measure: true }),
    /** Data copied and checked, in GB (10^9 bytes); stress-ng reports none. */
    movedGB: z.number().nonnegative().nullable().meta({ title: 'Memory moved', unit: 'GB', measure: true }),
    bandwidthGBps: z.number().nonnegative().nullable().meta({ title: 'Bandwidth', unit: 'GB/s', measure: true }),
    /** Data miscompares the load found (stressapptest "hardware incidents", stress-ng verification failures). */
    miscompares: count.nullable().meta({ title: 'Miscompares', measure: true }),
    exitCode: z.number().int().nullable().meta({ title: 'Exit status' }),
    /** Whether an EDAC memory-controller driver was loaded (no driver: ECC not tested). */
    edac: z.boolean().meta({ title: 'EDAC driver loaded' }),
    controllers: z.array(z.string().max(200)).max(64).meta({ title: 'Memory controllers' }),
    maxCorrectedSinceBoot: count.meta({ title: 'Corrected errors allowed per DIMM since boot' }),
    dimms: z
      .array(
        z.object({
          dimm: z.string().max(200).meta({ title: 'DIMM' }),
          location: z.string().max(200).meta({ title: 'Location' }),
          serial: z.string().max(200).nullable().meta({ title: 'Serial', partId: true }),
          sizeBytes: z.number().nonnegative().nullable().meta({ title: 'Size', format: 'bytes' }),
          correctedBefore: count.meta({ title: 'Corrected before' }),
          corrected: count.meta({ title: 'Corrected since boot', ceiling: 'maxCorrected', measure: true }),
          maxCorrected: count.meta({ title: 'Allowed' }),
          uncorrected: count.meta({ title: 'Uncorrected since boot', ceiling: 'maxUncorrected', measure: true }),
          maxUncorrected: count.meta({ hidden: true }),
          outcome: z.enum(['passed', 'failed']).meta({ title: 'Result' }),
        }),
      )
      .max(1024)
      .meta({ title: 'DIMMs (EDAC)', part: 'dimm' }),
    /** Errors a memory controller counted without knowing the DIMM. */
    unattributed: z
      .array(z.object({ where: z.string().max(300).meta({ title: 'Where' }), corrected: count.meta({ title: 'Corrected' }), uncorrected: count.meta({ title: 'Uncorrected' }) }))
      .max(256)
      .optional()
      .meta({ title: 'Errors not attributed to a DIMM' }),
    machineChecks: z
      .array(
        z.object({
          atS: z.number().nullable().meta({ title: 'Seconds after boot' }),
          duringLoad: z.boolean().meta({ title: 'During the load' }),
          uncorrected: z.boolean().nullable().meta({ title: 'Uncorrected' }),
          text: z.string().max(500).meta({ title: 'Report' }),
        }),
      )
      .max(500)
      .meta({ title: 'Machine checks in the kernel log' }),
    infraError: z.string().max(64).optional().meta({ hidden: true }),
  }),
});
