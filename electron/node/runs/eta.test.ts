import { describe, expect, it } from 'vitest';
import { PROFILES } from '../../../common/profiles.ts';
import type { EstimateHost } from '../../../common/stages/define.ts';
import { SCAN_BYTES_PER_S, SCAN_PASSES } from '../../../common/stages/storage.ts';
import { STAGES, STAGE_NAMES, stageIndex, type StageName } from '../../../common/stages/index.ts';
import { estimateEnd, expectedStageS, remainingFromProgress, type EtaFacts } from './eta.ts';

const T0 = Date.UTC(2026, 11, 4, 9, 0, 0);
const HOST: EstimateHost = { disks: [{ bytes: 4e12, diskClass: 'hdd' }, { bytes: 960e9, diskClass: 'ssd' }], allDisks: 3, nics: 2, gpus: 0, psuTelemetry: true, memoryBytes: 256 * 1024 ** 3 };

function facts(over: Partial<EtaFacts> = {}): EtaFacts {
  return {
    now: T0,
    profile: PROFILES.standard,
    state: 'WaitingForAgent',
    holdReason: null,
    failedStage: null,
    agentLost: false,
    createdAt: T0,
    end: null,
    stageStartedAt: null,
    host: HOST,
    progress: [],
    bootS: 120,
    pastStageS: {},
    ...over,
  };
}

/** What every stage from `from` on is expected to take under `f`, summed (the list comes from STAGES). */
function stagesFrom(from: StageName, f: EtaFacts): number {
  return STAGE_NAMES.slice(stageIndex(from)).reduce((n, s) => n + expectedStageS(s, f).s, 0);
}

describe('the estimated end of a run', () => {
  it('from the moment it starts: its boot, then every stage as its definition expects on this host', () => {
    const f = facts();
    const e = estimateEnd(f);
    expect(e.status).toBe('running');
    expect(e.parts.map((p) => p.phase)).toEqual(['boot', ...STAGE_NAMES]);
    expect(e.remainingS).toBeCloseTo(120 + stagesFrom(STAGE_NAMES[0], f), 6);
    expect(e.at).toBe(T0 + e.remainingS! * 1000);
  });

  it('sizes Storage by the slowest disk: eight passes of the whole disk at its class’s pace, then fio', () => {
    const storage = expectedStageS('Storage', facts()).s;
    const hdd = (SCAN_PASSES * 4e12) / SCAN_BYTES_PER_S.hdd;
    expect(storage).toBeGreaterThan(hdd + PROFILES.standard.storage.fio.runtimeS);
    expect(storage).toBeLessThan(hdd + PROFILES.standard.storage.fio.runtimeS + 10);
    expect(hdd / 3600).toBeGreaterThan(50); // a 4 TB hard disk: days, not minutes
    // The smoke profile scans 16 MiB of each: seconds, whatever the disk.
    expect(expectedStageS('Storage', facts({ profile: PROFILES.smoke })).s).toBeLessThan(10);
    // A disk whose size nobody knows yet is not taken for an empty one.
    const unknown = expectedStageS('Storage', facts({ host: { ...HOST, disks: [{ bytes: null, diskClass: null }] } })).s;
    expect(unknown).toBeGreaterThan(3600);
  });

  it('prefers what this host took the last time under this profile to the model', () => {
    const f = facts({ pastStageS: { Storage: 1234 } });
    expect(expectedStageS('Storage', f)).toEqual({ s: 1234, from: 'history' });
    expect(estimateEnd(f).parts.find((p) => p.phase === 'Storage')).toEqual({ phase: 'Storage', s: 1234, from: 'history' });
  });

  it('counts a running stage by its own progress: a disk still scanning at its measured pace has its fio to come', () => {
    const f = facts({
      state: 'Storage',
      now: T0 + 3_600_000,
      stageStartedAt: T0,
      progress: [
        { item: 'WD-A1', percent: 10, etaS: 9 * 3600, message: 'badblocks writing 80.0% (0/0/0 errors)', ageS: 60 },
        { item: 'S4-SSD', percent: 40, etaS: 30, message: 'fio Jobs: 1 (f=1)', ageS: 5 },
      ],
    });
    const e = estimateEnd(f);
    const storage = e.parts[0]!;
    expect(storage).toMatchObject({ phase: 'Storage', from: 'progress' });
    // The slower disk: its scan's own eta, less the minute since it said so, then fio, then the uploads.
    expect(storage.s).toBeCloseTo(9 * 3600 - 60 + PROFILES.standard.storage.fio.runtimeS + 0.3 + 0.3, 6); // fio and its start and end, then the uploads
    expect(e.remainingS).toBeCloseTo(storage.s + stagesFrom('Network', f), 6);
  });

  it('never counts down past a stage that overruns: it keeps a share of what it was expected to take', () => {
    const expected = expectedStageS('CPUStress', facts()).s;
    const e = estimateEnd(facts({ state: 'CPUStress', stageStartedAt: T0, now: T0 + 3 * expected * 1000 }));
    expect(e.parts[0]!.s).toBeCloseTo(Math.max(1, 0.05 * expected), 6);
    expect(e.at).toBeGreaterThan(T0 + 3 * expected * 1000);
  });

  it('tests NICs one after another: the one under test, then those not reached', () => {
    const p = PROFILES.standard.network;
    const e = estimateEnd(facts({ state: 'Network', stageStartedAt: T0, host: { ...HOST, nics: 3 }, progress: [{ item: 'eno1', percent: 100, etaS: null, message: '941 Mbit/s', ageS: 1 }, { item: 'eno2', percent: 0, etaS: p.durationS, message: 'iperf3', ageS: 4 }] }));
    expect(e.parts[0]!.s).toBeCloseTo(p.durationS - 4 + 0.3 + (p.durationS + 0.3), 6);
  });

  it('reads a stage without a model of its own from its items’ etaS, else from their percentages', () => {
    expect(remainingFromProgress([{ item: null, percent: 50, etaS: 40, message: null, ageS: 10 }], 100)).toBe(30);
    expect(remainingFromProgress([{ item: null, percent: 25, etaS: null, message: null, ageS: 0 }], 30)).toBe(90);
    expect(remainingFromProgress([{ item: null, percent: 0, etaS: null, message: 'started', ageS: 0 }], 30)).toBeNull();
  });

  it('says a held run waits for a person, with the testing left once it continues, and gives no time', () => {
    const f = facts({ state: 'FailedHolding', holdReason: 'UnexpectedData', failedStage: 'Storage', now: T0 + 600_000 });
    const e = estimateEnd(f);
    expect(e).toMatchObject({ status: 'waiting-for-person', at: null });
    expect(e.remainingS).toBeCloseTo(stagesFrom('Storage', f), 6);
    // An agent gone quiet needs a person too.
    expect(estimateEnd(facts({ state: 'Storage', stageStartedAt: T0, agentLost: true }))).toMatchObject({ status: 'waiting-for-person', at: null });
  });

  it('gives the real end once done, and none for an abandoned run', () => {
    expect(estimateEnd(facts({ state: 'Completed', end: { at: T0 + 5000, completed: true } }))).toEqual({ status: 'done', at: T0 + 5000, remainingS: 0, parts: [] });
    expect(estimateEnd(facts({ state: 'Abandoned', end: { at: T0 + 5000, completed: false } }))).toMatchObject({ status: 'ended', at: null });
  });

  it('stretches a boot that takes longer than this bench has seen, instead of counting into the past', () => {
    const e = estimateEnd(facts({ now: T0 + 600_000 }));
    expect(e.parts[0]).toMatchObject({ phase: 'boot', s: 6 });
    expect(e.at).toBeGreaterThan(T0 + 600_000);
  });

  it('knows every stage: each has a model (or its timeout) that gives a finite, non-negative time', () => {
    for (const def of STAGES) for (const profile of Object.values(PROFILES)) expect(Number.isFinite(expectedStageS(def.name, facts({ profile })).s), def.name).toBe(true);
  });
});
