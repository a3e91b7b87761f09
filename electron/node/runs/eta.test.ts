import { describe, expect, it } from 'vitest';
import { PROFILES } from '../../../common/profiles.ts';
import type { EstimateHost } from '../../../common/stages/define.ts';
import { SCAN_BYTES_PER_S, SCAN_PASSES } from '../../../common/stages/storage.ts';
import { STAGES, STAGE_NAMES, stageIndex, type StageName } from '../../../common/stages/index.ts';
import { estimateEnd, expectedStageS, remainingFromProgress, type EtaFacts } from './eta.ts';

const T0 = Date.UTC(2026, 11, 4, 9, 0, 0);
const HOST: EstimateHost = { disks: [{ bytes: 4e12, diskClass: 'hdd', smart: true }, { bytes: 960e9, diskClass: 'ssd', smart: true }], allDisks: 3, nics: 2, gpus: 0, psuTelemetry: true, memoryBytes: 256 * 1024 ** 3, bmc: true };

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

  it('sizes Storage by the slowest disk: the surface scan’s passes over the whole disk at its class’s pace, then fio', () => {
    const storage = expectedStageS('Storage', facts()).s;
    // The verified scan (the default): one write pass and one verifying read pass.
    const hdd = (SCAN_PASSES.verified * 4e12) / SCAN_BYTES_PER_S.verified.hdd;
    expect(storage).toBeGreaterThan(hdd + PROFILES.standard.storage.fio.runtimeS);
    expect(storage).toBeLessThan(hdd + PROFILES.standard.storage.fio.runtimeS + 10);
    expect(hdd / 3600).toBeGreaterThan(10); // a 4 TB hard disk: most of a day, not minutes
    // badblocks -w makes eight passes, at its own pace.
    const badblocks = { ...PROFILES.standard, storage: { ...PROFILES.standard.storage, surface: 'badblocks' as const } };
    expect(expectedStageS('Storage', facts({ profile: badblocks })).s).toBeGreaterThan((8 * 4e12) / SCAN_BYTES_PER_S.badblocks.hdd);
    // No scan: fio alone.
    const off = { ...PROFILES.standard, storage: { ...PROFILES.standard.storage, surface: 'off' as const } };
    expect(expectedStageS('Storage', facts({ profile: off })).s).toBeLessThan(PROFILES.standard.storage.fio.runtimeS + 5);
    // The smoke profile scans 16 MiB of each: seconds, whatever the disk.
    expect(expectedStageS('Storage', facts({ profile: PROFILES.smoke })).s).toBeLessThan(10);
    // A disk whose size nobody knows yet is not taken for an empty one.
    const unknown = expectedStageS('Storage', facts({ host: { ...HOST, disks: [{ bytes: null, diskClass: null, smart: null }] } })).s;
    expect(unknown).toBeGreaterThan(3600);
  });

  it('counts the drives’ self-tests in SMART, except on disks without SMART (loop devices)', () => {
    const p = PROFILES.standard.smart;
    const withTests = expectedStageS('SMART', facts()).s;
    const loops = expectedStageS('SMART', facts({ host: { ...HOST, disks: HOST.disks.map((d) => ({ ...d, smart: false })) } })).s;
    expect(withTests - loops).toBeGreaterThanOrEqual(60); // a short self-test: minutes
    expect(loops).toBeLessThan(10);
    const none = { ...PROFILES.standard, smart: { ...p, selfTest: 'none' as const } };
    expect(expectedStageS('SMART', facts({ profile: none })).s).toBe(loops);
    // A long self-test reads the whole disk, but the stage waits no longer than the profile says.
    const long = { ...PROFILES.standard, smart: { ...p, selfTest: 'long' as const, selfTestMaxS: 7200 } };
    expect(expectedStageS('SMART', facts({ profile: long })).s).toBeCloseTo(loops + 7200 + p.selfTestPollS, 6);
    // While they run, their progress says how much is done; its etaS is only the profile's deadline.
    const e = estimateEnd(facts({ state: 'SMART', stageStartedAt: T0, now: T0 + 60_000, progress: [{ item: null, percent: 50, etaS: 1740, message: 'short self-test: 2 disk(s) running, 50 % left on average', ageS: 1 }] }));
    expect(e.parts[0]).toMatchObject({ phase: 'SMART', from: 'progress' });
    expect(e.parts[0]!.s).toBeCloseTo(60, 6);
  });

  it('reads the BMC only where there is one', () => {
    const noBmc = facts({ host: { ...HOST, bmc: false } });
    expect(expectedStageS('BMC', noBmc).s).toBeLessThan(1);
    expect(expectedStageS('BMC', facts()).s).toBeGreaterThan(expectedStageS('BMC', noBmc).s);
    expect(expectedStageS('Inventory', facts()).s).toBeGreaterThan(expectedStageS('Inventory', noBmc).s);
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
        { item: 'WD-A1', percent: 10, etaS: 9 * 3600, message: 'verified scan: writing ~20% at 180 MB/s', ageS: 60 },
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

  it('knows every stage: each has a model that gives a finite, non-negative time under every built-in profile', () => {
    for (const def of STAGES) {
      expect(def.expectedS, `${def.name} has no expectedS`).toBeTypeOf('function');
      for (const profile of Object.values(PROFILES)) {
        const s = expectedStageS(def.name, facts({ profile })).s;
        expect(Number.isFinite(s) && s >= 0, `${def.name}: ${s}`).toBe(true);
      }
    }
  });
});
