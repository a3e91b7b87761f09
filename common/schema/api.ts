import { z } from 'zod';
import { DiskId, HostName, MacAddress } from './primitives.ts';
import { ProfileName } from './profile.ts';
import { HoldReason, OperatorAction, RunResult, RunState, StageOutcome } from './run.ts';
import { Severity } from './spec.ts';
import { Coverage, CoverageEntry } from './coverage.ts';
import { MeasurementKind, StageNameSchema } from './protocol.ts';

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
  })
  .strict();
export type HostInput = z.input<typeof HostInput>;

export const HostPatch = HostInput.partial().strict();
export type HostPatch = z.input<typeof HostPatch>;

export const SpecBody = z.object({ yaml: z.string().max(256 * 1024) }).strict();
export const CaptureSpecBody = z.object({ run: z.number().int().positive().optional() }).strict();

export const StartRunBody = z.object({ host: HostName, profile: ProfileName.optional() }).strict();

export const RunActionBody = z
  .object({
    action: OperatorAction,
    reason: z.string().trim().max(2000).optional(),
    supervisor: z.string().trim().min(1).max(128).optional(),
    secret: z.string().min(1).max(1024).optional(),
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

/** A run's estimated end (docs/state-machine.md, "Estimated end"). */
export const EtaView = z.object({
  /** running: `at` is the estimate; waiting-for-person: held, or its agent went quiet (no time given); done: `at` is the real end; ended: abandoned. */
  status: z.enum(['running', 'waiting-for-person', 'done', 'ended']),
  at: z.string().nullable(),
  /** Seconds of testing left (for a run waiting for a person: once it continues). */
  remainingS: z.number().nullable(),
  /** The end estimated when the run started. */
  firstAt: z.string().nullable(),
  /** What the estimate rests on, in a few words. */
  basis: z.string(),
});
export type EtaView = z.infer<typeof EtaView>;

/** The estimate recorded as the run entered a state; the state it ended in carries its real end. */
export const RunEstimateView = z.object({ state: z.string(), madeAt: z.string(), etaAt: z.string().nullable() });
export type RunEstimateView = z.infer<typeof RunEstimateView>;

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
  /** When the run should be done (ISO): eta.at, for scripts; null while it waits for a person or once abandoned. */
  etaAt: z.string().nullable().optional(),
  eta: EtaView.optional(),
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
  verdict: z.object({
    reasons: z.array(z.string()),
    coverage: z.array(z.object({ stage: StageNameSchema }).and(CoverageEntry)),
  }),
  /** The estimates of its end recorded so far, oldest first. */
  estimates: z.array(RunEstimateView).optional(),
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
});
export type HostView = z.infer<typeof HostView>;

export const SeenHostView = z.object({ mac: z.string(), ip: z.string().nullable(), arch: z.string().nullable(), source: z.string(), firstSeen: z.string(), lastSeen: z.string() });

export const SeriesView = z.object({
  sensor: z.string(),
  unit: z.string(),
  points: z.array(z.tuple([z.number(), z.number()])),
  rawCount: z.number(),
});
export const MeasurementsView = z.object({ runId: z.number(), kind: MeasurementKind, from: z.number().nullable(), to: z.number().nullable(), series: z.array(SeriesView) });
export type MeasurementsView = z.infer<typeof MeasurementsView>;

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
export const StartRunView = z.object({ run: z.number(), orchestrator: z.string(), token: z.string(), pin: z.string().optional() });

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
