import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PROFILES } from '../../../common/profiles.ts';
import { corpusFiles } from '../../parsers/corpus/corpus-files.ts';
import { parseDmidecode } from '../../parsers/dmidecode.ts';
import { ParseError } from '../../parsers/parse-error.ts';
import { setDimmCounts, writeEdacController } from '../../../test/support/fake-sysfs.ts';
import { smbiosModuleFor } from './dimm-identity.ts';
import { readEdac } from './edac.ts';
import { judgeEdac, planMemoryTest } from './index.ts';
import { parseStressapptest } from './stressapptest.ts';

// EDAC trees are laid out as the kernel documents them (Documentation/admin-guide/ras.rst,
// Documentation/ABI/testing/sysfs-devices-edac): no host here has an EDAC driver to capture.

const captured = (name: string) => readFileSync(join(import.meta.dirname, 'captured', name), 'utf8');
const dirs: string[] = [];
const tree = () => {
  const d = mkdtempSync(join(tmpdir(), 'edac-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const put = (path: string, v: string | number) => {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, `${v}\n`);
};

describe('stressapptest output', () => {
  it('reads a pass: data moved, its time, no incidents', () => {
    expect(parseStressapptest(captured('stressapptest-pass.txt'))).toEqual({
      status: 'pass', statusText: 'please verify no corrected errors', hardwareFault: false, movedBytes: Math.round(51730 * 1024 * 1024), seconds: 5.06, hardwareIncidents: 0, errors: 0, hardwareErrors: [], processErrors: [],
    });
  });

  it('reads miscompares (stressapptest --force_errors)', () => {
    const r = parseStressapptest(captured('stressapptest-force-errors.txt'));
    expect(r).toMatchObject({ status: 'fail', statusText: 'test discovered HW problems', hardwareFault: true, hardwareIncidents: 2, seconds: 6.04 });
    expect(r.hardwareErrors).toHaveLength(2);
    expect(r.hardwareErrors[0]).toMatch(/^Hardware Error: miscompare on CPU 0/);
  });

  it('reads a run that could not start, and refuses other text', () => {
    // "Status: FAIL" here is the run's failure (procedural errors), not the hardware's.
    expect(parseStressapptest(captured('stressapptest-no-memory.txt'))).toMatchObject({
      status: 'fail', statusText: 'test encountered procedural errors', hardwareFault: false, movedBytes: null,
      processErrors: ['Process Error: memalign returned 0', 'Process Error: failed to allocate memory', 'Process Error: Sat::Initialize() failed', 'Process Error: Fatal issue encountered. See above logs for details.'],
    });
    expect(() => parseStressapptest('stressapptest: command not found')).toThrow(ParseError);
  });
});

describe('EDAC counters', () => {
  it('finds no controller where no EDAC driver is loaded (edac/mc without mc*, as a real 6.1 kernel shows it)', async () => {
    const root = tree();
    mkdirSync(join(root, 'devices', 'system', 'edac', 'mc', 'power'), { recursive: true });
    expect(await readEdac(root)).toEqual([]);
    expect(await readEdac('/nonexistent-sysfs')).toEqual([]);
  });

  it('reads dimmN directories: label, location, size and both counts', async () => {
    const root = tree();
    writeEdacController(root, 0, [
      { label: 'CPU_SrcID#0_Ha#0_Chan#0_DIMM#0', location: 'channel 0 slot 0', sizeMiB: 16384, ce: 0, ue: 0 },
      { label: 'CPU_SrcID#0_Ha#0_Chan#1_DIMM#0', location: 'channel 1 slot 0', sizeMiB: 16384, ce: 3, ue: 1 },
    ]);
    const [mc] = await readEdac(root);
    expect(mc).toMatchObject({ mc: 'mc0', name: 'Skylake Socket#0 IMC#0', corrected: 3, uncorrected: 1, unattributed: [] });
    expect(mc!.dimms[1]).toEqual({ key: 'mc0/dimm1', mc: 'mc0', label: 'CPU_SrcID#0_Ha#0_Chan#1_DIMM#0', location: 'channel 1 slot 0', sizeMiB: 16384, corrected: 3, uncorrected: 1, memType: 'Registered-DDR4' });
  });

  it('reads the csrow layout only where no dimmN exists, and keeps a shared row’s UEs unattributed', async () => {
    const root = tree();
    const mc = join(root, 'devices', 'system', 'edac', 'mc', 'mc0');
    put(join(mc, 'mc_name'), 'amd76x');
    put(join(mc, 'ce_count'), 2);
    put(join(mc, 'ue_count'), 1);
    for (const [row, ch0, ch1, ue] of [['csrow0', 0, 2, 1], ['csrow2', 0, 0, 0]] as const) {
      put(join(mc, row, 'size_mb'), 2048);
      put(join(mc, row, 'ue_count'), ue);
      put(join(mc, row, 'ce_count'), ch0 + ch1);
      put(join(mc, row, 'ch0_ce_count'), ch0);
      put(join(mc, row, 'ch1_ce_count'), ch1);
      put(join(mc, row, 'ch0_dimm_label'), row === 'csrow0' ? 'DIMM_A0' : 'DIMM_A1');
      put(join(mc, row, 'ch1_dimm_label'), row === 'csrow0' ? 'DIMM_B0' : 'DIMM_B1');
    }
    const [c] = await readEdac(root);
    expect(c!.dimms.map((d) => [d.key, d.label, d.location, d.corrected, d.uncorrected])).toEqual([
      ['mc0/csrow0/ch0', 'DIMM_A0', 'csrow 0 channel 0', 0, 0],
      ['mc0/csrow0/ch1', 'DIMM_B0', 'csrow 0 channel 1', 2, 0],
      ['mc0/csrow2/ch0', 'DIMM_A1', 'csrow 2 channel 0', 0, 0],
      ['mc0/csrow2/ch1', 'DIMM_B1', 'csrow 2 channel 1', 0, 0],
    ]);
    expect(c!.unattributed).toEqual([{ where: 'mc0 csrow0 (DIMM_A0 or DIMM_B0)', corrected: 0, uncorrected: 1 }]);
    // With the modern layout beside it (CONFIG_EDAC_LEGACY_SYSFS), only dimmN counts: nothing twice.
    writeEdacController(root, 0, [{ label: 'DIMM_A0', location: 'csrow 0 channel 0', sizeMiB: 2048, ce: 0, ue: 0 }]);
    expect((await readEdac(root))[0]!.dimms.map((d) => d.key)).toEqual(['mc0/dimm0']);
  });
});

describe('the memory verdict', () => {
  const p = PROFILES.standard.memory;

  it('fails an uncorrected error, corrected errors above the limit, and any increase under load', async () => {
    const root = tree();
    writeEdacController(root, 0, [
      { label: 'DIMM_A1', location: 'channel 0 slot 0', sizeMiB: 16384, ce: 0, ue: 0 },
      { label: 'DIMM_B1', location: 'channel 1 slot 0', sizeMiB: 16384, ce: 2, ue: 0 },
      { label: 'DIMM_C1', location: 'channel 2 slot 0', sizeMiB: 16384, ce: 9, ue: 0 },
      { label: 'DIMM_D1', location: 'channel 3 slot 0', sizeMiB: 16384, ce: 0, ue: 1 },
    ]);
    const before = await readEdac(root);
    setDimmCounts(root, 0, 1, { ce: 4 });
    const after = await readEdac(root);
    const j = judgeEdac({ before, after, modules: [], maxCorrectedSinceBoot: p.maxCorrectedSinceBoot });
    expect(j.faults).toEqual([
      'DIMM DIMM_B1 (mc0 channel 1 slot 0): 2 corrected ECC error(s) during the load',
      'DIMM DIMM_C1 (mc0 channel 2 slot 0): 9 corrected ECC error(s) since boot (allowed 5)',
      'DIMM DIMM_D1 (mc0 channel 3 slot 0): 1 uncorrected ECC error(s) since boot',
    ]);
    expect(j.rows.map((r) => r.outcome)).toEqual(['passed', 'failed', 'failed', 'failed']);
    expect(j.rows[1]).toMatchObject({ correctedBefore: 2, corrected: 4, maxCorrected: 2 });
  });

  it('passes clean counters, and judges errors no DIMM is named for', async () => {
    const root = tree();
    writeEdacController(root, 0, [{ label: 'DIMM_A1', location: 'channel 0 slot 0', sizeMiB: 8192, ce: 1, ue: 0 }], { ueNoInfo: 1 });
    const counts = await readEdac(root);
    const j = judgeEdac({ before: counts, after: counts, modules: [], maxCorrectedSinceBoot: 5 });
    expect(j.rows[0]!.outcome).toBe('passed');
    expect(j.faults).toEqual(['mc0 (Skylake Socket#0 IMC#0), DIMM unknown: 1 uncorrected ECC error(s) since boot']);
  });

  it('reports each DIMM in full: its identity, its counts before and after, and the limits it was held to', async () => {
    const root = tree();
    writeEdacController(root, 0, [
      { label: 'P0_Node0_Channel0_Dimm0 P1-DIMMA1', location: 'channel 0 slot 0', sizeMiB: 16384, ce: 5, ue: 0 },
      { label: '', location: 'channel 1 slot 0', sizeMiB: 8192, ce: 0, ue: 0 },
    ]);
    const before = await readEdac(root);
    // A controller that appears only in the second reading: its counts are since boot, none during the load.
    writeEdacController(root, 1, [{ label: 'DIMM_B1', location: 'channel 0 slot 0', sizeMiB: 4096, ce: 6, ue: 0 }], { mcName: 'Skylake Socket#1 IMC#0' });
    const after = await readEdac(root);
    const file = corpusFiles('dmi').find((f) => f.file === 'Server-Supermicro-3036A720C7E4.txt.gz')!;
    const modules = parseDmidecode(file.text).memoryDevices;
    const serialA1 = smbiosModuleFor('P1-DIMMA1', modules)?.serial ?? null;
    expect(serialA1).toEqual(expect.any(String));
    const j = judgeEdac({ before, after, modules, maxCorrectedSinceBoot: 5 });
    expect(j.rows).toEqual([
      { dimm: 'P0_Node0_Channel0_Dimm0 P1-DIMMA1', location: 'mc0 channel 0 slot 0', serial: serialA1, sizeBytes: 16384 * 2 ** 20, correctedBefore: 5, corrected: 5, maxCorrected: 5, uncorrected: 0, maxUncorrected: 0, outcome: 'passed' },
      { dimm: 'mc0/dimm1', location: 'mc0 channel 1 slot 0', serial: null, sizeBytes: 8192 * 2 ** 20, correctedBefore: 0, corrected: 0, maxCorrected: 0, uncorrected: 0, maxUncorrected: 0, outcome: 'passed' },
      { dimm: 'DIMM_B1', location: 'mc1 channel 0 slot 0', serial: null, sizeBytes: 4096 * 2 ** 20, correctedBefore: 6, corrected: 6, maxCorrected: 5, uncorrected: 0, maxUncorrected: 0, outcome: 'failed' },
    ]);
    expect(j.faults).toEqual(['DIMM DIMM_B1 (mc1 channel 0 slot 0): 6 corrected ECC error(s) since boot (allowed 5)']);
    expect(j.dimms.map((d) => [d.dimm.key, d.serial, d.failed])).toEqual([
      ['mc0/dimm0', serialA1, false],
      ['mc0/dimm1', null, false],
      ['mc1/dimm0', null, true],
    ]);
    // A DIMM with no label is named by where it sits.
    setDimmCounts(root, 0, 1, { ue: 1 });
    const later = judgeEdac({ before, after: await readEdac(root), modules, maxCorrectedSinceBoot: 5 });
    expect(later.faults[0]).toBe('DIMM channel 1 slot 0 (mc0 channel 1 slot 0): 1 uncorrected ECC error(s) since boot');
  });

  it('judges errors no DIMM is named for like a DIMM: new ones during the load, or more than allowed since boot', async () => {
    const root = tree();
    writeEdacController(root, 0, [{ label: 'DIMM_A1', location: 'channel 0 slot 0', sizeMiB: 8192, ce: 0, ue: 0 }], { ceNoInfo: 5 });
    const before = await readEdac(root);
    expect(judgeEdac({ before, after: before, modules: [], maxCorrectedSinceBoot: 5 }).faults).toEqual([]);
    expect(judgeEdac({ before, after: before, modules: [], maxCorrectedSinceBoot: 4 }).faults).toEqual([expect.stringMatching(/: 5 corrected ECC error\(s\) since boot \(allowed 4\)$/)]);
    writeEdacController(root, 0, [{ label: 'DIMM_A1', location: 'channel 0 slot 0', sizeMiB: 8192, ce: 0, ue: 0 }], { ceNoInfo: 7 });
    const after = await readEdac(root);
    expect(judgeEdac({ before, after, modules: [], maxCorrectedSinceBoot: 5 }).faults).toEqual([expect.stringMatching(/: 2 corrected ECC error\(s\) during the load$/)]);
    // An unattributed count missing from the first reading is counted from zero (unlike a DIMM's, which counts as unchanged).
    expect(judgeEdac({ before: [], after, modules: [], maxCorrectedSinceBoot: 5 }).faults).toEqual([expect.stringMatching(/: 7 corrected ECC error\(s\) during the load$/)]);
  });

  it('names the SMBIOS slot a label points to, and only an unambiguous one', () => {
    // A real Supermicro board's table (public corpus): Locator P1-DIMMA1, Bank Locator P0_Node0_Channel0_Dimm0.
    const file = corpusFiles('dmi').find((f) => f.file === 'Server-Supermicro-3036A720C7E4.txt.gz')!;
    const modules = parseDmidecode(file.text).memoryDevices;
    // ghes_edac labels a DIMM "<Bank Locator> <Locator>"; a silk-screen label is the Locator itself.
    expect(smbiosModuleFor('P0_Node0_Channel0_Dimm0 P1-DIMMA1', modules)?.locator).toBe('P1-DIMMA1');
    expect(smbiosModuleFor('P1-DIMMA1', modules)?.locator).toBe('P1-DIMMA1');
    expect(smbiosModuleFor('CPU_SrcID#0_Ha#0_Chan#0_DIMM#0', modules)).toBeNull();
    expect(smbiosModuleFor('', modules)).toBeNull();
  });

  it('plans the profile’s share of available memory, leaving the headroom', () => {
    const GiB = 1024 ** 3;
    expect(planMemoryTest(64 * GiB, 32, p)).toEqual({ bytes: Math.floor((64 * GiB * 0.9) / 2 ** 20) * 2 ** 20, threads: 32 });
    expect(planMemoryTest(1 * GiB, 2, p).bytes).toBe(1 * GiB - 768 * 2 ** 20);
    expect(planMemoryTest(700 * 2 ** 20, 2, p).bytes).toBe(0);
    // A small share on a small host still tests 16 MiB when they fit beside the headroom.
    expect(planMemoryTest(600 * 2 ** 20, 2, PROFILES.smoke.memory).bytes).toBe(16 * 2 ** 20);
  });
});
