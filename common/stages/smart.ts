import { z } from 'zod';
import { defineStage } from './define.ts';

const count = z.number().int().nonnegative().nullable().optional();

export const SmartDiskResult = z.object({
  disk: z.string().max(256).meta({ title: 'Disk', partId: true }),
  device: z.string().max(256).meta({ title: 'Device' }),
  /** smartctl -d type behind a RAID controller (megaraid,N …); null: detected by smartctl. */
  type: z.string().max(64).nullable().meta({ title: 'Type', hidden: true }),
  /** not-tested: SMART could not be read on a physical disk; not-applicable: a virtual disk. */
  outcome: z.enum(['passed', 'failed', 'error', 'not-tested', 'not-applicable']).meta({ title: 'Result' }),
  smartAvailable: z.boolean().optional().meta({ title: 'SMART readable' }),
  health: z.boolean().nullable().optional().meta({ title: 'Overall health passed' }),
  reallocated: count.meta({ title: 'Reallocated', measure: true }),
  pending: count.meta({ title: 'Pending', measure: true }),
  offlineUncorrectable: count.meta({ title: 'Offline uncorrectable', measure: true }),
  /** ATA attribute 184 (End-to-End error / IOEDC): data corrupted between the host and the media. */
  endToEndErrors: count.meta({ title: 'End-to-end errors', measure: true }),
  mediaErrors: count.meta({ title: 'NVMe media errors', measure: true }),
  criticalWarning: count.meta({ title: 'NVMe critical warning' }),
  temperatureC: z.number().nullable().optional().meta({ title: 'Temperature', unit: '°C', measure: true }),
  powerOnHours: count.meta({ title: 'Power-on hours', measure: true }),
  exitCode: z.number().int().optional().meta({ title: 'smartctl exit', hidden: true }),
  exitBits: z.record(z.string(), z.boolean()).optional().meta({ hidden: true }),
  reasons: z.array(z.string().max(1000)).max(50).meta({ title: 'Reasons' }),
});
export type SmartDiskResult = z.infer<typeof SmartDiskResult>;

export const smartStage = defineStage({
  name: 'SMART',
  owner: 'agent',
  destructive: false,
  title: 'SMART health and error counters of every expected disk',
  paramsKey: 'smart',
  params: z.object({
    timeoutS: z.number().positive(),
    /** A disk passes while each count is at most this. */
    maxReallocated: z.number().int().nonnegative(),
    maxPending: z.number().int().nonnegative(),
    maxOfflineUncorrectable: z.number().int().nonnegative(),
    /** ATA 184 End-to-End errors allowed (the seed's criterion: none). */
    maxEndToEndErrors: z.number().int().nonnegative().default(0),
    maxMediaErrors: z.number().int().nonnegative(),
  }),
  // One smartctl per disk, one after another; 16 disks is a large host.
  timeoutS: (p) => p.timeoutS * 16 + 60,
  // smartctl -a once per expected disk.
  expectedS: (_, host) => 1 + host.disks.length,
  tools: [{ binary: 'smartctl', debianPackage: 'smartmontools', why: 'SMART health and counters (smartctl -j -a)' }],
  covers: ['disk'],
  summary: z.object({
    disks: z.array(SmartDiskResult).max(256).meta({ title: 'Disks', part: 'disk' }),
    /** Expected disks found neither as block devices nor behind a RAID controller. */
    missing: z.array(z.string().max(256)).max(256).meta({ title: 'Expected disks not found' }),
    notes: z.array(z.string().max(1000)).max(50).meta({ title: 'Notes' }),
  }),
});
