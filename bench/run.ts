import { writeFileSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import { cpus, totalmem } from 'node:os';
import { benchIngest } from './ingest.ts';
import { benchReport } from './report.ts';
import { benchStartup } from './startup.ts';
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
  .option('--only <name>', 'run one benchmark: ingest | report | startup')
  .option('--size <n>', 'the benchmark\'s size (ingest: agents; report: hours; startup: repeats)', int)
  .option('--seconds <n>', 'ingest: seconds of load per size', int)
  .parse();
const o = program.opts<{ quick?: boolean; out?: string; only?: string; size?: number; seconds?: number }>();

const all: Record<string, () => Promise<Figure[]>> = {
  ingest: async () => {
    const sizes = o.size ? [o.size] : o.quick ? [10, 100] : [10, 100, 500];
    const figures: Figure[] = [];
    for (const n of sizes) figures.push(...(await benchIngest(n, o.seconds ?? (o.quick ? 5 : 15))));
    return figures;
  },
  report: async () => benchReport(o.size ?? (o.quick ? 2 : 12)),
  startup: async () => benchStartup(o.size ?? (o.quick ? 3 : 5)),
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
