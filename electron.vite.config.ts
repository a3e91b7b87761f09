import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';

// electron-vite builds the three Electron bundles: main (which hosts the
// orchestrator in-process), preload, and the renderer, which the headless
// `vetting serve` also serves to any browser.
export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rollupOptions: { input: { index: resolve('electron/main/index.ts') }, external: ['better-sqlite3'] },
    },
  },
  // The preload runs in a sandboxed renderer, which cannot load ES modules or
  // node_modules: it is bundled into one CommonJS file (out/preload/index.cjs).
  preload: {
    build: {
      outDir: 'out/preload',
      rollupOptions: {
        input: { index: resolve('electron/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve('renderer'),
    plugins: [react()],
    build: {
      outDir: resolve('out/renderer'),
      // The same bundle is served to browsers on the bench network's workstation; keep it small.
      minify: true,
      rollupOptions: { input: { index: resolve('renderer/index.html') } },
    },
  },
});
