import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkSpecYaml } from '../spec/spec-yaml.ts';
import type { ImageFlavour } from './boot-args.ts';

// Which live image a run booted, kept with the run: when a host's initrd has
// been sent, the image's manifest.json (every package and version, the kernel,
// the firmware; image/lib/image-manifest.js) is copied into the run's
// artifacts as image-manifest.json, so the report can say which tool versions
// produced its figures even after the image is rebuilt.

export const IMAGE_MANIFEST_ARTIFACT = 'image-manifest.json';

export interface ImageRecordDeps {
  dataDir: string;
  /** The open run of the host with this MAC (null: nothing to record). */
  openRunOf(mac: string): number | null;
  recordArtifact(a: { runId: number; stage: string | null; kind: string; name: string; path: string; size: number; sha256: string }): void;
}

/** Copies the served image's manifest into the MAC's open run; returns the run id, or null when there was nothing to keep. */
export function keepImageManifest(deps: ImageRecordDeps, mac: string, manifestPath: string | null): number | null {
  if (!manifestPath) return null;
  const runId = deps.openRunOf(mac);
  if (runId === null) return null;
  const rel = join('artifacts', `run-${runId}`, IMAGE_MANIFEST_ARTIFACT);
  mkdirSync(join(deps.dataDir, 'artifacts', `run-${runId}`), { recursive: true });
  copyFileSync(manifestPath, join(deps.dataDir, rel));
  const bytes = readFileSync(join(deps.dataDir, rel));
  deps.recordArtifact({ runId, stage: null, kind: 'image-manifest', name: IMAGE_MANIFEST_ARTIFACT, path: rel, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });
  return runId;
}

/** A host whose expected spec lists GPUs boots the gpu flavour (docs/image.md, "Flavours"). */
export function imageFlavourFor(specYaml: string | null): ImageFlavour {
  if (!specYaml) return 'base';
  const spec = checkSpecYaml(specYaml).spec;
  return spec?.gpus?.some((g) => g.count > 0) ? 'gpu' : 'base';
}
