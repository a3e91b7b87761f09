#!/usr/bin/env node
// Checks that a compiled Node addon (better_sqlite3.node) was built for the runtime
// that will load it. Addons built against V8/NAN export `node_register_module_v<ABI>`,
// where ABI is the runtime's NODE_MODULE_VERSION (Node 20: 115, Electron 45: 150);
// Node-API addons export `napi_register_module_v1` and load in any runtime.
//
// Why a check at all: on a machine whose npmrc points `nodedir` at the system Node,
// "rebuild for Electron" quietly builds for Node and reports success; the packaged
// app would then fail at its first database call. Packaging runs this (build/after-pack.cjs).
//
//   node scripts/check-native-abi.js [file.node] [--runtime electron|node] [--target VERSION] [--arch x64|arm64]
// Exit status: 0 match, 1 mismatch or unreadable, 2 bad usage.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

export const DEFAULT_FILE = join(root, 'build', 'native', 'electron', 'better_sqlite3.node');

const ELF_MACHINES = { 0x3e: 'x64', 0xb7: 'arm64', 0x03: 'ia32', 0x28: 'armv7l' };

/**
 * What an addon file says about itself.
 * @param {Buffer} buf
 * @returns {{ format: 'elf' | 'other', arch: string | null, abi: number | null, napi: boolean }}
 */
export function inspectAddon(buf) {
  const isElf = buf.length > 20 && buf[0] === 0x7f && buf.toString('latin1', 1, 4) === 'ELF';
  let arch = null;
  if (isElf) {
    const littleEndian = buf[5] === 1;
    const machine = littleEndian ? buf.readUInt16LE(18) : buf.readUInt16BE(18);
    arch = ELF_MACHINES[machine] ?? `elf-machine-${machine}`;
  }
  // The registration symbol sits in the dynamic symbol table as plain text.
  const text = buf.toString('latin1');
  const abis = new Set([...text.matchAll(/node_register_module_v(\d{2,4})/g)].map((m) => Number(m[1])));
  const napi = /napi_register_module_v1/.test(text);
  if (abis.size > 1) throw new Error(`the addon names several ABIs (${[...abis].join(', ')})`);
  const [abi] = abis;
  return { format: isElf ? 'elf' : 'other', arch, abi: abi ?? null, napi };
}

/**
 * NODE_MODULE_VERSION of the installed Electron (node_modules/electron/abi_version),
 * or of a given Electron version through node-abi's table.
 * @param {string | undefined} version
 * @returns {number}
 */
export function electronAbi(version) {
  const electronDir = dirname(require.resolve('electron/package.json'));
  const installed = JSON.parse(readFileSync(join(electronDir, 'package.json'), 'utf8')).version;
  if (!version || version === installed) {
    const n = Number(readFileSync(join(electronDir, 'abi_version'), 'utf8').trim());
    if (Number.isInteger(n) && n > 0) return n;
  }
  const { getAbi } = require('node-abi');
  return Number(getAbi(version ?? installed, 'electron'));
}

/**
 * @param {{ abi: number | null, napi: boolean, arch: string | null }} info
 * @param {{ abi: number, arch?: string, label: string }} want
 * @returns {string | null} why it does not match, or null when it does
 */
export function mismatch(info, want) {
  if (want.arch && info.arch && info.arch !== want.arch) return `built for ${info.arch}, needed ${want.arch}`;
  if (info.abi === null) return info.napi ? null : 'no Node module registration symbol found: not a Node addon?';
  if (info.abi !== want.abi) return `built for NODE_MODULE_VERSION ${info.abi}, ${want.label} needs ${want.abi}`;
  return null;
}

function parseArgs(argv) {
  const opts = { file: DEFAULT_FILE, runtime: 'electron', target: undefined, arch: process.arch };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--runtime') opts.runtime = value();
    else if (a === '--target') opts.target = value();
    else if (a === '--arch') opts.arch = value();
    else if (a.startsWith('--')) throw new Error(`unknown option ${a}`);
    else opts.file = resolve(a);
  }
  if (opts.runtime !== 'electron' && opts.runtime !== 'node') throw new Error('--runtime must be electron or node');
  return opts;
}

export function main(argv) {
  let opts;
  try {
    opts = parseArgs(argv);
  } catch (err) {
    console.error(`check-native-abi: ${err.message}`);
    return 2;
  }
  let info;
  try {
    info = inspectAddon(readFileSync(opts.file));
  } catch (err) {
    console.error(`check-native-abi: cannot read ${opts.file}: ${err.message}`);
    return 1;
  }
  let want;
  if (opts.runtime === 'electron') {
    want = { abi: electronAbi(opts.target), arch: opts.arch, label: `Electron ${opts.target ?? 'as installed'}` };
  } else {
    const abi = opts.target ? Number(require('node-abi').getAbi(opts.target, 'node')) : Number(process.versions.modules);
    want = { abi, arch: opts.arch, label: `Node ${opts.target ?? process.versions.node}` };
  }
  const why = mismatch(info, want);
  if (why) {
    console.error(`check-native-abi: ${opts.file}: ABI MISMATCH — ${why}`);
    return 1;
  }
  console.log(`check-native-abi: ${opts.file}: OK (${info.abi === null ? 'Node-API' : `NODE_MODULE_VERSION ${info.abi}`}, ${info.arch ?? 'unknown arch'}) for ${want.label}`);
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
