import { z } from 'zod';

// The live image's manifest.json (image/lib/image-manifest.js; docs/image.md,
// "Manifest"): what went into the image. The orchestrator keeps a copy with
// every run the image booted, and the report lists its packages. Only the
// fields read back are checked here; the file may carry more.

const version = z.string().min(1).max(200);
const name = z.string().min(1).max(200);

export const ImageManifest = z.object({
  format: z.literal(1),
  id: z.string().regex(/^[0-9a-f]{8,64}$/),
  flavour: z.enum(['base', 'gpu']),
  builtAt: z.string().max(64).optional(),
  kernel: z.object({ version, package: name, packageVersion: version }),
  packages: z.record(name, version),
  firmware: z.object({
    packages: z.record(name, version),
    bytes: z.number().nonnegative(),
    files: z.array(z.object({ file: z.string().max(512), package: name })).max(10_000),
    missing: z.array(z.object({ file: z.string().max(512), modules: z.array(name).max(64), reason: z.string().max(1000) })).max(10_000),
  }),
  initrd: z.object({ bytes: z.number().nonnegative(), sha256: z.string().regex(/^[0-9a-f]{64}$/), budgetBytes: z.number().nullable() }),
  gpu: z.object({ driver: version, kernelModules: z.array(name).max(16) }).passthrough().optional(),
});
export type ImageManifest = z.infer<typeof ImageManifest>;
