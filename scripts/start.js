#!/usr/bin/env node
// `npm start`: build if needed, then open the desktop window; where there is no
// display or no Electron binary, say so in one line and serve the same UI headless
// (`vetting serve`), which prints the URL to open. Arguments after `--` go to the
// app (`npm start -- --headless` forces headless mode).

import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUILD_OUTPUTS, BUILD_SOURCES, decideBuild, decideLaunch, findElectronBinary, hasDisplay, headlessLine, mtimeOrNull, newestMtime } from './launch-plan.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

function electronDir() {
  try {
    return dirname(require.resolve('electron/package.json'));
  } catch {
    return null;
  }
}

function buildIfNeeded() {
  const plan = decideBuild(
    BUILD_OUTPUTS.map((p) => mtimeOrNull(join(root, p))),
    newestMtime(BUILD_SOURCES.map((p) => join(root, p))),
  );
  if (!plan.build) return;
  console.error(`Building (${plan.reason})…`);
  const bin = join(root, 'node_modules', '.bin', 'electron-vite');
  // Build output goes to stderr: stdout carries what the app prints (the URL to open).
  const r = spawnSync(bin, ['build'], { cwd: root, stdio: ['ignore', process.stderr, process.stderr] });
  if (r.status !== 0) {
    console.error(`electron-vite build failed (${r.error ? r.error.message : `exit ${r.status ?? r.signal}`}); fix the build and run npm start again.`);
    process.exit(1);
  }
}

/**
 * electron 45 downloads its binary on first use. Try that once, quietly and
 * bounded, when a window could be shown; return why it failed, or null.
 */
function tryDownloadElectron(dir) {
  if (!dir || process.env.VETTING_ELECTRON_DOWNLOAD === '0') return null;
  console.error('Downloading Electron for the desktop window (first start only; VETTING_ELECTRON_DOWNLOAD=0 skips this)…');
  const r = spawnSync(process.execPath, [join(dir, 'install.js')], { cwd: dir, encoding: 'utf8', timeout: 600_000 });
  if (r.status === 0) return null;
  const lines = `${r.stderr ?? ''}`.split('\n').map((l) => l.trim()).filter(Boolean);
  const first = lines.find((l) => /error/i.test(l)) ?? lines[0] ?? (r.error ? r.error.message : `exit ${r.status}`);
  return first.slice(0, 160);
}

/** Runs a child in the foreground: signals go to it, its exit status becomes ours. */
function runForeground(cmd, args, env) {
  const child = spawn(cmd, args, { cwd: root, stdio: 'inherit', env });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => child.kill(sig));
  child.on('error', (err) => {
    console.error(`could not start ${cmd}: ${err.message}`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

function main() {
  const args = process.argv.slice(2);
  const forceHeadless = args.includes('--headless');
  const passArgs = args.filter((a) => a !== '--headless');

  buildIfNeeded();

  const dir = electronDir();
  const display = hasDisplay(process.env, process.platform);
  let binary = findElectronBinary({ electronDir: dir, env: process.env, platform: process.platform });
  if (!binary.path && display && !forceHeadless && dir) {
    const failure = tryDownloadElectron(dir);
    binary = findElectronBinary({ electronDir: dir, env: process.env, platform: process.platform });
    if (!binary.path && failure) binary = { path: null, reason: `download failed: ${failure}` };
  }

  const plan = decideLaunch({ forceHeadless, display, binary });
  if (plan.mode === 'electron') {
    const env = { ...process.env };
    delete env.ELECTRON_RUN_AS_NODE;
    runForeground(plan.binary, [root, ...passArgs], env);
    return;
  }
  console.error(headlessLine(plan.why));
  const cli = join(root, 'bin', 'vetting.js');
  if (!existsSync(cli)) {
    console.error(`cannot serve headless: ${cli} is missing`);
    process.exit(1);
  }
  runForeground(process.execPath, [cli, 'serve', ...passArgs], process.env);
}

main();
