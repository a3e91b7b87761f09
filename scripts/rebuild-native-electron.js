#!/usr/bin/env node
// Builds the second copy of better-sqlite3 that the Electron window needs, for
// Electron's ABI, into build/native/electron/better_sqlite3.node; node_modules keeps
// the Node-ABI build that tests and `vetting serve` use. Needs internet (a prebuilt
// binary from better-sqlite3's releases, or Electron's headers to compile against).
//
//   node scripts/rebuild-native-electron.js [--electron-version V] [--arch x64|arm64] [--from-source] [--dry-run]
//
// npm exports its config to scripts as npm_config_* variables; this machine's
// npmrc sets nodedir=/usr, which makes node-gyp build against the system Node's
// headers while claiming to target Electron. The child environment drops it, and
// the result is checked with check-native-abi.js before it is kept.

import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main as checkAbi } from './check-native-abi.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

export const OUTPUT = join(root, 'build', 'native', 'electron', 'better_sqlite3.node');
const WORK = join(root, 'build', 'native', '.work');

/** The environment for the build tools: Electron as the target, no inherited nodedir. */
export function rebuildEnv(env, { electronVersion, arch }) {
  const out = {};
  for (const [k, v] of Object.entries(env)) {
    // Any spelling of nodedir (npm_config_nodedir, NPM_CONFIG_NODEDIR) would redirect the headers.
    if (/^npm_config_(nodedir|node_gyp|target|runtime|disturl|dist_url|arch)$/i.test(k)) continue;
    out[k] = v;
  }
  return {
    ...out,
    npm_config_runtime: 'electron',
    npm_config_target: electronVersion,
    npm_config_arch: arch,
    npm_config_target_arch: arch,
    npm_config_disturl: 'https://electronjs.org/headers',
    npm_config_build_from_source: 'false',
  };
}

/** The commands tried in order: a prebuilt binary, then a compile against Electron's headers. */
export function rebuildCommands({ electronVersion, arch, fromSource, prebuildInstall, nodeGyp }) {
  const cmds = [];
  if (!fromSource) {
    cmds.push({ what: 'prebuilt binary', args: [prebuildInstall, '--runtime', 'electron', '--target', electronVersion, '--arch', arch, '--platform', 'linux', '--verbose'] });
  }
  cmds.push({
    what: 'compile from source',
    args: [nodeGyp, 'rebuild', '--release', `--target=${electronVersion}`, `--arch=${arch}`, '--runtime=electron', '--dist-url=https://electronjs.org/headers'],
  });
  return cmds;
}

function parseArgs(argv) {
  const installed = JSON.parse(readFileSync(require.resolve('electron/package.json'), 'utf8')).version;
  const o = { electronVersion: installed, arch: process.arch, fromSource: false, dryRun: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--electron-version') o.electronVersion = argv[++i];
    else if (a === '--arch') o.arch = argv[++i];
    else if (a === '--from-source') o.fromSource = true;
    else if (a === '--dry-run') o.dryRun = true;
    else throw new Error(`unknown argument ${a}`);
  }
  if (!o.electronVersion || !/^\d+\.\d+\.\d+/.test(o.electronVersion)) throw new Error('--electron-version needs a version like 45.5.0');
  if (!o.arch) throw new Error('--arch needs a value');
  return o;
}

export function main(argv) {
  let o;
  try {
    o = parseArgs(argv);
  } catch (err) {
    console.error(`rebuild-native-electron: ${err.message}`);
    return 2;
  }
  const pkgDir = dirname(require.resolve('better-sqlite3/package.json'));
  const moduleDir = join(WORK, 'node_modules', 'better-sqlite3');
  const cmds = rebuildCommands({
    ...o,
    prebuildInstall: require.resolve('prebuild-install/bin.js'),
    nodeGyp: require.resolve('node-gyp/bin/node-gyp.js'),
  });
  const env = rebuildEnv(process.env, o);
  if (o.dryRun) {
    console.log(`would copy ${pkgDir} to ${moduleDir}, then in it try:`);
    for (const c of cmds) console.log(`  ${c.what}: node ${c.args.join(' ')}`);
    console.log(`and keep build/Release/better_sqlite3.node as ${OUTPUT} once it passes check-native-abi`);
    return 0;
  }

  // A private copy of the package, so node_modules' own build is never touched.
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(dirname(moduleDir), { recursive: true });
  cpSync(pkgDir, moduleDir, { recursive: true, filter: (src) => !src.startsWith(join(pkgDir, 'build')) });

  const built = join(moduleDir, 'build', 'Release', 'better_sqlite3.node');
  for (const c of cmds) {
    console.log(`rebuild-native-electron: ${c.what} for Electron ${o.electronVersion} (${o.arch})…`);
    const r = spawnSync(process.execPath, c.args, { cwd: moduleDir, env, stdio: 'inherit' });
    if (r.status === 0 && existsSync(built)) {
      if (checkAbi([built, '--runtime', 'electron', '--target', o.electronVersion, '--arch', o.arch]) !== 0) {
        console.error(`rebuild-native-electron: ${c.what} produced a module for the wrong ABI (is a nodedir setting still in effect?)`);
        continue;
      }
      mkdirSync(dirname(OUTPUT), { recursive: true });
      copyFileSync(built, OUTPUT);
      rmSync(WORK, { recursive: true, force: true });
      console.log(`rebuild-native-electron: wrote ${OUTPUT}`);
      return 0;
    }
    console.error(`rebuild-native-electron: ${c.what} failed`);
  }
  rmSync(WORK, { recursive: true, force: true });
  console.error('rebuild-native-electron: no Electron build of better-sqlite3 could be made (this needs internet access: GitHub releases or electronjs.org headers)');
  return 1;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
