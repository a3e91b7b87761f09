import { chromium, type Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildIfStale } from '../support/fresh-build.ts';
import { ScriptedAgent } from '../support/scripted-agent.ts';
import { api, serve, tempDir, type Served } from '../support/serve.ts';

// Issue 17, finding 3 (stored XSS), in a real Chromium signed in to a real
// `vetting serve`: an agent uploads a page whose script calls the control API
// with the operator's cookie. Before the fix, opening it from the run page ran
// that script (and started a janitor pass); now it is text wherever it shows.

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const EVIL = `<!doctype html><title>report</title><script>
document.title = 'pwned';
fetch('/api/janitor/run', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
</script><script src="evil.js"></script>`;

let browser: Browser;
let tmp: ReturnType<typeof tempDir>;
let server: Served;
let agent: ScriptedAgent | null = null;

beforeAll(async () => {
  buildIfStale();
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
});
afterAll(async () => {
  await browser?.close();
});
beforeEach(async () => {
  tmp = tempDir('vetting-xss-');
  server = await serve(tmp.path);
});
afterEach(async () => {
  agent?.drop();
  await server.stop('SIGKILL');
  tmp.remove();
});

async function uploadEvil(): Promise<number> {
  await api(server, 'POST', '/api/hosts', { name: 'node1', macs: ['52:54:00:5e:c0:02'], profile: 'smoke' });
  const r = (await api<{ run: number; orchestrator: string; token: string }>(server, 'POST', '/api/runs', { host: 'node1' })).body;
  agent = new ScriptedAgent(r.orchestrator, r.token);
  const welcome = await agent.connect();
  for (const [name, body] of [['evil.html', EVIL], ['evil.js', "document.title = 'pwned by js';"]] as const) {
    const res = await fetch(`${welcome.artifactUrl}/${name}`, { method: 'PUT', body, headers: { authorization: `Bearer ${r.token}`, 'x-vetting-stage': 'Inventory' } });
    expect(res.status).toBe(201);
  }
  return r.run;
}

const janitorPasses = async () => (await api<{ lastPass: unknown }>(server, 'GET', '/api/janitor')).body.lastPass;

describe('3. stored XSS through an agent artifact', () => {
  it('an uploaded page opened by its URL in a signed-in browser runs no script', async () => {
    const run = await uploadEvil();
    const page = await browser.newPage();
    try {
      await page.goto(`${server.control}/?token=${server.token}`);
      const res = await page.goto(`${server.control}/api/runs/${run}/artifacts/evil.html`);
      expect(res?.status()).toBe(200);
      await page.waitForLoadState('load');
      // Shown as its source text; nothing of it ran.
      expect(await page.title()).not.toMatch(/pwned/);
      expect(await page.locator('body').innerText()).toContain("document.title = 'pwned'");
      expect(await janitorPasses()).toBeNull();
    } finally {
      await page.close();
    }
  });

  it('the run page shows an artifact as text in its viewer', async () => {
    const run = await uploadEvil();
    const page = await browser.newPage();
    try {
      await page.goto(`${server.control}/?token=${server.token}`);
      await page.goto(`${server.control}/#/runs/${run}`);
      await page.getByRole('button', { name: 'View evil.html' }).click();
      const viewer = page.getByTestId('artifact-viewer');
      await expect.poll(() => viewer.locator('pre').innerText()).toContain('<script src="evil.js"></script>');
      expect(await page.title()).not.toMatch(/pwned/);
      expect(page.context().pages()).toHaveLength(1); // nothing opened as a page of its own
      expect(await janitorPasses()).toBeNull();
    } finally {
      await page.close();
    }
  });
});
