import { join } from 'node:path';
import react from '@vitejs/plugin-react';
import { chromium, type Browser } from 'playwright-core';
import { build } from 'vite';
import { ROOT } from '../test/support/serve.ts';

// What the browser benchmarks (chart, ui-paint) share: a production build of
// the renderer from the current sources into a folder of the benchmark's own
// (so a stale or half-written out/renderer never skews a figure), and Debian's
// Chromium with the flags this machine needs.

export const BENCH_UI_DIR = join(ROOT, 'test-results', 'bench-ui');

let built: Promise<string> | null = null;

/** Builds the renderer once per process; resolves to the folder to pass as --ui-dir. */
export function buildUi(): Promise<string> {
  built ??= build({
    configFile: false,
    root: join(ROOT, 'renderer'),
    plugins: [react()],
    logLevel: 'warn',
    build: { outDir: BENCH_UI_DIR, emptyOutDir: true, chunkSizeWarningLimit: 4096 },
  }).then(() => BENCH_UI_DIR);
  return built;
}

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** A fresh Chromium (its own temporary profile). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
}
