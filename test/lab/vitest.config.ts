import { defineConfig } from 'vitest/config';

// The PXE lab runs on its own (npm run test:lab → scripts/test-lab.sh): it needs
// root, QEMU, network namespaces and a built live image, and takes minutes.
export default defineConfig({
  test: {
    root: new URL('../..', import.meta.url).pathname,
    include: ['test/lab/**/*.test.ts'],
    environment: 'node',
    testTimeout: 600_000,
    hookTimeout: 900_000,
    fileParallelism: false,
  },
});
