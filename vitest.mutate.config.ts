import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';
import base from './vitest.config.ts';

// Mutation testing (`npm run mutate`, scripts/mutate/) runs the unit project only:
// Stryker switches mutants inside the test process, so the integration tests'
// child processes (`vetting serve`, the agent) never see one, and they need root,
// loop devices and minutes each. The unit project's settings are taken from
// vitest.config.ts, so the two never drift apart.
const unit = (base.test?.projects ?? []).find((p): p is TestProjectInlineConfiguration => typeof p === 'object' && 'test' in p && p.test?.name === 'unit');
if (!unit?.test) throw new Error('vitest.config.ts has no project named "unit"');

// scripts/mutate/sandbox-links.ts: symlinks to directories that Stryker's sandbox cannot copy.
export default defineConfig({ test: { ...unit.test, name: undefined, globalSetup: ['scripts/mutate/sandbox-links.ts'] } });
