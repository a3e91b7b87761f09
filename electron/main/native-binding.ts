import { existsSync } from 'node:fs';
import { join } from 'node:path';

// better-sqlite3 is a native module compiled for one ABI. node_modules holds the
// build for plain Node (tests, headless `vetting serve`); the Electron window needs
// a second build for Electron's ABI, made at packaging time by
// scripts/rebuild-native-electron.js and loaded through better-sqlite3's
// `nativeBinding` option. This module only decides which file to use.

export const NATIVE_FILE = 'better_sqlite3.node';

export interface NativeBindingContext {
  /** app.isPackaged */
  packaged: boolean;
  /** process.resourcesPath (packaged app: resources/ next to app.asar) */
  resourcesPath: string;
  /** app.getAppPath() (development: the repository root) */
  appPath: string;
  /** VETTING_SQLITE_BINDING, for a build kept somewhere else */
  override?: string | undefined;
  exists?: (path: string) => boolean;
}

export type NativeBindingChoice = { path: string } | { path: null; searched: string[] };

export function electronBindingCandidates(ctx: NativeBindingContext): string[] {
  if (ctx.override) return [ctx.override];
  return ctx.packaged
    ? [join(ctx.resourcesPath, 'native', NATIVE_FILE)]
    : [join(ctx.appPath, 'build', 'native', 'electron', NATIVE_FILE)];
}

export function chooseNativeBinding(ctx: NativeBindingContext): NativeBindingChoice {
  const exists = ctx.exists ?? existsSync;
  const searched = electronBindingCandidates(ctx);
  const found = searched.find((p) => exists(p));
  return found ? { path: found } : { path: null, searched };
}

/** What the person sees when the Electron build of better-sqlite3 is missing. */
export function missingBindingMessage(searched: readonly string[]): string {
  return [
    'The database module for the desktop app is missing.',
    `Looked for: ${searched.join(', ')}`,
    'On a machine with internet access run `node scripts/rebuild-native-electron.js` and start again,',
    'or run the headless server instead: `node bin/vetting.js serve`.',
  ].join('\n');
}
