// StrykerJS settings for `npm run mutate` (scripts/mutate/run.ts), which sets
// `mutate`, the incremental file and the report paths per group of modules
// (scripts/mutate/modules.ts). docs/testing.md says how to read the results.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  testRunner: 'vitest',
  // The unit project only: mutants are switched inside the test process (vitest.mutate.config.ts says why).
  vitest: { configFile: 'vitest.mutate.config.ts', related: true },
  checkers: ['typescript'],
  tsconfigFile: 'scripts/mutate/tsconfig.json',
  coverageAnalysis: 'perTest',
  // The machine is shared: two test workers at most (STRYKER_CONCURRENCY=1 for one).
  concurrency: Number(process.env.STRYKER_CONCURRENCY ?? 2),
  incremental: true,
  timeoutMS: 10_000,
  reporters: ['progress', 'json', 'html'],
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  // Only what the unit tests read goes into the sandbox. The captured PCI tree's
  // bus/pci/devices symlinks cannot be copied by Stryker: scripts/mutate/sandbox-links.ts
  // puts them back in the sandbox.
  ignorePatterns: ['out', 'dist', 'test-results', 'playwright-report', 'coverage', 'image/cache', 'build/native', '.vetting-test', '.gl', '.whl', '/agent/parsers/captured/qemu-lab-2026-12-faults/pci-sysfs/bus'],
};
