// What `npm run mutate` mutates: the code whose silent breakage hurts a bench most
// (docs/testing.md, "Mutation testing"). Each group is one Stryker run with its own
// incremental file; its score is reported per module (file). An entry is a file,
// or `file#fn1,fn2` for only those functions of a bigger file (resolved to line
// ranges at run time, so edits elsewhere in the file do not move them).
//
// Adding a module is one line in its group (or one new group).

export interface MutationGroup {
  /** Short name: the incremental file and `npm run mutate -- <name>` use it. */
  name: string;
  /** What the group guards, for the score table. */
  guards: string;
  modules: readonly string[];
}

export const MUTATION_GROUPS: readonly MutationGroup[] = [
  {
    name: 'disk-gates',
    guards: 'disk identity (serial/WWN, never /dev names), the device allowlist and safety gate, the wipe-probe',
    modules: [
      'agent/stages/storage/device-resolution.ts',
      'agent/stages/storage/safety.ts',
      'agent/stages/storage/identify.ts',
      'agent/stages/storage/wipe-probe.ts',
    ],
  },
  {
    name: 'run-rules',
    guards: 'the run state machine, the verdict and the coverage claims it is drawn from',
    modules: ['electron/node/runs/state-machine.ts', 'common/verdict.ts', 'common/schema/coverage.ts'],
  },
  {
    name: 'smart',
    guards: 'SMART judgement per disk and per stage',
    modules: ['agent/parsers/smartctl.ts#decodeSmartExit,judgedCounters,basisOf,evaluateSmart', 'agent/stages/smart/index.ts#judgeSmartDisk,combineSmart'],
  },
  {
    name: 'spec-diff',
    guards: 'the expected-spec diff and its severities',
    modules: ['electron/node/spec/spec-diff.ts'],
  },
  {
    name: 'auth',
    guards: 'agent and control tokens, boot tokens per attempt, supervisor credentials',
    modules: ['electron/node/auth/secrets.ts', 'electron/node/auth/boot-tokens.ts', 'electron/node/auth/supervisor-credentials.ts'],
  },
  {
    name: 'sequencing',
    guards: 'agent messages applied exactly once, in order; the agent outbox resending after a reconnect',
    modules: ['electron/node/runs/agent-messages.ts', 'agent/runtime/outbox.ts'],
  },
  {
    name: 'ecc-pcie',
    guards: 'memory error counters (EDAC) per DIMM, and PCIe links below their expected width or speed',
    modules: ['agent/stages/memory/index.ts#judgeEdac', 'electron/node/spec/pcie-links.ts#checkPcieLinks'],
  },
  {
    name: 'surface-scan',
    guards: 'the bad blocks both surface scans report: ranges merged by kind, each logical block counted once, and the words that name them',
    modules: ['agent/stages/storage/bad-ranges.ts'],
  },
  {
    name: 'report-verdict',
    guards: 'what page one of the report says: the result, certification, failures and overrides with who and why',
    modules: [
      'electron/node/report/gather.ts#collectOverrides,presentVerdict',
      'electron/node/report/html.ts#notCertification,verdictBlock,aftermath,outOfLimits,failuresAndOverrides',
    ],
  },
];

/** Judgement code not yet under mutation testing, and what it needs first. */
export const PENDING_MODULES: readonly { what: string; group: string }[] = [
  {
    what: 'the verified scan\'s judgement (agent/stages/storage/verified-scan.ts: which failed chunks are re-read, "once" kinds, the coverage check). Only the integration tests exercise it, with real fio on FUSE-backed disks, and Stryker runs the unit tests in-process; it needs a unit harness that answers fio with the captured outputs first',
    group: '`surface-scan`',
  },
];
