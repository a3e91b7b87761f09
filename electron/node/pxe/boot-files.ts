import { createHash } from 'node:crypto';
import { constants, accessSync, copyFileSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { ImageFlavour } from './boot-args.ts';

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

export interface LocatedImage {
  /** The flavour's own directory: the image directory itself for base, <dir>/gpu for gpu. */
  dir: string;
  flavour: ImageFlavour;
  kernel: string;
  initrd: string;
  /** manifest.json (image/lib/image-manifest.js); null when the image was built without one. */
  manifest: string | null;
}

/** A flavour's files, or a message saying what is missing and how to build it. */
export function locateImage(imageDir: string, flavour: ImageFlavour = 'base'): { ok: true; image: LocatedImage } | { ok: false; problem: string } {
  const dir = flavour === 'base' ? imageDir : join(imageDir, flavour);
  const image: LocatedImage = { dir, flavour, kernel: join(dir, 'vmlinuz'), initrd: join(dir, 'initrd.img'), manifest: isReadableFile(join(dir, 'manifest.json')) ? join(dir, 'manifest.json') : null };
  const missing = [image.kernel, image.initrd].filter((f) => !isReadableFile(f));
  if (missing.length === 0) return { ok: true, image };
  const how = flavour === 'base' ? `sudo image/build-image.sh ${imageDir}` : `sudo VETTING_IMAGE_FLAVOURS=base,${flavour} image/build-image.sh ${imageDir}`;
  return { ok: false, problem: `live image${flavour === 'base' ? '' : ` (${flavour} flavour)`} not built: ${missing.join(', ')} missing. Build it with: ${how} (see docs/image.md)` };
}

const idCache = new Map<string, { mtimeMs: number; id: string | null }>();

/** The image's id from its manifest.json (read again only when the file changes); null without one. */
export function readImageId(dir: string): string | null {
  const path = join(dir, 'manifest.json');
  let mtimeMs: number;
  try {
    mtimeMs = statSync(path).mtimeMs;
  } catch {
    return null;
  }
  const cached = idCache.get(path);
  if (cached && cached.mtimeMs === mtimeMs) return cached.id;
  let id: string | null = null;
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as { id?: unknown };
    id = typeof parsed.id === 'string' && /^[0-9a-f]{8,64}$/.test(parsed.id) ? parsed.id : null;
  } catch {
    id = null;
  }
  idCache.set(path, { mtimeMs, id });
  return id;
}

/** TFTP file names of the signed chain, as the DHCP replies and shim name them. */
export const SIGNED_BOOT_FILES = { shim: 'shimx64.efi', grub: 'grubx64.efi' } as const;

/**
 * Copies the signed UEFI chain (image/build-image.sh puts Debian's shim and
 * GRUB in <image>/efi/) into the TFTP root; shim loads grubx64.efi from the
 * same directory. Returns a problem when the image has none.
 */
export function installSignedBootFiles(tftpRoot: string, imageDir: string): { installed: string[]; problem: string | null } {
  mkdirSync(tftpRoot, { recursive: true });
  const installed: string[] = [];
  for (const name of Object.values(SIGNED_BOOT_FILES)) {
    const src = join(imageDir, 'efi', name);
    if (!isReadableFile(src)) continue;
    const dst = join(tftpRoot, name);
    if (!sameContent(src, dst)) copyFileSync(src, dst);
    installed.push(name);
  }
  const missing = Object.values(SIGNED_BOOT_FILES).filter((n) => !installed.includes(n));
  return {
    installed,
    problem: missing.length ? `the signed UEFI boot files are missing in ${join(imageDir, 'efi')} (${missing.join(', ')}): rebuild the live image with sudo image/build-image.sh ${imageDir}, or set bench.uefiBoot to ipxe` : null,
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
