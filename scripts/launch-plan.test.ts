import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { decideBuild, decideLaunch, findElectronBinary, hasDisplay, headlessLine, newestMtime } from './launch-plan.js';

describe('decideBuild', () => {
  it('builds when an output is missing or older than a source', () => {
    expect(decideBuild([null, 10, 10], 5)).toEqual({ build: true, reason: 'no build yet' });
    expect(decideBuild([], 5).build).toBe(true);
    expect(decideBuild([10, 20, 30], 15)).toEqual({ build: true, reason: 'sources changed since the last build' });
    expect(decideBuild([10, 20, 30], 10)).toEqual({ build: false, reason: 'build is up to date' });
  });
});

describe('newestMtime', () => {
  let dir = '';
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('finds the newest source, ignoring tests, node_modules and missing paths', () => {
    dir = mkdtempSync(join(tmpdir(), 'vetting-launch-'));
    mkdirSync(join(dir, 'src', 'node_modules'), { recursive: true });
    const at = (name: string, s: number) => {
      writeFileSync(join(dir, name), 'x');
      utimesSync(join(dir, name), s, s);
    };
    at('src/a.ts', 1000);
    at('src/b.ts', 2000);
    at('src/b.test.ts', 9000);
    at('src/node_modules/dep.js', 9000);
    expect(newestMtime([join(dir, 'src'), join(dir, 'absent')])).toBe(2000 * 1000);
    expect(newestMtime([join(dir, 'absent')])).toBe(0);
  });
});

describe('findElectronBinary', () => {
  const files = (present: Record<string, string>) => ({
    exists: (p: string) => p in present,
    read: (p: string) => {
      if (!(p in present)) throw new Error('ENOENT');
      return present[p] as string;
    },
  });

  it('finds the downloaded binary through path.txt', () => {
    const fs = files({ '/e/path.txt': 'electron', '/e/dist/electron': '' });
    expect(findElectronBinary({ electronDir: '/e', env: {}, platform: 'linux', ...fs })).toEqual({ path: '/e/dist/electron' });
  });

  it('explains a missing download, a missing file and a missing package', () => {
    expect(findElectronBinary({ electronDir: '/e', env: {}, platform: 'linux', ...files({}) })).toEqual({
      path: null,
      reason: 'the Electron binary has not been downloaded',
    });
    expect(findElectronBinary({ electronDir: '/e', env: {}, platform: 'linux', ...files({ '/e/path.txt': 'electron' }) })).toEqual({
      path: null,
      reason: 'the Electron binary is missing (/e/dist/electron)',
    });
    expect(findElectronBinary({ electronDir: null, env: {}, platform: 'linux' })).toEqual({ path: null, reason: 'the electron package is not installed' });
  });

  it('honours ELECTRON_OVERRIDE_DIST_PATH', () => {
    const fs = files({ '/opt/electron/electron': '' });
    expect(findElectronBinary({ electronDir: '/e', env: { ELECTRON_OVERRIDE_DIST_PATH: '/opt/electron' }, platform: 'linux', ...fs })).toEqual({ path: '/opt/electron/electron' });
  });

  it('matches this machine: electron 45 installed without its binary', async () => {
    const { createRequire } = await import('node:module');
    const { dirname } = await import('node:path');
    const electronDir = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
    const r = findElectronBinary({ electronDir, env: {}, platform: process.platform });
    // Where a binary has been downloaded this finds it; either way it never throws or downloads.
    expect(r.path === null ? r.reason : r.path).toMatch(/Electron binary|dist/);
  });
});

describe('decideLaunch', () => {
  const binary = { path: '/e/dist/electron' };
  it('opens the window when a display and a binary exist', () => {
    expect(decideLaunch({ forceHeadless: false, display: true, binary })).toEqual({ mode: 'electron', binary: '/e/dist/electron' });
  });

  it('serves headless, saying why, otherwise', () => {
    expect(decideLaunch({ forceHeadless: false, display: false, binary })).toEqual({ mode: 'headless', why: 'No display (DISPLAY and WAYLAND_DISPLAY are unset)' });
    expect(decideLaunch({ forceHeadless: false, display: true, binary: { path: null, reason: 'the Electron binary has not been downloaded' } })).toEqual({
      mode: 'headless',
      why: 'No Electron binary (the Electron binary has not been downloaded)',
    });
    expect(decideLaunch({ forceHeadless: true, display: true, binary }).mode).toBe('headless');
    expect(headlessLine('No display')).not.toContain('\n');
  });

  it('sees a display through X11 or Wayland on Linux', () => {
    expect(hasDisplay({ DISPLAY: ':0' }, 'linux')).toBe(true);
    expect(hasDisplay({ WAYLAND_DISPLAY: 'wayland-0' }, 'linux')).toBe(true);
    expect(hasDisplay({ DISPLAY: '' }, 'linux')).toBe(false);
    expect(hasDisplay({}, 'darwin')).toBe(true);
  });
});
