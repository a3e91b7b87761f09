#!/usr/bin/env node
// Bundles the in-image agent (agent/entry.ts) into one ESM file that runs on
// Node 18 (the live image's nodejs), with ws, zod and execa inside, and writes
// its sha256 next to it so the orchestrator can serve both to booting hosts.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outfile = join(root, 'out', 'agent', 'vetting-agent.mjs');
mkdirSync(dirname(outfile), { recursive: true });

// Written whole and renamed into place (bundle first, then its hash): a server
// reading the bundle while this runs sees the old file or the new one, never half.
const result = await build({
  entryPoints: [join(root, 'agent', 'entry.ts')],
  outfile,
  write: false,
  bundle: true,
  platform: 'node',
  target: 'node18',
  format: 'esm',
  minify: false,
  sourcemap: false,
  legalComments: 'none',
  // ws has optional native helpers it loads with require() inside try/catch;
  // leaving them out keeps the bundle pure JavaScript.
  external: ['bufferutil', 'utf-8-validate'],
  // Bundled CommonJS (ws) calls require() for Node built-ins; ESM has none.
  banner: {
    js: "#!/usr/bin/env node\nimport { createRequire as __vettingCreateRequire } from 'node:module';\nconst require = __vettingCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
});

const bytes = result.outputFiles.find((f) => f.path === outfile)?.contents;
if (!bytes) throw new Error(`esbuild produced no ${outfile}`);
const writeWhole = (file, data) => {
  writeFileSync(`${file}.${process.pid}.tmp`, data);
  renameSync(`${file}.${process.pid}.tmp`, file);
};
writeWhole(outfile, bytes);
const digest = createHash('sha256').update(readFileSync(outfile)).digest('hex');
writeWhole(`${outfile}.sha256`, `${digest}  vetting-agent.mjs\n`);
console.log(`built ${relative(root, outfile)} (${(readFileSync(outfile).length / 1024).toFixed(0)} KiB), sha256 ${digest}`);
