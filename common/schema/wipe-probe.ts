import { z } from 'zod';

/** One disk's wipe-probe findings, carried by a Storage result that hit data. */
export const WipeProbeHit = z.object({
  disk: z.string().max(256), // the expected-disk id (serial / WWN / loop:FILE)
  device: z.string().max(256),
  found: z.array(z.string().max(512)).min(1).max(64),
});
export type WipeProbeHit = z.infer<typeof WipeProbeHit>;
