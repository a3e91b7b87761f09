import { parseSmartctlJson } from '../../parsers/index.ts';
import { arr, at, parseJsonObject, str } from '../../parsers/util.ts';
import { errorText } from '../../runtime/logger.ts';
import { throwIfCancelled } from '../../runtime/tool-runner.ts';
import type { StageContext } from '../types.ts';
import { listBlockDevices } from './device-facts.ts';
import { isLoopId, type BlockDeviceInfo } from './device-resolution.ts';

/** Every whole disk the kernel shows, with serial / WWN filled in where tools can tell. */
export async function discoverDisks(ctx: StageContext, expected: readonly string[]): Promise<BlockDeviceInfo[]> {
  const devices = await listBlockDevices(ctx.paths.sysRoot);
  if (expected.some((id) => !isLoopId(id))) await enrichIdentities(ctx, devices);
  return devices;
}

/**
 * sysfs often lacks SATA/SAS serials; lsblk (with udev) and smartctl -i fill
 * them in. Neither is required: a disk whose identity cannot be read simply
 * cannot match an expected id.
 */
export async function enrichIdentities(ctx: StageContext, devices: BlockDeviceInfo[]): Promise<void> {
  try {
    const res = await ctx.runTool('lsblk', ['-J', '-b', '-d', '-o', 'NAME,SERIAL,WWN,TRAN,ROTA,MODEL'], { timeoutMs: 30_000, signal: ctx.signal });
    if (res.exitCode === 0) {
      // Only the columns asked for above are read, so a small reader suffices.
      for (const d of arr(parseJsonObject('lsblk', res.stdout).blockdevices)) {
        const dev = devices.find((x) => x.name === str(at(d, 'name')));
        if (!dev) continue;
        dev.serial ??= str(at(d, 'serial'));
        dev.wwn ??= str(at(d, 'wwn'));
        dev.transport ??= str(at(d, 'tran'));
        dev.model ??= str(at(d, 'model'));
      }
    }
  } catch (err) {
    throwIfCancelled(err);
    ctx.log.warn('lsblk could not add disk identities', { err: errorText(err) });
  }
  // One smartctl -i per disk, all at once: each fills in only its own device.
  const unidentified = devices.filter((dev) => !(dev.serial && dev.wwn) && !/^(loop|dm-|md|sr|zd|nbd)/.test(dev.name));
  await Promise.all(
    unidentified.map(async (dev) => {
      try {
        const res = await ctx.runTool('smartctl', ['-j', '-i', dev.path], { timeoutMs: 30_000, signal: ctx.signal });
        const rep = parseSmartctlJson(res.stdout, res.exitCode);
        dev.serial ??= rep.serial;
        dev.wwn ??= rep.wwn;
        if (!dev.transport && rep.protocol === 'NVMe') dev.transport = 'nvme';
      } catch (err) {
        throwIfCancelled(err);
        ctx.log.debug('smartctl -i gave no identity', { device: dev.path, err: errorText(err) });
      }
    }),
  );
}

