// Maintainer tool, not part of the agent bundle: draws the deterministic corpus samples in
// this folder from local clones of the public hw-probe corpora.
//
//   npx tsx agent/parsers/corpus/sample.ts dmi   <git dir of linuxhw/DMI>
//   npx tsx agent/parsers/corpus/sample.ts lscpu <git dir of linuxhw/LsCPU>
//   npx tsx agent/parsers/corpus/sample.ts smart <git dir of linuxhw/EnterpriseDrive>
//   npx tsx agent/parsers/corpus/sample.ts pci   <git dir of pciutils/pciutils>
//
// Each run rewrites <kind>/ here: one gzip file per sampled report (byte-identical to the
// corpus blob once unzipped) and MANIFEST.tsv (local file, corpus path, git blob id, why it
// was picked). Picks are deterministic: files are ordered by the SHA-1 of their path, vendors
// are visited round-robin so no vendor dominates, and servers come first. Content rules add
// the cases that matter to the parsers (flash arrays, persistent memory, offline CPUs,
// renamed SMART attributes …) so the sample is not left to chance.

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

interface Pick {
  path: string;
  why: string;
}

const sha1 = (s: string): string => createHash('sha1').update(s).digest('hex');
const bySha = (a: string, b: string): number => (sha1(a) < sha1(b) ? -1 : 1);

function git(dir: string, args: string[], input?: string): Buffer {
  return execFileSync('git', ['--git-dir', dir, ...args], { input, maxBuffer: 4 * 1024 ** 3 });
}

function listFiles(dir: string): { path: string; blob: string }[] {
  return git(dir, ['ls-tree', '-r', '-z', 'HEAD'])
    .toString('utf8')
    .split('\0')
    .filter(Boolean)
    .map((l) => {
      const [meta, path] = l.split('\t') as [string, string];
      return { path, blob: meta.split(' ')[2]! };
    })
    .filter((f) => !/(^|\/)(README\.md|LICENSE|[^/]*\.md)$/.test(f.path));
}

/** Reads many blobs in one `git cat-file --batch`; yields [path, text]. */
function* readBlobs(dir: string, files: { path: string; blob: string }[]): Generator<[string, string]> {
  const chunk = 4000;
  for (let i = 0; i < files.length; i += chunk) {
    const part = files.slice(i, i + chunk);
    const out = git(dir, ['cat-file', '--batch'], part.map((f) => f.blob).join('\n') + '\n');
    let off = 0;
    for (const f of part) {
      const nl = out.indexOf(10, off);
      const size = Number(out.subarray(off, nl).toString().split(' ')[2]);
      yield [f.path, out.subarray(nl + 1, nl + 1 + size).toString('utf8')];
      off = nl + 1 + size + 1;
    }
  }
}

/** Round-robin over groups (sorted by name), each group ordered by path hash, until n picked. */
function roundRobin(paths: string[], groupOf: (p: string) => string, n: number): string[] {
  const groups = new Map<string, string[]>();
  for (const p of paths) {
    const g = groupOf(p);
    if (!groups.has(g)) groups.set(g, []);
    groups.get(g)!.push(p);
  }
  const queues = [...groups.keys()].sort().map((g) => groups.get(g)!.sort(bySha));
  const out: string[] = [];
  for (let round = 0; out.length < n && queues.some((q) => q.length > round); round++) {
    for (const q of queues) {
      if (out.length >= n) break;
      if (q[round]) out.push(q[round]!);
    }
  }
  return out;
}

function firstBySha(paths: string[], n: number): string[] {
  return [...paths].sort(bySha).slice(0, n);
}

function write(kind: string, dir: string, picks: Pick[], files: { path: string; blob: string }[]): void {
  const outDir = new URL(`./${kind}/`, import.meta.url).pathname;
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const blobOf = new Map(files.map((f) => [f.path, f.blob]));
  const seen = new Map<string, Pick>();
  for (const p of picks) {
    const prev = seen.get(p.path);
    if (prev) prev.why = `${prev.why},${p.why}`;
    else seen.set(p.path, { ...p });
  }
  const chosen = [...seen.values()];
  const texts = new Map(readBlobs(dir, chosen.map((p) => ({ path: p.path, blob: blobOf.get(p.path)! }))));
  const used = new Set<string>();
  const rows = ['file\tcorpus_path\tgit_blob\twhy'];
  for (const p of chosen) {
    const parts = p.path.split('/');
    const base = `${parts[0]}-${parts[1]}-${parts.at(-1)}`.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80);
    let name = `${base}.txt.gz`;
    for (let i = 2; used.has(name); i++) name = `${base}-${i}.txt.gz`;
    used.add(name);
    writeFileSync(join(outDir, name), gzipSync(Buffer.from(texts.get(p.path)!, 'utf8'), { level: 9 }));
    rows.push(`${name}\t${p.path}\t${blobOf.get(p.path)}\t${p.why}`);
  }
  writeFileSync(join(outDir, 'MANIFEST.tsv'), rows.join('\n') + '\n');
  const commit = git(dir, ['rev-parse', 'HEAD']).toString().trim();
  console.log(`${kind}: ${chosen.length} files from ${commit} into ${outDir} (${readdirSync(outDir).length - 1} written)`);
}

function sampleDmi(dir: string): void {
  const files = listFiles(dir);
  const servers = files.filter((f) => f.path.startsWith('Server/')).map((f) => f.path);
  const picks: Pick[] = roundRobin(servers, (p) => p.split('/')[1]!, 110).map((path) => ({ path, why: 'server' }));
  // Content rules over every server report.
  const flash: string[] = [];
  const pmem: string[] = [];
  const noModule: string[] = [];
  const volNone: string[] = [];
  const outOfSpec: string[] = [];
  for (const [path, t] of readBlobs(dir, files.filter((f) => f.path.startsWith('Server/')))) {
    if (/\tUse: Flash Memory/.test(t) && /\tSize: \d+ kB/.test(t)) flash.push(path);
    // Persistent memory: named by Memory Technology (SMBIOS 3.2+), or older tables' non-volatile
    // type detail on a module of 1 GiB or more (the BIOS flash is non-volatile too, but tiny).
    const bigNonVolatile = t.split(/\n\s*\n/).some((r) => /DMI type 17,/.test(r) && /Type Detail: [^\n]*Non-Volatile/.test(r) && /\tSize: (\d+ GB|\d{4,} MB)/.test(r));
    if (/Memory Technology: .*(persistent|NVDIMM|Optane)/i.test(t) || /Type: Logical non-volatile/.test(t) || bigNonVolatile) pmem.push(path);
    if (!/DMI type 17,[\s\S]*?\n\tSize: \d/.test(t)) noModule.push(path);
    if (/Memory Technology: DRAM\n[\s\S]*?\n\tVolatile Size: None/.test(t)) volNone.push(path);
    if (/Memory Technology: <OUT OF SPEC>/.test(t) && /\tSize: \d/.test(t)) outOfSpec.push(path);
  }
  picks.push(...firstBySha(flash, 6).map((path) => ({ path, why: 'flash-array' })));
  picks.push(...pmem.map((path) => ({ path, why: 'persistent-memory' })));
  picks.push(...noModule.map((path) => ({ path, why: 'no-module-listed' })));
  picks.push(...firstBySha(volNone, 4).map((path) => ({ path, why: 'dram-volatile-size-none' })));
  picks.push(...firstBySha(outOfSpec, 3).map((path) => ({ path, why: 'technology-out-of-spec' })));
  // Then a few of every other computer type, by path alone.
  const others = files.filter((f) => !f.path.startsWith('Server/')).map((f) => f.path);
  for (const type of [...new Set(others.map((p) => p.split('/')[0]!))].sort()) {
    picks.push(...firstBySha(others.filter((p) => p.startsWith(`${type}/`)), 5).map((path) => ({ path, why: 'other-type' })));
  }
  write('dmi', dir, picks, files);
}

function sampleLscpu(dir: string): void {
  const files = listFiles(dir);
  const paths = files.map((f) => f.path);
  const under = (prefix: string): string[] => paths.filter((p) => p.startsWith(prefix));
  const model = (p: string): string => p.split('/').slice(0, 3).join('/');
  const picks: Pick[] = [
    ...roundRobin(under('Intel/Xeon/'), model, 60).map((path) => ({ path, why: 'server-xeon' })),
    ...roundRobin(under('AMD/EPYC/'), model, 33).map((path) => ({ path, why: 'server-epyc' })),
    ...roundRobin(under('AMD/Opteron/'), model, 12).map((path) => ({ path, why: 'server-opteron' })),
    ...under('HiSilicon/').map((path) => ({ path, why: 'server-arm' })),
    ...roundRobin([...under('ARM/'), ...under('Qualcomm/'), ...under('Marvell/'), ...under('Nvidia/')], model, 8).map((path) => ({ path, why: 'arm' })),
  ];
  const offline: string[] = [];
  for (const [path, t] of readBlobs(dir, files)) if (/^Off-line CPU\(s\) list:/m.test(t)) offline.push(path);
  picks.push(...firstBySha(offline, 24).map((path) => ({ path, why: 'offline-cpus' })));
  const rest = paths.filter((p) => !/^(Intel\/Xeon|AMD\/EPYC|AMD\/Opteron|HiSilicon|ARM|Qualcomm|Marvell|Nvidia)\//.test(p));
  picks.push(...roundRobin(rest, (p) => p.split('/').slice(0, 2).join('/'), 24).map((path) => ({ path, why: 'desktop' })));
  write('lscpu', dir, picks, files);
}

const WATCHED = new Set([5, 184, 187, 196, 197, 198, 199]);
const ATTR_ROW = /^\s*(\d{1,3}) (\S+)\s+(?:0x[0-9a-f]{4}|[PO-][O-][S-][R-][C-][K-])\s+\d+\s+\d+\s+(?:\d+|---)\s+\S+\s+(\S.*)$/gm;

function sampleSmart(dir: string): void {
  const files = listFiles(dir).filter((f) => /^(HDD|SSD|NVMe)\//.test(f.path));
  const picks: Pick[] = [];
  for (const kind of ['HDD', 'SSD', 'NVMe']) {
    const paths = files.filter((f) => f.path.startsWith(`${kind}/`)).map((f) => f.path);
    picks.push(...roundRobin(paths, (p) => p.split('/')[1]!, 30).map((path) => ({ path, why: `spread-${kind}` })));
  }
  // Every name smartctl gave a watched attribute: two reports each, a non-zero raw value first.
  const byName = new Map<string, { nonzero: string[]; zero: string[] }>();
  const failed: string[] = [];
  const scsiNvme: string[] = [];
  for (const [path, t] of readBlobs(dir, files)) {
    if (/SMART overall-health self-assessment test result: FAILED/.test(t)) failed.push(path);
    if (path.startsWith('NVMe/') && /SMART Health Status:/.test(t)) scsiNvme.push(path);
    for (const m of t.matchAll(ATTR_ROW)) {
      const id = Number(m[1]);
      if (!WATCHED.has(id)) continue;
      const key = `${id} ${m[2]}`;
      if (!byName.has(key)) byName.set(key, { nonzero: [], zero: [] });
      const raw = /^(\d+)/.exec(m[3]!.trim());
      byName.get(key)![raw && Number(raw[1]) > 0 ? 'nonzero' : 'zero'].push(path);
    }
  }
  for (const [key, { nonzero, zero }] of [...byName.entries()].sort()) {
    const chosen = [...firstBySha(nonzero, 2), ...firstBySha(zero, 2)].slice(0, 2);
    picks.push(...chosen.map((path) => ({ path, why: `attr-${key.replace(' ', '-')}` })));
  }
  picks.push(...firstBySha(failed, 6).map((path) => ({ path, why: 'health-failed' })));
  picks.push(...firstBySha(scsiNvme, 4).map((path) => ({ path, why: 'nvme-behind-scsi' })));
  write('smart', dir, picks, files);
}

/**
 * pciutils' own test dumps (`lspci -xxxx` of real machines and cards) with what this host's
 * lspci prints for them through `lspci -F DUMP`: the real binary, on real config space. The
 * hw-probe LsPCI corpus itself (lspci -vvnn text) is ~1 GB, over what can be cloned here.
 */
function samplePci(dir: string): void {
  const files = listFiles(dir).filter((f) => f.path.startsWith('tests/'));
  const outDir = new URL('./pci/', import.meta.url).pathname;
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const rows = ['file\tcorpus_path\tgit_blob\twhy'];
  for (const [path, text] of readBlobs(dir, files)) {
    const base = path.split('/').at(-1)!.replace(/[^A-Za-z0-9._-]+/g, '_');
    const dump = join(outDir, `${base}.dump`);
    writeFileSync(dump, text);
    const render = (args: string[]): Buffer => execFileSync('lspci', ['-F', dump, ...args]);
    writeFileSync(join(outDir, `${base}.dump.gz`), gzipSync(Buffer.from(text, 'utf8'), { level: 9 }));
    writeFileSync(join(outDir, `${base}.vmmnnD.txt.gz`), gzipSync(render(['-vmm', '-nn', '-D']), { level: 9 }));
    writeFileSync(join(outDir, `${base}.vvnnD.txt.gz`), gzipSync(render(['-vv', '-nn', '-D']), { level: 9 }));
    rmSync(dump);
    rows.push(`${base}.dump.gz\t${path}\t${files.find((f) => f.path === path)!.blob}\tpciutils-test-dump`);
  }
  writeFileSync(join(outDir, 'MANIFEST.tsv'), rows.join('\n') + '\n');
  const commit = git(dir, ['rev-parse', 'HEAD']).toString().trim();
  console.log(`pci: ${files.length} dumps from ${commit}, rendered by ${execFileSync('lspci', ['--version']).toString().trim()}`);
}

const [kind, dir] = process.argv.slice(2);
if (!dir) throw new Error('usage: sample.ts dmi|lscpu|smart|pci <git dir>');
if (kind === 'dmi') sampleDmi(dir);
else if (kind === 'lscpu') sampleLscpu(dir);
else if (kind === 'smart') sampleSmart(dir);
else if (kind === 'pci') samplePci(dir);
else throw new Error(`unknown corpus kind ${kind}`);
