import { stageTools } from '../../../common/stages/index.ts';
import { toolExists } from '../../../agent/runtime/tool-runner.ts';
import { UserError } from '../util/errors.ts';

// What `vetting selftest` checks before it starts: every program the stages
// declare (common/stages/<stage>.ts, gathered by stageTools()), looked up the
// way the agent will look it up. A missing required one would fail the run
// halfway with "stress-ng: not installed"; instead the person learns up front
// which Debian packages to install, and as root may have them installed
// (`--install-tools`). Optional programs (nvidia-smi…) only make their checks
// say "not tested".

export interface ToolGap {
  binary: string;
  debianPackage: string;
  optional: boolean;
  stages: string[];
}

/** The stage programs this machine lacks (required and optional), found as the agent finds them. */
export async function missingStageTools(exists: (binary: string) => Promise<boolean> = toolExists): Promise<ToolGap[]> {
  const out: ToolGap[] = [];
  for (const t of stageTools()) if (!(await exists(t.binary))) out.push({ binary: t.binary, debianPackage: t.debianPackage, optional: t.optional, stages: t.stages });
  return out;
}

/** Debian packages that provide `gaps`, each once, in a stable order. */
export function packagesFor(gaps: readonly ToolGap[]): string[] {
  return [...new Set(gaps.map((g) => g.debianPackage))].sort();
}

export function installCommand(packages: readonly string[]): string[] {
  return ['apt-get', 'install', '-y', '--no-install-recommends', ...packages];
}

const line = (g: ToolGap) => `  ${g.binary} (Debian package ${g.debianPackage}), for ${g.stages.join(', ')}`;

/**
 * What to do about the gaps before a self-test: nothing (none required is
 * missing), install (asked to, as root), or stop with a message that lists
 * the packages and the command that installs them.
 */
export function toolPlan(gaps: readonly ToolGap[], o: { installTools: boolean; root: boolean }): { action: 'run' } | { action: 'install'; packages: string[] } | { action: 'stop'; error: UserError } {
  const required = gaps.filter((g) => !g.optional);
  if (required.length === 0) return { action: 'run' };
  const packages = packagesFor(required);
  const command = installCommand(packages).join(' ');
  const head = `the self-test needs programs this machine lacks:\n${required.map(line).join('\n')}\n`;
  if (o.installTools && o.root) return { action: 'install', packages };
  if (o.installTools) return { action: 'stop', error: new UserError(`${head}--install-tools installs Debian packages and needs root: run it with sudo, or install them yourself: sudo ${command}`, 'tools-missing') };
  const how = o.root ? `install them with: ${command}\n(or run \`vetting selftest --install-tools\` to have them installed now)` : `install them with: sudo ${command}\n(or, as root, \`vetting selftest --install-tools\`)`;
  return { action: 'stop', error: new UserError(`${head}${how}`, 'tools-missing') };
}

/** One line for optional programs that are missing: what their stages will not test. */
export function optionalNote(gaps: readonly ToolGap[]): string | null {
  const optional = gaps.filter((g) => g.optional);
  if (optional.length === 0) return null;
  return `optional programs not installed (their checks will say "not tested"): ${optional.map((g) => `${g.binary} (${g.debianPackage}; ${g.stages.join(', ')})`).join(', ')}`;
}

/** Runs a command with its output on our stderr (stdout stays for --json); resolves to its exit code. */
export type CommandRunner = (argv: string[]) => Promise<number>;

/**
 * Installs `packages` with apt-get (package lists refreshed first: a fresh
 * machine may have none), then says which programs are still missing.
 */
export async function installPackages(packages: readonly string[], run: CommandRunner, recheck: () => Promise<ToolGap[]>): Promise<ToolGap[]> {
  for (const argv of [['apt-get', 'update'], installCommand(packages)]) {
    const code = await run(argv);
    if (code !== 0) throw new UserError(`\`${argv.join(' ')}\` failed (exit ${code}); install the packages by hand: ${installCommand(packages).join(' ')}`, 'tools-install-failed');
  }
  const still = (await recheck()).filter((g) => !g.optional);
  if (still.length) throw new UserError(`after installing, still missing: ${still.map((g) => g.binary).join(', ')}`, 'tools-missing');
  return still;
}
