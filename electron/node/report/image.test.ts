import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { baseManifest, finalManifest } from '../../../image/lib/image-manifest.js';
import { keepImageManifest } from '../pxe/image-record.ts';
import { openDatabase, type Db } from '../store/db.ts';
import { openStore, type Store } from '../store/index.ts';
import { writeRunReport } from './index.ts';
import { validateReportJson } from './testing/report-schema-check.ts';
import { insertHost, makePassingRun } from './testing/sample-runs.ts';

// The image manifest the build writes (image/lib/image-manifest.js), kept with a run
// when its host got the initrd (pxe/image-record.ts), shows up in report.json and report.html.

const dirs: string[] = [];
const dbs: Db[] = [];
const stores: Store[] = [];
afterEach(() => {
  for (const db of dbs.splice(0)) db.close();
  for (const store of stores.splice(0)) store.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function builtImage(root: string): string {
  const work = join(root, 'work');
  const image = join(root, 'image');
  mkdirSync(work);
  mkdirSync(image);
  writeFileSync(join(work, 'packages.tsv'), 'fio\t3.33-3\nlibc6\t2.36-9+deb12u13\nsmartmontools\t7.3-1+b1\nstress-ng\t0.15.06-2\n');
  writeFileSync(join(work, 'kernel.tsv'), '6.1.0-50-amd64\tlinux-image-6.1.0-50-amd64\t6.1.176-1\n');
  writeFileSync(join(work, 'firmware-plan.json'), JSON.stringify({ packages: ['firmware-bnx2x'], files: [{ file: 'bnx2x/bnx2x-e2-7.13.21.0.fw', package: 'firmware-bnx2x', modules: ['bnx2x'] }], missing: [{ file: 'acenic/tg1.bin', modules: ['acenic'], reason: 'no package ships it' }] }));
  writeFileSync(join(work, 'firmware-packages.tsv'), 'firmware-bnx2x\t20230210-5\n');
  writeFileSync(join(work, 'firmware-files.tsv'), 'bnx2x/bnx2x-e2-7.13.21.0.fw\t330000\n');
  writeFileSync(join(image, 'initrd.img'), 'initrd');
  writeFileSync(join(image, 'vmlinuz'), 'kernel');
  writeFileSync(join(image, 'manifest.json'), JSON.stringify(finalManifest(baseManifest(work), image, 100 * 1048576)));
  return join(image, 'manifest.json');
}

describe('the live image in the report', () => {
  it('a run whose host booted an image lists the image, its kernel and every package version', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vetting-report-image-'));
    dirs.push(dir);
    const db = openDatabase(dir);
    dbs.push(db);
    const host = insertHost(db, 'pve-node-07', ['3c:ec:ef:00:11:22'], ['NV-001']);
    const run = makePassingRun(db, host);
    const manifest = buildImageManifestIn(dir);
    // Sample runs are seeded on a bare connection; the report reads them through the store.
    const store = openStore(dir);
    stores.push(store);
    expect(keepImageManifest({ dataDir: dir, openRunOf: (mac) => (mac === '3c:ec:ef:00:11:22' ? run : null), recordArtifact: (a) => store.runs.upsertArtifact(a) }, '3c:ec:ef:00:11:22', manifest)).toBe(run);
    expect(keepImageManifest({ dataDir: dir, openRunOf: () => null, recordArtifact: () => undefined }, '3c:ec:ef:00:11:99', manifest)).toBeNull();

    const written = writeRunReport(store, dir, run);
    const json = JSON.parse(readFileSync(written.json, 'utf8')) as { image: { flavour: string; kernel: string; packages: { name: string; version: string }[]; firmwareUnavailable: number } };
    expect(validateReportJson(json)).toEqual([]);
    expect(json.image.kernel).toBe('6.1.0-50-amd64 (linux-image-6.1.0-50-amd64 6.1.176-1)');
    expect(json.image.packages).toContainEqual({ name: 'fio', version: '3.33-3' });
    expect(json.image.firmwareUnavailable).toBe(1);
    const html = readFileSync(written.html, 'utf8');
    expect(html).toContain('smartmontools 7.3-1+b1');
    // On paper: the versions of the packages whose tools made the figures; the rest are counted (report.json lists them).
    expect(json.image.packages).toContainEqual({ name: 'libc6', version: '2.36-9+deb12u13' });
    expect(html).not.toContain('libc6');
    expect(html).toContain('1 other package(s) in report.json (image.packages)');
    // The section closes the audit trail: never on page one (the summary section).
    const section = (id: string) => html.slice(html.indexOf(`<section class="major" id="${id}">`), html.indexOf('</section>', html.indexOf(`<section class="major" id="${id}">`)));
    expect(section('summary')).not.toContain('Live image');
    expect(section('audit')).toContain('<strong>Live image</strong>');
  });

  it('a run that booted no image (selftest, loop disks) says image null and prints no section', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vetting-report-image-'));
    dirs.push(dir);
    const db = openDatabase(dir);
    dbs.push(db);
    const run = makePassingRun(db, insertHost(db, 'pve-node-08', ['3c:ec:ef:00:11:23'], ['NV-002']));
    const store = openStore(dir);
    stores.push(store);
    const written = writeRunReport(store, dir, run);
    const json = JSON.parse(readFileSync(written.json, 'utf8')) as { image: unknown };
    expect(json.image).toBeNull();
    expect(validateReportJson(json)).toEqual([]);
    expect(readFileSync(written.html, 'utf8')).not.toContain('Live image');
  });
});

function buildImageManifestIn(dir: string): string {
  const root = join(dir, 'img-build');
  mkdirSync(root);
  return builtImage(root);
}
