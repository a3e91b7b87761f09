import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { afterEach } from 'vitest';
import { resolveImageDir } from '../../electron/node/pxe/boot-files.ts';
import { killPid } from '../../agent/testing/host-fixtures.ts';

// What every lab test file sets up the same way: where the checkout and the
// live image are, building the image (cached) and the agent bundle, and the
// cleanup steps each test registers for the processes and namespaces it made.

export const ROOT = resolve(import.meta.dirname, '../..');
export const IMAGE_DIR = resolveImageDir();
export const REAL_AGENT = join(ROOT, 'out/agent/vetting-agent.mjs');

/** Builds the live image into IMAGE_DIR (a no-op when its inputs have not changed); returns the build's log. */
export async function buildImage(): Promise<string> {
  const built = await execa('bash', [join(ROOT, 'image/build-image.sh'), IMAGE_DIR], { reject: false, all: true });
  if (built.exitCode !== 0) throw new Error(`image build failed:\n${built.all}`);
  return built.all?.trim() ?? '';
}

/** The real agent bundle the image is given, built once when missing. */
export async function ensureAgentBundle(): Promise<void> {
  if (!existsSync(REAL_AGENT)) await execa('node', [join(ROOT, 'scripts/build-agent.js')], { cwd: ROOT });
}

/**
 * Steps a test pushes as it starts things, run after it newest first (QEMU,
 * then the bench side, then the namespaces). A failing step is logged under
 * `label` and the others still run, so nothing is left behind.
 */
export function cleanupAfterEach(label: string): { push(step: () => Promise<void>): void } {
  const steps: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const step of steps.splice(0).reverse()) {
      try {
        await step();
      } catch (err) {
        console.error(`${label}: ${(err as Error).message}`);
      }
    }
  });
  return { push: (step) => void steps.push(step) };
}

/** A cleanup step that stops a process by its PID: `signal`, then SIGKILL if it is still there after 5 s. */
export function stopByPid(p: ResultPromise, signal: NodeJS.Signals = 'SIGTERM'): () => Promise<void> {
  return async () => {
    if (p.pid === undefined || p.exitCode !== null) return;
    killPid(p.pid, signal);
    const t = setTimeout(() => killPid(p.pid, 'SIGKILL'), 5000);
    await p.catch(() => undefined);
    clearTimeout(t);
  };
}
