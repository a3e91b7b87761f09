import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ImageManifest } from '../../../common/schema/image.ts';
import type { Store } from '../store/index.ts';
import type { ReportImage } from './types.ts';

// The live image a run booted, for the report: the manifest the orchestrator
// kept with the run when it sent the host its initrd (electron/node/pxe/image-record.ts).
// A run that booted no image (selftest, loop disks) or whose copy is unreadable has none.

export function readRunImage(store: Store, dataDir: string, runId: number): ReportImage | null {
  const row = store.runs.artifacts(runId).find((a) => a.name === 'image-manifest.json');
  if (!row) return null;
  let parsed;
  try {
    parsed = ImageManifest.safeParse(JSON.parse(readFileSync(join(dataDir, row.path), 'utf8')));
  } catch {
    return null;
  }
  if (!parsed.success) return null;
  const m = parsed.data;
  const list = (r: Record<string, string>) => Object.entries(r).sort(([a], [b]) => a.localeCompare(b)).map(([name, version]) => ({ name, version }));
  return {
    id: m.id,
    flavour: m.flavour,
    builtAt: m.builtAt ?? null,
    kernel: `${m.kernel.version} (${m.kernel.package} ${m.kernel.packageVersion})`,
    packages: list(m.packages),
    firmwarePackages: list(m.firmware.packages),
    firmwareFiles: m.firmware.files.length,
    firmwareUnavailable: m.firmware.missing.length,
  };
}
