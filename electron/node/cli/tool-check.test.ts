import { describe, expect, it } from 'vitest';
import { stageTools } from '../../../common/stages/index.ts';
import { installPackages, missingStageTools, optionalNote, packagesFor, toolPlan } from './tool-check.ts';

// The programs are the stages' own declarations (stageTools), never a list kept here.
const required = stageTools().filter((t) => !t.optional);
const optional = stageTools().filter((t) => t.optional);
const lacking = (names: string[]) => (binary: string) => Promise.resolve(!names.includes(binary));

describe('the self-test\'s tool check', () => {
  it('finds nothing to do when every required program is there', async () => {
    const gaps = await missingStageTools(lacking(optional.map((t) => t.binary)));
    expect(gaps.every((g) => g.optional)).toBe(true);
    expect(toolPlan(gaps, { installTools: false, root: false })).toEqual({ action: 'run' });
    expect(optionalNote(gaps)).toMatch(/^optional programs not installed \(their checks will say "not tested"\): /);
  });

  it('names each missing program with its Debian package and stages, and the command that installs them', async () => {
    const first = required[0]!;
    const gaps = await missingStageTools(lacking(['stress-ng', 'fio', first.binary]));
    const plan = toolPlan(gaps, { installTools: false, root: false });
    expect(plan.action).toBe('stop');
    if (plan.action !== 'stop') return;
    expect(plan.error.message).toContain('stress-ng (Debian package stress-ng), for CPUStress, Memory, PSU');
    expect(plan.error.message).toContain(`sudo apt-get install -y --no-install-recommends ${packagesFor(gaps).join(' ')}`);
    expect(packagesFor(gaps)).toEqual([...new Set(['stress-ng', 'fio', first.debianPackage])].sort());
    // As root, it offers to do it.
    const asRoot = toolPlan(gaps, { installTools: false, root: true });
    expect(asRoot.action === 'stop' && asRoot.error.message).toMatch(/run `vetting selftest --install-tools` to have them installed now/);
    expect(toolPlan(gaps, { installTools: true, root: true })).toEqual({ action: 'install', packages: packagesFor(gaps) });
    const notRoot = toolPlan(gaps, { installTools: true, root: false });
    expect(notRoot.action === 'stop' && notRoot.error.message).toMatch(/--install-tools installs Debian packages and needs root/);
  });

  it('installs with apt-get (lists refreshed first) and checks again', async () => {
    const ran: string[][] = [];
    await installPackages(['fio', 'stress-ng'], async (argv) => (ran.push(argv), 0), async () => []);
    expect(ran).toEqual([['apt-get', 'update'], ['apt-get', 'install', '-y', '--no-install-recommends', 'fio', 'stress-ng']]);
    await expect(installPackages(['fio'], async (argv) => (argv[1] === 'install' ? 100 : 0), async () => [])).rejects.toThrow(/apt-get install -y --no-install-recommends fio` failed \(exit 100\)/);
    await expect(installPackages(['fio'], async () => 0, async () => [{ binary: 'fio', debianPackage: 'fio', optional: false, stages: ['Storage'] }])).rejects.toThrow('after installing, still missing: fio');
  });
});
