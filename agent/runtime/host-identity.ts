import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

// What the agent tells the orchestrator about the machine in hello, so an
// unknown host can be recognised: the MAC it PXE-booted from and the DMI
// serial. Both are best effort; null when the machine does not say.

async function read(path: string): Promise<string | null> {
  return readFile(path, 'utf8').then((t) => t.trim() || null, () => null);
}

/** Kernel command line key=value pairs (later keys win). */
export function parseCmdline(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const tok of text.trim().split(/\s+/)) {
    const eq = tok.indexOf('=');
    if (eq > 0) out[tok.slice(0, eq)] = tok.slice(eq + 1).replace(/^"(.*)"$/, '$1');
  }
  return out;
}

const MAC = /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/;

/** BOOTIF=01-aa-bb-cc-dd-ee-ff (pxelinux / iPXE style) or vetting.mac=aa:bb:…. */
export function bootMacFromCmdline(args: Record<string, string>): string | null {
  const direct = args['vetting.mac']?.toLowerCase().replace(/-/g, ':');
  if (direct && MAC.test(direct)) return direct;
  const bootif = args.BOOTIF?.toLowerCase();
  if (bootif) {
    const mac = bootif.replace(/^01-/, '').replace(/-/g, ':');
    if (MAC.test(mac)) return mac;
  }
  return null;
}

export async function bootMac(procRoot: string, sysRoot: string): Promise<string | null> {
  const fromCmdline = bootMacFromCmdline(parseCmdline((await read(join(procRoot, 'cmdline'))) ?? ''));
  if (fromCmdline) return fromCmdline;
  // Else the first physical NIC with a link.
  const base = join(sysRoot, 'class', 'net');
  for (const name of (await readdir(base).catch(() => [] as string[])).sort()) {
    if (name === 'lo') continue;
    const hasDevice = await readdir(join(base, name, 'device')).then(() => true, () => false);
    const mac = await read(join(base, name, 'address'));
    if (hasDevice && mac && MAC.test(mac) && mac !== '00:00:00:00:00:00') return mac;
  }
  return null;
}

export async function dmiSerial(sysRoot: string): Promise<string | null> {
  const s = await read(join(sysRoot, 'class', 'dmi', 'id', 'product_serial'));
  return s ? s.slice(0, 256) : null;
}
