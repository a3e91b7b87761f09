import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { serve, tempDir, type Served } from '../test/support/serve.ts';
import { buildUi, launchChromium } from './chromium.ts';
import { median } from './stats.ts';
import type { Figure } from './table.ts';

// Benchmark 6 (UI half): the board page's first contentful paint, cold — a new
// Chromium with a fresh profile each time, so nothing is cached — against the
// same measurement for a static "hello" page from a bare Node HTTP server (the
// floor: browser start-up costs excluded, page load and paint included).

const HELLO = '<!doctype html><html><head><meta charset="utf-8"><title>hello</title></head><body><h1>hello</h1></body></html>';

// Runs in the page (source text: the Node-side tsconfig has no DOM types).
const FIRST_CONTENTFUL_PAINT = `new Promise((resolve) => {
  const done = (entries) => { const e = entries.find((x) => x.name === 'first-contentful-paint'); if (e) resolve(e.startTime); };
  done(performance.getEntriesByType('paint'));
  new PerformanceObserver((list) => done(list.getEntries())).observe({ type: 'paint', buffered: true });
})`;

/** First contentful paint of `url` in a fresh browser, and a DOM check once painted. */
async function coldPaint(url: string, ready: string): Promise<{ fcp: number; ok: boolean }> {
  const browser: Browser = await launchChromium();
  try {
    const page = await (await browser.newContext({ viewport: { width: 1366, height: 768 } })).newPage();
    await page.goto(url, { waitUntil: 'commit' });
    const fcp = (await page.evaluate(FIRST_CONTENTFUL_PAINT)) as number;
    const ok = await page
      .locator(ready)
      .first()
      .waitFor({ timeout: 30_000 })
      .then(() => true, () => false);
    return { fcp, ok };
  } finally {
    await browser.close();
  }
}

export async function benchUiPaint(repeats: number): Promise<Figure[]> {
  const uiDir = await buildUi();
  const tmp = tempDir('vetting-bench-paint-');
  const bare: Server = createServer((_q, r) => r.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(HELLO));
  let server: Served | null = null;
  try {
    server = await serve(tmp.path, ['--ui-dir', uiDir]);
    await new Promise<void>((r) => bare.listen(0, '127.0.0.1', r));
    const bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}/`;
    const board: number[] = [];
    const floor: number[] = [];
    let checks = 0;
    for (let i = 0; i < repeats; i++) {
      // Signing in with ?token= answers with a redirect to the board, as a user's first visit does.
      const b = await coldPaint(`${server.control}/?token=${server.token}`, 'h1:has-text("Bench board")');
      const h = await coldPaint(bareUrl, 'h1');
      board.push(b.fcp);
      floor.push(h.fcp);
      if (b.ok && h.ok) checks++;
    }
    const v = median(board);
    const base = median(floor);
    const ok = checks === repeats;
    return [
      { name: 'startup: UI first contentful paint, cold (board page)', value: v, unit: 'ms', baseline: base, baselineLabel: 'static hello page, bare Node server', ratio: v / base, target: null, met: ok ? null : false, check: ok ? `board rendered each time; median of ${repeats}` : `WRONG: the board did not render in ${repeats - checks} of ${repeats}` },
    ];
  } finally {
    bare.close();
    await server?.stop('SIGKILL');
    tmp.remove();
  }
}
