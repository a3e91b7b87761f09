import { expect, test } from '@playwright/test';
import { startIpmiSim, type IpmiSim } from '../test/support/ipmi-sim.ts';
import { VettingServer } from './support/server.ts';

// A host's BMC through the UI, against a real BMC simulator (OpenIPMI's
// ipmi_sim answering ipmitool on loopback): the host form's BMC fields and
// "Test connection" (power state and model), the board tile's power state, and
// a run started from the UI that sets PXE and powers the host on, then asks
// before power-cycling it the next time.

const HOST = 'e2e-bmc-1';

test('a host with a BMC: test the connection, start a run that powers it on, confirm a cycle', async ({ page }) => {
  const server = await VettingServer.start();
  let bmc: IpmiSim | null = null;
  try {
    bmc = await startIpmiSim();
    const { control, token } = server.info;
    await page.goto(`${control}/?token=${encodeURIComponent(token)}`);
    await expect(page.getByRole('heading', { name: 'Bench board' })).toBeVisible();

    await test.step('add the host with its BMC; the test shows power and model before saving', async () => {
      await page.goto(`${control}/#/hosts/new`);
      await page.getByLabel('Name').fill(HOST);
      await page.getByLabel('BMC', { exact: true }).selectOption('ipmi');
      await page.getByLabel('Address').fill(`127.0.0.1:${bmc!.port}`);
      await page.getByLabel('User').fill(bmc!.user);
      await page.getByRole('button', { name: 'Test connection' }).click();
      // No password yet: refused next to the field, nothing sent.
      await expect(page.getByText('Not tested')).toBeVisible();
      await page.getByLabel('Password').fill(bmc!.password);
      await page.getByRole('button', { name: 'Test connection' }).click();
      await expect(page.getByTestId('bmc-test-result')).toContainText('power is off; BMC MontaVista Software, Inc. product id 3842 (0x0f02), firmware 9.08');
      await page.getByRole('button', { name: 'Add host' }).click();
      await expect(page.getByRole('heading', { name: HOST, exact: true })).toBeVisible();
      // Saved: the password is not shown back, only that one is stored.
      await expect(page.getByLabel('Password')).toHaveValue('');
      await expect(page.getByText('Stored encrypted. Leave empty to keep it.')).toBeVisible();
    });

    await test.step('start a run from the host page: PXE once, then power on', async () => {
      await page.getByRole('button', { name: 'Start run…' }).click();
      const dialog = page.getByTestId('start-run');
      await expect(dialog.getByLabel('Power (through the BMC)')).toBeVisible();
      await dialog.getByRole('button', { name: 'Start run' }).click();
      const started = page.getByTestId('started-run');
      await expect(started.getByTestId('power-steps')).toContainText('next boot set to PXE, once');
      await expect(started.getByTestId('power-steps')).toContainText('powered on');
      expect(bmc!.events()).toEqual(['set boot pxe', 'set power 1', 'boot-from pxe']);
      await started.getByRole('button', { name: 'Cancel' }).click();
    });

    await test.step('the board tile shows the power state', async () => {
      await page.goto(`${control}/#/`);
      await expect(page.locator(`[data-testid=host-tile][data-host="${HOST}"] [data-testid=power-state]`)).toHaveText('on');
    });

    await test.step('abandon offers power-off; a new start on a host that is on asks before cycling', async () => {
      const runs = JSON.parse(await server.cli(['run', 'list', '--json'])) as { id: number }[];
      await server.cli(['run', 'abandon', String(runs[0]!.id), '--reason', 'e2e: start again']);
      await page.goto(`${control}/#/hosts/${HOST}`);
      await page.getByRole('button', { name: 'Start run…' }).click();
      await page.getByTestId('start-run').getByRole('button', { name: 'Start run' }).click();
      const confirm = page.getByTestId('confirm-cycle');
      await expect(confirm).toContainText('power-cycles it');
      const before = bmc!.events().length;
      await confirm.getByRole('button', { name: 'Power-cycle and start' }).click();
      await expect(page.getByTestId('started-run').getByTestId('power-steps')).toContainText('power-cycled');
      await expect.poll(() => bmc!.events().slice(before)).toEqual(['set boot pxe', 'set power 0', 'set power 1', 'boot-from pxe']);
      await page.getByTestId('started-run').getByRole('button', { name: 'Open the run' }).click();
      await page.getByRole('button', { name: 'Abandon run…' }).click();
      const abandon = page.getByTestId('action-abandon');
      await abandon.getByLabel('Reason (required)').fill('e2e: done with it');
      await abandon.getByTestId('abandon-power-off').getByRole('checkbox').check();
      await abandon.getByRole('button', { name: 'Abandon run', exact: true }).click();
      await expect(abandon).toBeHidden();
      await expect.poll(() => bmc!.power()).toBe('off');
    });
  } finally {
    await bmc?.stop();
    await server.stop();
  }
});
