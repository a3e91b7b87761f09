import { z } from 'zod';
import { STAGE_NAMES } from '../stages/index.ts';
import { Coverage } from './coverage.ts';
import { ProfileParams } from './profile.ts';
import { WipeProbeHit } from './wipe-probe.ts';

export { WipeProbeHit };

// The agent protocol: JSON text frames over one WebSocket (docs/protocol.md).
// Every agent message but hello carries a sequence number; the orchestrator
// acknowledges each once it is stored, and applies a resent one only once.

export const PROTOCOL_VERSION = 1;
/** Frames above this are refused with an error naming the size. */
export const MAX_MESSAGE_BYTES = 1024 * 1024;

export const StageNameSchema = z.enum(STAGE_NAMES);
export const AGENT_OUTCOMES = ['passed', 'failed', 'error', 'skipped'] as const;
export const AgentOutcome = z.enum(AGENT_OUTCOMES);
export type AgentOutcome = z.infer<typeof AgentOutcome>;

const seq = z.number().int().positive();
const ts = z.number().int().nonnegative(); // ms since the epoch
const shortText = z.string().max(4096);

export const MEASUREMENT_KINDS = ['thermal', 'psu', 'power', 'fan', 'storage', 'network', 'gpu', 'cpu'] as const;
export const MeasurementKind = z.enum(MEASUREMENT_KINDS);
export type MeasurementKind = z.infer<typeof MeasurementKind>;

export const Sample = z.object({
  kind: MeasurementKind,
  sensor: z.string().min(1).max(200),
  value: z.number().finite(),
  unit: z.string().max(16),
  ts,
});
export type Sample = z.infer<typeof Sample>;

// ---- agent -> orchestrator ----

export const Hello = z.object({
  type: z.literal('hello'),
  protocol: z.number().int(),
  token: z.string().min(1).max(512),
  bootMac: z.string().max(64).nullable().optional(),
  dmiSerial: z.string().max(256).nullable().optional(),
  agentVersion: z.string().max(64),
  /** Stable for one agent process's lifetime (and across its restarts via its state file). */
  session: z.string().min(8).max(64),
  hostname: z.string().max(256).optional(),
});

export const Heartbeat = z.object({ type: z.literal('heartbeat'), seq, ts, stage: StageNameSchema.nullable().optional() });

export const StageStarted = z.object({ type: z.literal('stage-started'), seq, ts, stage: StageNameSchema, attempt: z.number().int().positive() });

export const StageProgress = z.object({
  type: z.literal('stage-progress'),
  seq,
  ts,
  stage: StageNameSchema,
  attempt: z.number().int().positive(),
  /** Per-disk / per-NIC progress carries the item it is about. */
  item: z.string().max(256).optional(),
  percent: z.number().min(0).max(100).optional(),
  etaS: z.number().nonnegative().optional(),
  message: shortText.optional(),
});

export const StageResult = z.object({
  type: z.literal('stage-result'),
  seq,
  ts,
  stage: StageNameSchema,
  attempt: z.number().int().positive(),
  outcome: AgentOutcome,
  message: shortText,
  /**
   * Stage-specific, machine-readable result. Its shape is the stage's summary
   * schema (common/stages/<stage>.ts); the orchestrator checks it before storing.
   */
  summary: z.record(z.string(), z.unknown()),
  /** Per part: tested, not applicable or not tested, and why (common/schema/coverage.ts). */
  coverage: Coverage.default([]),
  /** Present when a Storage wipe-probe found data: the run halts with UnexpectedData. */
  unexpectedData: z.array(WipeProbeHit).max(256).optional(),
  /** Numeric results worth charting (PSU envelope, fio IOPS, iperf3 goodput …). */
  measurements: z.array(Sample).max(20_000).optional(),
});
export type StageResult = z.infer<typeof StageResult>;

export const SensorBatch = z.object({ type: z.literal('sensor-batch'), seq, ts, samples: z.array(Sample).max(2_000) });
export type SensorBatch = z.infer<typeof SensorBatch>;

export const LogLines = z.object({
  type: z.literal('log'),
  seq,
  ts,
  stage: StageNameSchema.nullable().optional(),
  source: z.string().max(128),
  lines: z.array(z.string().max(4096)).max(500),
});

export const AgentMessage = z.discriminatedUnion('type', [Hello, Heartbeat, StageStarted, StageProgress, StageResult, SensorBatch, LogLines]);
export type AgentMessage = z.infer<typeof AgentMessage>;
export type SequencedAgentMessage = Exclude<AgentMessage, { type: 'hello' }>;

// ---- orchestrator -> agent ----

export const Welcome = z.object({
  type: z.literal('welcome'),
  protocol: z.literal(PROTOCOL_VERSION),
  run: z.number().int().positive(),
  host: z.string(),
  profile: z.string(),
  params: ProfileParams,
  /** Effective ceiling: the host's own, else the spec's, else the profile's. */
  maxTempC: z.number().positive(),
  /** The only disks destructive work may touch: serial / WWN / loop:FILE. */
  expectedDisks: z.array(z.string()),
  /** Allowlist of device path prefixes destructive work may touch. */
  deviceAllowlist: z.array(z.string()),
  iperf: z.object({ host: z.string(), port: z.number().int().positive() }).nullable(),
  /** HTTP URL (same listener) to PUT artifacts to: `${artifactUrl}/<name>`. */
  artifactUrl: z.string(),
  /** Highest sequence number already stored from this agent session. */
  lastSeq: z.number().int().nonnegative(),
});
export type Welcome = z.infer<typeof Welcome>;

export const RunStage = z.object({
  type: z.literal('run-stage'),
  stage: StageNameSchema,
  attempt: z.number().int().positive(),
  /** Disks whose wipe-probe findings a supervisor overrode for this attempt. */
  wipeOverride: z.array(z.string()).default([]),
});
export type RunStage = z.infer<typeof RunStage>;

export const Wait = z.object({ type: z.literal('wait'), reason: z.string() });
export const Shutdown = z.object({ type: z.literal('shutdown'), action: z.enum(['poweroff', 'reboot', 'exit']), reason: z.string() });
export const Ack = z.object({ type: z.literal('ack'), seq: z.number().int().nonnegative() });

export const PROTOCOL_ERROR_CODES = ['bad-json', 'bad-message', 'too-large', 'bad-token', 'bad-protocol', 'not-hello', 'run-closed', 'internal'] as const;
export const ProtocolError = z.object({ type: z.literal('error'), code: z.enum(PROTOCOL_ERROR_CODES), message: z.string() });
export type ProtocolError = z.infer<typeof ProtocolError>;

export const OrchestratorMessage = z.discriminatedUnion('type', [Welcome, RunStage, Wait, Shutdown, Ack, ProtocolError]);
export type OrchestratorMessage = z.infer<typeof OrchestratorMessage>;
/** What the orchestrator currently wants the agent to do. */
export type Directive = z.infer<typeof RunStage> | z.infer<typeof Wait> | z.infer<typeof Shutdown>;
