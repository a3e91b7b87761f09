import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildIfStale } from '../support/fresh-build.ts';
import { parse } from 'yaml';

// electron-builder run for real on build/electron-builder.yml, with the `dir` target
// (the unpacked app that AppImage and .deb are made from). Electron's binary cannot
// be downloaded here, so a stand-in executable plays the Electron distribution:
// what is under test (file selection, app.asar, extra resources, the afterPack ABI
// check) never runs it.

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);
const nodeBuild = join(dirname(require.resolve('better-sqlite3/package.json')), 'build', 'Release', 'better_sqlite3.node');
const builder = join(root, 'node_modules', '.bin', 'electron-builder');

function withAbi(abi: number): Buffer {
  const buf = readFileSync(nodeBuild);
  const from = Buffer.from(`node_register_module_v${process.versions.modules}`);
  const to = Buffer.from(`node_register_module_v${abi}`);
  if (abi !== Number(process.versions.modules)) {
    for (let at = buf.indexOf(from); at >= 0; at = buf.indexOf(from, at + 1)) to.copy(buf, at);
  }
  return buf;
}

/** Packs with the project's configuration, the native module taken from `nativeDir`. */
function pack(work: string, nativeModule: Buffer) {
  const fakeDist = join(work, 'electron-dist');
  mkdirSync(fakeDist, { recursive: true });
  copyFileSync('/bin/true', join(fakeDist, 'electron'));
  writeFileSync(join(fakeDist, 'version'), 'v45.5.0');
  mkdirSync(join(work, 'native'), { recursive: true });
  writeFileSync(join(work, 'native', 'better_sqlite3.node'), nativeModule);

  const config = parse(readFileSync(join(root, 'build', 'electron-builder.yml'), 'utf8')) as Record<string, any>;
  const native = (config.extraResources as { from: string }[]).find((r) => r.from === 'build/native/electron');
  if (!native) throw new Error('electron-builder.yml no longer packs build/native/electron');
  native.from = join(work, 'native');
  config.directories.output = join(work, 'dist');
  config.afterPack = join(root, config.afterPack);
  writeFileSync(join(work, 'config.json'), JSON.stringify(config));

  const r = spawnSync(
    builder,
    ['--projectDir', root, '--config', join(work, 'config.json'), '--linux', 'dir', '--publish', 'never', `-c.electronDist=${fakeDist}`, '-c.electronVersion=45.5.0'],
    { cwd: root, encoding: 'utf8', timeout: 170_000 },
  );
  return { status: r.status, output: `${r.stdout}\n${r.stderr}`, appDir: join(work, 'dist', 'linux-unpacked') };
}

describe('packaging with electron-builder (dir target)', () => {
  let work = '';
  // Test what the sources build to now, as `npm start` would.
  beforeAll(buildIfStale);
  afterEach(() => {
    if (work) rmSync(work, { recursive: true, force: true });
    work = '';
  });

  it('refuses to package a better-sqlite3 built for Node’s ABI', () => {
    work = mkdtempSync(join(tmpdir(), 'vetting-pack-'));
    const r = pack(work, withAbi(Number(process.versions.modules)));
    expect(r.status).not.toBe(0);
    expect(r.output).toContain(`ABI MISMATCH — built for NODE_MODULE_VERSION ${process.versions.modules}, Electron 45.5.0 needs 150`);
  });

  it('packs the app, its resources and the Electron-ABI module', () => {
    work = mkdtempSync(join(tmpdir(), 'vetting-pack-'));
    const r = pack(work, withAbi(150));
    expect(r.status, r.output).toBe(0);
    const res = join(r.appDir, 'resources');
    expect(readFileSync(join(res, 'native', 'better_sqlite3.node')).includes(Buffer.from('node_register_module_v150'))).toBe(true);
    expect(existsSync(join(res, 'icons', '256x256.png'))).toBe(true);
    expect(statSync(join(res, 'deb', 'vetting-privileges.sh')).mode & 0o111).not.toBe(0);
    expect(existsSync(join(r.appDir, 'vetting'))).toBe(true);

    const { listPackage } = require('@electron/asar') as { listPackage(p: string): string[] };
    const files = listPackage(join(res, 'app.asar'));
    for (const f of ['/package.json', '/out/main/index.js', '/out/preload/index.cjs', '/out/renderer/index.html', '/bin/vetting.js']) {
      expect(files, f).toContain(f);
    }
    // Only runtime dependencies: no test or build tools in the package.
    expect(files.some((f) => f.startsWith('/node_modules/vitest/') || f.startsWith('/node_modules/typescript/'))).toBe(false);
  });
});
