import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { blkidToSignatures, parseBlkidExport } from './blkid.ts';
import { expectParseError, fixture, truncated } from '../../../parsers/test-fixtures.ts';
import { describeSignatures, parseWipefsJson } from './wipefs.ts';

describe('parseWipefsJson', () => {
  it('gives [] for blank devices', () => {
    for (const f of ['wipefs-blank.json', 'live-guest-agent/wipefs-nvme0n1.json', 'live-guest-agent/wipefs-sda.json']) {
      expect(parseWipefsJson(fixture(f)), f).toEqual([]);
    }
  });

  it('reads an ext4 filesystem', () => {
    const s = parseWipefsJson(fixture('wipefs-ext4.json'));
    expect(s).toEqual([
      { device: 'loop2', offset: 0x438, offsetHex: '0x438', type: 'ext4', uuid: 'e527418b-d645-4f14-ac1c-243dbdbd5023', label: 'LABTEST' },
    ]);
    expect(describeSignatures(s)).toEqual(['ext4 filesystem (label LABTEST, uuid e527418b-d645-4f14-ac1c-243dbdbd5023, offset 0x438)']);
  });

  it('reads a GPT with its backup header and protective MBR', () => {
    const s = parseWipefsJson(fixture('wipefs-gpt.json'));
    expect(s.map((x) => x.type)).toEqual(['gpt', 'gpt', 'PMBR']);
    expect(s[1]!.offset).toBe(0x3fffe00);
    expect(describeSignatures(s)).toEqual(['gpt partition table (offsets 0x200, 0x3fffe00)', 'protective MBR (gpt) (offset 0x1fe)']);
  });

  it('reads an LVM physical volume', () => {
    const s = parseWipefsJson(fixture('wipefs-lvm.json'));
    expect(describeSignatures(s)).toEqual(['LVM2_member (LVM physical volume) (uuid FqvFdL-CEqs-KW9s-Snpf-9NNz-HxOV-pt0DrO, offset 0x218)']);
  });

  it('reads the usage column of the wipe-probe command line', () => {
    const s = parseWipefsJson(readFileSync(new URL('./captured/wipefs-usage-ext4.json', import.meta.url), 'utf8'));
    expect(s[0]).toMatchObject({ type: 'ext4', label: 'data', usage: 'filesystem', offset: 0x438 });
    expect(describeSignatures(s)[0]).toMatch(/^ext4 filesystem \(label data, uuid [0-9a-f-]{36}, offset 0x438\)$/);
  });

  it('names mdraid and unknown types', () => {
    const base = { device: 'sdb', offset: 4096, offsetHex: '0x1000', uuid: null, label: null };
    expect(describeSignatures([{ ...base, type: 'linux_raid_member' }])).toEqual(['linux_raid_member (mdraid) (offset 0x1000)']);
    expect(describeSignatures([{ ...base, type: 'weirdfs', usage: 'filesystem' }])).toEqual(['weirdfs filesystem (offset 0x1000)']);
  });

  it('rejects truncated and foreign input', () => {
    expectParseError(() => parseWipefsJson(truncated(fixture('wipefs-gpt.json'))), 'wipefs', /not valid JSON/);
    expectParseError(() => parseWipefsJson(fixture('wipefs-list-ext4.txt')), 'wipefs', /not valid JSON/);
    expectParseError(() => parseWipefsJson(''), 'wipefs', /empty/);
    expectParseError(() => parseWipefsJson('{"signatures": [{"offset": "0x1"}]}'), 'wipefs', /no type/);
    expectParseError(() => parseWipefsJson('{}'), 'wipefs', /no "signatures"/);
  });
});

describe('parseBlkidExport', () => {
  it('gives null for a blank device (exit 2, empty output)', () => {
    expect(parseBlkidExport(fixture('blkid-p-export-blank.txt'), 2)).toBeNull();
    expect(blkidToSignatures(null)).toEqual([]);
  });

  it('reads ext4, gpt and LVM (with the escaped space)', () => {
    const ext4 = parseBlkidExport(fixture('blkid-p-export-ext4.txt'), 0);
    expect(ext4).toMatchObject({ DEVNAME: '/dev/loop2', TYPE: 'ext4', LABEL: 'LABTEST', USAGE: 'filesystem' });
    expect(describeSignatures(blkidToSignatures(ext4))).toEqual(['ext4 filesystem (label LABTEST, uuid e527418b-d645-4f14-ac1c-243dbdbd5023)']);
    const gpt = parseBlkidExport(fixture('blkid-p-export-gpt.txt'), 0);
    expect(describeSignatures(blkidToSignatures(gpt))).toEqual(['gpt partition table (uuid 20e12a77-abda-fd48-bd21-5da67f79a8ad)']);
    const lvm = parseBlkidExport(fixture('blkid-p-export-lvm.txt'), 0);
    expect(lvm?.VERSION).toBe('LVM2 001');
    expect(describeSignatures(blkidToSignatures(lvm))[0]).toMatch(/^LVM2_member \(LVM physical volume\)/);
  });

  it('keeps an ambivalent result (exit 8) as a hit', () => {
    const r = parseBlkidExport('', 8);
    expect(r).toEqual({ AMBIVALENT: '1' });
    expect(describeSignatures(blkidToSignatures(r))[0]).toMatch(/ambivalent/);
  });

  it('rejects the non-export format, other exit codes and empty success', () => {
    expectParseError(() => parseBlkidExport(fixture('blkid-p-ext4.txt'), 0), 'blkid', /line 1 is not KEY=value/);
    expectParseError(() => parseBlkidExport('blkid: error: /dev/nope: No such file or directory', 4), 'blkid', /exit status 4: blkid: error/);
    expectParseError(() => parseBlkidExport('', 0), 'blkid', /no KEY=value/);
  });
});
