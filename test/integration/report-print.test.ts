import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeRunReport } from '../../electron/node/report/index.ts';
import { insertHost, insertTransition, makeFailedRun, makeOverriddenRun, makePassingRun, makeSmokeRun, T0 } from '../../electron/node/report/testing/sample-runs.ts';
import { openDatabase, type Db } from '../../electron/node/store/db.ts';
import { openStore, type Store } from '../../electron/node/store/index.ts';
import { makeStandardRun, STANDARD_HOST } from '../../electron/node/report/testing/sample-standard-run.ts';
import { cli, tempDir } from '../support/serve.ts';

// Prints real reports to PDF in Debian's Chromium and reads the PDF back with
// poppler's pdfinfo and pdftotext: the result, what it rests on (coverage,
// overrides) and whether it certifies anything must be on the printed page
// one, no table row may be split across two pages, and the report fits the
// clipboard: a self-test on this machine in two A4 pages, a standard run of a
// host with four disks and two NICs in three (needs: apt-get install chromium
// poppler-utils, and the self-test's tools).

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let dir: string;
let db: Db;
let store: Store;
let browser: Browser;
const runs: Record<string, number> = {};

function pageTexts(pdf: string): string[] {
  const info = execFileSync('pdfinfo', [pdf], { encoding: 'utf8' });
  const pages = Number(/Pages:\s+(\d+)/.exec(info)?.[1]);
  const out: string[] = [];
  for (let p = 1; p <= pages; p++) out.push(execFileSync('pdftotext', ['-f', String(p), '-l', String(p), '-layout', pdf, '-'], { encoding: 'utf8' }));
  return out;
}

async function printPdf(htmlPath: string, format: 'A4' | 'Letter'): Promise<string> {
  const page = await browser.newPage();
  try {
    // Offline by construction: any request other than the file itself fails the test.
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(`file://${htmlPath}`);
    const pdf = join(dir, `${htmlPath.split('/').at(-2)}-${format}.pdf`);
    await page.pdf({ path: pdf, format });
    expect(requests).toEqual([`file://${htmlPath}`]);
    return pdf;
  } finally {
    await page.close();
  }
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error('Chromium is missing: apt-get install -y chromium poppler-utils');
  dir = mkdtempSync(join(tmpdir(), 'vetting-report-print-'));
  // Sample runs are seeded (back-dated) on a bare connection; the report reads them through the store.
  db = openDatabase(dir);
  store = openStore(dir);
  const host = insertHost(db, 'pve-node-07', ['3c:ec:ef:00:11:22'], ['NV-001', 'WD-A1']);
  runs.pass = makePassingRun(db, host);
  runs.fail = makeFailedRun(db, host);
  runs.override = makeOverriddenRun(db, host);
  runs.smoke = makeSmokeRun(db, host);
  // A run with a long audit trail whose rows wrap over several lines, so the
  // table must span pages: every row carries a begin and an end marker.
  runs.long = makeOverriddenRun(db, host);
  for (let i = 0; i < 90; i++) {
    const n = String(i).padStart(3, '0');
    const filler = 'operator note about cabling and the replacement part '.repeat(1 + (i % 4));
    insertTransition(db, runs.long, 'FailedHolding', 'Storage', 'retry', 'operator:erin', T0 + 70 * 60_000 + i * 1000, `R${n}BEGIN ${filler}R${n}END`);
  }
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
});

afterAll(async () => {
  await browser?.close();
  db?.close();
  store?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('printed reports', () => {
  for (const format of ['A4', 'Letter'] as const) {
    it(`puts the verdict and the host identity on page one (${format})`, async () => {
      const expected: Record<string, RegExp> = { pass: /\bPASS\b(?! WITH)/, fail: /\bFAIL\b/, override: /PASS WITH OVERRIDES/, smoke: /\bINCOMPLETE\b/ };
      for (const [kind, verdict] of Object.entries(expected)) {
        const { html } = writeRunReport(store, dir, runs[kind] as number);
        const pages = pageTexts(await printPdf(html, format));
        const first = pages[0] as string;
        expect(first).toMatch(verdict);
        expect(first).toContain('pve-node-07');
        expect(first).toContain('S-4471-ZX');
        expect(first).toContain(`#${runs[kind]}`);
        if (kind === 'override') expect(first).toContain('supervisor:dana');
        if (kind === 'pass') expect(first).not.toContain('not a certification');
        if (kind === 'smoke') {
          // A demonstration says so before anything else, and its partial scans show with their extent.
          expect(first).toContain('This report is not a certification.');
          expect(first).toMatch(/NV-001 \(\/dev\/sda\)\s+NOT TESTED\s+✗ surface scan \(Storage\): 16 MiB of 64\s+MiB \(25 %\)/);
        }
        // Page numbers and the run id in every page's footer.
        pages.forEach((p, i) => {
          expect(p).toContain(`Page ${i + 1} of ${pages.length}`);
          expect(p).toContain(`run #${runs[kind]}`);
        });
        // Page one is the decision (verdict, whether it may go back to the rack, coverage, failures, stages); the rest follows in order.
        expect(first).toMatch(/Back to the rack: (yes|no|not)/);
        expect(first).toMatch(/Stages\s+# +Stage/);
        const pageOf = (heading: string): number => pages.findIndex((p) => p.includes(heading));
        expect(pageOf('Audit trail')).toBeGreaterThanOrEqual(pageOf('Results'));
      }
    });

    it(`never cuts a table row across pages and repeats the header (${format})`, async () => {
      const { html } = writeRunReport(store, dir, runs.long as number);
      const pages = pageTexts(await printPdf(html, format));
      const rowPages = new Set<number>();
      for (let i = 0; i < 90; i++) {
        const n = String(i).padStart(3, '0');
        const begin = pages.findIndex((p) => p.includes(`R${n}BEGIN`));
        const end = pages.findIndex((p) => p.includes(`R${n}END`));
        expect(begin, `row ${n} begins somewhere`).toBeGreaterThanOrEqual(0);
        expect(end, `row ${n} begins and ends on the same page`).toBe(begin);
        rowPages.add(begin);
      }
      // The check means something only if the table really spans pages.
      expect(rowPages.size).toBeGreaterThanOrEqual(3);
      for (const p of rowPages) expect(pages[p]).toMatch(/When\s+From\s+To\s+Action\s+Actor\s+Reason/);
    });
  }

  describe('fits the clipboard', () => {
    it('a self-test of this machine prints on at most two A4 pages, and page one says it goes nowhere', async () => {
      const tmp = tempDir('vetting-report-pages-');
      try {
        const r = await cli(['selftest', '--data-dir', tmp.path, '--json']);
        expect(r.code, r.stderr).toBe(0);
        const { report } = JSON.parse(r.stdout) as { report: string };
        const pages = pageTexts(await printPdf(report, 'A4'));
        expect(pages.length, `the self-test report printed on ${pages.length} A4 pages`).toBeLessThanOrEqual(2);
        const first = pages[0] as string;
        expect(first).toContain('INCOMPLETE');
        expect(first).toContain('Back to the rack: not on this report — a demonstration run certifies nothing.');
        expect(first).toContain('This report is not a certification.');
        // The whole stage table is on page one.
        for (const name of ['Inventory', 'SMART', 'CPUStress', 'Storage', 'Network', 'Reporting']) expect(first).toMatch(new RegExp(`\\d\\s+${name}\\s+(passed|skipped|failed)`));
      } finally {
        tmp.remove();
      }
    }, 240_000);

    it('a standard run of a host with four disks and two NICs prints on at most three A4 pages, its decision on page one', async () => {
      // The host was here a month before: its result tables say what changed on each part since.
      const run = makeStandardRun(db, T0, { history: true });
      const { html } = writeRunReport(store, dir, run);
      const pages = pageTexts(await printPdf(html, 'A4'));
      expect(pages.length, `the standard run's report printed on ${pages.length} A4 pages`).toBeLessThanOrEqual(3);
      const first = pages[0] as string;
      expect(first).toMatch(/\bPASS\b/);
      expect(first).toContain('Back to the rack: yes — every part this host names was tested and passed.');
      expect(first).toContain(STANDARD_HOST.serial);
      for (const mac of STANDARD_HOST.macs) expect(first).toContain(mac);
      for (const serial of ['S64ANS0T512345', 'S64ANS0T512346', 'WD-WX12D81ABCDE', 'WD-WX12D81ABCDF']) expect(first).toContain(serial);
      expect(first).toMatch(/\d\s+PSU\s+passed/);
      expect(first).toMatch(/\d\s+Reporting\s+passed/);
      // Everything else is still printed after it.
      const all = pages.join('\n');
      for (const heading of ['Results', 'Thermal and PSU', 'Sensor summary', 'Audit trail', 'Artifacts']) expect(all).toContain(heading);
      expect(all).toMatch(/Since run \d+/);
      expect(all).toMatch(/IOPS −18 %,\s+worse/);
      expect(all).toMatch(/p99 \+18 %,\s+worse/);
      expect(all).toMatch(/Power-on hours 17,280 → 18,000/);
    });

    it('what changed on each part since its previous run costs the standard report no page', async () => {
      // The same standard run on a bench that never saw the host before (no change column
      // anywhere), and on one that saw it a month before.
      const print = async (history: boolean) => {
        const bench = tempDir('vetting-report-visit-');
        const seed = openDatabase(bench.path);
        const reads = openStore(bench.path);
        try {
          return pageTexts(await printPdf(writeRunReport(reads, bench.path, makeStandardRun(seed, T0, { history })).html, 'A4'));
        } finally {
          seed.close();
          reads.close();
          bench.remove();
        }
      };
      const firstVisit = await print(false);
      const secondVisit = await print(true);
      expect(firstVisit.join('\n')).not.toMatch(/Since (run \d+|last run)/);
      expect(secondVisit.join('\n')).toMatch(/Since run \d+/);
      expect(secondVisit.length, `with the changes ${secondVisit.length} pages, without ${firstVisit.length}`).toBe(firstVisit.length);
    });
  });
});
