import { describe, expect, it } from 'vitest';
import { notApplicable, notTested, tested, type CoverageEntry } from './schema/coverage.ts';
import type { StageOutcome } from './schema/run.ts';
import { STAGES, type StageName } from './stages/index.ts';
import { runVerdict, type VerdictInput, type VerdictStage } from './verdict.ts';

// The rules of issue 13: a run never passes a part it did not exercise.

const disk = (id: string) => ({ kind: 'disk' as const, id, label: id });
const D1 = 'S3Z1NB0K123456';

/** A clean standard run on one physical disk: every stage passed and said what it covered. */
function cleanStages(overrides: Partial<Record<StageName, Partial<VerdictStage>>> = {}): VerdictStage[] {
  const base: Record<string, { outcome: StageOutcome; coverage: CoverageEntry[] }> = {
    Inventory: { outcome: 'passed', coverage: [] },
    SpecValidate: { outcome: 'passed', coverage: [tested({ kind: 'system', id: 'spec' }, 'expected spec')] },
    SMART: { outcome: 'passed', coverage: [tested(disk(D1), 'SMART health and counters')] },
    CPUStress: { outcome: 'passed', coverage: [tested({ kind: 'cpu', id: 'cpu' }, 'stress-ng CPU load'), tested({ kind: 'memory', id: 'memory' }, 'stress-ng vm --verify')] },
    Storage: {
      outcome: 'passed',
      coverage: [tested(disk(D1), 'surface scan', { extent: { done: 64, total: 64, unit: 'bytes' } }), tested(disk(D1), 'random I/O')],
    },
    Network: { outcome: 'passed', coverage: [tested({ kind: 'nic', id: '52:54:00:00:00:01' }, 'iperf3 throughput')] },
    GPU: { outcome: 'skipped', coverage: [notApplicable({ kind: 'gpu', id: 'gpus' }, 'compute burn', 'no GPU in this host')] },
    PSU: { outcome: 'passed', coverage: [tested({ kind: 'psu', id: 'in0' }, 'voltage under load')] },
  };
  // Every stage of the list: one added since these tests were written passes, claiming nothing.
  return STAGES.filter((d) => d.name !== 'Reporting').map((d) => ({ name: d.name, ...(base[d.name] ?? { outcome: 'passed' as const, coverage: [] }), ...overrides[d.name] }));
}

function input(over: Partial<VerdictInput> = {}): VerdictInput {
  return { state: 'Completed', profile: 'standard', certifies: true, stages: cleanStages(), named: { disks: [D1], nics: [], gpus: [] }, wipeOverride: false, ...over };
}

describe('runVerdict', () => {
  it('passes a certifying run that exercised every required part', () => {
    const v = runVerdict(input());
    expect(v.result).toBe('pass');
    expect(v.reasons.at(-1)).toMatch(/every required part/);
  });

  it('is incomplete when the host lists no expected disks (SMART and Storage tested nothing)', () => {
    const none = [notTested(disk('expected disks'), 'SMART health and counters', 'the host lists no expected disks, so no disk’s SMART was read', true)];
    const v = runVerdict(
      input({
        named: { disks: [], nics: [], gpus: [] },
        stages: cleanStages({ SMART: { outcome: 'skipped', coverage: none }, Storage: { outcome: 'skipped', coverage: [notTested(disk('expected disks'), 'surface scan', 'no expected disks', true)] } }),
      }),
    );
    expect(v.result).toBe('incomplete');
    expect(v.reasons.join('\n')).toMatch(/no expected disks/);
  });

  it('is incomplete when the surface scan covered only part of a disk, and says how much', () => {
    const partial = notTested(disk(D1), 'surface scan', 'badblocks covered 16 MiB of 64 MiB (25 %)', true, { done: 16, total: 64, unit: 'bytes' });
    const v = runVerdict(input({ stages: cleanStages({ Storage: { coverage: [partial, tested(disk(D1), 'random I/O')] } }) }));
    expect(v.result).toBe('incomplete');
    expect(v.reasons.join('\n')).toMatch(/16 MiB of 64 MiB \(25 %\)/);
  });

  it('never certifies under a demonstration profile, even when everything was exercised', () => {
    const v = runVerdict(input({ profile: 'smoke', certifies: false }));
    expect(v.result).toBe('incomplete');
    expect(v.reasons.join('\n')).toMatch(/smoke profile is a demonstration run, not a certification/);
  });

  it('is incomplete when SMART could not be read on an expected physical disk', () => {
    const v = runVerdict(input({ stages: cleanStages({ SMART: { coverage: [notTested(disk(D1), 'SMART health and counters', 'SMART is unavailable on /dev/sda', true)] } }) }));
    expect(v.result).toBe('incomplete');
  });

  it('lets a virtual (loop) disk pass without SMART', () => {
    const loop = 'loop:/var/tmp/d0.img';
    const stages = cleanStages({
      SMART: { coverage: [notApplicable(disk(loop), 'SMART health and counters', 'a loop device is a virtual disk')] },
      Storage: { coverage: [tested(disk(loop), 'surface scan'), tested(disk(loop), 'random I/O')] },
    });
    expect(runVerdict(input({ stages, named: { disks: [loop], nics: [], gpus: [] } })).result).toBe('pass');
  });

  it('is incomplete when a GPU was only watched, not burned', () => {
    const gpu = notTested({ kind: 'gpu', id: '1752624021410', label: 'NVIDIA H100' }, 'compute burn', 'no compute burn tool in this image', true);
    expect(runVerdict(input({ stages: cleanStages({ GPU: { outcome: 'passed', coverage: [gpu] } }) })).result).toBe('incomplete');
  });

  it('is incomplete when the spec asks for GPUs that were not tested', () => {
    const v = runVerdict(input({ named: { disks: [D1], nics: [], gpus: [{ model: 'H100', count: 2 }] } }));
    expect(v.result).toBe('incomplete');
    expect(v.reasons.join('\n')).toMatch(/2 × H100; 0 were tested/);
  });

  it('says pass-with-overrides when a person waived a failed stage', () => {
    const v = runVerdict(input({ stages: cleanStages({ PSU: { outcome: 'overridden' } }) }));
    expect(v.result).toBe('pass-with-overrides');
    expect(v.reasons.join('\n')).toMatch(/overridden by a person: PSU/);
  });

  it('says pass-with-overrides after a supervisor overrode the wipe-probe', () => {
    expect(runVerdict(input({ wipeOverride: true })).result).toBe('pass-with-overrides');
  });

  it('treats a named disk a stage said nothing about as not tested', () => {
    const other = 'WD-WCC4N0123456';
    const v = runVerdict(input({ named: { disks: [D1, other], nics: [], gpus: [] } }));
    expect(v.result).toBe('incomplete');
    expect(v.coverage.filter((c) => c.part.id === other).map((c) => c.stage)).toEqual(['SMART', 'Storage']);
  });

  it('makes a claim about a named part required even when the stage said it was optional', () => {
    const mac = '52:54:00:00:00:02';
    const idle = notTested({ kind: 'nic', id: mac }, 'iperf3 throughput', 'no link', false);
    const stages = cleanStages({ Network: { coverage: [tested({ kind: 'nic', id: '52:54:00:00:00:01' }, 'iperf3 throughput'), idle] } });
    expect(runVerdict(input({ stages })).result).toBe('pass');
    expect(runVerdict(input({ stages, named: { disks: [D1], nics: ['52-54-00-00-00-02'], gpus: [] } })).result).toBe('incomplete');
  });

  it('is incomplete when a stage never ran', () => {
    const v = runVerdict(input({ stages: cleanStages().filter((s) => s.name !== 'PSU') }));
    expect(v.result).toBe('incomplete');
    expect(v.reasons).toContain('not run: PSU');
  });

  it('fails a run abandoned on a failure, but not one abandoned after data was found', () => {
    const failed = cleanStages({ SMART: { outcome: 'failed' } });
    expect(runVerdict(input({ state: 'Abandoned', stages: failed })).result).toBe('fail');
    const found = cleanStages({ Storage: { outcome: 'failed' } });
    const v = runVerdict(input({ state: 'Abandoned', stages: found, holdReason: 'UnexpectedData' }));
    expect(v.result).toBe('incomplete');
    expect(v.reasons.join('\n')).toMatch(/data was found/);
  });

  it('has no result while the run is going', () => {
    expect(runVerdict(input({ state: 'Storage' })).result).toBeNull();
  });
});
