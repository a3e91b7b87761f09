import { z } from 'zod';
import { MacAddress } from './primitives.ts';

// The expected spec of a host, written as YAML (see docs/spec.md). Every key is
// optional: a spec says only what the bench should insist on.

const text = z.string().trim().min(1).max(256);

export const ExpectedDisk = z
  .object({
    serial: text.optional(),
    wwn: text.optional(),
    model: text.optional(),
    /** Nominal size in GB (10^9 bytes), as printed on the drive. */
    sizeGB: z.number().positive().optional(),
  })
  .strict()
  .refine((d) => d.serial || d.wwn, { message: 'each disk needs a serial or a wwn' });

export const ExpectedNic = z
  .object({ mac: MacAddress, speedMbps: z.number().positive().optional() })
  .strict();

export const ExpectedGpu = z
  .object({ model: text, count: z.number().int().positive().default(1) })
  .strict();

/**
 * A PCI Express slot whose link the bench should hold to a stated speed and width
 * instead of the link's own capability (docs/spec.md, rule pcie-link-*).
 */
export const ExpectedPcieLink = z
  .object({
    /** The function's address as lspci -D prints it; the domain may be left out (3b:00.0). */
    address: z
      .string()
      .trim()
      .toLowerCase()
      .regex(/^([0-9a-f]{4,8}:)?[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$/, { message: 'a PCI address such as 0000:3b:00.0' })
      .transform((a) => (/^[0-9a-f]{2}:/.test(a) && a.split(':').length === 2 ? `0000:${a}` : a)),
    /** Lanes the link must train at (x16 → 16). */
    width: z.number().int().positive().max(32).optional(),
    /** GT/s per lane it must train at (2.5, 5, 8, 16, 32, 64). */
    speedGTs: z.number().positive().max(128).optional(),
  })
  .strict()
  .refine((l) => l.width !== undefined || l.speedGTs !== undefined, { message: 'each pcie entry needs a width or a speedGTs' });

export const ExpectedSpec = z
  .object({
    version: z.literal(1).default(1),
    system: z
      .object({ manufacturer: text.optional(), product: text.optional(), serial: text.optional() })
      .strict()
      .optional(),
    cpu: z
      .object({
        model: text.optional(),
        sockets: z.number().int().positive().optional(),
        cores: z.number().int().positive().optional(),
        threads: z.number().int().positive().optional(),
      })
      .strict()
      .optional(),
    memory: z
      .object({
        totalGiB: z.number().positive(),
        /** Allowed shortfall or excess in GiB (firmware reserves some memory). */
        toleranceGiB: z.number().nonnegative().default(1),
      })
      .strict()
      .optional(),
    disks: z.array(ExpectedDisk).max(256).optional(),
    nics: z.array(ExpectedNic).max(64).optional(),
    gpus: z.array(ExpectedGpu).max(16).optional(),
    /** PCIe links held to a stated speed and width (every link is held to its own capability anyway). */
    pcie: z.array(ExpectedPcieLink).max(256).optional(),
    firmware: z.object({ bios: text.optional(), bmc: text.optional() }).strict().optional(),
    /** Highest temperature any sensor may reach during load stages. */
    maxTempC: z.number().positive().max(150).optional(),
    /** Free-form facts kept with the spec (rack, ticket …); shown to people, not compared. */
    extras: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  })
  .strict();
export type ExpectedSpec = z.infer<typeof ExpectedSpec>;

export const SEVERITIES = ['critical', 'warning', 'info'] as const;
export const Severity = z.enum(SEVERITIES);
export type Severity = z.infer<typeof Severity>;

export const SpecDiff = z.object({
  field: z.string(),
  expected: z.string().nullable(),
  actual: z.string().nullable(),
  severity: Severity,
  /** Which documented rule classified it (docs/spec.md). */
  rule: z.string(),
});
export type SpecDiff = z.infer<typeof SpecDiff>;
