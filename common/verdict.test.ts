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

describe('the parts the host names', () => {
  const W = '5000c500a1b2c3d4';
  const withDisk = (id: string, claim: (p: { kind: 'disk'; id: string; label: string }) => CoverageEntry[]) =>
    cleanStages({ SMART: { coverage: [tested(disk(D1), 'SMART health and counters'), ...claim(disk(id))] }, Storage: { coverage: [tested(disk(D1), 'surface scan'), tested(disk(D1), 'random I/O'), ...claim(disk(id))] } });

  it('knows a part by its id written any way people write it: case, 0x, separators and stray spaces do not count', () => {
    const stages = withDisk(W, (p) => [tested(p, 'surface scan')]);
    for (const written of ['0x5000C500A1B2C3D4', ' 0x5000c500a1b2c3d4', '5000-C500-A1B2-C3D4', '50:00:c5:00:a1:b2:c3:d4']) {
      expect(runVerdict(input({ stages, named: { disks: [D1, written], nics: [], gpus: [] } })).result, written).toBe('pass');
    }
  });

  it('never takes one disk for another whose serial differs only inside', () => {
    // "0X" inside a serial is part of it, not a prefix
    const stages = withDisk('AB0X12', (p) => [tested(p, 'surface scan')]);
    const v = runVerdict(input({ stages, named: { disks: [D1, 'AB12'], nics: [], gpus: [] } }));
    expect(v.result).toBe('incomplete');
    expect(v.reasons).toContain('not tested: AB12 (SMART: SMART): SMART reported nothing about the expected disk AB12');
  });

  it('makes every claim about a named disk required, and leaves other disks’ claims as the stage said', () => {
    const optional = (p: { kind: 'disk'; id: string; label: string }) => [notTested(p, 'SMART error counters', 'the drive reports none', false)];
    const named = runVerdict(input({ stages: withDisk(W, optional), named: { disks: [D1, W], nics: [], gpus: [] } }));
    expect(named.result).toBe('incomplete');
    expect(named.coverage.filter((c) => c.part.id === W).map((c) => [c.stage, c.required])).toEqual([
      ['SMART', true],
      ['Storage', true],
    ]);
    // The same claim about a disk the host does not name (a spare in the chassis) is the stage's business.
    const spare = runVerdict(input({ stages: withDisk(W, optional) }));
    expect(spare.result).toBe('pass');
    expect(spare.coverage.filter((c) => c.part.id === W).every((c) => !c.required)).toBe(true);
  });

  it('says which stage reported nothing about which named disk or NIC', () => {
    const mac = '52:54:00:00:00:02';
    const v = runVerdict(input({ named: { disks: [D1, 'WD-WCC4N0123456'], nics: [mac], gpus: [] } }));
    expect(v.coverage.filter((c) => c.reason?.includes('reported nothing'))).toEqual([
      { stage: 'SMART', part: { kind: 'disk', id: 'WD-WCC4N0123456' }, check: 'SMART', status: 'not-tested', required: true, reason: 'SMART reported nothing about the expected disk WD-WCC4N0123456' },
      { stage: 'Storage', part: { kind: 'disk', id: 'WD-WCC4N0123456' }, check: 'Storage', status: 'not-tested', required: true, reason: 'Storage reported nothing about the expected disk WD-WCC4N0123456' },
      { stage: 'Network', part: { kind: 'nic', id: mac }, check: 'Network', status: 'not-tested', required: true, reason: `Network reported nothing about the NIC ${mac}` },
    ]);
  });

  it('takes a named disk or NIC for that kind of part only: a sensor read off it under the same id is a sensor', () => {
    const M = '52:54:00:00:00:01';
    const temp = (id: string) => ({ kind: 'sensor' as const, id, label: `${id} temperature` });
    // An optional sensor claim keyed by a named part's id stays optional: the run still passes.
    const optional = cleanStages({
      SMART: { coverage: [tested(disk(D1), 'SMART health and counters'), notTested(temp(D1), 'drive temperature', 'the drive reports no temperature', false)] },
      Network: { coverage: [tested({ kind: 'nic', id: M }, 'iperf3 throughput'), notTested(temp(M), 'NIC temperature', 'the NIC reports no temperature', false)] },
    });
    const v = runVerdict(input({ stages: optional, named: { disks: [D1], nics: [M], gpus: [] } }));
    expect(v.result).toBe('pass');
    expect(v.coverage.filter((c) => c.part.kind === 'sensor').map((c) => c.required)).toEqual([false, false]);
    // A sensor of a named disk is no claim about the disk itself: the disk was not reported.
    const sensorOnly = cleanStages({
      SMART: { coverage: [tested(disk(D1), 'SMART health and counters'), tested(temp(W), 'drive temperature')] },
      Storage: { coverage: [tested(disk(D1), 'surface scan'), tested(disk(D1), 'random I/O'), tested(disk(W), 'surface scan')] },
    });
    const w = runVerdict(input({ stages: sensorOnly, named: { disks: [D1, W], nics: [], gpus: [] } }));
    expect(w.result).toBe('incomplete');
    expect(w.reasons).toContain(`not tested: ${W} (SMART: SMART): SMART reported nothing about the expected disk ${W}`);
  });

  it('adds nothing for a stage that failed, erred or never finished: the run cannot pass on it anyway', () => {
    for (const outcome of ['failed', 'error', null] as const) {
      const v = runVerdict(input({ state: 'FailedHolding', stages: cleanStages({ Storage: { outcome, coverage: [] } }) }));
      expect(v.coverage.filter((c) => c.stage === 'Storage'), String(outcome)).toEqual([]);
      expect(v.reasons.join('\n')).not.toMatch(/Storage reported nothing/);
    }
  });
});

describe('GPUs the spec asks for', () => {
  const gpu = (serial: string, model: string) => ({ kind: 'gpu' as const, id: serial, label: `${model} (${serial})` });
  const h100 = (n: number) => Array.from({ length: n }, (_, i) => tested(gpu(`17526240214${i}`, 'NVIDIA H100 80GB HBM3'), 'compute burn'));
  const withGpus = (coverage: CoverageEntry[], count: number, model = 'H100') =>
    runVerdict(input({ stages: cleanStages({ GPU: { outcome: 'passed', coverage } }), named: { disks: [D1], nics: [], gpus: [{ model, count }] } }));

  it('passes when as many GPUs of the model were burned as asked for, or more; the model is matched without case', () => {
    expect(withGpus(h100(1), 1).result).toBe('pass');
    expect(withGpus(h100(2), 2, 'h100').result).toBe('pass');
    expect(withGpus(h100(3), 2).result).toBe('pass');
  });

  it('counts only GPUs of that model that were burned to the end', () => {
    const v = withGpus([...h100(1), notTested(gpu('9', 'NVIDIA H100 80GB HBM3'), 'compute burn', 'burn stopped', true), tested(gpu('8', 'NVIDIA A100'), 'compute burn')], 2);
    expect(v.result).toBe('incomplete');
    expect(v.coverage.filter((c) => c.check === 'compute burn' && c.part.id === 'H100')).toEqual([
      { stage: 'GPU', part: { kind: 'gpu', id: 'H100' }, check: 'compute burn', status: 'not-tested', required: true, reason: 'the spec asks for 2 × H100; 1 were tested' },
    ]);
  });

  it('counts only GPUs, not other parts the stage names after the model', () => {
    const sensor = tested({ kind: 'sensor', id: 'gpu0/temp', label: 'NVIDIA H100 80GB HBM3 temperature' }, 'temperature under burn');
    const v = withGpus([...h100(1), sensor], 2);
    expect(v.result).toBe('incomplete');
    expect(v.reasons).toContain('not tested: H100 (GPU: compute burn): the spec asks for 2 × H100; 1 were tested');
  });

  it('counts a burned GPU the stage could not name toward no model', () => {
    const v = withGpus([...h100(1), tested({ kind: 'gpu', id: 'gpu1' }, 'compute burn')], 2);
    expect(v.result).toBe('incomplete');
    expect(v.reasons).toContain('not tested: H100 (GPU: compute burn): the spec asks for 2 × H100; 1 were tested');
  });

  it('is checked by the stage that burns GPUs only', () => {
    // Every other stage said nothing about GPUs: that is no gap.
    const v = withGpus(h100(1), 1);
    expect(v.coverage.filter((c) => c.part.kind === 'gpu').map((c) => c.stage)).toEqual(['GPU']);
  });
});

describe('abandoned runs and their reasons', () => {
  it('fails a run abandoned on a failure that was not about found data, and says which', () => {
    const storage = runVerdict(input({ state: 'Abandoned', stages: cleanStages({ Storage: { outcome: 'failed' } }), holdReason: 'StageFailed' }));
    expect(storage.result).toBe('fail');
    expect(storage.reasons[0]).toBe('Storage failed and the run was abandoned');
    const errored = runVerdict(input({ state: 'Abandoned', stages: cleanStages({ CPUStress: { outcome: 'error' } }), holdReason: 'StageError' }));
    expect(errored.result).toBe('fail');
    expect(errored.reasons[0]).toBe('CPUStress could not run and the run was abandoned');
  });

  it('calls a run abandoned before it got anywhere incomplete, naming every stage that never ran', () => {
    const v = runVerdict(input({ state: 'Abandoned', stages: [{ name: 'Inventory', outcome: 'passed', coverage: [] }, { name: 'SpecValidate', outcome: null, coverage: [] }] }));
    expect(v.result).toBe('incomplete');
    const notRun = STAGES.filter((s) => !['Inventory', 'Reporting'].includes(s.name)).map((s) => s.name);
    expect(v.reasons).toContain(`not run: ${notRun.join(', ')}`);
    expect(v.reasons.join('\n')).not.toMatch(/and the run was abandoned/);
  });

  it('waives only the Storage failure after data was found: another failed stage still fails the abandoned run', () => {
    const v = runVerdict(input({ state: 'Abandoned', stages: cleanStages({ SMART: { outcome: 'failed' }, Storage: { outcome: 'failed' } }), holdReason: 'UnexpectedData' }));
    expect(v.result).toBe('fail');
    expect(v.reasons[0]).toBe('SMART failed and the run was abandoned');
    expect(v.reasons.join('\n')).not.toMatch(/Storage failed/);
  });

  it('never says a run that was not abandoned was abandoned, whatever failed in it', () => {
    const held = runVerdict(input({ state: 'FailedHolding', stages: cleanStages({ SMART: { outcome: 'failed' } }), holdReason: 'StageFailed' }));
    expect(held.result).toBeNull();
    const completed = runVerdict(input({ stages: cleanStages({ PSU: { outcome: 'error' } }) }));
    expect(completed.result).toBe('incomplete');
    for (const v of [held, completed]) expect(v.reasons.join('\n')).not.toMatch(/abandoned/);
  });

  it('says a run holding on found data is waiting, not abandoned', () => {
    const v = runVerdict(input({ state: 'FailedHolding', stages: cleanStages({ Storage: { outcome: 'failed' } }), holdReason: 'UnexpectedData' }));
    expect(v.result).toBeNull();
    expect(v.reasons.join('\n')).not.toMatch(/abandoned/);
  });

  it('names every overridden stage', () => {
    const v = runVerdict(input({ stages: cleanStages({ CPUStress: { outcome: 'overridden' }, PSU: { outcome: 'overridden' } }) }));
    expect(v.result).toBe('pass-with-overrides');
    expect(v.reasons).toContain('overridden by a person: CPUStress, PSU');
  });

  it('never passes a finished run with a stage whose latest attempt did not pass', () => {
    // Whatever led there, a failed or erred latest attempt is not a pass.
    for (const outcome of ['failed', 'error'] as const) {
      expect(runVerdict(input({ stages: cleanStages({ PSU: { outcome } }) })).result).toBe('incomplete');
    }
  });
});
