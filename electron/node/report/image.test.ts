import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { baseManifest, finalManifest } from '../../../image/lib/image-manifest.js';
import { keepImageManifest } from '../pxe/image-record.ts';
import { openDatabase, type Db } from '../store/db.ts';
import { RunStore } from '../store/runs.ts';
import { writeRunReport } from './index.ts';
import { validateJsonSchema } from './testing/json-schema-lite.ts';
import { insertHost, makePassingRun } from './testing/sample-runs.ts';

// The image manifest the build writes (image/lib/image-manifest.js), kept with a run
// when its host got the initrd (pxe/image-record.ts), shows up in report.json and report.html.

const schema = JSON.parse(readFileSync(new URL('../../../docs/report.schema.json', import.meta.url), 'utf8')) as Record<string, unknown>;
const dirs: string[] = [];
const dbs: Db[] = [];
afterEach(() => {
  for (const db of dbs.splice(0)) db.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function builtImage(root: string): string {
  const work = join(root, 'work');
  const image = join(root, 'image');
  mkdirSync(work);
  mkdirSync(image);
  writeFileSync(join(work, 'packages.tsv'), 'fio\t3.33-3\nsmartmontools\t7.3-1+b1\nstress-ng\t0.15.06-2\n');
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
    const runs = new RunStore(db);
    expect(keepImageManifest({ dataDir: dir, openRunOf: (mac) => (mac === '3c:ec:ef:00:11:22' ? run : null), recordArtifact: (a) => runs.upsertArtifact(a) }, '3c:ec:ef:00:11:22', manifest)).toBe(run);
    expect(keepImageManifest({ dataDir: dir, openRunOf: () => null, recordArtifact: () => undefined }, '3c:ec:ef:00:11:99', manifest)).toBeNull();

    const written = writeRunReport(db, dir, run);
    const json = JSON.parse(readFileSync(written.json, 'utf8')) as { image: { flavour: string; kernel: string; packages: { name: string; version: string }[]; firmwareUnavailable: number } };
    expect(validateJsonSchema(schema, json)).toEqual([]);
    expect(json.image.kernel).toBe('6.1.0-50-amd64 (linux-image-6.1.0-50-amd64 6.1.176-1)');
    expect(json.image.packages).toContainEqual({ name: 'fio', version: '3.33-3' });
    expect(json.image.firmwareUnavailable).toBe(1);
    const html = readFileSync(written.html, 'utf8');
    expect(html).toContain('Live image');
    expect(html).toContain('smartmontools 7.3-1+b1');
  });
});

function buildImageManifestIn(dir: string): string {
  const root = join(dir, 'img-build');
  mkdirSync(root);
  return builtImage(root);
}
