import { ProfileParams, type BuiltinProfileName, type ProfileInput } from './schema/profile.ts';

// The shipped profiles. `standard` follows the seed's test suite; `burn-in`
// stretches the load stages to hours for new or suspect hardware; `smoke` runs
// the whole pipeline in seconds for demos and the test suite; `selftest` is
// smoke without touching any disk. Only standard and burn-in certify a host:
// smoke and selftest exercise a sliver of it, so their runs end `incomplete`
// at best and their reports say they are not a certification.

const standard = {
  certifies: true,
  heartbeatIntervalS: 5,
  agentLostAfterS: 30,
  thermal: { intervalS: 5, maxTempC: 90 },
  inventory: { timeoutS: 300 },
  smart: { timeoutS: 300, maxReallocated: 10, maxPending: 0, maxOfflineUncorrectable: 0, maxEndToEndErrors: 0, maxMediaErrors: 0 },
  cpuStress: { durationS: 120, vmBytesPercent: 90, memoryHeadroomMiB: 768 },
  memory: { durationS: 300, memoryPercent: 90, memoryHeadroomMiB: 768, maxCorrectedSinceBoot: 5 },
  storage: {
    timeoutS: 7 * 24 * 3600,
    scratchFile: false,
    surface: 'verified',
    fio: { runtimeS: 60, sizeBytes: 1024 ** 3, blockSize: '4k', iodepth: 32, rwmixread: 50 },
    floors: {
      nvme: { minIops: 50_000, maxP99Ms: 5 },
      ssd: { minIops: 10_000, maxP99Ms: 20 },
      hdd: { minIops: 100, maxP99Ms: 2_000 },
    },
  },
  network: { durationS: 10, floorFraction: 0.9, assumedLinkMbps: 1000, timeoutS: 120 },
  gpu: { burnS: 120, maxTempC: 87, timeoutS: 900 },
  psu: { burstS: 60, sampleIntervalMs: 1000, maxDipFraction: 0.05 },
} satisfies ProfileInput;

const burnIn = {
  ...standard,
  agentLostAfterS: 60,
  cpuStress: { ...standard.cpuStress, durationS: 8 * 3600 },
  memory: { ...standard.memory, durationS: 4 * 3600 },
  storage: { ...standard.storage, fio: { ...standard.storage.fio, runtimeS: 3600, sizeBytes: 16 * 1024 ** 3 } },
  network: { ...standard.network, durationS: 600, timeoutS: 900 },
  gpu: { ...standard.gpu, burnS: 3600, timeoutS: 4 * 3600 },
  psu: { ...standard.psu, burstS: 600 },
  // The extended self-test reads the whole surface: hours on a large disk.
  smart: { ...standard.smart, selfTest: 'long', selfTestMaxS: 24 * 3600, selfTestPollS: 60 },
} satisfies ProfileInput;

const smoke = {
  certifies: false,
  heartbeatIntervalS: 1,
  agentLostAfterS: 15,
  thermal: { intervalS: 1, maxTempC: 90 },
  inventory: { timeoutS: 120 },
  smart: { timeoutS: 60, maxReallocated: 10, maxPending: 0, maxOfflineUncorrectable: 0, maxEndToEndErrors: 0, maxMediaErrors: 0, selfTest: 'short', selfTestMaxS: 600, selfTestPollS: 2 },
  cpuStress: { durationS: 3, vmBytesPercent: 5, memoryHeadroomMiB: 256 },
  memory: { durationS: 3, memoryPercent: 2, memoryHeadroomMiB: 256, maxCorrectedSinceBoot: 5 },
  storage: {
    timeoutS: 600,
    scratchFile: false,
    surface: 'verified',
    scan: { limitBytes: 16 * 1024 ** 2 },
    fio: { runtimeS: 2, sizeBytes: 16 * 1024 ** 2, blockSize: '4k', iodepth: 32, rwmixread: 50 },
    floors: {
      nvme: { minIops: 100, maxP99Ms: 1_000 },
      ssd: { minIops: 100, maxP99Ms: 1_000 },
      hdd: { minIops: 10, maxP99Ms: 5_000 },
    },
  },
  network: { durationS: 2, floorFraction: 0.5, assumedLinkMbps: 100, timeoutS: 60 },
  gpu: { burnS: 5, maxTempC: 87, timeoutS: 120 },
  psu: { burstS: 3, sampleIntervalMs: 250, maxDipFraction: 0.05 },
} satisfies ProfileInput;

// `vetting selftest`: the smoke run against the machine it is on, touching no
// disk — fio exercises a scratch file instead, and no surface scan runs.
const selftest = {
  ...smoke,
  storage: { ...smoke.storage, scratchFile: true, surface: 'off' },
  // A self-test is read-only, but it keeps the workstation's own disks busy for minutes.
  smart: { ...smoke.smart, selfTest: 'none' },
} satisfies ProfileInput;

export const PROFILES: Record<BuiltinProfileName, ProfileParams> = {
  standard: ProfileParams.parse(standard),
  'burn-in': ProfileParams.parse(burnIn),
  smoke: ProfileParams.parse(smoke),
  selftest: ProfileParams.parse(selftest),
};

export const DEFAULT_PROFILE: BuiltinProfileName = 'standard';
