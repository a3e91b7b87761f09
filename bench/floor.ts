import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { build } from 'vite';
import { ROOT } from '../test/support/serve.ts';
import { median } from './stats.ts';
import type { Figure } from './table.ts';

// The page-load floor, for reading the chart's "loaded by address" figure: how
// long this machine's Chromium takes, from the start of a navigation to a
// painted frame, for pages that do almost nothing — one with a one-line script;
// one that draws a single element with the UI's own React; one that does so
// after building the shared zod schemas (common/schema), as the UI's bundle
// does before it draws. All are served by the same `vetting serve` (same
// origin, headers and CSP as the UI) and timed exactly as the chart is, so no
// page of this UI can paint its chart sooner than the React floor. Built from
// bench/floor-page/ (their scripts) and renderer/index.html (their HTML) into
// the bench UI folder.

export type FloorPage = 'plain' | 'react' | 'schemas';
const PAGES: readonly FloorPage[] = ['plain', 'react', 'schemas'];
const LABEL: Record<FloorPage, string> = {
  plain: 'one element drawn by a plain script',
  react: 'one element drawn with React, the UI’s framework',
  schemas: 'one element drawn with React once the shared zod schemas are built',
};

/**
 * Each floor page is the UI's own index.html (its head, CSP and root element)
 * with the floor's script in place of the app's, so the two differ only in
 * what their script does.
 */
function floorHtml(page: FloorPage): string {
  const app = readFileSync(join(ROOT, 'renderer', 'index.html'), 'utf8');
  const html = app.replace('./src/main.tsx', `./${page}.js`).replace(/<title>[^<]*<\/title>/, `<title>Vetting — page-load floor (${page})</title>`);
  if (!html.includes(`./${page}.js`)) throw new Error('renderer/index.html no longer loads ./src/main.tsx: update bench/floor.ts');
  return html;
}

/**
 * Builds the floor pages into `<uiDir>/floor/` (call after the UI's own build,
 * which empties uiDir): one build per page, so each is one bundle as the UI is.
 */
export async function buildFloorPages(uiDir: string): Promise<void> {
  const root = join(ROOT, 'bench', 'floor-page');
  for (const [i, page] of PAGES.entries()) {
    const file = join(root, `${page}.html`);
    await build({
      configFile: false,
      root,
      base: './',
      logLevel: 'warn',
      // The page's HTML exists only here, made from the UI's own.
      plugins: [{ name: 'floor-html', resolveId: (id) => (id === file ? id : null), load: (id) => (id === file ? floorHtml(page) : null) }],
      build: { outDir: join(uiDir, 'floor'), emptyOutDir: i === 0, rollupOptions: { input: { [page]: file } } },
    });
  }
}

// Runs in the page, as the chart benchmark's own wait does: checks every frame
// for the element, then waits for the frame that paints it and the task after.
// A page that never draws fails the benchmark instead of hanging it.
const WAIT_FOR_DRAWN = `new Promise((resolve, reject) => {
  setTimeout(() => reject(new Error('the floor page drew nothing within 30 s')), 30000);
  const check = () => {
    if (!document.getElementById('floor-drawn')) return requestAnimationFrame(check);
    requestAnimationFrame(() => setTimeout(() => resolve(performance.now())));
  };
  check();
})`;

/** Loads a floor page by address in a new tab; ms from the navigation's start to the element painted. */
async function paintFloor(context: BrowserContext, control: string, page: FloorPage): Promise<number> {
  const tab = await context.newPage();
  try {
    await tab.goto(`${control}/floor/${page}.html#/runs/1`, { waitUntil: 'domcontentloaded' });
    return (await tab.evaluate(WAIT_FOR_DRAWN)) as number;
  } finally {
    await tab.close();
  }
}

/**
 * The floor figures, each against the chart's raw baseline loaded by address
 * (`baselineMs`): the ratio is the best "loaded by address" ratio a page that
 * does that much could reach.
 */
export async function floorFigures(context: BrowserContext, control: string, repeats: number, baselineMs: number, tag: string): Promise<Figure[]> {
  const figures: Figure[] = [];
  for (const page of PAGES) {
    await paintFloor(context, control, page); // warm-up: its script in the HTTP cache, as the chart's is
    const ms: number[] = [];
    for (let i = 0; i < repeats; i++) ms.push(await paintFloor(context, control, page));
    const value = median(ms);
    figures.push({
      name: `${tag}: page-load floor (${LABEL[page]}), loaded by address to painted`,
      value,
      unit: 'ms',
      baseline: baselineMs,
      baselineLabel: 'chart fed every raw point, loaded by address',
      ratio: value / baselineMs,
      target: null,
      met: null,
      check: `element drawn; median of ${repeats}`,
    });
  }
  return figures;
}
