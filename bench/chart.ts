import { join } from 'node:path';
import react from '@vitejs/plugin-react';
import type { Browser, BrowserContext } from 'playwright-core';
import { build } from 'vite';
import { openDatabase } from '../electron/node/store/db.ts';
import { openStore } from '../electron/node/store/index.ts';
import { ROOT, serve, tempDir, type Served } from '../test/support/serve.ts';
import { buildUi, launchChromium } from './chromium.ts';
import { buildFloorPages, floorFigures } from './floor.ts';
import { median } from './stats.ts';
import { seedLongRun } from './report.ts';
import type { Figure } from './table.ts';

// Benchmark 2: the run detail page's thermal chart for a long run (default 12
// hours, 40 sensors every 5 s) in real Chromium against a real `vetting serve`
// serving the built UI. Measured: time from the start of the navigation to the
// chart painted (every series' line drawn and a frame rendered after it),
// and the JS heap once the chart stands (after a forced GC). Baseline: the same
// page and chart fed every raw point — the UI's measurements request is
// rewritten in flight from its downsampled `points` to the API's maximum, so the server
// sends each series whole. The page-load floor rows that follow (bench/floor.ts)
// say how far any page load could go against the by-address baseline.
//
// Then the two chart layers side by side (renderer/src/views/run/chart-layer.ts):
// the UI built once with recharts drawing every chart and once with the SVG
// layer, both served by the same server from the same data. Each is timed
// in-app on the long run and on a 10-minute run of the same 40 sensors: the
// long run must paint in < 500 ms, and its cost must not grow with the run's
// length (12 h ÷ 10 min ≤ 1.5).

const SENSORS = 40;
/** The short run the long one is compared with: its cost must not grow with run length. */
const SHORT_MINUTES = 10;
const LAYERS = ['recharts', 'svg'] as const;
type Layer = (typeof LAYERS)[number];
/** The run length issue 8 sets the chart's targets for. */
const TARGET_HOURS = 12;
const RAW_POINTS = 100_000; // the API's upper bound (common/schema/api.ts MeasurementQuery)
const PAINT_TIMEOUT_MS = 300_000;
/** A chart whose lines stand but whose ceiling has not come this long after is measured as it is, and its check fails. */
const CEILING_GRACE_MS = 30_000; // a page that never draws the chart fails the benchmark instead of hanging it

interface Painted { ms: number; series: number; points: number; paths: number; ceiling: boolean; heapMB: number }

// Runs in the page (kept as source text: the Node-side tsconfig has no DOM types).
// From the start of the navigation (a page load, or the in-app route change it
// makes when HASH is set), checks every animation frame until the chart's DOM
// is complete; the next frame paints it, and the task after that runs once it has.
const WAIT_FOR_CHART = `new Promise((resolve) => {
  const start = HASH ? performance.now() : 0;
  if (HASH) location.hash = HASH;
  const check = () => {
    const chart = document.querySelector('[data-testid="thermal-chart"]');
    // One drawn line per sensor: the SVG layer's paths, or the curve inside each recharts <Line>.
    const paths = chart ? [...chart.querySelectorAll('path.series-line, .series-line path.recharts-line-curve')] : [];
    // The ceiling: its line (the chart's ceiling layer) and its "max N" label (recharts draws labels in a layer of their own).
    const ceiling = !!chart && chart.querySelector('.chart-ceiling line') !== null && [...chart.querySelectorAll('text')].some((t) => /^max \\d+/.test(t.textContent || ''));
    // Complete means every line and the ceiling: recharts may add the ceiling a frame after the lines.
    if (!chart || paths.length < SENSORS || paths.some((p) => !(p.getAttribute('d') || '').startsWith('M')) || (!ceiling && performance.now() - start < CEILING_GRACE_MS)) return requestAnimationFrame(check);
    requestAnimationFrame(() => setTimeout(() => resolve({
      ms: performance.now() - start,
      series: Number(chart.getAttribute('data-series')),
      points: Number(chart.getAttribute('data-points')),
      paths: paths.length,
      ceiling,
    })));
  };
  check();
})`;

/**
 * Opens the run page in a new tab — by loading its address ('load'), or from
 * the board by the in-app route change a click on the run makes ('in-app') —
 * and waits, frame by frame, for the chart to stand.
 */
async function paintRun(context: BrowserContext, control: string, runId: number, how: 'load' | 'in-app', raw: boolean, page0 = '/'): Promise<Painted> {
  const page = await context.newPage();
  try {
    if (raw) {
      await page.route(/\/api\/runs\/\d+\/measurements/, (route) => {
        const u = new URL(route.request().url());
        if (u.searchParams.has('points')) u.searchParams.set('points', String(RAW_POINTS));
        return route.continue({ url: u.toString() });
      });
    }
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    const hash = `#/runs/${runId}`;
    if (how === 'in-app') {
      await page.goto(`${control}${page0}#/`, { waitUntil: 'load' });
      await page.locator('h1:has-text("Bench board")').waitFor({ timeout: 30_000 });
      await page.waitForLoadState('networkidle', { timeout: 5_000 }).catch(() => undefined); // the board's own requests done
    } else await page.goto(`${control}${page0}${hash}`, { waitUntil: 'domcontentloaded' });
    const script = WAIT_FOR_CHART.replace('SENSORS', String(SENSORS)).replace('CEILING_GRACE_MS', String(CEILING_GRACE_MS)).replaceAll('HASH', how === 'in-app' ? JSON.stringify(hash) : "''");
    let timer: NodeJS.Timeout | undefined;
    const giveUp = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`the chart did not stand within ${PAINT_TIMEOUT_MS / 1000} s (${how}, ${raw ? 'raw' : 'downsampled'})`)), PAINT_TIMEOUT_MS)));
    const seen = (await Promise.race([page.evaluate(script), giveUp]).finally(() => clearTimeout(timer))) as Omit<Painted, 'heapMB'>;
    await cdp.send('HeapProfiler.collectGarbage');
    const { metrics } = (await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
    const heap = metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? NaN;
    return { ...seen, heapMB: heap / 1024 ** 2 };
  } finally {
    await page.close();
  }
}

export async function benchChart(hours: number, repeats: number): Promise<Figure[]> {
  const uiDir = await buildUi();
  await buildFloorPages(uiDir);
  for (const layer of LAYERS) await buildLayerUi(uiDir, layer);
  const tmp = tempDir('vetting-bench-chart-');
  // Seeded before the server starts, as a finished run already on disk would be.
  let server: Served | null = null;
  let browser: Browser | null = null;
  try {
    const store = openStore(tmp.path);
    const runId = seedLongRun(store, tmp.path, hours, SENSORS);
    const shortRunId = seedLongRun(store, tmp.path, SHORT_MINUTES / 60, SENSORS);
    store.close();
    const db = openDatabase(tmp.path);
    const perSeries = (db.prepare("SELECT COUNT(*) AS n FROM measurements WHERE run_id = ? AND sensor = 'hwmon0/temp1'").get(runId) as { n: number }).n;
    db.close();
    server = await serve(tmp.path, ['--ui-dir', uiDir]);
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
    const signIn = await context.newPage();
    await signIn.goto(`${server.control}/?token=${server.token}`);
    await signIn.close();
    await paintRun(context, server.control, runId, 'load', false); // warm-up: the bundle in the HTTP cache, as for a user already on the board
    const figures: Figure[] = [];
    const tag = `chart ${hours} h × ${SENSORS} sensors`;
    let rawByAddressMs = NaN;
    for (const how of ['in-app', 'load'] as const) {
      const fast: Painted[] = [];
      for (let i = 0; i < repeats; i++) fast.push(await paintRun(context, server.control, runId, how, false));
      // The baseline's own spread is as wide: a median of up to three of it too.
      const raws: Painted[] = [];
      for (let i = 0; i < Math.min(3, repeats); i++) raws.push(await paintRun(context, server.control, runId, how, true));
      const raw = raws.sort((a, b) => a.ms - b.ms)[Math.floor((raws.length - 1) / 2)]!;
      if (how === 'load') rawByAddressMs = raw.ms;
      // Correctness: 40 series drawn, the ceiling line present, downsampled vs whole.
      const problems: string[] = [];
      for (const [label, p] of [['downsampled', fast[0]!], ['raw', raw]] as const) {
        if (p.series !== SENSORS || p.paths !== SENSORS) problems.push(`${label}: ${p.series} series / ${p.paths} paths, expected ${SENSORS}`);
        if (!p.ceiling) problems.push(`${label}: max-temperature line missing`);
      }
      if (raw.points !== SENSORS * perSeries) problems.push(`raw: ${raw.points} points drawn, expected every one of ${SENSORS * perSeries}`);
      if (fast.some((p) => p.points > SENSORS * 800 || p.points < SENSORS * Math.min(perSeries, 100))) problems.push(`downsampled: ${fast.map((p) => p.points).join('/')} points drawn`);
      if (raws.some((p) => p.points !== raw.points)) problems.push(`raw: ${raws.map((p) => p.points).join('/')} points drawn`);
      const ok = problems.length === 0;
      const check = ok ? `${SENSORS} series + ceiling line; ${fast[0]!.points} vs ${raw.points} points drawn` : `WRONG: ${problems.join('; ')}`;
      const ms = median(fast.map((p) => p.ms));
      const heap = median(fast.map((p) => p.heapMB));
      const label = how === 'in-app' ? 'board → run page (in-app)' : 'run page loaded by address';
      figures.push(
        {
          name: `${tag}: ${label} to chart painted`,
          value: ms,
          unit: 'ms',
          baseline: raw.ms,
          baselineLabel: 'same chart fed every raw point',
          ratio: ms / raw.ms,
          // The targets are for its 12-hour run; smaller sizes (--quick, growth curves) are for reading only.
          // Issue 18 replaced issue 8's "≥ 10× faster than raw points" (that baseline shares the page's fixed costs): the baseline is for reading.
          target: hours >= TARGET_HOURS ? '< 500 ms' : null,
          // A wrong answer fails at any size.
          met: !ok ? false : hours >= TARGET_HOURS ? ms < 500 : null,
          check: `${check}; median of ${repeats} (baseline: of ${raws.length})`,
        },
        { name: `${tag}: ${label}: JS heap with the chart drawn (after GC)`, value: heap, unit: 'MB', baseline: raw.heapMB, baselineLabel: 'same chart fed every raw point', ratio: heap / raw.heapMB, target: null, met: null },
      );
    }
    // What any page load costs here before its own work: the bound on the "loaded by address" ratio.
    figures.push(...(await floorFigures(context, server.control, repeats, rawByAddressMs, tag)));
    figures.push(...(await layerFigures(context, server.control, { long: runId, short: shortRunId }, hours, repeats)));
    return figures;
  } finally {
    await browser?.close();
    await server?.stop('SIGKILL');
    tmp.remove();
  }
}

/**
 * The renderer built with one chart layer drawing every chart, into
 * `<uiDir>/layer-<layer>/` (served by the same server as `/layer-<layer>/index.html`):
 * the app's own sources, its layer choice fixed by a define (chart-layer.ts).
 */
async function buildLayerUi(uiDir: string, layer: Layer): Promise<void> {
  await build({
    configFile: false,
    root: join(ROOT, 'renderer'),
    base: './',
    plugins: [react()],
    logLevel: 'warn',
    define: { VETTING_CHART_LAYER: JSON.stringify(layer) },
    build: { outDir: join(uiDir, `layer-${layer}`), emptyOutDir: true, chunkSizeWarningLimit: 4096 },
  });
}

/** Median in-app paint of a run's chart with `layer` drawing it, and the first paint's check. */
async function layerPaint(context: BrowserContext, control: string, runId: number, layer: Layer, repeats: number): Promise<{ ms: number; first: Painted; all: Painted[] }> {
  await paintRun(context, control, runId, 'in-app', false, `/layer-${layer}/index.html`); // warm-up, as for the app's own figures
  const all: Painted[] = [];
  for (let i = 0; i < repeats; i++) all.push(await paintRun(context, control, runId, 'in-app', false, `/layer-${layer}/index.html`));
  return { ms: median(all.map((p) => p.ms)), first: all[0]!, all };
}

/**
 * recharts against the SVG layer, on the same data and the same page, in-app:
 * the long run's paint (< 500 ms) and how much more it costs than the
 * 10-minute run's (≤ 1.5 ×). Each layer's rows are checked for what they drew.
 */
async function layerFigures(context: BrowserContext, control: string, runs: { long: number; short: number }, hours: number, repeats: number): Promise<Figure[]> {
  const measured = new Map<Layer, { long: Awaited<ReturnType<typeof layerPaint>>; short: Awaited<ReturnType<typeof layerPaint>> }>();
  for (const layer of LAYERS) measured.set(layer, { long: await layerPaint(context, control, runs.long, layer, repeats), short: await layerPaint(context, control, runs.short, layer, repeats) });
  const svg = measured.get('svg')!;
  const figures: Figure[] = [];
  for (const layer of LAYERS) {
    const m = measured.get(layer)!;
    const problems: string[] = [];
    for (const [label, p] of [[`${hours} h`, m.long.first], [`${SHORT_MINUTES} min`, m.short.first]] as const) {
      if (p.series !== SENSORS || p.paths !== SENSORS) problems.push(`${label}: ${p.series} series / ${p.paths} lines, expected ${SENSORS}`);
      if (!p.ceiling) problems.push(`${label}: max-temperature line missing`);
    }
    const ok = problems.length === 0;
    const check = ok ? `${SENSORS} lines + ceiling line; ${m.long.first.points} points (${hours} h) and ${m.short.first.points} (${SHORT_MINUTES} min) drawn; medians of ${repeats}` : `WRONG: ${problems.join('; ')}`;
    const atTarget = hours >= TARGET_HOURS;
    const other = layer === 'svg' ? null : svg;
    const growth = m.long.ms / m.short.ms;
    figures.push(
      {
        name: `chart layer ${layer}: ${hours} h × ${SENSORS} sensors, board → run page (in-app) to chart painted`,
        value: m.long.ms,
        unit: 'ms',
        baseline: other ? other.long.ms : null,
        baselineLabel: other ? 'SVG layer, same data and page' : null,
        ratio: other ? m.long.ms / other.long.ms : null,
        target: atTarget ? '< 500 ms' : null,
        met: !ok ? false : atTarget ? m.long.ms < 500 : null,
        check,
      },
      {
        name: `chart layer ${layer}: ${SENSORS} sensors, ${SHORT_MINUTES} min run (in-app) to chart painted`,
        value: m.short.ms,
        unit: 'ms',
        baseline: other ? other.short.ms : null,
        baselineLabel: other ? 'SVG layer, same data and page' : null,
        ratio: other ? m.short.ms / other.short.ms : null,
        target: null,
        met: ok ? null : false,
      },
      {
        name: `chart layer ${layer}: chart(${hours} h) ÷ chart(${SENSORS > 0 ? SHORT_MINUTES : 0} min), in-app`,
        value: growth,
        unit: '×',
        baseline: null,
        baselineLabel: null,
        ratio: null,
        target: atTarget ? '≤ 1.5' : null,
        met: !ok ? false : atTarget ? growth <= 1.5 : null,
      },
    );
  }
  return figures;
}

