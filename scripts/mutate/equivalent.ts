import type { EquivalentMutant } from './scores.ts';

// Surviving mutants that no test can kill, each with why (docs/testing.md renders
// this list). An entry matches by module, mutator and the code it replaces, so it
// follows the code when lines move; it stops matching when that code changes,
// and the survivor then shows up again to be looked at.
export const EQUIVALENT_MUTANTS: readonly EquivalentMutant[] = [
  // agent/stages/smart/index.ts
  {
    file: 'agent/stages/smart/index.ts',
    mutator: 'StringLiteral',
    original: "'; '",
    replacement: '""',
    reason: "`why` joins the reasons of a disk whose SMART is unavailable, and evaluateSmart gives such a disk exactly one reason",
  },
  {
    file: 'agent/stages/smart/index.ts',
    mutator: 'ConditionalExpression',
    original: 'verdict.countersNotRead.length > 0',
    replacement: 'true',
    reason: "a `partial` basis means a required counter was not read, so countersNotRead is never empty there",
  },
  {
    file: 'agent/stages/smart/index.ts',
    mutator: 'EqualityOperator',
    original: 'verdict.countersNotRead.length > 0',
    replacement: 'verdict.countersNotRead.length >= 0',
    reason: "a `partial` basis means a required counter was not read, so countersNotRead is never empty there",
  },
  {
    file: 'agent/stages/smart/index.ts',
    mutator: 'MethodExpression',
    original: 'd.reasons.filter((r) => !/within thresholds/.test(r))',
    reason: 'only a failed or unreadable disk is listed there, and "counts within thresholds" is said only of a disk that passed with nothing else to say',
  },
  // electron/node/auth/secrets.ts
  {
    file: 'electron/node/auth/secrets.ts',
    mutator: 'ConditionalExpression',
    original: 'p < CURRENT_SCRYPT.p',
    replacement: 'false',
    reason: "today's p is 1, the smallest a stored hash may name (parseHash refuses p < 1), so no stored p is weaker",
  },
  // electron/node/auth/supervisor-credentials.ts
  {
    file: 'electron/node/auth/supervisor-credentials.ts',
    mutator: 'ConditionalExpression',
    original: 'guard.failures > 0',
    replacement: 'true',
    reason: 'resetting a guard that is already at zero failures writes the zeros it holds (guard() reads a missing row as zeros)',
  },
  {
    file: 'electron/node/auth/supervisor-credentials.ts',
    mutator: 'EqualityOperator',
    original: 'guard.failures > 0',
    replacement: 'guard.failures >= 0',
    reason: 'resetting a guard that is already at zero failures writes the zeros it holds (guard() reads a missing row as zeros)',
  },
  // agent/stages/storage/device-resolution.ts
  {
    file: 'agent/stages/storage/device-resolution.ts',
    mutator: 'Regex',
    original: '/^(0x|naa\\.|eui\\.|wwn-0x|wwn-)/',
    replacement: '/(0x|naa\\.|eui\\.|wwn-0x|wwn-)/',
    reason: 'a WWN is hex digits and separators, none of which spell these prefixes, so they can only stand at its start',
  },
  {
    file: 'agent/stages/storage/device-resolution.ts',
    mutator: 'MethodExpression',
    original: "raw.trim().replace(/\\s+/g, ' ').toLowerCase()",
    replacement: "raw.trim().replace(/\\s+/g, ' ').toUpperCase()",
    reason: 'a normalised serial is only ever compared with another normalised serial, so either case gives the same answer',
  },
  {
    file: 'agent/stages/storage/device-resolution.ts',
    mutator: 'ConditionalExpression',
    original: 'file.length > 0',
    replacement: 'true',
    reason: '"loop:" with no file resolves to the working directory, which no loop device is backed by',
  },
  {
    file: 'agent/stages/storage/device-resolution.ts',
    mutator: 'EqualityOperator',
    original: 'file.length > 0',
    replacement: 'file.length >= 0',
    reason: '"loop:" with no file resolves to the working directory, which no loop device is backed by',
  },
  // agent/stages/storage/wipe-probe.ts
  {
    file: 'agent/stages/storage/wipe-probe.ts',
    mutator: 'MethodExpression',
    original: 'rest.probed.filter((s) => !known.has(s.type))',
    reason: "describeSignatures names each type once, from its first (wipefs') entry, and blkid -p entries carry no offset to add, so a type both tools found reads the same",
  },
  {
    file: 'agent/stages/storage/wipe-probe.ts',
    mutator: 'ConditionalExpression',
    original: 'hits.some((h) => h.offset === 0)',
    replacement: 'true',
    reason: 'wipefs and blkid name ceph_bluestore only for a label at offset 0, and then our own read of offset 0 finds it too',
  },
  {
    file: 'agent/stages/storage/wipe-probe.ts',
    mutator: 'ConditionalExpression',
    original: 'h.offset === 0',
    replacement: 'true',
    reason: 'wipefs and blkid name ceph_bluestore only for a label at offset 0, and then our own read of offset 0 finds it too',
  },
  {
    file: 'agent/stages/storage/wipe-probe.ts',
    mutator: 'ConditionalExpression',
    original: '!found.includes(text)',
    replacement: 'true',
    reason: 'no signature or label is described as "partition <name>", so a partition is never already listed',
  },
  {
    file: 'agent/stages/storage/wipe-probe.ts',
    mutator: 'ConditionalExpression',
    original: 'e !== name',
    replacement: 'true',
    reason: '/sys/block/<name>/ holds no entry named <name> itself (its partitions are <name>1, <name>p1, …)',
  },
  // agent/stages/memory/index.ts
  {
    file: 'agent/stages/memory/index.ts',
    mutator: 'MethodExpression',
    original: '(d.label || d.key).slice(0, 200)',
    reason: 'the kernel caps a DIMM label at 31 characters (EDAC_MC_LABEL_LEN) and a key is "mcN/dimmM", far under 200',
  },
  {
    file: 'agent/stages/memory/index.ts',
    mutator: 'MethodExpression',
    original: '`${d.mc} ${d.location}`.slice(0, 200)',
    reason: 'a controller name and an EDAC location ("channel 1 slot 0", a few layers) stay far under 200 characters',
  },
  // electron/node/spec/spec-diff.ts
  {
    file: 'electron/node/spec/spec-diff.ts',
    mutator: 'StringLiteral',
    original: '`#${i}`',
    reason: 'unreachable: the spec schema refuses a disk with neither serial nor WWN, so one of them always names it',
  },
  {
    file: 'electron/node/spec/spec-diff.ts',
    mutator: 'ConditionalExpression',
    original: 'v === undefined',
    replacement: 'false',
    reason: 'no rule passes undefined: an unknown inventory value is null, and a spec value is compared only when it is set',
  },
  {
    file: 'electron/node/spec/spec-diff.ts',
    mutator: 'StringLiteral',
    original: "''",
    replacement: '"Stryker was here!"',
    reason: "what a missing value normalises to never meets an empty string: every comparison is guarded by the spec value being set (non-empty by its schema)",
  },
  {
    file: 'electron/node/spec/spec-diff.ts',
    mutator: 'Regex',
    original: '/^0x/',
    replacement: '/0x/',
    reason: 'a WWN is hex digits, so "0x" can only be its prefix',
  },
  {
    file: 'electron/node/spec/spec-diff.ts',
    mutator: 'EqualityOperator',
    original: 'delta < 0',
    replacement: 'delta <= 0',
    reason: 'delta is 0 only when memory matches, and then |delta| > tolerance (≥ 0) is false, so the severity is never asked',
  },
  // electron/node/report/gather.ts and html.ts (page one)
  {
    file: 'electron/node/report/gather.ts',
    mutator: 'StringLiteral',
    original: "''",
    replacement: '"Stryker was here!"',
    reason: "the '' only lets isStageName be asked about a missing from_state; no stage is named '' or the replacement, so both answer false and the override goes to the same stage",
  },
  {
    file: 'electron/node/report/html.ts',
    mutator: 'ConditionalExpression',
    original: 'first >= 0',
    replacement: 'true',
    reason: 'first is -1 only when no reason starts with the not-tested prefix; the flatMap then drops and inserts nothing, giving v.reasons unchanged',
  },
  // electron/node/auth/boot-tokens.ts
  {
    file: 'electron/node/auth/boot-tokens.ts',
    mutator: 'StringLiteral',
    original: "'this boot attempt was just used'",
    replacement: '""',
    reason: 'markIssued cannot return false: issue() runs in one synchronous SQLite transaction, and a writer on another connection makes the UPDATE throw SQLITE_BUSY_SNAPSHOT (measured) instead of changing no row, so no caller ever gets this reason',
  },
];
