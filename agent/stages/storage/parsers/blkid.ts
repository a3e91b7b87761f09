import { ParseError } from '../../../parsers/parse-error.ts';
import type { Signature } from './wipefs.ts';

// blkid -p -o export <dev> (util-linux 2.38): low-level probe, KEY=value lines with
// spaces and specials backslash-escaped ("VERSION=LVM2\ 001"). Exit status: 0 = found,
// 2 = nothing found (blank device, empty output), 8 = ambivalent result (several
// signatures that contradict each other: something is there), 4 = usage or other error.

const TOOL = 'blkid';

/** Returns the probed keys, or null when blkid found nothing (exit status 2). On an
 *  ambivalent result (exit 8) the record carries AMBIVALENT=1 so it still counts as a hit. */
export function parseBlkidExport(text: string, exitCode: number): Record<string, string> | null {
  if (typeof text !== 'string') throw new ParseError(TOOL, 'input is not text');
  if (exitCode === 2) return null;
  if (exitCode !== 0 && exitCode !== 8) {
    const first = text.trim().split(/\r?\n/)[0] ?? '';
    throw new ParseError(TOOL, `exit status ${exitCode}${first ? `: ${first.slice(0, 200)}` : ''}`);
  }
  const out: Record<string, string> = {};
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    if (raw.trim() === '') continue;
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(raw);
    if (!m?.[1]) throw new ParseError(TOOL, `line ${i + 1} is not KEY=value: "${raw.slice(0, 120)}"`);
    out[m[1]] = m[2]!.replace(/\\(.)/g, '$1');
  }
  if (exitCode === 8) out.AMBIVALENT = '1';
  if (Object.keys(out).length === 0) throw new ParseError(TOOL, 'exit status 0 but no KEY=value output');
  return out;
}

/** Turns a blkid record into signatures so describeSignatures() can name them. */
export function blkidToSignatures(rec: Record<string, string> | null): Signature[] {
  if (!rec) return [];
  const device = rec.DEVNAME ?? null;
  const out: Signature[] = [];
  if (rec.PTTYPE) {
    out.push({ device, offset: null, offsetHex: null, type: rec.PTTYPE, uuid: rec.PTUUID ?? null, label: null, usage: 'partition table' });
  }
  if (rec.TYPE) {
    out.push({ device, offset: null, offsetHex: null, type: rec.TYPE, uuid: rec.UUID ?? null, label: rec.LABEL ?? null, usage: rec.USAGE ?? null });
  }
  if (rec.AMBIVALENT) out.push({ device, offset: null, offsetHex: null, type: 'AMBIVALENT', uuid: null, label: null });
  return out;
}
