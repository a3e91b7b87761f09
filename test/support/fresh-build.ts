import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect } from 'vitest';
import { BUILD_OUTPUTS, BUILD_SOURCES, decideBuild, mtimeOrNull, newestMtime } from '../../scripts/launch-plan.js';
import { ROOT } from './serve.ts';

/**
 * Rebuilds out/ with electron-vite when the sources are newer than it, exactly as
 * `npm start` decides (scripts/launch-plan.js), so the shell tests exercise what
 * the sources build to now rather than a stale bundle. Call it from beforeAll.
 */
export function buildIfStale(): void {
  const plan = decideBuild(
    BUILD_OUTPUTS.map((p) => mtimeOrNull(join(ROOT, p))),
    newestMtime(BUILD_SOURCES.map((p) => join(ROOT, p))),
  );
  if (plan.build) {
    const b = spawnSync(join(ROOT, 'node_modules', '.bin', 'electron-vite'), ['build'], { cwd: ROOT, encoding: 'utf8' });
    expect(b.status, b.stderr).toBe(0);
  }
}
