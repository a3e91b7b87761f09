import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { NOT_IN_DEBIAN, parseContents, parseExclusions, parseRequested, planFirmware } from './firmware-plan.js';

// Real inputs: what the image's NIC/HBA modules request (modinfo -F firmware) and
// bookworm's Contents index (fixtures/tool-outputs/image-build/README.md).
const dir = new URL('../../fixtures/tool-outputs/image-build/', import.meta.url);
const requested = parseRequested(readFileSync(new URL('firmware-requested.tsv', dir), 'utf8'));
const contents = gunzipSync(readFileSync(new URL('Contents-all-non-free-firmware.gz', dir))).toString('utf8');
// As the build adds main's firmware-linux-free: "path main/firmware-linux-free" lines from dpkg-deb -c.
const free = readFileSync(new URL('firmware-linux-free-contents.txt', dir), 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => `${l.split(/\s+/)[5]!.slice(2)} main/firmware-linux-free`)
  .join('\n');
const shippedBy = parseContents(`${contents}\n${free}`);

describe('firmware plan', () => {
  it('reads the Contents index: firmware paths to their packages, nothing else', () => {
    expect(shippedBy.get('bnx2x/bnx2x-e2-7.13.21.0.fw')).toEqual(['firmware-bnx2x']);
    expect(shippedBy.get('intel/ice/ddp/ice.pkg')).toEqual(['firmware-misc-nonfree']);
    expect(shippedBy.get('isci/isci_firmware.bin')).toEqual(['firmware-linux-free']);
    expect([...shippedBy.keys()].some((k) => k.startsWith('usr/share'))).toBe(false);
  });

  it('covers every requested file: shipped ones by a package, the rest listed with the reason', () => {
    const plan = planFirmware(requested, shippedBy, []);
    const covered = new Set([...plan.files.map((f) => f.file), ...plan.missing.map((m) => m.file)]);
    expect([...requested.keys()].filter((f) => !covered.has(f))).toEqual([]);
    expect(plan.files.find((f) => f.file === 'rtl_nic/rtl8168g-2.fw')).toEqual({ file: 'rtl_nic/rtl8168g-2.fw', package: 'firmware-realtek', modules: ['r8169'] });
    expect(plan.packages).toEqual(expect.arrayContaining(['firmware-bnx2x', 'firmware-qlogic', 'firmware-realtek', 'firmware-misc-nonfree', 'firmware-linux-free']));
    // Old cards whose firmware Debian does not carry (e.g. Alteon AceNIC): listed, with why.
    expect(plan.missing.find((m) => m.file === 'acenic/tg1.bin')).toEqual({ file: 'acenic/tg1.bin', modules: ['acenic'], reason: NOT_IN_DEBIAN });
    expect(plan.missing.every((m) => m.reason.length > 0)).toBe(true);
  });

  it('leaves out what image/firmware-exclude.txt names, with its reason', () => {
    const excl = parseExclusions('# comment\nnetronome/*  SmartNIC images, over budget\n');
    const plan = planFirmware(requested, shippedBy, excl);
    const nfp = plan.missing.filter((m) => m.file.startsWith('netronome/'));
    expect(nfp.length).toBeGreaterThan(0);
    expect(nfp.every((m) => m.reason === 'excluded: SmartNIC images, over budget' && m.modules.includes('nfp'))).toBe(true);
    expect(plan.packages).not.toContain('firmware-netronome');
    // The shipped exclusion list must parse (every entry with a reason).
    expect(() => parseExclusions(readFileSync(new URL('../firmware-exclude.txt', import.meta.url), 'utf8'))).not.toThrow();
    expect(() => parseExclusions('netronome/*\n')).toThrow(/without a reason/);
  });

  it('rejects a requested-list line without module and file', () => {
    expect(() => parseRequested('e100 e100/d101m_ucode.bin\n')).toThrow(/module<TAB>file/);
  });
});
