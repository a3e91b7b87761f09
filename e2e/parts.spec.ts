import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import type { Inventory } from '../common/schema/inventory.ts';
import type { StageResult } from '../common/schema/protocol.ts';
import type { AgentStageName } from '../common/stages/index.ts';
import type { SmartDiskResult } from '../common/stages/smart.ts';
import type { StorageDiskResult } from '../common/stages/storage.ts';
import { stageResultBody } from '../test/support/stage-results.ts';
import { ScriptedAgent } from './support/scripted-agent.ts';
import { repoRoot, VettingServer } from './support/server.ts';

// History per part, through the real UI in Chromium against a real `vetting serve`: one
// host runs twice, played over the real agent WebSocket by a scripted agent. Between the
// runs one disk's reallocated count grew (0 → 2: SMART holds the second run, a person
// overrides) and its IOPS fell, and the other disk was swapped for a new one, the host's
// expected disks edited in its form. The run page says what changed beside each disk,
// the disk's page draws its trend, and the host page names the swap.

const shots = join(repoRoot, 'test-results', 'screenshots');
const HOST = 'e2e-parts-node';
const MAC = '52:54:00:e2:e1:01';
const SERIAL = 'E2E-SYS-PARTS';
const KEPT = 'E2E-KEPT-0001';
const OLD = 'E2E-OLD-0002';
const NEW = 'E2E-NEW-0003';

function inventoryWith(disks: readonly string[]): Inventory {
  return {
    system: { manufacturer: 'QEMU', product: 'Standard PC (Q35 + ICH9, 2009)', serial: SERIAL, uuid: null },
    bios: { vendor: 'SeaBIOS', version: '1.16.2', date: '04/01/2014' },
    cpu: { model: 'QEMU Virtual CPU', sockets: 1, cores: 4, threads: 4 },
    memory: { totalBytes: 8 * 1024 ** 3 },
    disks: disks.map((serial, i) => ({ name: `sd${'bc'[i]}`, path: `/dev/sd${'bc'[i]}`, serial, wwn: null, model: 'QEMU HARDDISK', sizeBytes: 32 * 1024 ** 3, rotational: false, removable: false, transport: 'sata' })),
    nics: [{ name: 'eth0', mac: MAC, speedMbps: 1000, driver: 'e1000e', link: true }],
    gpus: [],
    missingTools: ['nvidia-smi'],
  };
}

/** What the agent reports at each stage: every stage passes as its schema's sample, with these disks and figures on the first. */
function bodyOf(stage: AgentStageName, disks: readonly string[], figures: { reallocated: number; iops: number }): Omit<StageResult, 'type' | 'seq' | 'ts' | 'stage' | 'attempt'> {
  const body = stageResultBody(stage, { disks, nicMac: MAC });
  if (stage === 'Inventory') body.summary = { inventory: inventoryWith(disks) };
  if (stage === 'SMART') Object.assign((body.summary as { disks: SmartDiskResult[] }).disks[0]!, { reallocated: figures.reallocated });
  if (stage === 'Storage') Object.assign((body.summary as { disks: StorageDiskResult[] }).disks[0]!.fio!, { iops: figures.iops });
  return { ...body, summary: body.summary as Record<string, unknown> };
}

/** Plays stages as the orchestrator asks for them, until the run ends or `until` has been reported. */
async function play(agent: ScriptedAgent, disks: readonly string[], figures: { reallocated: number; iops: number }, until?: AgentStageName): Promise<void> {
  for (;;) {
    const d = await agent.nextStage();
    agent.begin(d);
    agent.finish(d, bodyOf(d.stage as AgentStageName, disks, figures));
    if (d.stage === until || d.stage === 'BMC') return;
  }
}

async function shot(page: Page, name: string) {
  await mkdir(shots, { recursive: true });
  await page.evaluate('window.scrollTo(0, 0)');
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}

test('what changed on a part since its last run: run page, part page, host page', async ({ page }) => {
  const server = await VettingServer.start();
  const agents: ScriptedAgent[] = [];
  const runState = async (id: number) => (await server.cliJson<{ state: string; result: string | null }>(['run', 'show', String(id)])).state;
  try {
    const { control, token } = server.info;
    await server.cli(['host', 'add', '--name', HOST, '--mac', MAC, '--profile', 'standard', '--disk', KEPT, '--disk', OLD]);
    await page.goto(`${control}/?token=${encodeURIComponent(token)}`);
    await expect(page.getByRole('heading', { name: 'Bench board' })).toBeVisible();

    const first = await server.cliJson<{ run: number; orchestrator: string; token: string }>(['run', 'start', '--host', HOST]);
    await test.step('the first run: nothing to compare with yet', async () => {
      const agent = await ScriptedAgent.connect(first.orchestrator, first.token, { bootMac: MAC, dmiSerial: SERIAL });
      agents.push(agent);
      await play(agent, [KEPT, OLD], { reallocated: 0, iops: 20_000 });
      await expect.poll(() => runState(first.run)).toBe('Completed');
      await page.goto(`${control}/#/runs/${first.run}`);
      const smart = page.getByRole('article', { name: 'SMART results' });
      await expect(smart.getByRole('table', { name: 'Disks' }).getByRole('row').filter({ hasText: KEPT })).toContainText('not measured here before');
      agent.close();
    });

    await test.step('a person swaps the old disk for a new one in the host form', async () => {
      await page.goto(`${control}/#/hosts/${HOST}`);
      await page.getByLabel('Expected disks').fill(`${KEPT}\n${NEW}`);
      await page.getByRole('button', { name: 'Save host' }).click();
      // (The form is drawn afresh from the saved host, so its "Saved." does not stay: ask the server.)
      await expect.poll(async () => (JSON.parse(await server.cli(['host', 'show', HOST, '--json'])) as { disks: string[] }).disks).toEqual([KEPT, NEW]);
    });

    const second = await server.cliJson<{ run: number; orchestrator: string; token: string }>(['run', 'start', '--host', HOST]);
    const agent = await ScriptedAgent.connect(second.orchestrator, second.token, { bootMac: MAC, dmiSerial: SERIAL });
    agents.push(agent);
    agent.startHeartbeats(1000);

    await test.step('the second run holds at SMART, and the run page says what grew beside the disk', async () => {
      await play(agent, [KEPT, NEW], { reallocated: 2, iops: 16_400 }, 'SMART');
      await page.goto(`${control}/#/runs/${second.run}`);
      await expect(page.getByText('Stopped at SMART')).toBeVisible();
      const disks = page.getByRole('article', { name: 'SMART results' }).getByRole('table', { name: 'Disks' });
      await expect(disks.getByRole('columnheader', { name: 'Since last run' })).toBeVisible();
      const kept = disks.getByRole('row').filter({ hasText: KEPT });
      await expect(kept.getByTestId('part-change')).toContainText('Reallocated 0 → 2 · worse');
      await expect(kept.locator('.change-worse')).toHaveText('Reallocated 0 → 2 · worse');
      await expect(kept.getByRole('link', { name: `run ${first.run}` })).toHaveAttribute('href', `#/runs/${first.run}`);
      // The new disk has no past on this bench.
      await expect(disks.getByRole('row').filter({ hasText: NEW }).getByTestId('part-change')).toContainText('not measured here before');
    });

    await test.step('overridden, the run goes on; Storage says the IOPS fell', async () => {
      await page.getByRole('button', { name: 'Override…' }).click();
      const dialog = page.getByTestId('action-override');
      await dialog.getByLabel('Reason (required)').fill('Two reallocated sectors after the repair; the owner accepts the disk.');
      await dialog.getByRole('button', { name: 'Override' }).click();
      await expect(dialog).toBeHidden();
      await play(agent, [KEPT, NEW], { reallocated: 2, iops: 16_400 });
      await expect.poll(() => runState(second.run)).toBe('Completed');
      const storage = page.getByRole('article', { name: 'Storage results' }).getByRole('table', { name: 'Disks' });
      const kept = storage.getByRole('row').filter({ hasText: KEPT });
      await expect(kept.getByTestId('part-change')).toContainText('IOPS −18 % · worse');
      await expect(kept.locator('.change-worse')).toHaveAttribute('title', 'IOPS 20,000 → 16,400 (−18 %)');
      // The NIC measured the same as last time.
      await expect(page.getByRole('article', { name: 'Network results' }).getByTestId('part-change')).toContainText(`no change since run ${first.run}`);
      await shot(page, 'run-part-changes');
    });

    await test.step('the disk\'s page: its runs, the figures run by run and a trend per figure', async () => {
      await page.getByRole('article', { name: 'SMART results' }).getByRole('row').filter({ hasText: KEPT }).getByRole('link', { name: `History of disk ${KEPT}` }).click();
      await expect(page).toHaveURL(new RegExp(`#/parts/disk/${KEPT}$`));
      await expect(page.getByRole('heading', { name: `Disk ${KEPT}` })).toBeVisible();
      const trend = page.locator(`[data-testid=part-trend][data-stage=SMART][data-figure=reallocated]`);
      await expect(trend).toHaveAttribute('data-points', '2');
      await expect(trend.getByRole('img')).toHaveAttribute('aria-label', `SMART · Reallocated: run ${first.run} 0, run ${second.run} 2`);
      await expect(trend.locator('.recharts-line-curve')).toHaveCount(1);
      const iops = page.locator(`[data-testid=part-trend][data-stage=Storage][data-figure="fio.iops"]`);
      await expect(iops.getByRole('img')).toHaveAttribute('aria-label', `Storage · IOPS: run ${first.run} 20000, run ${second.run} 16400`);
      await expect(page.locator(`[data-testid=part-trend][data-stage=Storage][data-figure="fio.p99Ms"]`)).toBeVisible();
      const figures = page.getByRole('table', { name: 'Figures by run' });
      await expect(figures.getByRole('row').filter({ hasText: 'SMART · Reallocated' })).toContainText(/2\s*0/);
      const runs = page.getByRole('region', { name: 'Runs' }).getByRole('table');
      await expect(runs.getByRole('row')).toHaveCount(3); // header + two runs
      await expect(runs.getByRole('row').nth(1)).toContainText(`#${second.run}`);
      await expect(runs.getByRole('row').nth(1)).toContainText('PASS WITH OVERRIDES');
      await shot(page, 'part-page');
    });

    await test.step('the host page lists its parts by serial, and the swap', async () => {
      await page.goto(`${control}/#/hosts/${HOST}`);
      const parts = page.getByTestId('host-parts');
      await expect(parts.getByTestId('host-parts-summary')).toHaveText(`Run ${second.run} against run ${first.run}: parts swapped — 1 appeared, 1 gone.`);
      const row = (id: string) => parts.getByRole('row').filter({ hasText: id });
      await expect(row(NEW)).toContainText(`+ new since run ${first.run}`);
      await expect(row(NEW)).toContainText('/dev/sdc');
      await expect(row(OLD)).toContainText(`− gone since run ${first.run}`);
      await expect(row(OLD)).toContainText('/dev/sdc');
      await expect(row(KEPT)).not.toContainText('since run');
      await expect(row(MAC)).toContainText('NIC');
      // Each serial leads to its part's page.
      await row(OLD).getByRole('link', { name: OLD }).click();
      await expect(page.getByRole('heading', { name: `Disk ${OLD}` })).toBeVisible();
      await expect(page.getByRole('region', { name: 'Runs' }).getByRole('row')).toHaveCount(2);
      await page.goBack();
      await shot(page, 'host-parts');
    });
  } catch (err) {
    console.error(`--- server log ---\n${server.log()}\n--- agent transcript ---\n${agents.at(-1)?.transcript.slice(-30).join('\n') ?? '(no agent)'}`);
    throw err;
  } finally {
    for (const a of agents) a.close();
    await server.stop();
  }
});
