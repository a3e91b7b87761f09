import { z } from 'zod';
import { DiskId, HostName, MacAddress } from './primitives.ts';
import { BuiltinProfileName, ProfileName, ProfileParams } from './profile.ts';
import { HoldReason, OperatorAction, RunResult, RunState, StageOutcome } from './run.ts';
import { Severity } from './spec.ts';
import { Coverage, CoverageEntry, PartKind } from './coverage.ts';
import { MeasurementKind, StageNameSchema } from './protocol.ts';
import { BmcInput, BmcView, PowerStepView, StartPower } from './power.ts';

// Bodies and views of the control API (docs/api.md), shared by the orchestrator,
// the renderer and the CLI.

// ---- request bodies ----

export const HostInput = z
  .object({
    name: HostName,
    macs: z.array(MacAddress).max(16).default([]),
    profile: ProfileName.default('standard'),
    disks: z.array(DiskId).max(256).default([]),
    maxTempC: z.number().positive().max(150).nullable().optional(),
    specYaml: z.string().max(256 * 1024).nullable().optional(),
    notes: z.string().max(4096).optional(),
    /** The host's BMC, which the bench drives (power, PXE once); null removes it. Its password is write-only. */
    bmc: BmcInput.nullable().optional(),
  })
  .strict();
export type HostInput = z.input<typeof HostInput>;

export const HostPatch = HostInput.partial().strict();
export type HostPatch = z.input<typeof HostPatch>;

export const SpecBody = z.object({ yaml: z.string().max(256 * 1024) }).strict();
export const CaptureSpecBody = z.object({ run: z.number().int().positive().optional() }).strict();

/** `power` matters only for a host with a BMC (default `on`, see StartPower). */
export const StartRunBody = z.object({ host: HostName, profile: ProfileName.optional(), power: StartPower.optional() }).strict();

export const RunActionBody = z
  .object({
    action: OperatorAction,
    reason: z.string().trim().max(2000).optional(),
    supervisor: z.string().trim().min(1).max(128).optional(),
    secret: z.string().min(1).max(1024).optional(),
    /** Abandon only: also power the host off through its BMC. */
    powerOff: z.boolean().optional(),
  })
  .strict();
export type RunActionBody = z.infer<typeof RunActionBody>;

const SupervisorName = z.string().trim().min(1).max(128);
const SupervisorSecret = z.string().min(1).max(1024);
/**
 * Adds a supervisor or changes a credential. Through the control API a change
 * needs the current credential (oldSecret) and an addition an existing
 * supervisor's (approvedBy), except for the very first supervisor.
 */
export const SupervisorBody = z
  .object({
    name: SupervisorName,
    secret: z.string().min(8, 'a supervisor credential needs at least 8 characters').max(1024),
    oldSecret: SupervisorSecret.optional(),
    approvedBy: z.object({ name: SupervisorName, secret: SupervisorSecret }).strict().optional(),
  })
  .strict();

export const AdoptBody = z.object({ mac: MacAddress, name: HostName, profile: ProfileName.optional() }).strict();

export const MeasurementQuery = z.object({
  kind: MeasurementKind.default('thermal'),
  from: z.coerce.number().int().nonnegative().optional(),
  to: z.coerce.number().int().nonnegative().optional(),
  /** Points per series the chart can show; the server downsamples (LTTB) to it. */
  points: z.coerce.number().int().min(2).max(100_000).default(1000),
});

export const RunListQuery = z.object({
  host: z.string().max(128).optional(),
  serial: z.string().max(256).optional(),
  result: RunResult.optional(),
  state: RunState.optional(),
  from: z.string().max(64).optional(),
  to: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});

// ---- views ----

export const StageView = z.object({
  name: StageNameSchema,
  attempt: z.number().int(),
  outcome: StageOutcome.nullable(),
  passed: z.boolean().nullable(),
  message: z.string().nullable(),
  startedAt: z.string().nullable(),
  completedAt: z.string().nullable(),
  summary: z.unknown().nullable(),
  /** What the attempt covered per part; empty for attempts stored before coverage was kept. */
  coverage: Coverage,
});
export type StageView = z.infer<typeof StageView>;

export const SpecDiffView = z.object({ field: z.string(), expected: z.string().nullable(), actual: z.string().nullable(), severity: Severity, rule: z.string() });

export const TransitionView = z.object({
  id: z.number(),
  from: z.string().nullable(),
  to: z.string(),
  action: z.string(),
  actor: z.string(),
  reason: z.string().nullable(),
  detail: z.unknown().nullable(),
  at: z.string(),
});
export type TransitionView = z.infer<typeof TransitionView>;

/** Steps of a host's network boot, in the order they happen (docs/pxe.md). */
export const BOOT_STEPS = ['dhcp', 'tftp', 'boot-script', 'kernel', 'initrd', 'agent-bundle'] as const;
export const BootStep = z.enum(BOOT_STEPS);
export type BootStep = z.infer<typeof BootStep>;
export const BootEventView = z.object({ step: BootStep, detail: z.string().nullable(), at: z.string() });
export type BootEventView = z.infer<typeof BootEventView>;

export const ArtifactView = z.object({ name: z.string(), kind: z.string(), stage: z.string().nullable(), size: z.number(), sha256: z.string(), createdAt: z.string() });
export type ArtifactView = z.infer<typeof ArtifactView>;

export const RunSummaryView = z.object({
  id: z.number(),
  host: z.string(),
  profile: z.string(),
  state: RunState,
  holdReason: HoldReason.nullable(),
  result: RunResult.nullable(),
  failedStage: StageNameSchema.nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  completedAt: z.string().nullable(),
  agentLost: z.boolean(),
  agentConnected: z.boolean(),
  agentLastSeen: z.string().nullable(),
  bootMac: z.string().nullable(),
  dmiSerial: z.string().nullable(),
  overridden: z.boolean(),
});
export type RunSummaryView = z.infer<typeof RunSummaryView>;

export const RunDetailView = RunSummaryView.extend({
  stages: z.array(StageView),
  attempts: z.array(StageView),
  specDiffs: z.array(SpecDiffView),
  transitions: z.array(TransitionView),
  /** The host's network boot for this run, oldest first (empty for runs started by hand). */
  boot: z.array(BootEventView),
  artifacts: z.array(ArtifactView),
  wipeOverride: z.array(z.string()),
  unexpectedData: z.array(z.object({ disk: z.string(), device: z.string(), found: z.array(z.string()) })),
  maxTempC: z.number(),
  /**
   * What decided the result (or would, were the run to end now; common/verdict.ts): the
   * reasons, most important first, and every coverage claim with the checks the orchestrator
   * added for parts the host's spec and expected disks name.
   */
  /** The exact parameters the run was started with (editing its profile later changes none of them). */
  params: ProfileParams,
  verdict: z.object({
    /** Whether this run can certify the host at all (its profile's built-in decides; smoke and selftest never do). */
    certifies: z.boolean(),
    reasons: z.array(z.string()),
    coverage: z.array(z.object({ stage: StageNameSchema }).and(CoverageEntry)),
  }),
});
export type RunDetailView = z.infer<typeof RunDetailView>;

export const HostView = z.object({
  name: z.string(),
  macs: z.array(z.string()),
  profile: ProfileName,
  disks: z.array(z.string()),
  maxTempC: z.number().nullable(),
  specYaml: z.string().nullable(),
  notes: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  activeRun: z.number().nullable(),
  /** The host's BMC (never its credential); null when it has none. Optional only so that views built before BMCs existed still type. */
  bmc: BmcView.nullable().optional(),
});
export type HostView = z.infer<typeof HostView>;

/** A profile as the API and the CLI show it (docs/api.md, "Profiles"). */
export const ProfileView = z.object({
  name: z.string(),
  /** Shipped with the app: read-only. */
  builtin: z.boolean(),
  /** The built-in a custom profile extends (null for a built-in, or a stored one whose base is unknown). */
  extends: BuiltinProfileName.nullable(),
  description: z.string().nullable(),
  /** What a custom profile changes, in the shape of its parameters (empty for a built-in). */
  overrides: z.record(z.string(), z.unknown()),
  /** The parameters a run started now gets (a run keeps its own copy from its start). */
  params: ProfileParams,
  /** Whether a clean run under it certifies the host: a custom profile's built-in decides. */
  certifies: z.boolean(),
  /** False for a stored custom profile the profile schema no longer accepts (runs cannot start with it). */
  valid: z.boolean(),
  issues: z.array(z.object({ path: z.string(), message: z.string() })),
  /** Hosts whose default profile this is. */
  hosts: z.array(z.string()),
  createdAt: z.string().nullable(),
  updatedAt: z.string().nullable(),
});
export type ProfileView = z.infer<typeof ProfileView>;
export const ProfileDeleteQuery = z.object({ moveHostsTo: ProfileName.optional() }).strict();
export const ProfileDeletedView = z.object({ deleted: z.string(), movedHosts: z.array(z.string()) });

export const SeenHostView = z.object({ mac: z.string(), ip: z.string().nullable(), arch: z.string().nullable(), source: z.string(), firstSeen: z.string(), lastSeen: z.string() });

export const SeriesView = z.object({
  sensor: z.string(),
  unit: z.string(),
  points: z.array(z.tuple([z.number(), z.number()])),
  rawCount: z.number(),
});
export const MeasurementsView = z.object({ runId: z.number(), kind: MeasurementKind, from: z.number().nullable(), to: z.number().nullable(), series: z.array(SeriesView) });
export type MeasurementsView = z.infer<typeof MeasurementsView>;

/** A component's history query: the part's kind and id (as a stage named it), and for host-local parts the host. */
export const ComponentQuery = z
  .object({
    kind: PartKind,
    id: z.string().min(1).max(256),
    /** Parts whose ids only mean something inside one host (sensors, rails, PCI addresses) are kept per host. */
    host: z.string().max(128).optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(200),
  })
  .strict();
export type ComponentQuery = z.infer<typeof ComponentQuery>;

/** One figure of one attempt, labelled from the stage's summary schema. */
export const ComponentFigureView = z.object({ key: z.string(), label: z.string(), value: z.union([z.number(), z.boolean()]), unit: z.string().optional() });

/** What one stage attempt reported about the part. */
export const ComponentEntryView = z.object({
  runId: z.number(),
  host: z.string(),
  stage: StageNameSchema,
  attempt: z.number(),
  /** The attempt's outcome (null while it has none). */
  outcome: z.string().nullable(),
  /** The run's result, once it has one. */
  runResult: RunResult.nullable(),
  at: z.string(),
  /** The label the stage gave the part (a DIMM's slot, a disk's device) on that run. */
  label: z.string().nullable(),
  figures: z.array(ComponentFigureView),
});
export type ComponentEntryView = z.infer<typeof ComponentEntryView>;

/** A part remembered across runs (GET /api/components/:kind/:id): newest entry first. */
export const ComponentHistoryView = z.object({
  kind: PartKind,
  id: z.string(),
  /** The host the part is kept under when its id is host-local; null for parts with a global identity. */
  host: z.string().nullable(),
  label: z.string().nullable(),
  firstSeen: z.string(),
  lastSeen: z.string(),
  entries: z.array(ComponentEntryView),
});
export type ComponentHistoryView = z.infer<typeof ComponentHistoryView>;

/** How one figure of a part changed since that part's previous run (common/part-changes.ts). */
export const FigureChangeView = z.object({
  key: z.string(),
  label: z.string(),
  unit: z.string().optional(),
  before: z.union([z.number(), z.boolean()]),
  after: z.union([z.number(), z.boolean()]),
  /** after − before, for numbers. */
  delta: z.number().nullable(),
  /** The change in percent of `before`, for a figure judged against a limit that is not a count (IOPS, p99); null otherwise. */
  percent: z.number().nullable(),
  /** Where the stage's schema says which way is better (a floor, a ceiling, `better`); null where it does not. */
  direction: z.enum(['worse', 'better']).nullable(),
  /** "Reallocated 0 → 2", "IOPS −18 %". */
  text: z.string(),
  /** The same with both values: "IOPS 12,000 → 9,840 (−18 %)". */
  detail: z.string(),
});
export type FigureChangeView = z.infer<typeof FigureChangeView>;

/** One part a stage measured in a run, against that part's previous run on this bench (any host). */
export const PartChangeView = z.object({
  stage: StageNameSchema,
  /** The attempt whose figures these are: the stage's latest with a summary. */
  attempt: z.number().int(),
  kind: PartKind,
  /** The part's id as the stage named it. */
  id: z.string(),
  /** The newest earlier run whose same stage measured the part; null when none did. */
  previous: z.object({ runId: z.number(), host: z.string(), at: z.string() }).nullable(),
  /** Figures measured both times that changed, in the order of the stage's schema. */
  changes: z.array(FigureChangeView),
  /** Figures measured both times that did not change. */
  unchanged: z.number().int(),
});
export type PartChangeView = z.infer<typeof PartChangeView>;

/** GET /api/runs/:id/part-changes: each serial-identified part (disk, DIMM, NIC, GPU) the run's latest attempts measured. */
export const RunPartChangesView = z.object({ runId: z.number(), parts: z.array(PartChangeView) });
export type RunPartChangesView = z.infer<typeof RunPartChangesView>;

/** A part of a host, by serial, as its newest runs saw it. */
export const HostPartView = z.object({
  kind: PartKind,
  id: z.string(),
  /** Where it sat in the newest of the two runs that named it (a disk's device, a DIMM's slot, a NIC's name). */
  label: z.string().nullable(),
  /** `appeared`: named by the latest run, not the one before; `gone`: the other way round; null: in both (or there is no run before). */
  change: z.enum(['appeared', 'gone']).nullable(),
  /** The newest of the compared runs that named it. */
  runId: z.number(),
  firstSeen: z.string(),
  lastSeen: z.string(),
});
export type HostPartView = z.infer<typeof HostPartView>;

/** GET /api/hosts/:name/parts: the host's parts by serial in its latest run, and what was swapped since the run before. */
export const HostPartsView = z.object({
  host: z.string(),
  /** The host's newest run that named any part, and the one before it; null when there is none. */
  latestRun: z.number().nullable(),
  previousRun: z.number().nullable(),
  parts: z.array(HostPartView),
});
export type HostPartsView = z.infer<typeof HostPartsView>;

export const ApiError = z.object({ error: z.string(), code: z.string().optional(), issues: z.array(z.object({ path: z.string(), message: z.string() })).optional() });
export type ApiError = z.infer<typeof ApiError>;

// ---- live events (server-sent events on /api/events) ----

export const LiveEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('run-updated'), runId: z.number(), host: z.string(), state: RunState }),
  z.object({ type: z.literal('host-updated'), host: z.string() }),
  /** One more step of a waiting host's network boot: shown as it comes, nothing else of the run changed. */
  z.object({ type: z.literal('boot-step'), runId: z.number(), host: z.string(), boot: BootEventView }),
  z.object({
    type: z.literal('progress'),
    runId: z.number(),
    stage: StageNameSchema,
    item: z.string().optional(),
    percent: z.number().optional(),
    etaS: z.number().optional(),
    message: z.string().optional(),
    ts: z.number(),
  }),
  z.object({ type: z.literal('log'), runId: z.number(), source: z.string(), lines: z.array(z.string()) }),
  z.object({ type: z.literal('sensors'), runId: z.number(), ts: z.number(), hottest: z.object({ sensor: z.string(), value: z.number() }).nullable(), count: z.number() }),
  z.object({ type: z.literal('host-seen'), mac: z.string(), ip: z.string().nullable() }),
  z.object({ type: z.literal('notification'), event: z.string(), title: z.string(), body: z.string(), runId: z.number().nullable() }),
  z.object({ type: z.literal('services'), }),
]);
export type LiveEvent = z.infer<typeof LiveEvent>;

// ---- board (home view) ----

export const ProgressView = z.object({ stage: StageNameSchema, item: z.string().nullable(), percent: z.number().nullable(), etaS: z.number().nullable(), message: z.string().nullable(), ts: z.number() });
export type ProgressView = z.infer<typeof ProgressView>;

export const NEEDS_PERSON = ['UnexpectedData', 'FailedHolding', 'AgentLost'] as const;
export const BoardEntry = z.object({
  host: HostView,
  run: RunSummaryView.nullable(),
  /** Latest attempt of each stage reached so far, in stage order. */
  stages: z.array(StageView),
  progress: z.array(ProgressView),
  hottest: z.object({ sensor: z.string(), value: z.number(), ts: z.number() }).nullable(),
  /** While the run waits for its agent: the latest step of the host's network boot. */
  boot: BootEventView.nullable(),
  needsPerson: z.enum(NEEDS_PERSON).nullable(),
});
export type BoardEntry = z.infer<typeof BoardEntry>;
export const BoardView = z.object({ entries: z.array(BoardEntry), newHosts: z.array(SeenHostView) });
export type BoardView = z.infer<typeof BoardView>;

/** `pin`: "sha256:<hex>" of the orchestrator's bench key, for `vetting agent --pin` (absent when no server runs). */
/** `power`: what the bench did through the host's BMC (absent for a host without one). */
export const StartRunView = z.object({ run: z.number(), orchestrator: z.string(), token: z.string(), pin: z.string().optional(), power: z.array(PowerStepView).optional() });

export const SpecCheckView = z.object({ ok: z.boolean(), issues: z.array(z.object({ path: z.string(), message: z.string(), line: z.number().nullable() })) });
export type SpecCheckView = z.infer<typeof SpecCheckView>;

// ---- settings ----

const Port = z.number().int().min(0).max(65535);
export const Settings = z
  .object({
    bench: z
      .object({
        /** Interface facing the bench switch (dnsmasq binds to it). */
        interface: z.string().max(32).nullable().default(null),
        /** Address the bench listener, iperf3 and boot URLs use. */
        address: z.string().max(64).default('127.0.0.1'),
        port: Port.default(8069),
        dhcpMode: z.enum(['full', 'proxy', 'off']).default('off'),
        dhcpRange: z.object({ start: z.string(), end: z.string(), leaseTime: z.string().default('1h') }).nullable().default(null),
        /** proxy-DHCP: the subnet the existing DHCP server serves, e.g. 10.1.2.0. */
        proxySubnet: z.string().nullable().default(null),
        iperfPort: Port.default(5201),
        /** iperf3 servers, one per host under test, on iperfPort, iperfPort + 1 …: hosts beyond this share them. */
        iperfServers: z.number().int().min(1).max(64).default(8),
        /** Live image (vmlinuz, initrd.img); null: $VETTING_IMAGE_DIR or /var/cache/vetting-image (docs/image.md). */
        imageDir: z.string().max(4096).nullable().default(null),
        /** Open connections one address may hold on the bench listener (an agent needs a few; a flood gets refused). */
        maxConnectionsPerAddress: z.number().int().min(1).max(10_000).default(32),
        /** Bytes of artifacts one run's agent may upload in all. */
        artifactBytesPerRun: z.number().int().min(1024).max(1024 ** 4).default(2 * 1024 ** 3),
      })
      .strict()
      .prefault({}),
    /**
     * Device path prefixes destructive stages may write to. Whatever matches must
     * still be an expected disk, a whole non-removable block device, unmounted and
     * not the boot medium (docs/stages.md).
     */
    deviceAllowlist: z.array(z.string().regex(/^\/dev\/[A-Za-z0-9/_-]*$/, 'allowlist entries are /dev/ path prefixes')).max(32).default(['/dev/sd', '/dev/nvme', '/dev/vd', '/dev/hd', '/dev/loop']),
    retention: z
      .object({ maxAgeDays: z.number().int().positive().default(365), maxTotalBytes: z.number().int().positive().default(20 * 1024 ** 3) })
      .strict()
      .prefault({}),
  })
  .strict();
export type Settings = z.infer<typeof Settings>;
export const SettingsPatch = z.record(z.string(), z.unknown());

export const ServiceView = z.object({ name: z.string(), state: z.enum(['running', 'starting', 'stopped', 'failed', 'disabled']), detail: z.string().nullable(), lastError: z.string().nullable(), logTail: z.array(z.string()) });
export type ServiceView = z.infer<typeof ServiceView>;

export const LogLineView = z.object({ ts: z.number(), source: z.string(), line: z.string() });

// ---- small views (session, people, logs, notifications, janitor) ----

export const SessionView = z.object({ ok: z.literal(true), version: z.string().optional() });
export const SupervisorView = z.object({ name: z.string(), createdAt: z.string() });
export type SupervisorView = z.infer<typeof SupervisorView>;
/** One line of the supervisor audit: credential changes, wrong and refused guesses. */
export const SupervisorAuditView = z.object({ at: z.string(), name: z.string(), event: z.string(), actor: z.string(), detail: z.string().nullable() });
export type SupervisorAuditView = z.infer<typeof SupervisorAuditView>;
export const LogsView = z.object({ lines: z.array(LogLineView) });
export type LogsView = z.infer<typeof LogsView>;
export type LogLine = z.infer<typeof LogLineView>;
export const CapturedSpecView = z.object({ yaml: z.string() });

// Notification channels and the janitor (electron/node/control/routes-maintenance.ts).
export const ChannelStatusView = z.object({
  id: z.string(),
  name: z.string(),
  type: z.string(),
  enabled: z.boolean(),
  events: z.array(z.string()),
  lastStatus: z.enum(['ok', 'error']).nullable(),
  lastEvent: z.string().nullable(),
  lastAttemptAt: z.string().nullable(),
  lastSuccessAt: z.string().nullable(),
  lastError: z.string().nullable(),
  pending: z.number(),
  failed: z.number(),
});
export type ChannelStatusView = z.infer<typeof ChannelStatusView>;
export const NotificationsView = z.object({
  /** Channel settings with secrets redacted as "********" (sent back unchanged, the stored secret is kept). */
  channels: z.array(z.record(z.string(), z.unknown())),
  status: z.array(ChannelStatusView),
  configErrors: z.array(z.string()),
});
export type NotificationsView = z.infer<typeof NotificationsView>;
export const TestSendView = z.object({ ok: z.boolean(), error: z.string().nullable() });
export const JanitorPassView = z.object({
  id: z.number(),
  trigger: z.string(),
  startedAt: z.string(),
  finishedAt: z.string(),
  bytesReclaimed: z.number(),
  report: z.unknown(),
});
export const JanitorView = z.object({ lastPass: JanitorPassView.nullable() });
