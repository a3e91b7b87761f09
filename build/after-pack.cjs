// electron-builder afterPack hook: refuse to ship an app whose better-sqlite3 was
// built for another ABI than the Electron being packaged (scripts/check-native-abi.js).
// CommonJS because electron-builder loads hooks with require().
const { spawnSync } = require('node:child_process');
const { join } = require('node:path');

const ARCH_NAMES = { 0: 'ia32', 1: 'x64', 2: 'armv7l', 3: 'arm64', 4: 'universal' };

exports.default = async function afterPack(context) {
  const resources = context.electronPlatformName === 'darwin'
    ? join(context.appOutDir, `${context.packager.appInfo.productFilename}.app`, 'Contents', 'Resources')
    : join(context.appOutDir, 'resources');
  const addon = join(resources, 'native', 'better_sqlite3.node');
  const args = [join(__dirname, '..', 'scripts', 'check-native-abi.js'), addon, '--runtime', 'electron'];
  const electronVersion = context.packager.config.electronVersion || context.packager.info?.framework?.version;
  if (electronVersion) args.push('--target', String(electronVersion));
  const arch = ARCH_NAMES[context.arch];
  if (arch && arch !== 'universal') args.push('--arch', arch);
  const r = spawnSync(process.execPath, args, { stdio: 'inherit' });
  if (r.status !== 0) {
    throw new Error(`native module check failed for ${addon}: run scripts/rebuild-native-electron.js on a machine with internet, then package again`);
  }
};
