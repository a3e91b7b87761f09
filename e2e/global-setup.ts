import { join } from 'node:path';
import react from '@vitejs/plugin-react';
import { build } from 'vite';
import { repoRoot } from './support/server.ts';

// Builds the renderer from the current sources before the tests, into a folder
// of its own that the server under test serves (`vetting serve --ui-dir`), so
// the e2e never runs against a stale out/renderer.
export const E2E_UI_DIR = join(repoRoot, 'test-results', 'e2e-ui');

export default async function globalSetup(): Promise<void> {
  await build({
    configFile: false,
    root: join(repoRoot, 'renderer'),
    plugins: [react()],
    logLevel: 'warn',
    // One bundle is fine for a loopback UI; the size warning is noise here.
    build: { outDir: E2E_UI_DIR, emptyOutDir: true, chunkSizeWarningLimit: 4096 },
  });
}
