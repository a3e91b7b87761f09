import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { baseManifest, finalManifest } from './image-manifest.js';

let dir: string | null = null;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = null;
});

function work(files: Record<string, string>): string {
  dir = mkdtempSync(join(tmpdir(), 'vetting-manifest-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const plan = {
  packages: ['firmware-bnx2x'],
  files: [
    { file: 'bnx2x/bnx2x-e2-7.13.21.0.fw', package: 'firmware-bnx2x', modules: ['bnx2x'] },
    { file: 'bnx2x/bnx2x-e1-7.13.21.0.fw', package: 'firmware-bnx2x', modules: ['bnx2x'] },
  ],
  missing: [{ file: 'acenic/tg1.bin', modules: ['acenic'], reason: 'no package in Debian bookworm (main, non-free-firmware) ships it' }],
};

describe('image manifest', () => {
  it('lists every package with its version, the kernel, the firmware and the boot files', () => {
    const w = work({
      'packages.tsv': 'busybox\t1:1.35.0-4+b3\nnodejs\t18.20.4+dfsg-1~deb12u2\n',
      'kernel.tsv': '6.1.0-50-amd64\tlinux-image-6.1.0-50-amd64\t6.1.176-1\n',
      'firmware-plan.json': JSON.stringify(plan),
      'firmware-packages.tsv': 'firmware-bnx2x\t20230210-5\n',
      // e1 is listed by the Contents index but was not in the package: it must say so.
      'firmware-files.tsv': 'bnx2x/bnx2x-e2-7.13.21.0.fw\t330000\n',
      'boot-files.tsv': 'shimx64.efi\tshim-signed\t1.51~1+deb12u1+16.1-2~deb12u1\tabc\n',
      flavour: 'base\n',
      'unpacked-bytes': '281000000\n',
    });
    const m = baseManifest(w);
    expect(m.packages).toEqual({ busybox: '1:1.35.0-4+b3', nodejs: '18.20.4+dfsg-1~deb12u2' });
    expect(m.kernel).toEqual({ version: '6.1.0-50-amd64', package: 'linux-image-6.1.0-50-amd64', packageVersion: '6.1.176-1' });
    expect(m.flavour).toBe('base');
    expect(m.unpackedBytes).toBe(281000000);
    const fw = m.firmware as { packages: Record<string, string>; bytes: number; files: { file: string; bytes: number }[]; missing: { file: string; reason: string }[] };
    expect(fw.packages).toEqual({ 'firmware-bnx2x': '20230210-5' });
    expect(fw.files).toEqual([{ file: 'bnx2x/bnx2x-e2-7.13.21.0.fw', package: 'firmware-bnx2x', modules: ['bnx2x'], bytes: 330000 }]);
    expect(fw.bytes).toBe(330000);
    expect(fw.missing.map((x) => [x.file, x.reason])).toEqual([
      ['acenic/tg1.bin', 'no package in Debian bookworm (main, non-free-firmware) ships it'],
      ['bnx2x/bnx2x-e1-7.13.21.0.fw', "listed for firmware-bnx2x in the archive's Contents index but absent from the package"],
    ]);
    expect(m.bootFiles).toEqual({ 'shimx64.efi': { package: 'shim-signed', version: '1.51~1+deb12u1+16.1-2~deb12u1', sha256: 'abc' } });
  });

  it('the final manifest names the image by its initrd\'s hash and states the size against the budget', () => {
    const w = work({ 'initrd.img': 'initrd bytes', vmlinuz: 'kernel bytes' });
    const m = finalManifest({ format: 1, flavour: 'base' }, w, 100 * 1048576);
    const sha = createHash('sha256').update('initrd bytes').digest('hex');
    expect(m.id).toBe(sha.slice(0, 16));
    expect(m.initrd).toEqual({ bytes: 12, sha256: sha, budgetBytes: 104857600 });
    expect((m.kernelImage as { bytes: number }).bytes).toBe(12);
  });
});
