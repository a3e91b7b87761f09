import { z } from 'zod';

/** A MAC address, normalised to lower-case colon form. */
export const MacAddress = z
  .string()
  .trim()
  .transform((s) => s.toLowerCase().replace(/-/g, ':'))
  .pipe(z.string().regex(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/, 'expected a MAC address like 52:54:00:12:34:56'));

/** Host names double as CLI arguments and file names: keep them tame. */
export const HostName = z
  .string()
  .trim()
  .min(1, 'host name is empty')
  .max(63, 'host name is longer than 63 characters')
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'host name may hold letters, digits, ".", "_" and "-" and must start with a letter or digit');

/**
 * How a host's expected disk is identified: a serial number or WWN (never a
 * /dev/sdX name, which changes between boots), or, for self-tests and test
 * benches, `loop:/path/to/backing-file`.
 */
export const DiskId = z
  .string()
  .trim()
  .min(1, 'disk id is empty')
  .max(256)
  .refine((s) => !s.startsWith('/dev/'), 'a disk is identified by serial or WWN, never by a /dev name (those change between boots)')
  .refine((s) => !s.startsWith('loop:') || s.length > 6, 'loop: needs the backing file path, e.g. loop:/var/tmp/disk0.img');

export function diskIdKind(id: string): 'wwn' | 'loop' | 'serial' {
  if (id.startsWith('loop:')) return 'loop';
  if (/^(0x|eui\.|naa\.|nvme\.|wwn-)/i.test(id)) return 'wwn';
  return 'serial';
}

export const IsoTime = z.string().datetime({ offset: true });
export const RunId = z.number().int().positive();
export const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);
