import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { repoRoot, VettingServer } from './support/server.ts';

// Settings → Profiles: a person duplicates a built-in, edits one fio floor in
// the UI (a value out of range is refused, naming the field and what it
// allows), gives the profile to a host, and the next run — the real agent
// (`vetting agent`) on this machine, self-test style: fio on a scratch file,
// no disk touched — fails Storage with a message naming that floor. The run
// keeps the parameters it started with.

const HOST = 'e2e-profile-node';
const PROFILE = 'strict-ssd';
/** No scratch file on any machine does this many IOPS. */
const FLOOR = 100_000_000;

test('an edited floor makes the next run fail, naming it', async ({ page }) => {
  const server = await VettingServer.start();
  const scratch = await mkdtemp(join(tmpdir(), 'vetting-e2e-agent-'));
  let agent: ChildProcess | null = null;
  try {
    const { control, token } = server.info;
    await server.cli(['host', 'add', '--name', HOST, '--profile', 'selftest']);
    await page.goto(`${control}/?token=${encodeURIComponent(token)}`);
    await expect(page.getByRole('heading', { name: 'Bench board' })).toBeVisible();

    await test.step('duplicate a built-in in Settings → Profiles and edit its SSD floor', async () => {
      await page.goto(`${control}/#/settings`);
      const list = page.getByTestId('profiles');
      for (const name of ['standard', 'burn-in', 'smoke', 'selftest']) await expect(list.locator(`tr[data-profile="${name}"]`)).toContainText('built-in');
      // Built-ins can be duplicated, not edited.
      await expect(list.getByRole('button', { name: 'Edit standard' })).toHaveCount(0);
      await list.getByRole('button', { name: 'Duplicate selftest' }).click();
      const editor = page.getByTestId('profile-editor');
      await expect(editor.getByRole('heading', { name: 'New profile from selftest' })).toBeVisible();
      await editor.getByLabel('Name', { exact: true }).fill(PROFILE);
      const floor = editor.getByLabel('Floors · SSD · Min IOPS', { exact: true });
      await expect(floor).toHaveValue('100');
      await floor.fill('-5');
      await editor.getByRole('button', { name: 'Save profile' }).click();
      await expect(editor.getByText('-5 is not allowed; allowed: a number at least 0')).toBeVisible();
      await floor.fill(String(FLOOR));
      await editor.getByRole('button', { name: 'Save profile' }).click();
      await expect(editor).toBeHidden();
      await expect(list.locator(`tr[data-profile="${PROFILE}"]`)).toContainText('extends selftest');
      await expect(list.locator(`tr[data-profile="${PROFILE}"]`)).toContainText('no (demonstration)');
      // Stored as what it changes, nothing more.
      const shown = JSON.parse(await server.cli(['profile', 'show', PROFILE, '--json'])) as { overrides: unknown; params: { storage: { floors: { ssd: { minIops: number } } } } };
      expect(shown.overrides).toEqual({ storage: { floors: { ssd: { minIops: FLOOR } } } });
    });

    await test.step('give it to the host in the host form', async () => {
      await page.goto(`${control}/#/hosts/${HOST}`);
      await page.getByLabel('Profile', { exact: true }).selectOption(PROFILE);
      await page.getByRole('button', { name: 'Save host' }).click();
      await expect.poll(async () => (JSON.parse(await server.cli(['host', 'show', HOST, '--json'])) as { profile: string }).profile).toBe(PROFILE);
      await expect(page.getByLabel('Profile', { exact: true })).toHaveValue(PROFILE);
    });

    const started = await server.cliJson<{ run: number; orchestrator: string; token: string; pin: string }>(['run', 'start', '--host', HOST]);
    await test.step('the next run, by the real agent on this machine, fails Storage naming the floor', async () => {
      // TMPDIR: the agent's scratch file and work directory land in this test's folder, removed afterwards.
      agent = spawn(process.execPath, [join(repoRoot, 'bin', 'vetting.js'), 'agent', '--orchestrator', started.orchestrator, '--token', started.token, '--pin', started.pin, '--state-dir', join(scratch, 'state')], {
        cwd: repoRoot,
        stdio: 'ignore',
        env: { ...process.env, TMPDIR: scratch },
      });
      await page.goto(`${control}/#/runs/${started.run}`);
      await expect(page.getByText(new RegExp(`fio \\d+ IOPS below the floor of ${FLOOR}`)).first()).toBeVisible({ timeout: 120_000 });
      await expect(page.getByRole('list', { name: 'Stages' }).locator('[data-stage=Storage]')).toHaveAttribute('data-status', 'failed');
      // A profile extending selftest certifies nothing, whatever it changes.
      await expect(page.getByTestId('certification-note')).toContainText(`The ${PROFILE} profile is a demonstration run`);
    });

    await test.step('editing the profile afterwards changes nothing the run says', async () => {
      await page.goto(`${control}/#/settings`);
      await page.getByTestId('profiles').getByRole('button', { name: `Edit ${PROFILE}` }).click();
      const editor = page.getByTestId('profile-editor');
      await editor.getByLabel('Floors · SSD · Min IOPS', { exact: true }).fill('1');
      await editor.getByRole('button', { name: 'Save profile' }).click();
      await expect(editor).toBeHidden();
      const run = JSON.parse(await server.cli(['run', 'show', String(started.run), '--json'])) as { params: { storage: { floors: { ssd: { minIops: number } } } } };
      expect(run.params.storage.floors.ssd.minIops).toBe(FLOOR);
      // In use by the host: deleting it needs the host moved.
      await page.getByTestId('profiles').getByRole('button', { name: `Delete ${PROFILE}` }).click();
      const dialog = page.getByTestId('delete-profile');
      await expect(dialog.getByLabel(`Move ${HOST} to`)).toBeVisible();
      await dialog.getByLabel(`Move ${HOST} to`).selectOption('selftest');
      await dialog.getByRole('button', { name: 'Delete profile' }).click();
      await expect(page.getByTestId('profiles').locator(`tr[data-profile="${PROFILE}"]`)).toHaveCount(0);
      expect((JSON.parse(await server.cli(['host', 'show', HOST, '--json'])) as { profile: string }).profile).toBe('selftest');
    });
  } finally {
    const a = agent as ChildProcess | null;
    if (a && a.exitCode === null && a.signalCode === null) {
      const gone = new Promise((r) => a.once('exit', r));
      a.kill('SIGTERM');
      await gone;
    }
    await server.stop();
    await rm(scratch, { recursive: true, force: true });
  }
});
