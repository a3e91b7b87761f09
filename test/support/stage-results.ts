import { notApplicable, notTested, tested, type CoverageEntry } from '../../common/schema/coverage.ts';
import type { AgentOutcome } from '../../common/schema/protocol.ts';
import type { z } from 'zod';
import type { StageDefinition } from '../../common/stages/define.ts';
import { STAGES, stageDefinition, type AgentStageName, type StageErrorSummary, type StageSummaryInput } from '../../common/stages/index.ts';
import { qemuGuestInventory } from './fixture-inventory.ts';

// Stage results in the shape each stage's schema asks for (common/stages), for
// tests that play the agent: the orchestrator refuses any other shape. Each
// says what it covered the way the real stage does, for the disks and NIC given.

export interface StageResultBody<N extends AgentStageName = AgentStageName> {
  outcome: AgentOutcome;
  message: string;
  summary: StageSummaryInput<N> | StageErrorSummary;
  coverage: CoverageEntry[];
}

export interface ResultOptions {
  /** Expected-disk ids the SMART and Storage results speak for. */
  disks?: readonly string[];
  /** The NIC's MAC the Network result speaks for. */
  nicMac?: string;
  outcome?: AgentOutcome;
}

const disk = (id: string, i: number) => ({ kind: 'disk' as const, id, label: `${id} (/dev/sd${String.fromCharCode(97 + i)})` });
const device = (i: number) => `/dev/sd${String.fromCharCode(97 + i)}`;

/** A result of `stage` in its schema's shape: passed (or the given outcome), covering what it names. */
export function stageResultBody<N extends AgentStageName>(stage: N, opts: ResultOptions = {}): StageResultBody<N> {
  const outcome = opts.outcome ?? 'passed';
  const disks = opts.disks ?? [];
  const message = `${stage} ${outcome}`;
  const body = (summary: StageResultBody<N>['summary'], coverage: CoverageEntry[]): StageResultBody<N> => ({ outcome, message, summary, coverage });
  switch (stage as AgentStageName) {
    case 'Inventory':
      return body({ inventory: qemuGuestInventory() } as StageSummaryInput<N>, []);
    case 'SMART':
      return body(
        {
          disks: disks.map((d, i) => ({ disk: d, device: device(i), type: null, outcome: outcome === 'failed' ? 'failed' : 'passed', smartAvailable: true, health: outcome !== 'failed', reallocated: 0, reasons: ['SMART health PASSED'] })),
          missing: [],
          notes: [],
        } as StageSummaryInput<N>,
        disks.length ? disks.map((d, i) => tested(disk(d, i), 'SMART health and counters')) : [notTested({ kind: 'disk', id: 'expected disks' }, 'SMART health and counters', 'the host lists no expected disks', true)],
      );
    case 'CPUStress':
      return body(
        { metrics: [{ stressor: 'cpu', bogoOps: 1000, bogoOpsPerSecReal: 333 }], cpuWorkers: 2, vmWorkers: 1, vmBytesTotal: 64 * 1024 ** 2, durationS: 3, exitCode: outcome === 'failed' ? 2 : 0, ceilingC: 90, peaks: [], thermalSamples: 0 } as StageSummaryInput<N>,
        [tested({ kind: 'cpu', id: 'cpu' }, 'stress-ng CPU load'), tested({ kind: 'memory', id: 'memory' }, 'stress-ng vm --verify')],
      );
    case 'Memory':
      return body(
        {
          tool: 'stressapptest', threads: 2, bytesTested: 64 * 1024 ** 2, memTotalBytes: 1024 ** 3, durationS: 3, elapsedS: 3.1, movedGB: 12.3, bandwidthGBps: 3.97,
          miscompares: outcome === 'failed' ? 1 : 0, exitCode: outcome === 'failed' ? 1 : 0, edac: true, controllers: ['mc0 ghes_edac'], maxCorrectedSinceBoot: 5,
          dimms: [{ dimm: 'DIMM_A1', location: 'mc0 channel 0 slot 0', serial: 'DIMMSER0001', sizeBytes: 1024 ** 3, correctedBefore: 0, corrected: 0, maxCorrected: 0, uncorrected: 0, maxUncorrected: 0, outcome: outcome === 'failed' ? 'failed' : 'passed' }],
          machineChecks: [],
        } as StageSummaryInput<N>,
        [
          tested({ kind: 'memory', id: 'memory' }, 'pattern test under load'),
          tested({ kind: 'dimm', id: 'DIMMSER0001', label: 'DIMM_A1 (mc0 channel 0 slot 0, serial DIMMSER0001)' }, 'ECC error counters under load'),
          tested({ kind: 'system', id: 'machine-check log' }, 'machine checks'),
        ],
      );
    case 'Storage':
      return body(
        {
          overridden: [],
          disks: disks.map((d, i) => ({
            disk: d,
            device: device(i),
            diskClass: 'ssd',
            outcome: outcome === 'failed' ? 'failed' : 'passed',
            reasons: ['ok'],
            badblocks: { blockSize: 4096, firstBlock: 0, lastBlock: 16383, badBlocks: 0, badRanges: [], coveredBytes: 64 * 1024 ** 2, diskBytes: 64 * 1024 ** 2, counts: null },
            fio: { iops: 20_000, readIops: 10_000, writeIops: 10_000, p99Ms: 1.5, minIops: 100, maxP99Ms: 1000 },
          })),
        } as StageSummaryInput<N>,
        disks.length
          ? disks.flatMap((d, i) => [tested(disk(d, i), 'surface scan', { extent: { done: 64 * 1024 ** 2, total: 64 * 1024 ** 2, unit: 'bytes' } }), tested(disk(d, i), 'random I/O')])
          : [notTested({ kind: 'disk', id: 'expected disks' }, 'surface scan', 'the host lists no expected disks', true)],
      );
    case 'Network': {
      const mac = opts.nicMac ?? '52:54:00:12:34:56';
      return body(
        { nics: [{ nic: 'eth0', mac, address: '10.0.0.2', outcome: outcome === 'failed' ? 'failed' : 'passed', linkMbps: 1000, linkSpeedAssumed: false, goodputMbps: 940, floorMbps: 900, reason: '940 Mbit/s' }], server: { host: '10.0.0.1', port: 5201 } } as StageSummaryInput<N>,
        [tested({ kind: 'nic', id: mac, label: `eth0 (${mac})` }, 'iperf3 throughput')],
      );
    }
    case 'GPU':
      return { ...body({ gpus: [] } as StageSummaryInput<N>, [notApplicable({ kind: 'gpu', id: 'gpus' }, 'compute burn', 'no GPU in this host')]), outcome: opts.outcome ?? 'skipped' };
    case 'PSU':
      return body(
        { telemetry: true, sensors: 1, rails: [{ sensor: 'nct6775/in0', idleV: 12, minV: 11.9, dipFraction: 0.008, maxDipFraction: 0.05 }], loads: [{ load: 'cpu', ok: true, detail: 'exit 0' }] } as StageSummaryInput<N>,
        [tested({ kind: 'psu', id: 'nct6775/in0' }, 'voltage under load')],
      );
    case 'BMC':
      // A host without a BMC, as the real stage reports it.
      return {
        ...body({ bmc: { present: false, why: 'this host has no BMC' } } as StageSummaryInput<N>, [notTested({ kind: 'bmc', id: 'bmc', label: 'BMC (in band)' }, 'BMC event log during the run', 'this host has no BMC', false)]),
        outcome: opts.outcome ?? 'skipped',
      };
  }
  // A stage these tests know nothing about (one added since): the smallest summary its schema accepts.
  const def: StageDefinition = stageDefinition(stage as AgentStageName);
  return body(minimalValue(def.summary) as StageResultBody<N>['summary'], []);
}

/** The agent-owned stages from `first` on, in run order (from the one list, never hard-coded). */
export function agentStagesFrom(first: AgentStageName): AgentStageName[] {
  const agent = STAGES.filter((s) => s.owner === 'agent').map((s) => s.name as AgentStageName);
  return agent.slice(agent.indexOf(first));
}

type Def = { type: string; [k: string]: unknown };
const defOf = (s: z.ZodType) => (s as unknown as { _zod: { def: Def } })._zod.def;

/** The smallest value a zod schema accepts: required fields only, empty arrays, zeros, first options. */
export function minimalValue(schema: z.ZodType): unknown {
  const d = defOf(schema);
  switch (d.type) {
    case 'object':
      return Object.fromEntries(
        Object.entries((schema as unknown as { shape: Record<string, z.ZodType> }).shape)
          .filter(([, f]) => !['optional', 'default', 'prefault'].includes(defOf(f).type))
          .map(([k, f]) => [k, minimalValue(f)]),
      );
    case 'array':
      return [];
    case 'nullable':
      return null;
    case 'number':
      return 0;
    case 'string':
      return '';
    case 'boolean':
      return false;
    case 'literal':
      return (d.values as unknown[])[0];
    case 'enum':
      return Object.values(d.entries as Record<string, unknown>)[0];
    case 'union':
      return minimalValue((d.options as z.ZodType[])[0]!);
    case 'record':
      return {};
    default:
      return null;
  }
}
