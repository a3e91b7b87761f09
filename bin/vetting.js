#!/usr/bin/env node
// Entry point of the `vetting` command. The sources are TypeScript; tsx's ESM
// loader runs them directly, so `npx vetting` works right after `npm ci`.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../electron/node/cli/main.ts');
await main();
