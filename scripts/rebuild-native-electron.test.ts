import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { rebuildCommands, rebuildEnv } from './rebuild-native-electron.js';

const script = join(dirname(fileURLToPath(import.meta.url)), 'rebuild-native-electron.js');

describe('rebuild-native-electron', () => {
  it('drops any inherited nodedir and targets Electron', () => {
    const env = rebuildEnv({ PATH: '/usr/bin', npm_config_nodedir: '/usr', NPM_CONFIG_NODEDIR: '/usr', npm_config_target: '20.0.0' }, { electronVersion: '45.5.0', arch: 'x64' });
    expect(env.PATH).toBe('/usr/bin');
    expect(Object.keys(env).filter((k) => /nodedir/i.test(k))).toEqual([]);
    expect(env).toMatchObject({ npm_config_runtime: 'electron', npm_config_target: '45.5.0', npm_config_arch: 'x64', npm_config_disturl: 'https://electronjs.org/headers' });
  });

  it('tries a prebuilt binary first, then compiles against Electron’s headers', () => {
    const cmds = rebuildCommands({ electronVersion: '45.5.0', arch: 'x64', fromSource: false, prebuildInstall: 'pi', nodeGyp: 'gyp' });
    expect(cmds.map((c) => c.what)).toEqual(['prebuilt binary', 'compile from source']);
    expect(cmds[0]?.args).toEqual(expect.arrayContaining(['--runtime', 'electron', '--target', '45.5.0']));
    expect(cmds[1]?.args).toEqual(expect.arrayContaining(['--runtime=electron', '--target=45.5.0', '--dist-url=https://electronjs.org/headers']));
    expect(cmds[1]?.args.some((a) => a.includes('nodedir'))).toBe(false);
    expect(rebuildCommands({ electronVersion: '45.5.0', arch: 'x64', fromSource: true, prebuildInstall: 'pi', nodeGyp: 'gyp' })).toHaveLength(1);
  });

  it('prints its plan in dry-run mode, with the installed Electron version', () => {
    const out = execFileSync(process.execPath, [script, '--dry-run'], { encoding: 'utf8' });
    expect(out).toContain('prebuilt binary: node ');
    expect(out).toContain('--target 45.5.0');
    expect(out).toContain('build/native/electron/better_sqlite3.node');
  });
});
