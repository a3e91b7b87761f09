import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SIZES, drawIcon, encodePng } from './make-icons.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const config = parse(readFileSync(join(root, 'build', 'electron-builder.yml'), 'utf8')) as Record<string, any>;
const nodeBuild = join(dirname(require.resolve('better-sqlite3/package.json')), 'build', 'Release', 'better_sqlite3.node');

// electron-builder's own validator (the schema it checks every build against).
const { validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as {
  validateConfiguration(c: unknown, log: { isEnabled: boolean; add(): void }): Promise<void>;
};
const quietLog = { isEnabled: false, add() {} };

function pngInfo(buf: Buffer): { width: number; height: number; colourType: number; pixels: Buffer } {
  expect(buf.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  let off = 8;
  let ihdr: Buffer | null = null;
  const idat: Buffer[] = [];
  while (off < buf.length) {
    const len = buf.readUInt32BE(off);
    const type = buf.toString('latin1', off + 4, off + 8);
    const data = buf.subarray(off + 8, off + 8 + len);
    if (type === 'IHDR') ihdr = data;
    if (type === 'IDAT') idat.push(data);
    off += 12 + len;
  }
  expect(ihdr).not.toBeNull();
  const h = ihdr as Buffer;
  return { width: h.readUInt32BE(0), height: h.readUInt32BE(4), colourType: h[9] as number, pixels: inflateSync(Buffer.concat(idat)) };
}

describe('build/electron-builder.yml', () => {
  it('passes electron-builder’s own schema validation (and the validator does reject bad keys)', async () => {
    await expect(validateConfiguration(config, quietLog)).resolves.toBeUndefined();
    await expect(validateConfiguration({ ...config, linux: { ...config.linux, bogusOption: 1 } }, quietLog)).rejects.toThrow(/Invalid configuration/);
  });

  it('builds AppImage and deb, and the deb depends on what the bench runs', () => {
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.deb.depends).toEqual(expect.arrayContaining(['dnsmasq-base', 'iperf3', 'ipxe', 'libcap2-bin']));
    // An explicit list replaces electron-builder's defaults: Electron's own libraries must be named too.
    expect(config.deb.depends).toEqual(expect.arrayContaining(['libgtk-3-0', 'libnss3', 'libnotify4', 'libxss1', 'libsecret-1-0']));
    expect(config.npmRebuild).toBe(false);
    expect(config.linux.desktop.entry.Name).toBe('Vetting');
  });

  it('names files that exist', () => {
    for (const f of [config.afterPack, config.deb.afterInstall, config.deb.afterRemove]) expect(existsSync(join(root, f)), f).toBe(true);
    for (const r of config.extraResources as { from: string }[]) {
      if (r.from.includes('native')) continue; // made at packaging time by rebuild-native-electron.js
      expect(existsSync(join(root, r.from)), r.from).toBe(true);
    }
    expect(existsSync(join(root, config.linux.icon, '512x512.png'))).toBe(true);
  });

  it('has deb scripts that use only electron-builder’s macros and are valid bash once filled in', () => {
    for (const f of [config.deb.afterInstall, config.deb.afterRemove]) {
      const text = readFileSync(join(root, f), 'utf8');
      const macros = new Set([...text.matchAll(/\$\{([a-zA-Z]+)\}/g)].map((m) => m[1]));
      expect([...macros].every((m) => m === 'executable' || m === 'sanitizedProductName'), `${f}: ${[...macros]}`).toBe(true);
      const filled = text.replace(/\$\{([a-zA-Z]+)\}/g, (_m, k: string) => (k === 'executable' ? 'vetting' : 'Vetting'));
      const r = spawnSync('bash', ['-n'], { input: filled, encoding: 'utf8' });
      expect(r.stderr, f).toBe('');
      expect(r.status, f).toBe(0);
    }
    expect(spawnSync('sh', ['-n', join(root, 'build', 'deb', 'vetting-privileges.sh')]).status).toBe(0);
    expect(readFileSync(join(root, config.deb.afterInstall), 'utf8')).toContain('vetting-privileges.sh" grant');
  });
});

describe('build/after-pack.cjs', () => {
  let dir = '';
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = '';
  });

  const hook = require(join(root, 'build', 'after-pack.cjs')) as { default(ctx: unknown): Promise<void> };
  const contextFor = (appOutDir: string) => ({
    appOutDir,
    electronPlatformName: 'linux',
    arch: process.arch === 'arm64' ? 3 : 1,
    packager: { config: { electronVersion: '45.5.0' }, appInfo: { productFilename: 'Vetting' } },
  });

  it('fails packaging when the packed better-sqlite3 has the Node ABI, or is missing', async () => {
    dir = mkdtempSync(join(tmpdir(), 'vetting-afterpack-'));
    await expect(hook.default(contextFor(dir))).rejects.toThrow(/native module check failed/);
    mkdirSync(join(dir, 'resources', 'native'), { recursive: true });
    cpSync(nodeBuild, join(dir, 'resources', 'native', 'better_sqlite3.node'));
    await expect(hook.default(contextFor(dir))).rejects.toThrow(/rebuild-native-electron/);
  });

  it('lets packaging go on when the packed build names Electron 45’s ABI', async () => {
    dir = mkdtempSync(join(tmpdir(), 'vetting-afterpack-'));
    mkdirSync(join(dir, 'resources', 'native'), { recursive: true });
    // The Node build with its registration symbol's ABI digits changed to Electron's:
    // what a real Electron build carries (one cannot be compiled offline here).
    const buf = readFileSync(nodeBuild);
    const from = Buffer.from(`node_register_module_v${process.versions.modules}`);
    for (let at = buf.indexOf(from); at >= 0; at = buf.indexOf(from, at + 1)) Buffer.from('node_register_module_v150').copy(buf, at);
    writeFileSync(join(dir, 'resources', 'native', 'better_sqlite3.node'), buf);
    await expect(hook.default(contextFor(dir))).resolves.toBeUndefined();
  });
});

describe('icons', () => {
  it('are the PNGs make-icons.js draws, at every size', () => {
    for (const size of [16, 256]) {
      // Compared as pixels, not bytes: another zlib may compress the same pixels differently.
      const committed = pngInfo(readFileSync(join(root, 'build', 'icons', `${size}x${size}.png`))).pixels;
      const drawn = pngInfo(encodePng(size, size, drawIcon(size))).pixels;
      expect(committed.equals(drawn), `${size}x${size}.png is stale: run node scripts/make-icons.js`).toBe(true);
    }
    for (const size of SIZES) {
      const info = pngInfo(readFileSync(join(root, 'build', 'icons', `${size}x${size}.png`)));
      expect([info.width, info.height, info.colourType]).toEqual([size, size, 6]);
      expect(info.pixels.length).toBe((size * 4 + 1) * size);
    }
  });

  it('draw an opaque centre and transparent corners', () => {
    const px = drawIcon(64);
    const alpha = (x: number, y: number) => px[(y * 64 + x) * 4 + 3];
    expect(alpha(0, 0)).toBe(0);
    expect(alpha(32, 32)).toBe(255);
  });

  it('the generator runs as a script', () => {
    const out = mkdtempSync(join(tmpdir(), 'vetting-icons-'));
    try {
      execFileSync(process.execPath, [join(root, 'scripts', 'make-icons.js'), out]);
      expect(readFileSync(join(out, '48x48.png')).equals(readFileSync(join(root, 'build', 'icons', '48x48.png')))).toBe(true);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
