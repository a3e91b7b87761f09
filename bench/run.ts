import { writeFileSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import { cpus, totalmem } from 'node:os';
import { benchChart } from './chart.ts';
import { benchIngest } from './ingest.ts';
import { benchReport } from './report.ts';
import { benchStartup } from './startup.ts';
import { benchStorage } from './storage.ts';
import { benchStorageScan } from './storage-scan.ts';
import { benchUiPaint } from './ui-paint.ts';
import { benchVerdict } from './verdict.ts';
import { renderTable, type Figure } from './table.ts';

// `npm run bench`: every benchmark, one table, each figure beside a baseline
// measured in the same run (docs/performance.md).

const int = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive whole number');
  return n;
};

const program = new Command('bench')
  .option('--quick', 'smaller sizes, a few minutes in all')
  .option('--out <file>', 'also write the table as JSON')
  .option('--only <name>', 'run one benchmark: ingest | chart | report | storage | scan | verdict | startup | ui-paint')
  .option('--size <n>', 'the benchmark\'s size (ingest: agents; chart, report: hours; storage: disks; scan: MiB of disk; verdict, startup, ui-paint: repeats)', int)
  .option('--seconds <n>', 'ingest: seconds of load per size', int)
  .option('--lab', 'verdict: also run the PXE lab (scripts/test-lab.sh) and report its per-phase times')
  .parse();
const o = program.opts<{ quick?: boolean; out?: string; only?: string; size?: number; seconds?: number; lab?: boolean }>();

const all: Record<string, () => Promise<Figure[]>> = {
  ingest: async () => {
    const sizes = o.size ? [o.size] : o.quick ? [10, 100] : [10, 100, 500];
    const figures: Figure[] = [];
    for (const n of sizes) figures.push(...(await benchIngest(n, o.seconds ?? (o.quick ? 5 : 15))));
    return figures;
  },
  chart: async () => benchChart(o.size ?? (o.quick ? 2 : 12), o.quick ? 1 : 7),
  report: async () => benchReport(o.size ?? (o.quick ? 2 : 12)),
  storage: async () => {
    const sizes = o.size ? [o.size] : o.quick ? [2] : [1, 2, 4];
    const figures: Figure[] = [];
    for (const n of sizes) figures.push(...(await benchStorage(n, o.quick ? 1 : 3)));
    return figures;
  },
  scan: async () => benchStorageScan(o.size ?? (o.quick ? 256 : 1024), o.quick ? 1 : 3),
  verdict: async () => benchVerdict(o.size ?? 1, { lab: o.lab ?? false }),
  startup: async () => benchStartup(o.size ?? (o.quick ? 3 : 5)),
  'ui-paint': async () => benchUiPaint(o.size ?? (o.quick ? 3 : 5)),
};

if (o.only && !(o.only in all)) {
  process.stderr.write(`unknown benchmark "${o.only}"; choose one of ${Object.keys(all).join(', ')}\n`);
  process.exit(2);
}
const figures: Figure[] = [];
for (const [name, run] of Object.entries(all)) {
  if (o.only && o.only !== name) continue;
  process.stderr.write(`running ${name}…\n`);
  figures.push(...(await run()));
}
const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 1024 ** 3).toFixed(0)} GiB, Node ${process.version}`;
process.stdout.write(`${renderTable(figures)}\n\nmachine: ${machine}\n`);
if (o.out) writeFileSync(o.out, JSON.stringify({ machine, date: new Date().toISOString(), figures }, null, 2));
const missed = figures.filter((f) => f.met === false);
if (missed.length) process.stderr.write(`targets missed: ${missed.map((f) => f.name).join('; ')}\n`);
