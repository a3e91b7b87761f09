import { createHash } from 'node:crypto';
import { constants, accessSync, copyFileSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

// Where the boot chain's files come from: the iPXE binaries that dnsmasq serves
// over TFTP (Debian's ipxe package), the live image (built by
// image/build-image.sh) and the dnsmasq binary itself.

/** Default live image directory; image/build-image.sh writes here too. */
export const DEFAULT_IMAGE_DIR = '/var/cache/vetting-image';

/** Debian's ipxe package installs its TFTP-bootable binaries here. */
export const DEFAULT_IPXE_DIR = '/usr/lib/ipxe';

/** TFTP file names, as the DHCP replies name them. */
export const IPXE_FILES = {
  /** BIOS PXE ROMs chain-load this (keeps the ROM's UNDI driver). */
  bios: 'undionly.kpxe',
  /** UEFI: uses the firmware's SNP driver, so it works on any NIC the firmware knows. */
  efi: 'snponly.efi',
  /** UEFI fallback with iPXE's own drivers, for firmware whose SNP is broken. */
  efiFull: 'ipxe.efi',
} as const;

/**
 * The live image directory: an explicit setting wins, then $VETTING_IMAGE_DIR,
 * then the default cache path.
 */
export function resolveImageDir(setting?: string | null, env: NodeJS.ProcessEnv = process.env): string {
  if (setting && setting.trim() !== '') return setting;
  const fromEnv = env.VETTING_IMAGE_DIR;
  if (fromEnv && fromEnv.trim() !== '') return fromEnv;
  return DEFAULT_IMAGE_DIR;
}

export interface ImageFiles {
  kernel: string;
  initrd: string;
}

/** The image's files, or a message saying what is missing and how to build it. */
export function locateImage(imageDir: string): { ok: true; files: ImageFiles } | { ok: false; problem: string } {
  const files = { kernel: join(imageDir, 'vmlinuz'), initrd: join(imageDir, 'initrd.img') };
  const missing = Object.values(files).filter((f) => !isReadableFile(f));
  if (missing.length === 0) return { ok: true, files };
  return {
    ok: false,
    problem: `live image not built: ${missing.join(', ')} missing. Build it with: sudo image/build-image.sh ${imageDir} (see docs/image.md)`,
  };
}

/**
 * Copies the iPXE binaries into the TFTP root. Copies rather than links: Debian's
 * ipxe.efi is a symlink into /boot, and dnsmasq's TFTP server may not follow
 * links out of its root. Returns the names that were found; BIOS and UEFI need
 * undionly.kpxe and snponly.efi, ipxe.efi is optional.
 */
export function installIpxeBinaries(tftpRoot: string, ipxeDir = DEFAULT_IPXE_DIR): { installed: string[]; problem: string | null } {
  mkdirSync(tftpRoot, { recursive: true });
  const installed: string[] = [];
  for (const name of Object.values(IPXE_FILES)) {
    const src = join(ipxeDir, name);
    if (!isReadableFile(src)) continue;
    const dst = join(tftpRoot, name);
    if (!sameContent(src, dst)) copyFileSync(src, dst);
    installed.push(name);
  }
  const required = [IPXE_FILES.bios, IPXE_FILES.efi].filter((n) => !installed.includes(n));
  const problem = required.length
    ? `iPXE boot files missing in ${ipxeDir}: ${required.join(', ')}. Install them with: sudo apt-get install ipxe`
    : null;
  return { installed, problem };
}

/** Finds an executable on PATH plus the sbin directories non-root PATHs often lack. */
export function findExecutable(name: string, env: NodeJS.ProcessEnv = process.env): string | null {
  if (name.includes('/')) return isExecutable(name) ? name : null;
  const dirs = [...(env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin', '/usr/bin', '/bin'].filter(Boolean);
  for (const dir of dirs) {
    const candidate = join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return null;
}

export function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

function isReadableFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function sameContent(a: string, b: string): boolean {
  if (!existsSync(b)) return false;
  try {
    const sa = statSync(a);
    const sb = statSync(b);
    return sa.size === sb.size && readFileSync(a).equals(readFileSync(b));
  } catch {
    return false;
  }
}
