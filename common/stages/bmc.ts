import { z } from 'zod';
import { defineStage } from './define.ts';

// BMC: the host's own BMC, read in band (ipmitool over /dev/ipmi0). Inventory reads the
// event log (SEL) and the sensors (SDR) first thing in the run (its `bmcLog`); this stage
// reads them again after every load has run. The orchestrator compares the two and places
// each record logged in between on the stage attempt that was running when the BMC logged
// it (electron/node/stages/reviews/bmc-events.ts): a critical one fails the run naming that
// stage; records already there at the start are listed, not judged.

export const SelRecord = z.object({
  /** The record id the BMC gave it (ipmitool prints it in hex). */
  id: z.number().int().nonnegative().meta({ title: 'Record', format: 'plain' }),
  /** As ipmitool printed the BMC's timestamp ("12/04/26 21:26:19 UTC", "Pre-Init"). */
  when: z.string().max(64).meta({ title: 'Logged (BMC clock)' }),
  /** That timestamp in seconds on the BMC's clock; null before the BMC knew the time. */
  bmcTime: z.number().nullable().meta({ hidden: true }),
  sensorType: z.string().max(64).nullable().meta({ title: 'Type' }),
  sensor: z.string().max(200).meta({ title: 'Sensor' }),
  event: z.string().max(500).meta({ title: 'Event' }),
  direction: z.enum(['Asserted', 'Deasserted']).nullable().meta({ title: 'Direction' }),
  detail: z.string().max(500).nullable().meta({ title: 'Detail' }),
  /** The record reports a fault the bench fails a run on (common/bmc-events.ts). */
  critical: z.boolean().meta({ title: 'Critical' }),
});
export type SelRecord = z.infer<typeof SelRecord>;

export const SdrSensor = z.object({
  name: z.string().max(64).meta({ title: 'Sensor' }),
  sensorId: z.string().max(16).meta({ title: 'Number', hidden: true }),
  /** ok, ns (no reading), nc / cr / nr, lnc … unr (ipmitool's words). */
  status: z.string().max(16).meta({ title: 'Status' }),
  value: z.number().nullable().meta({ title: 'Reading' }),
  unit: z.string().max(32).nullable().meta({ title: 'Unit' }),
  reading: z.string().max(200).meta({ title: 'As read', hidden: true }),
});
export type SdrSensor = z.infer<typeof SdrSensor>;

/** What the BMC held at one moment: its log, its sensors and its clock. */
export const BmcSnapshot = z.object({
  /** False: no BMC could be reached (`why` says why), and nothing else is filled. */
  present: z.boolean().meta({ title: 'BMC reachable' }),
  why: z.string().max(1000).optional().meta({ title: 'Why not' }),
  /** The BMC's clock when the log was read, as ipmitool printed it. */
  clock: z.string().max(64).nullable().optional().meta({ title: 'BMC clock' }),
  clockTime: z.number().nullable().optional().meta({ hidden: true }),
  /** How many records the event log held (an empty log draws no table: this says it was read). */
  selRecords: z.number().int().nonnegative().optional().meta({ title: 'Event log records' }),
  sel: z.array(SelRecord).max(4096).optional().meta({ title: 'System event log' }),
  sdr: z.array(SdrSensor).max(2048).optional().meta({ title: 'Sensors (SDR)' }),
  /** Reads that did not work (the SEL but not the SDR, …). */
  problems: z.array(z.string().max(1000)).max(20).optional().meta({ title: 'Problems' }),
});
export type BmcSnapshot = z.infer<typeof BmcSnapshot>;

/** A record logged during the run, placed on the stage attempt that was running (filled by the orchestrator). */
export const SelRunEvent = SelRecord.extend({
  /** The stage attempt whose window holds the record's time; null between attempts or when it cannot be placed. */
  stage: z.string().max(64).nullable().meta({ title: 'During stage' }),
  attempt: z.number().int().positive().nullable().meta({ title: 'Attempt', format: 'plain' }),
  /** The record's time on the orchestrator's clock (ISO), when it could be placed. */
  at: z.string().max(40).nullable().meta({ title: 'At (bench clock)' }),
});
export type SelRunEvent = z.infer<typeof SelRunEvent>;

export const bmcStage = defineStage({
  name: 'BMC',
  owner: 'agent',
  destructive: false,
  title: 'BMC event log and sensors: what the BMC logged while the host was under test',
  paramsKey: 'bmc',
  params: z.object({
    /** Longest one ipmitool command may take (a large SDR over KCS takes tens of seconds). */
    toolTimeoutS: z.number().positive().default(120),
  }),
  timeoutS: (p) => p.toolTimeoutS * 4 + 60,
  expectedS: () => 15,
  tools: [
    { binary: 'ipmitool', debianPackage: 'ipmitool', optional: true, why: 'the BMC event log and sensors in band (ipmitool sel elist, sdr elist)' },
    { binary: 'modprobe', debianPackage: 'kmod', optional: true, why: 'loads ipmi_si and ipmi_devintf when the firmware declares a BMC' },
  ],
  covers: ['bmc'],
  summary: z.object({
    bmc: BmcSnapshot.meta({ title: 'BMC at the end of the run' }),
    /** Filled by the orchestrator: what the run's start holds to compare with. */
    baseline: z.enum(['inventory', 'none']).optional().meta({ title: 'Compared with' }),
    /** Filled by the orchestrator: records logged during the run, placed on their stage. */
    duringRun: z.array(SelRunEvent).max(4096).optional().meta({ title: 'Logged during the run' }),
    /** Filled by the orchestrator: critical records already in the log when the run started. */
    preExistingCritical: z.array(SelRecord).max(4096).optional().meta({ title: 'Critical records from before the run' }),
    /** Filled by the orchestrator: the BMC clock's offset from the bench's (s), and how far a placement may be off. */
    placement: z
      .object({
        offsetS: z.number().meta({ title: 'BMC clock behind the bench by', unit: 's' }),
        uncertaintyS: z.number().nonnegative().meta({ title: 'Placement uncertainty', unit: 's' }),
      })
      .optional()
      .meta({ title: 'Placing records in time' }),
  }),
});
