// Decisions behind `npm start` (scripts/start.js), kept free of side effects so
// they can be tested: is a build needed, is there an Electron binary, is there a
// display, and therefore: open the window, or serve the same UI headless.

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Files electron-vite build produces; all must exist and be newer than every source. */
export const BUILD_OUTPUTS = ['out/main/index.js', 'out/preload/index.cjs', 'out/renderer/index.html'];
/** What the bundles are built from. */
export const BUILD_SOURCES = ['electron/main', 'electron/preload', 'electron/node', 'common', 'renderer', 'electron.vite.config.ts', 'package.json'];

const SKIP_DIRS = new Set(['node_modules', '.git', 'out', 'dist']);
const IS_TEST = /\.(test|spec)\.[cm]?[jt]sx?$/;

/**
 * @param {(number | null)[]} outputMtimes mtime (ms) of each build output, null when missing
 * @param {number} newestSourceMtime
 * @returns {{ build: boolean, reason: string }}
 */
export function decideBuild(outputMtimes, newestSourceMtime) {
  if (outputMtimes.length === 0 || outputMtimes.some((m) => m === null)) return { build: true, reason: 'no build yet' };
  const oldest = Math.min(.../** @type {number[]} */ (outputMtimes));
  if (newestSourceMtime > oldest) return { build: true, reason: 'sources changed since the last build' };
  return { build: false, reason: 'build is up to date' };
}

/** Newest mtime (ms) under the given paths, ignoring tests and build outputs; 0 when none exist. */
export function newestMtime(paths) {
  let newest = 0;
  const visit = (p) => {
    let st;
    try {
      st = statSync(p);
    } catch {
      return;
    }
    if (st.isDirectory()) {
      for (const name of readdirSync(p)) if (!SKIP_DIRS.has(name)) visit(join(p, name));
    } else if (!IS_TEST.test(p)) newest = Math.max(newest, st.mtimeMs);
  };
  for (const p of paths) visit(p);
  return newest;
}

/** mtime (ms) of a file, or null when it does not exist. */
export function mtimeOrNull(p) {
  try {
    return statSync(p).mtimeMs;
  } catch {
    return null;
  }
}

/**
 * Where the Electron binary is, without triggering electron's on-demand download
 * (electron 45's `require('electron')` downloads when the binary is missing).
 * @param {{ electronDir: string | null, env: Record<string, string | undefined>, platform: string,
 *           exists?: (p: string) => boolean, read?: (p: string) => string }} ctx
 * @returns {{ path: string } | { path: null, reason: string }}
 */
export function findElectronBinary(ctx) {
  const exists = ctx.exists ?? existsSync;
  const read = ctx.read ?? ((p) => readFileSync(p, 'utf8'));
  if (!ctx.electronDir) return { path: null, reason: 'the electron package is not installed' };
  let rel = null;
  try {
    rel = read(join(ctx.electronDir, 'path.txt')).trim() || null;
  } catch {
    rel = null;
  }
  if (ctx.env.ELECTRON_OVERRIDE_DIST_PATH) {
    const p = join(ctx.env.ELECTRON_OVERRIDE_DIST_PATH, rel ?? (ctx.platform === 'win32' ? 'electron.exe' : 'electron'));
    return exists(p) ? { path: p } : { path: null, reason: `ELECTRON_OVERRIDE_DIST_PATH has no binary (${p})` };
  }
  if (!rel) return { path: null, reason: 'the Electron binary has not been downloaded' };
  const p = join(ctx.electronDir, 'dist', rel);
  return exists(p) ? { path: p } : { path: null, reason: `the Electron binary is missing (${p})` };
}

/** Whether a desktop session is there to show a window in. */
export function hasDisplay(env, platform) {
  if (platform === 'darwin' || platform === 'win32') return true;
  return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
}

/**
 * @param {{ forceHeadless: boolean, display: boolean, binary: { path: string } | { path: null, reason: string } }} s
 * @returns {{ mode: 'electron', binary: string } | { mode: 'headless', why: string }}
 */
export function decideLaunch(s) {
  if (s.forceHeadless) return { mode: 'headless', why: 'Headless mode requested' };
  if (!s.display) return { mode: 'headless', why: 'No display (DISPLAY and WAYLAND_DISPLAY are unset)' };
  if (!s.binary.path) return { mode: 'headless', why: `No Electron binary (${s.binary.reason})` };
  return { mode: 'electron', binary: s.binary.path };
}

/** The one line `npm start` prints before serving headless. */
export function headlessLine(why) {
  return `${why}: serving the UI headless instead (vetting serve); open the URL it prints in a browser.`;
}
