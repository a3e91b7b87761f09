import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { electronAbi, inspectAddon, mismatch } from './check-native-abi.js';

const require = createRequire(import.meta.url);
const script = join(dirname(fileURLToPath(import.meta.url)), 'check-native-abi.js');
// The better-sqlite3 build in node_modules: compiled here for the Node that runs the tests.
const nodeBuild = join(dirname(require.resolve('better-sqlite3/package.json')), 'build', 'Release', 'better_sqlite3.node');

describe('check-native-abi', () => {
  let dir = '';
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = '';
  });

  it('reads the ABI of the node_modules build as the running Node’s', () => {
    const info = inspectAddon(readFileSync(nodeBuild));
    expect(info.format).toBe('elf');
    expect(info.arch).toBe(process.arch);
    expect(info.abi).toBe(Number(process.versions.modules));
    // Cross-check against the loader itself: this Node accepts the file.
    const m = { exports: {} as Record<string, unknown> };
    process.dlopen(m, nodeBuild);
    expect(typeof m.exports.Database).toBe('function');
  });

  it('knows Electron 45’s ABI from the installed package and from node-abi', () => {
    expect(electronAbi()).toBe(150);
    expect(electronAbi('45.5.0')).toBe(150);
    expect(electronAbi('39.0.0')).toBe(140);
  });

  it('flags the Node-20 build in node_modules as a mismatch for Electron (exit 1)', () => {
    const r = spawnSync(process.execPath, [script, nodeBuild], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`ABI MISMATCH — built for NODE_MODULE_VERSION ${process.versions.modules}, Electron as installed needs 150`);
    const ok = execFileSync(process.execPath, [script, nodeBuild, '--runtime', 'node'], { encoding: 'utf8' });
    expect(ok).toContain('OK');
  });

  it('accepts a build whose registration symbol names Electron’s ABI', () => {
    // Same file with the ABI digits of its registration symbol changed: what an
    // Electron-ABI build carries (a real one cannot be compiled offline here).
    dir = mkdtempSync(join(tmpdir(), 'vetting-abi-'));
    const buf = readFileSync(nodeBuild);
    const from = Buffer.from(`node_register_module_v${process.versions.modules}`);
    const to = Buffer.from('node_register_module_v150');
    expect(from.length).toBe(to.length);
    let at = buf.indexOf(from);
    expect(at).toBeGreaterThan(0);
    while (at >= 0) {
      to.copy(buf, at);
      at = buf.indexOf(from, at + 1);
    }
    const file = join(dir, 'better_sqlite3.node');
    writeFileSync(file, buf);
    const r = spawnSync(process.execPath, [script, file], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toContain('OK (NODE_MODULE_VERSION 150');
    expect(r.status).toBe(0);
  });

  it('rejects wrong architectures, non-addons, missing files and bad options', () => {
    expect(mismatch({ abi: 150, napi: false, arch: 'arm64' }, { abi: 150, arch: 'x64', label: 'Electron' })).toBe('built for arm64, needed x64');
    expect(mismatch({ abi: null, napi: true, arch: 'x64' }, { abi: 150, arch: 'x64', label: 'Electron' })).toBeNull();
    expect(mismatch({ abi: null, napi: false, arch: null }, { abi: 150, label: 'Electron' })).toMatch(/not a Node addon/);
    expect(inspectAddon(Buffer.from('hello'))).toEqual({ format: 'other', arch: null, abi: null, napi: false });
    expect(spawnSync(process.execPath, [script, '/nonexistent/x.node']).status).toBe(1);
    expect(spawnSync(process.execPath, [script, '--runtime', 'java', nodeBuild]).status).toBe(2);
  });
});
