import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { extentText } from '../common/schema/coverage.ts';
import type { Inventory } from '../common/schema/inventory.ts';
import type { AgentStageName } from '../common/stages/index.ts';
import type { RunStage, WipeProbeHit } from '../common/schema/protocol.ts';
import { RESULT_TEXT } from '../common/verdict.ts';
import { stageResultBody } from '../test/support/stage-results.ts';
import { ScriptedAgent, thermalSamples } from './support/scripted-agent.ts';
import { repoRoot, VettingServer } from './support/server.ts';
import { partialScanPassed, wipeProbeHit, type SmokeDisk } from './support/storage-results.ts';

// One run on a real `vetting serve`, driven over the real agent WebSocket by a
// scripted client, watched and operated through the real UI in Chromium:
// board → live stage → thermal chart → wipe-probe hit → supervisor override
// (wrong credential refused, right one accepted) → run completes as INCOMPLETE
// (a smoke run scans 16 MiB of each disk and certifies nothing), its coverage
// and results drawn from the stages' own schemas → report printed to PDF with
// the verdict on page one → history filtered by result.

const shots = join(repoRoot, 'test-results', 'screenshots');
const HOST = 'e2e-node-1';
const MAC = '52:54:00:e2:e0:01';
const SERIAL = 'E2E-SYS-0001';
const DISKS = ['E2E-DISK-A', 'E2E-DISK-B'];
const SUPERVISOR = { name: 'Alice Supervisor', secret: 'right-credential-42' };
const DISK_BYTES = 32 * 1024 ** 3;
const SMOKE_DISKS: SmokeDisk[] = DISKS.map((id, i) => ({ id, device: `/dev/sd${'bc'[i]}`, sizeBytes: DISK_BYTES }));
/** What the smoke profile's surface scan reaches on each disk (common/profiles.ts). */
const SMOKE_SCAN_BYTES = 16 * 1024 ** 2;
const FOUND: WipeProbeHit[] = [
  { disk: DISKS[0]!, device: '/dev/sdb', found: ['ext4 filesystem "pve-data"', 'GPT partition table'] },
  { disk: DISKS[1]!, device: '/dev/sdc', found: ['LVM2 physical volume'] },
];

const inventory: Inventory = {
  system: { manufacturer: 'QEMU', product: 'Standard PC (Q35 + ICH9, 2009)', serial: SERIAL, uuid: null },
  bios: { vendor: 'SeaBIOS', version: '1.16.2', date: '04/01/2014' },
  cpu: { model: 'QEMU Virtual CPU', sockets: 1, cores: 4, threads: 4 },
  memory: { totalBytes: 8 * 1024 ** 3 },
  disks: DISKS.map((serial, i) => ({ name: `sd${'bc'[i]}`, path: `/dev/sd${'bc'[i]}`, serial, wwn: null, model: 'QEMU HARDDISK', sizeBytes: DISK_BYTES, rotational: false, removable: false, transport: 'sata' })),
  nics: [{ name: 'eth0', mac: MAC, speedMbps: 1000, driver: 'e1000e', link: true }],
  gpus: [],
  missingTools: ['nvidia-smi'],
};

async function shot(page: Page, name: string) {
  await mkdir(shots, { recursive: true });
  await page.evaluate('window.scrollTo(0, 0)'); // a sticky header would otherwise land mid-page
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}

test('a run on the bench, watched and overridden through the UI', async ({ page, context }) => {
  // The browser's print dialog cannot be driven; record that the report page asked for it.
  await context.addInitScript('window.print = () => { document.documentElement.dataset.printRequested = "yes"; };');
  const server = await VettingServer.start();
  let agent: ScriptedAgent | null = null;
  try {
    const { control, token } = server.info;

    await test.step('set up a supervisor, a host and a run with the CLI', async () => {
      await server.cli(['supervisor', 'add', '--name', SUPERVISOR.name], { VETTING_SUPERVISOR_SECRET: SUPERVISOR.secret });
      await server.cli(['host', 'add', '--name', HOST, '--mac', MAC, '--profile', 'smoke', ...DISKS.flatMap((d) => ['--disk', d])]);
    });
    const started = await server.cliJson<{ run: number; orchestrator: string; token: string }>(['run', 'start', '--host', HOST]);
    const runId = started.run;

    await test.step('without the token the UI explains how to get in', async () => {
      await page.goto(`${control}/`);
      await expect(page.getByRole('heading', { name: 'Sign in to the bench' })).toBeVisible();
      await expect(page.getByText('vetting serve --json')).toBeVisible();
    });

    await test.step('sign in with the token; it leaves the address bar', async () => {
      await page.goto(`${control}/?token=${encodeURIComponent(token)}`);
      await expect(page).not.toHaveURL(/token=/);
      await expect(page.getByRole('heading', { name: 'Bench board' })).toBeVisible();
      await expect(page.locator(`[data-testid=host-tile][data-host="${HOST}"]`)).toContainText('Waiting for agent');
      await expect(page.getByText('● live')).toBeVisible();
    });

    await test.step('an unknown machine that PXE-boots shows up as a new host to adopt', async () => {
      const unknownMac = '52:54:00:e2:e0:99';
      const res = await fetch(`${server.info.bench}/boot/ipxe?mac=${unknownMac}`);
      if (res.status === 404) {
        // The boot routes (PXE issue) are not mounted on this server build yet: say so in the report.
        test.info().annotations.push({ type: 'step not run', description: `GET /boot/ipxe answered 404: ${(await res.text()).slice(0, 120)}` });
        return;
      }
      expect(res.status).toBe(200);
      const row = page.getByRole('row').filter({ hasText: unknownMac });
      await expect(row).toBeVisible();
      await row.getByRole('button', { name: `Adopt ${unknownMac}` }).click();
      const dialog = page.getByTestId('adopt');
      await dialog.getByLabel('Host name').fill('bad name!');
      await dialog.getByRole('button', { name: 'Adopt host' }).click();
      await expect(dialog.getByText(/may hold letters, digits/)).toBeVisible();
      await dialog.getByLabel('Host name').fill('e2e-adopted');
      await dialog.getByRole('button', { name: 'Adopt host' }).click();
      await expect(dialog).toBeHidden();
      await expect(page.locator('[data-testid=host-tile][data-host="e2e-adopted"]')).toContainText('Idle');
      await expect(page.getByRole('row').filter({ hasText: unknownMac })).toHaveCount(0);
    });

    const now = Date.now();
    agent = await ScriptedAgent.connect(started.orchestrator, started.token, { bootMac: MAC, dmiSerial: SERIAL });
    agent.startHeartbeats(1000);
    const a = agent;
    const sensorNames = ['coretemp/Package id 0', 'coretemp/Core 0', 'nvme/Composite'];
    let cpu: RunStage | null = null;

    await test.step('agent passes Inventory and SMART, then runs CPUStress', async () => {
      const inv = await a.nextStage();
      expect(inv.stage).toBe('Inventory');
      a.begin(inv);
      // Inventory describes the host and tests nothing: it claims no coverage.
      a.finish(inv, { outcome: 'passed', message: 'inventory collected', summary: { inventory }, coverage: [] });

      const smart = await a.nextStage();
      expect(smart.stage).toBe('SMART');
      a.begin(smart);
      a.finish(smart, { ...stageResultBody('SMART', { disks: DISKS }), message: 'all expected disks healthy' });

      cpu = await a.nextStage();
      expect(cpu.stage).toBe('CPUStress');
      a.begin(cpu);
      // Two minutes of history, as if the sidecar had been posting since boot.
      for (const batch of thermalSamples(sensorNames, now - 120_000, now, 5_000)) a.sensors(batch);
      a.progress(cpu, { percent: 40, etaS: 72, message: 'stress-ng: 4 cpu, 2 vm workers' });
      a.log(cpu, 'stress-ng', ['stress-ng: info:  [812] dispatching hogs: 4 cpu, 2 vm', 'stress-ng: info:  [812] cache allocate: default cache size: 16384K']);
    });

    await test.step('the board shows the host and its live stage', async () => {
      const tile = page.locator(`[data-testid=host-tile][data-host="${HOST}"]`);
      await expect(tile.locator('[data-stage=CPUStress]')).toHaveAttribute('data-status', 'running');
      await expect(tile.locator('[data-stage=CPUStress]')).toContainText('40%');
      await expect(tile.locator('[data-stage=SMART]')).toHaveAttribute('data-status', 'passed');
      await expect(tile).toContainText('Running CPUStress');
      await expect(tile).toContainText(/°C/);
      await shot(page, 'board');
      // Resting the pointer on a tile starts loading its run page, before any click.
      const preloaded = page.waitForRequest((r) => new URL(r.url()).pathname === `/api/runs/${runId}`, { timeout: 10_000 });
      await tile.hover();
      await preloaded;
    });

    await test.step('the run page shows the thermal chart with data', async () => {
      await page.goto(`${control}/#/runs/${runId}`);
      const chart = page.locator('[data-testid=thermal-chart]').first();
      await expect(chart).toBeVisible();
      await expect(chart).toHaveAttribute('data-series', String(sensorNames.length));
      await expect.poll(async () => Number(await chart.getAttribute('data-points'))).toBeGreaterThan(10);
      await expect(chart.locator('path.series-line')).toHaveCount(sensorNames.length);
      await expect(page.getByTestId('log-tail')).toContainText('dispatching hogs');
      await expect(page.getByRole('list', { name: 'Stages' }).locator('[data-stage=CPUStress]')).toHaveAttribute('data-status', 'running');
      await shot(page, 'run-detail');

      // Loaded on its address, the page's first requests go out before the bundle is evaluated
      // (renderer/src/api/early.ts) and the app takes their answers instead of asking again.
      const asked: string[] = [];
      const onRequest = (r: { url(): string }) => asked.push(new URL(r.url()).pathname);
      page.on('request', onRequest);
      await page.reload();
      await expect(chart.locator('path.series-line')).toHaveCount(sensorNames.length);
      page.off('request', onRequest);
      expect(asked.filter((p) => p === '/api/session')).toHaveLength(1);
      expect(asked).toContain(`/api/runs/${runId}/measurements`);
      // As source text: the tests' typings are Node's, without the browser's navigation timing.
      const sent = (await page.evaluate(`({
        session: performance.getEntriesByType('resource').find((e) => e.name.endsWith('/api/session'))?.startTime ?? Infinity,
        evaluated: performance.getEntriesByType('navigation')[0].domContentLoadedEventStart,
      })`)) as { session: number; evaluated: number };
      expect(sent.session, 'the session was asked for while the bundle was still being evaluated').toBeLessThan(sent.evaluated);
    });

    await test.step('a wipe-probe hit holds the run for a supervisor', async () => {
      if (!cpu) throw new Error('CPUStress never started');
      a.sensors(sensorNames.map((sensor) => ({ kind: 'thermal', sensor, unit: '°C', ts: Date.now(), value: 71 })));
      a.finish(cpu, { ...stageResultBody('CPUStress'), message: 'stress-ng passed, peak 71.0 °C' });
      // Stages between CPUStress and Storage (Memory) pass as their schema's sample result.
      let storage = await a.nextStage();
      while (storage.stage !== 'Storage' && storage.stage !== 'Network') {
        a.begin(storage);
        a.finish(storage, stageResultBody(storage.stage as AgentStageName));
        storage = await a.nextStage();
      }
      expect(storage.stage).toBe('Storage');
      a.begin(storage);
      a.finish(storage, wipeProbeHit(SMOKE_DISKS, FOUND));
      await expect(page.getByTestId('run-state').first()).toContainText('supervisor needed');

      await page.goto(`${control}/#/`);
      const tile = page.locator(`[data-testid=host-tile][data-host="${HOST}"]`);
      await expect(tile).toContainText('Data on disk — supervisor needed');
      await expect(tile.locator('[data-stage=Storage]')).toHaveAttribute('data-status', 'failed');
      await expect(page.getByText('1 needs a person')).toBeVisible();
      await shot(page, 'board-needs-person');
      await page.goto(`${control}/#/runs/${runId}`);
    });

    await test.step('the supervisor dialog names each disk and refuses without credentials', async () => {
      await page.getByRole('button', { name: 'Supervisor override…' }).click();
      const dialog = page.getByTestId('action-override');
      await expect(dialog).toBeVisible();
      const findings = dialog.getByTestId('unexpected-data');
      await expect(findings).toContainText(DISKS[0]!);
      await expect(findings).toContainText('ext4 filesystem "pve-data"');
      await expect(findings).toContainText(DISKS[1]!);
      await expect(findings).toContainText('LVM2 physical volume');
      await dialog.getByRole('button', { name: 'Approve override' }).click();
      await expect(dialog.getByText("enter the supervisor's name")).toBeVisible();
      await expect(dialog.getByText("enter the supervisor's credential")).toBeVisible();
      await expect(dialog.getByText(/give a reason/)).toBeVisible();
      await shot(page, 'override-dialog');

      await dialog.getByLabel('Supervisor name').fill(SUPERVISOR.name);
      await dialog.getByLabel('Supervisor credential').fill('wrong-credential');
      await dialog.getByLabel('Reason (required)').fill('Disks came back from repair with old pool data; cleared with the owner.');
      await dialog.getByRole('button', { name: 'Approve override' }).click();
      await expect(dialog.getByRole('alert').filter({ hasText: 'Refused' })).toBeVisible();
      await expect(dialog).toBeVisible();
      await expect(page.getByTestId('run-state').first()).toContainText('supervisor needed');

      await dialog.getByLabel('Supervisor credential').fill(SUPERVISOR.secret);
      await dialog.getByRole('button', { name: 'Approve override' }).click();
      await expect(dialog).toBeHidden();
    });

    await test.step('after the override the run continues to the end', async () => {
      let d = await a.nextStage();
      if (d.stage === 'Storage') {
        expect([...d.wipeOverride].sort()).toEqual([...DISKS].sort());
        a.begin(d);
        a.progress(d, { item: DISKS[0], percent: 50, etaS: 4, message: 'verified scan: reading and checking ~0%' });
        a.finish(d, partialScanPassed(SMOKE_DISKS, FOUND, SMOKE_SCAN_BYTES));
        d = await a.nextStage();
      }
      expect(d.stage).toBe('Network');
      a.begin(d);
      a.finish(d, stageResultBody('Network', { nicMac: MAC }));
      d = await a.nextStage();
      expect(d.stage).toBe('GPU');
      a.begin(d);
      a.finish(d, { ...stageResultBody('GPU'), message: 'no GPU present' });
      d = await a.nextStage();
      expect(d.stage).toBe('PSU');
      a.begin(d);
      const t0 = Date.now() - 3000;
      const measurements = Array.from({ length: 12 }, (_, i) => [
        { kind: 'psu' as const, sensor: 'in0 12V', unit: 'V', ts: t0 + i * 250, value: 12.05 - (i % 4) * 0.03 },
        { kind: 'psu' as const, sensor: 'power1', unit: 'W', ts: t0 + i * 250, value: 180 + i * 9 },
      ]).flat();
      a.finish(d, { ...stageResultBody('PSU'), message: 'no rail dipped more than 5%', measurements });
      d = await a.nextStage();
      expect(d.stage).toBe('BMC');
      a.begin(d);
      a.finish(d, stageResultBody('BMC'));
      // Smoke scans 16 MiB of each disk and certifies nothing: the run completes, but it is not a pass.
      await expect(page.getByTestId('run-state').first()).toContainText(`Completed — ${RESULT_TEXT.incomplete}`, { timeout: 30_000 });
      await expect(page.getByRole('list', { name: 'Stages' }).locator('[data-stage=Reporting]')).toHaveAttribute('data-status', 'passed');
      await expect(page.locator('[data-testid=psu-chart]').first()).toBeVisible();
      // The PSU charts are drawn by recharts (renderer/src/views/run/chart-layer.ts): one per unit, a line per sensor,
      // the legend beside it, and the hover read-out naming the nearest reading.
      const psuCharts = page.locator('[data-testid=psu-chart]');
      await expect(psuCharts).toHaveCount(2);
      for (const c of await psuCharts.all()) {
        await expect(c).toHaveAttribute('data-layer', 'recharts');
        await expect(c.locator('.series-line path.recharts-line-curve')).toHaveCount(1);
      }
      const volts = psuCharts.filter({ hasText: 'in0 12V' });
      await expect(volts.locator('.chart-legend')).toContainText('in0 12V');
      const plot = volts.getByRole('img');
      await plot.hover({ position: { x: ((await plot.boundingBox())!.width * 2) / 3, y: 150 } });
      await expect(volts.locator('.chart-tooltip')).toContainText(/in0 12V 1\d\.\d V/);

      // Zooming to a stage asks the server again for that window only.
      const zoomGroup = page.getByRole('group', { name: 'Zoom the temperatures' });
      const zoomed = page.waitForResponse((r) => /\/measurements\?kind=thermal&from=\d+&to=\d+/.test(r.url()));
      await zoomGroup.getByRole('button', { name: 'CPUStress' }).click();
      expect((await zoomed).status()).toBe(200);
      await expect(zoomGroup.getByRole('button', { name: 'CPUStress' })).toHaveAttribute('aria-pressed', 'true');
      const chart = page.locator('[data-testid=thermal-chart]').first();
      await expect.poll(async () => Number(await chart.getAttribute('data-points'))).toBeGreaterThanOrEqual(sensorNames.length);
      await zoomGroup.getByRole('button', { name: 'Whole run' }).click();
      await shot(page, 'run-completed');
    });

    await test.step('the completed run says what it covered, and why it is not a pass', async () => {
      await expect(page.getByTestId('certification-note')).toContainText('The smoke profile is a demonstration run: its result is not a certification.');
      await expect(page.getByText('Not everything the verdict depends on was tested: this is not a pass')).toBeVisible();

      const coverage = page.getByTestId('coverage');
      await expect(coverage.getByTestId('coverage-line')).toHaveText(/^Coverage: \d+ tested · \d+ not applicable · \d+ not tested — \d+ required parts were not tested$/);
      // The partial surface scan of each disk: not tested, required, with how much it reached.
      const scanned = `the verified scan covered ${extentText({ done: SMOKE_SCAN_BYTES, total: DISK_BYTES, unit: 'bytes' })}`;
      // The Storage table names the attempt that counts (the second, after the override).
      const storage = coverage.getByRole('table', { name: 'Storage (attempt 2)' });
      for (const disk of SMOKE_DISKS) {
        const row = storage.getByRole('row').filter({ hasText: `${disk.id} (${disk.device})` }).filter({ hasText: 'surface scan' });
        await expect(row).toContainText('not tested — required');
        await expect(row).toContainText(scanned);
        await expect(row).toHaveClass('row-gap');
      }
      // A part that does not apply says why, and is no gap.
      const gpu = coverage.getByRole('table', { name: 'GPU' });
      await expect(gpu.getByRole('row').filter({ hasText: 'compute burn' })).toContainText('not applicable');
      await expect(gpu.getByRole('row').filter({ hasText: 'compute burn' })).toContainText('no GPU in this host');

      // Results are drawn from each stage's summary schema: titled columns, values judged against the row's limits.
      const results = page.getByRole('article', { name: 'Storage results' });
      const disks = results.getByRole('table', { name: 'Disks' });
      await expect(disks.getByRole('columnheader', { name: 'IOPS', exact: true })).toBeVisible();
      const diskA = disks.getByRole('row').filter({ hasText: DISKS[0]! });
      await expect(diskA.getByRole('cell', { name: /15,234/ })).toHaveClass('good');
      await expect(diskA.getByRole('cell', { name: /15,234/ })).toContainText('meets ≥ 100');
      await expect(results.getByText('Raw JSON')).toBeVisible();

      // The board's tile says the result too, in its own tone (a released host's tile goes back to idle).
      await page.goto(`${control}/#/`);
      const tile = page.locator(`[data-testid=host-tile][data-host="${HOST}"]`);
      await expect(tile.getByTestId('run-state')).toHaveText(`◐ Completed — ${RESULT_TEXT.incomplete}`);
      await expect(tile.getByTestId('run-state')).toHaveClass(/tone-partial/);
      await shot(page, 'board-completed');
      await page.goto(`${control}/#/runs/${runId}`);
    });

    await test.step('the report opens and prints to PDF with the verdict on page one', async () => {
      const [report] = await Promise.all([context.waitForEvent('page'), page.getByRole('link', { name: 'Open report', exact: true }).click()]);
      await report.waitForLoadState('load');
      await expect(report.locator('body')).toContainText(RESULT_TEXT.incomplete);
      await report.emulateMedia({ media: 'print' });
      const pdf = await report.pdf({ format: 'A4', printBackground: true });
      expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
      await mkdir(shots, { recursive: true });
      await writeFile(join(shots, 'report.pdf'), pdf);
      // Page one of an A4 print is 297 mm tall; the verdict must start within it.
      // (A string, since this file is type-checked without DOM types.)
      const verdictTop = await report.evaluate<number | null>(`(() => {
        const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        for (let n = walker.nextNode(); n; n = walker.nextNode()) {
          if (/\\b${RESULT_TEXT.incomplete}\\b/.test(n.textContent || '') && n.parentElement) return n.parentElement.getBoundingClientRect().top + window.scrollY;
        }
        return null;
      })()`);
      expect(verdictTop).not.toBeNull();
      const pageHeightPx = (297 / 25.4) * 96;
      expect(verdictTop!).toBeLessThan(pageHeightPx);
      await report.close();

      // "Print report" in a browser opens the report and calls its print().
      const [printed] = await Promise.all([context.waitForEvent('page'), page.getByRole('button', { name: 'Print report' }).click()]);
      await expect(printed.locator('html')).toHaveAttribute('data-print-requested', 'yes');
      await expect(printed).toHaveURL(new RegExp(`/api/runs/${runId}/report.html$`));
      await printed.close();
    });

    await test.step('releasing the host asks first, then closes the run', async () => {
      await page.getByRole('button', { name: 'Release host…' }).click();
      const dialog = page.getByTestId('action-release');
      await expect(dialog).toContainText(`Run ${runId} becomes Released and can no longer change.`);
      await dialog.getByRole('button', { name: 'Release host' }).click();
      await expect(dialog).toBeHidden();
      await expect(page.getByTestId('run-state').first()).toContainText('Released');
      await expect(page.getByText(`No actions in state Released.`)).toBeVisible();
      // The audit trail names the session's role (operator), not a name typed into the dialog.
      await expect(page.getByRole('row').filter({ hasText: 'release' }).last()).toContainText('operator');
    });

    await test.step('hosts, history and settings pages work against the same server', async () => {
      await page.goto(`${control}/#/hosts/${HOST}`);
      await expect(page.getByRole('heading', { name: HOST, exact: true })).toBeVisible();
      await expect(page.getByLabel('Expected disks')).toHaveValue(DISKS.join('\n'));
      const yaml = page.getByLabel(`Expected spec of ${HOST} as YAML`);
      await yaml.fill('version: 1\ncpu:\n  cores: many\n');
      await expect(page.getByTestId('spec-status')).toContainText('✗');
      await expect(page.locator('.gutter .gutter-bad')).toHaveCount(1);
      await expect(page.locator('#spec-issues')).toContainText('line 3');
      await page.getByRole('button', { name: 'Capture spec' }).click();
      await expect(yaml).toHaveValue(new RegExp(SERIAL));
      await expect(page.getByTestId('spec-status')).toContainText('✓ valid');
      await shot(page, 'host');

      await page.goto(`${control}/#/hosts`);
      await expect(page.getByRole('row').filter({ hasText: HOST })).toContainText(MAC);
      await page.getByRole('link', { name: 'Add host' }).click();
      await page.getByLabel('Name').fill('e2e-node-2');
      await page.getByLabel('Boot MACs').fill('52:54:00:e2:e0:02\nnot-a-mac');
      await page.getByLabel('Expected disks').fill('/dev/sda');
      await page.getByRole('button', { name: 'Add host' }).click();
      await expect(page.getByText(/“not-a-mac”: expected a MAC address/)).toBeVisible();
      await expect(page.getByText(/never by a \/dev name/)).toBeVisible();
      await page.getByLabel('Boot MACs').fill('52:54:00:e2:e0:02');
      await page.getByLabel('Expected disks').fill('E2E-DISK-C');
      await page.getByRole('button', { name: 'Add host' }).click();
      await expect(page).toHaveURL(/#\/hosts\/e2e-node-2$/);
      await expect(page.getByRole('heading', { name: 'e2e-node-2', exact: true })).toBeVisible();

      await page.goto(`${control}/#/history?host=${HOST}`);
      await expect(page.getByRole('link', { name: `Report of run ${runId}` })).toBeVisible();
      await expect(page.getByRole('row').filter({ hasText: `#${runId}` })).toContainText(`Released — ${RESULT_TEXT.incomplete}`);
      // The result filter offers all four results, and the server filters by each.
      const result = page.getByLabel('Result');
      await expect(result.locator('option')).toHaveText(['any', 'pass', 'pass with overrides', 'incomplete', 'fail']);
      await result.selectOption('incomplete');
      await page.getByRole('button', { name: 'Filter' }).click();
      await expect(page).toHaveURL(/result=incomplete/);
      await expect(page.getByRole('link', { name: `Report of run ${runId}` })).toBeVisible();
      await shot(page, 'history');
      await result.selectOption('pass');
      await page.getByRole('button', { name: 'Filter' }).click();
      await expect(page).toHaveURL(/result=pass(&|$)/);
      await expect(page.getByText('No runs match.')).toBeVisible();

      await page.goto(`${control}/#/settings`);
      await expect(page.getByRole('heading', { name: 'Bench network' })).toBeVisible();
      await expect(page.getByText(SUPERVISOR.name)).toBeVisible();
      await expect(page.getByRole('heading', { name: 'Services' })).toBeVisible();

      await page.getByRole('button', { name: 'Edit channels…' }).click();
      const channels = page.getByLabel('Channels (JSON)');
      await channels.fill('[{"id": "bench", "name": "Bench screen", "type": "webhook", "url": "ftp://x"}]');
      await page.getByRole('button', { name: 'Save channels' }).click();
      await expect(page.locator('#channels-problems')).toContainText('channel 1 · url');
      await channels.fill('[{"id": "bench", "name": "Bench screen", "type": "desktop"}]');
      await page.getByRole('button', { name: 'Save channels' }).click();
      const channel = page.getByRole('article', { name: 'Channel Bench screen' });
      await expect(channel).toBeVisible();
      await channel.getByRole('button', { name: 'Send a test to Bench screen' }).click();
      await expect(channel.getByRole('status')).toHaveText(/test sent|✗/);

      await page.getByRole('button', { name: 'Run janitor now' }).click();
      await expect(page.getByText(/Last pass .* reclaimed/)).toBeVisible();
      await shot(page, 'settings');
    });

    await test.step('a dropped event stream shows that it is reconnecting', async () => {
      await server.stop();
      await expect(page.getByTestId('stream-status')).toHaveText('reconnecting…');
    });
  } catch (err) {
    console.error(`--- server log ---\n${server.log()}\n--- agent transcript ---\n${[...(agent?.transcript.slice(0, 12) ?? []), '…', ...(agent?.transcript.slice(-30) ?? [])].join('\n') ?? '(no agent)'}`);
    throw err;
  } finally {
    agent?.close();
    await server.stop();
  }
});
