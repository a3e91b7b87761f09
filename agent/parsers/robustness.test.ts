import { readdirSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseBadblocksOutput, parseBadblocksProgress } from '../stages/storage/parsers/badblocks.ts';
import { parseBlkidExport } from '../stages/storage/parsers/blkid.ts';
import { parseDmidecode } from './dmidecode.ts';
import { lastFioStatus, parseFioJson } from '../stages/storage/parsers/fio.ts';
import { parseEthtoolLink, parseEthtoolStats } from '../stages/network/ethtool.ts';
import { parseIperf3Json } from '../stages/network/iperf3.ts';
import { parseMachineChecks } from './kernel-log.ts';
import { parseLsblkJson } from './lsblk.ts';
import { parseLscpuExtendedJson, parseLscpuJson, parseLscpuText } from './lscpu.ts';
import { parseLshwJson } from './lshw.ts';
import { parseLspciVerbose, parseLspciVmm } from './lspci.ts';
import { NVIDIA_SMI_QUERY_FIELDS, parseNvidiaSmiDmon, parseNvidiaSmiQ, parseNvidiaSmiQueryCsv } from './nvidia-smi.ts';
import { ParseError } from './parse-error.ts';
import { parseSmartctlJson, parseSmartctlScan } from './smartctl.ts';
import { parseStressNgStderr, parseStressNgYaml } from '../stages/cpu-stress/stress-ng.ts';
import { fixture } from './test-fixtures.ts';
import { parseWipefsJson } from '../stages/storage/parsers/wipefs.ts';

// Every parser, fed every real fixture (its own tool's and every other tool's), cut at
// many points, must either return or throw ParseError: never a TypeError or RangeError.

const PARSERS: Record<string, (t: string) => unknown> = {
  smartctl: (t) => parseSmartctlJson(t, null),
  smartctlScan: parseSmartctlScan,
  fio: parseFioJson,
  fioStatus: lastFioStatus,
  badblocks: (t) => parseBadblocksOutput('', t),
  badblocksStdout: (t) => parseBadblocksOutput(t, ''),
  badblocksProgress: parseBadblocksProgress,
  wipefs: parseWipefsJson,
  blkid: (t) => parseBlkidExport(t, 0),
  iperf3: parseIperf3Json,
  lsblk: parseLsblkJson,
  dmidecode: parseDmidecode,
  lscpu: parseLscpuJson,
  lscpuE: parseLscpuExtendedJson,
  lscpuText: parseLscpuText,
  lshw: parseLshwJson,
  lspci: parseLspciVmm,
  lspciVerbose: parseLspciVerbose,
  stressYaml: parseStressNgYaml,
  stressStderr: parseStressNgStderr,
  smiCsv: (t) => parseNvidiaSmiQueryCsv(t, NVIDIA_SMI_QUERY_FIELDS),
  smiDmon: parseNvidiaSmiDmon,
  smiQ: parseNvidiaSmiQ,
  machineChecks: parseMachineChecks,
  ethtool: parseEthtoolLink,
  ethtoolStats: parseEthtoolStats,
};

function listFixtures(dir = ''): string[] {
  const root = new URL(`../../fixtures/tool-outputs/${dir}`, import.meta.url);
  return readdirSync(root).flatMap((name) => {
    const rel = dir ? `${dir}/${name}` : name;
    if (statSync(new URL(name, `${root.href}/`)).isDirectory()) return listFixtures(rel);
    if (/\.(bin|log)$/.test(name)) return []; // binary dumps and long boot logs
    return [rel];
  });
}

describe('every parser on every fixture, whole and cut short', () => {
  const files = listFixtures();
  it('finds the fixtures', () => {
    expect(files.length).toBeGreaterThan(60);
  });
  for (const [name, parse] of Object.entries(PARSERS)) {
    it(`${name} returns or throws ParseError`, () => {
      for (const f of files) {
        const text = fixture(f);
        for (const cut of [1, 0.97, 0.8, 0.5, 0.31, 0.1, 0.02]) {
          const input = text.slice(0, Math.floor(text.length * cut));
          try {
            parse(input);
          } catch (e) {
            if (!(e instanceof ParseError)) throw new Error(`${name} on ${f} cut at ${cut}: ${String(e)}`);
            expect(e.message.length).toBeLessThan(2000);
          }
        }
      }
    });
  }
});
