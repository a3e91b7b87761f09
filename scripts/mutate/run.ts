// `npm run mutate [-- GROUP|FILE ...] [--write-docs] [--no-run]`: mutation testing of the
// safety-critical modules (scripts/mutate/modules.ts) with StrykerJS, one run per
// group, each incremental (a second run re-tests only mutants whose code or tests
// changed). Prints and writes the score per module (test-results/mutation/) and
// fails when a module scores under the target. docs/testing.md explains it all.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Stryker } from '@stryker-mutator/core';
import { EQUIVALENT_MUTANTS } from './equivalent.ts';
import { MUTATION_GROUPS, PENDING_MODULES, type MutationGroup } from './modules.ts';
import { mutateRanges, parseModule, scoreModule, scoreTable, type ModuleScore, type ReportFile } from './scores.ts';

const TARGET = 90;
const ROOT = join(import.meta.dirname, '..', '..');
const OUT = join(ROOT, 'test-results', 'mutation');
const DOCS = join(ROOT, 'docs', 'testing.md');

type Scored = ModuleScore & { group: string };
interface GroupRun {
  group: string;
  seconds: number;
  at: string;
}
interface Saved {
  scores: Scored[];
  runs: GroupRun[];
}

function selectGroups(args: string[]): MutationGroup[] {
  if (args.length === 0) return [...MUTATION_GROUPS];
  return args.map((a) => {
    const g = MUTATION_GROUPS.find((x) => x.name === a || x.modules.some((m) => parseModule(m).file === a));
    if (!g) throw new Error(`no mutation group or module "${a}"; groups: ${MUTATION_GROUPS.map((x) => x.name).join(', ')}`);
    return g;
  });
}

async function runGroup(g: MutationGroup): Promise<{ scores: Scored[]; seconds: number }> {
  const mutate = g.modules.flatMap((m) => mutateRanges(m, readFileSync(join(ROOT, parseModule(m).file), 'utf8')));
  const started = Date.now();
  await new Stryker({
    mutate,
    incrementalFile: join('test-results', 'mutation', 'incremental', `${g.name}.json`),
    jsonReporter: { fileName: join('test-results', 'mutation', `${g.name}.json`) },
    htmlReporter: { fileName: join('test-results', 'mutation', `${g.name}.html`) },
  }).runMutationTest();
  const seconds = (Date.now() - started) / 1000;
  return { scores: scoreGroup(g), seconds };
}

/** The group's scores from its last Stryker report, with today's list of equivalents. */
function scoreGroup(g: MutationGroup): Scored[] {
  const report = JSON.parse(readFileSync(join(OUT, `${g.name}.json`), 'utf8')) as { files: Record<string, ReportFile> };
  return g.modules.map((m): Scored => {
    const { file } = parseModule(m);
    const entry = report.files[file] ?? { source: '', mutants: [] };
    return { group: g.name, ...scoreModule(m, file, entry, EQUIVALENT_MUTANTS) };
  });
}

function loadSaved(): Saved {
  try {
    return JSON.parse(readFileSync(join(OUT, 'scores.json'), 'utf8')) as Saved;
  } catch {
    return { scores: [], runs: [] };
  }
}

function docsBlock(saved: Saved): string {
  const order = (s: Scored) => MUTATION_GROUPS.flatMap((g) => g.modules).indexOf(s.module);
  const scores = saved.scores.filter((s) => order(s) >= 0).sort((a, b) => order(a) - order(b));
  const runs = MUTATION_GROUPS.filter((g) => scores.some((s) => s.group === g.name)).map((g) => {
    const run = saved.runs.find((r) => r.group === g.name);
    return `${g.name} ${run ? `${Math.round(run.seconds)} s` : 'not recorded (report from elsewhere)'}`;
  });
  return [
    scoreTable(scores),
    '',
    `Run times of the last run of each group (2 test workers): ${runs.join(', ')}.`,
    '',
    'Equivalent mutants (survivors no test can kill; left out of the score):',
    '',
    ...EQUIVALENT_MUTANTS.map((e) => `- \`${e.file}\` ${e.mutator}: \`${e.original.replace(/\s+/g, ' ')}\`${e.replacement !== undefined ? ` → \`${e.replacement}\`` : ''} — ${e.reason}`),
    '',
    'Not yet under mutation testing (scripts/mutate/modules.ts, PENDING_MODULES), and the group it will join:',
    '',
    ...PENDING_MODULES.map((p) => `- ${p.what}: ${p.group}`),
  ].join('\n');
}

function writeDocs(saved: Saved): void {
  const text = readFileSync(DOCS, 'utf8');
  const start = '<!-- mutation-scores:start -->';
  const end = '<!-- mutation-scores:end -->';
  const a = text.indexOf(start);
  const b = text.indexOf(end);
  if (a < 0 || b < a) throw new Error(`${DOCS} lacks the ${start} … ${end} markers`);
  writeFileSync(DOCS, `${text.slice(0, a + start.length)}\n${docsBlock(saved)}\n${text.slice(b)}`);
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const docs = argv.includes('--write-docs');
  // --no-run: only rescore the last saved runs and rewrite scores.md (and the docs with --write-docs).
  const groups = argv.includes('--no-run') ? [] : selectGroups([...new Set(argv.filter((a) => !a.startsWith('--')))]);
  mkdirSync(join(OUT, 'incremental'), { recursive: true });
  const saved = loadSaved();
  if (argv.includes('--no-run')) {
    // Rescore every group that has a Stryker report, so equivalents listed since its run
    // count. The reports are the source, not scores.json: reports copied from another
    // checkout come without it, and the table must not come out empty then.
    for (const g of MUTATION_GROUPS.filter((x) => existsSync(join(OUT, `${x.name}.json`)))) {
      saved.scores = [...saved.scores.filter((sc) => sc.group !== g.name), ...scoreGroup(g)];
    }
  }
  for (const g of groups) {
    const { scores, seconds } = await runGroup(g);
    saved.scores = [...saved.scores.filter((s) => s.group !== g.name), ...scores];
    saved.runs = [...saved.runs.filter((r) => r.group !== g.name), { group: g.name, seconds, at: new Date().toISOString() }];
    writeFileSync(join(OUT, 'scores.json'), `${JSON.stringify(saved, null, 2)}\n`);
    console.log(`\n${g.name}: ${Math.round(seconds)} s`);
  }
  writeFileSync(join(OUT, 'scores.md'), `${docsBlock(saved)}\n`);
  if (docs) writeDocs(saved);

  const ran = saved.scores.filter((s) => groups.some((g) => g.name === s.group));
  console.log(`\n${scoreTable(ran)}\n`);
  for (const s of ran) {
    for (const u of s.unexplained) console.log(`survived (${u.status}) ${parseModule(s.module).file}:${u.line} ${u.mutator}: ${JSON.stringify(u.original)} → ${JSON.stringify(u.replacement)}`);
  }
  const low = ran.filter((s) => s.score !== null && s.score < TARGET);
  if (low.length > 0) {
    console.error(`\nunder the ${TARGET} % target: ${low.map((s) => `${s.module} (${s.score!.toFixed(1)} %)`).join(', ')}`);
    process.exitCode = 1;
  }
}

await main();
