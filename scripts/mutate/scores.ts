import ts from 'typescript';

// The pure parts of `npm run mutate`: where a `file#fn` entry's functions lie,
// which survivors are known equivalents, and the score of each module.

/** One mutant as Stryker's JSON report (mutation-testing-report-schema) holds it. */
export interface ReportMutant {
  id: string;
  mutatorName: string;
  replacement?: string;
  status: 'Killed' | 'Survived' | 'NoCoverage' | 'Timeout' | 'CompileError' | 'RuntimeError' | 'Ignored' | 'Pending';
  location: { start: { line: number; column: number }; end: { line: number; column: number } };
}
export interface ReportFile {
  source: string;
  mutants: ReportMutant[];
}

/** A surviving mutant that no test can kill because it changes nothing a caller can see. */
export interface EquivalentMutant {
  /** The module as modules.ts names it, without any #functions. */
  file: string;
  mutator: string;
  /** The code the mutant replaces, as in the source (whitespace does not count). */
  original: string;
  /** What Stryker put there; omit to match any replacement of `original` by `mutator`. */
  replacement?: string;
  /** One line: why no caller can tell the difference. */
  reason: string;
}

/** `file#a,b` → the file and the functions named (none: the whole file). */
export function parseModule(entry: string): { file: string; functions: string[] } {
  const [file, fns] = entry.split('#') as [string, string | undefined];
  return { file, functions: fns ? fns.split(',').map((f) => f.trim()).filter(Boolean) : [] };
}

/**
 * Stryker `--mutate` entries for a module: the file, or one `file:start-end` line
 * range per named function (a function declaration, or a const bound to a function).
 */
export function mutateRanges(entry: string, source: string): string[] {
  const { file, functions } = parseModule(entry);
  if (functions.length === 0) return [file];
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true);
  const found = new Map<string, ts.Node>();
  for (const st of sf.statements) {
    if (ts.isFunctionDeclaration(st) && st.name) found.set(st.name.text, st);
    if (ts.isVariableStatement(st)) {
      for (const d of st.declarationList.declarations) {
        if (ts.isIdentifier(d.name) && d.initializer && (ts.isArrowFunction(d.initializer) || ts.isFunctionExpression(d.initializer))) found.set(d.name.text, st);
      }
    }
  }
  return functions.map((fn) => {
    const node = found.get(fn);
    if (!node) throw new Error(`${file} has no top-level function ${fn} (scripts/mutate/modules.ts names it)`);
    const line = (pos: number) => sf.getLineAndCharacterOfPosition(pos).line + 1;
    return `${file}:${line(node.getStart(sf))}-${line(node.getEnd())}`;
  });
}

const squash = (s: string) => s.replace(/\s+/g, '');

/** The source text a mutant replaces. */
export function originalText(source: string, m: ReportMutant): string {
  const lines = source.split('\n');
  const { start, end } = m.location;
  if (start.line === end.line) return (lines[start.line - 1] ?? '').slice(start.column - 1, end.column - 1);
  const first = (lines[start.line - 1] ?? '').slice(start.column - 1);
  const middle = lines.slice(start.line, end.line - 1);
  const last = (lines[end.line - 1] ?? '').slice(0, end.column - 1);
  return [first, ...middle, last].join('\n');
}

export function isEquivalent(file: string, source: string, m: ReportMutant, known: readonly EquivalentMutant[]): EquivalentMutant | null {
  const original = squash(originalText(source, m));
  return (
    known.find(
      (e) => e.file === file && e.mutator === m.mutatorName && squash(e.original) === original && (e.replacement === undefined || squash(e.replacement) === squash(m.replacement ?? '')),
    ) ?? null
  );
}

export interface ModuleScore {
  module: string;
  mutants: number;
  killed: number;
  timeout: number;
  survived: number;
  noCoverage: number;
  /** Survivors (or uncovered) known to be equivalent: left out of the score. */
  equivalent: number;
  /** Not a valid mutant (does not compile, or breaks the test run itself). */
  invalid: number;
  /** Stryker's own score: detected / valid, in %. null when nothing valid. */
  strykerScore: number | null;
  /** The same with known equivalents left out: the figure the ≥ 90 % target is about. */
  score: number | null;
  /** Survivors nobody has explained: each needs a test or an entry in equivalent.ts. */
  unexplained: { line: number; mutator: string; original: string; replacement: string; status: string }[];
}

export function scoreModule(module: string, file: string, report: ReportFile, known: readonly EquivalentMutant[]): ModuleScore {
  const s: ModuleScore = { module, mutants: 0, killed: 0, timeout: 0, survived: 0, noCoverage: 0, equivalent: 0, invalid: 0, strykerScore: null, score: null, unexplained: [] };
  for (const m of report.mutants) {
    s.mutants++;
    if (m.status === 'Killed') s.killed++;
    else if (m.status === 'Timeout') s.timeout++;
    else if (m.status === 'Survived' || m.status === 'NoCoverage') {
      if (m.status === 'Survived') s.survived++;
      else s.noCoverage++;
      if (isEquivalent(file, report.source, m, known)) s.equivalent++;
      else s.unexplained.push({ line: m.location.start.line, mutator: m.mutatorName, original: originalText(report.source, m).slice(0, 120), replacement: (m.replacement ?? '').slice(0, 120), status: m.status });
    } else if (m.status === 'CompileError' || m.status === 'RuntimeError') s.invalid++;
  }
  const detected = s.killed + s.timeout;
  const valid = detected + s.survived + s.noCoverage;
  s.strykerScore = valid > 0 ? (100 * detected) / valid : null;
  s.score = valid - s.equivalent > 0 ? (100 * detected) / (valid - s.equivalent) : null;
  return s;
}

const pct = (n: number | null) => (n === null ? '—' : `${n.toFixed(1)} %`);

/** The score table docs/testing.md carries (Markdown). */
export function scoreTable(scores: readonly (ModuleScore & { group: string })[]): string {
  const rows = scores.map((s) => `| ${s.group} | \`${s.module}\` | ${s.mutants} | ${s.killed + s.timeout} | ${s.survived + s.noCoverage} | ${s.equivalent} | ${pct(s.strykerScore)} | **${pct(s.score)}** |`);
  return ['| group | module | mutants | killed | survived | equivalent | Stryker score | score without equivalents |', '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |', ...rows].join('\n');
}
