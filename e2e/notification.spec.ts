import { build } from 'esbuild';
import { join } from 'node:path';
import { expect, test, type BrowserContext } from '@playwright/test';
import { stageResultBody } from '../test/support/stage-results.ts';
import { ScriptedAgent } from './support/scripted-agent.ts';
import { repoRoot, VettingServer } from './support/server.ts';

// A desktop notification's click, as far as Chromium can drive it. The
// Electron binary cannot run here, so the page gets the real preload bridge
// (electron/preload/bridge-api.ts, bundled as the preload bundles it) over a
// stand-in for ipcRenderer: the main process's half — a click sends
// "vetting:open-run" with the run id (test/integration/shell-main-smoke.test.ts
// checks that on the bundled main process) — is played by emitting that
// event. In the app the UI shows no notice of its own (main shows it on the
// desktop); in a plain browser it shows a toast that links to the run.

const HOST = 'e2e-notify-node';
const MAC = '52:54:00:e2:e0:11';

/** The real bridge, built as a script, installed as window.vetting over a recording stand-in for ipcRenderer. */
async function installBridge(context: BrowserContext): Promise<void> {
  const bundled = await build({ entryPoints: [join(repoRoot, 'electron', 'preload', 'bridge-api.ts')], bundle: true, format: 'iife', globalName: 'VettingBridgeApi', write: false, logLevel: 'silent' });
  const code = bundled.outputFiles[0]!.text;
  await context.addInitScript(`${code}
(() => {
  const listeners = {};
  window.__ipcCalls = [];
  window.__ipcEmit = (channel, ...args) => (listeners[channel] || []).forEach((l) => l(...args));
  window.vetting = VettingBridgeApi.createVettingBridge(
    async (channel, ...args) => { window.__ipcCalls.push([channel, ...args]); return { ok: true }; },
    'e2e',
    (channel, listener) => { (listeners[channel] = listeners[channel] || []).push(listener); return () => { listeners[channel] = listeners[channel].filter((l) => l !== listener); }; },
  );
})();`);
}

test('a click on a run\'s notification opens that run', async ({ browser }) => {
  const server = await VettingServer.start();
  let agent: ScriptedAgent | null = null;
  try {
    const { control, token } = server.info;
    await server.cli(['host', 'add', '--name', HOST, '--mac', MAC, '--profile', 'smoke']);
    // A desktop channel: failures become notification events for the UI (docs/notifications.md).
    const put = await fetch(`${control}/api/notifications/channels`, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify([{ id: 'desk', name: 'Desktop', type: 'desktop' }]) });
    expect(put.status).toBe(200);

    const app = await browser.newContext();
    await installBridge(app);
    const inApp = await app.newPage();
    const plain = await (await browser.newContext()).newPage();
    for (const p of [inApp, plain]) {
      await p.goto(`${control}/?token=${encodeURIComponent(token)}`);
      await expect(p.getByRole('heading', { name: 'Bench board' })).toBeVisible();
      await expect(p.getByText('● live')).toBeVisible();
    }

    const started = await server.cliJson<{ run: number; orchestrator: string; token: string }>(['run', 'start', '--host', HOST]);
    agent = await ScriptedAgent.connect(started.orchestrator, started.token, { bootMac: MAC, dmiSerial: 'E2E-NOTIFY-1' });
    const inv = await agent.nextStage();
    agent.begin(inv);
    agent.finish(inv, { ...stageResultBody('Inventory'), coverage: [] });
    const smart = await agent.nextStage();
    agent.begin(smart);
    agent.finish(smart, stageResultBody('SMART', { outcome: 'failed', disks: [] }));

    await test.step('in a plain browser the notice is a toast that links to the run', async () => {
      const toast = plain.getByRole('status').filter({ hasText: HOST });
      await expect(toast).toBeVisible({ timeout: 30_000 });
      await toast.getByRole('link', { name: `Open run ${started.run}` }).click();
      await expect(plain).toHaveURL(new RegExp(`#/runs/${started.run}$`));
    });

    await test.step('in the app the desktop shows it, and its click opens the run', async () => {
      // The same notice reached the app's page too, and it drew nothing of its own (main shows it on the desktop).
      await expect(inApp.getByRole('status').filter({ hasText: HOST })).toHaveCount(0);
      expect(await inApp.evaluate('window.__ipcCalls.filter((c) => c[0] === "vetting:notify").length')).toBe(0);
      // Not a run id: nothing happens.
      await inApp.evaluate('window.__ipcEmit("vetting:open-run", "7"); window.__ipcEmit("vetting:open-run", -1)');
      await expect(inApp.getByRole('heading', { name: 'Bench board' })).toBeVisible();
      // What main sends when the notification is clicked.
      await inApp.evaluate(`window.__ipcEmit("vetting:open-run", ${started.run})`);
      await expect(inApp).toHaveURL(new RegExp(`#/runs/${started.run}$`));
      await expect(inApp.getByRole('list', { name: 'Stages' }).locator('[data-stage=SMART]')).toHaveAttribute('data-status', 'failed');
    });
  } finally {
    agent?.close();
    await server.stop();
  }
});
