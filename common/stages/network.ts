import { z } from 'zod';
import { defineStage } from './define.ts';

export const networkStage = defineStage({
  name: 'Network',
  owner: 'agent',
  destructive: false,
  title: 'iperf3 throughput to the bench per NIC, link speed and error counters',
  paramsKey: 'network',
  params: z.object({
    durationS: z.number().positive(),
    /** Pass when goodput ≥ this fraction of the NIC's negotiated link speed. */
    floorFraction: z.number().gt(0).max(1),
    /** Used when a NIC does not report its link speed (virtual NICs). */
    assumedLinkMbps: z.number().positive(),
    timeoutS: z.number().positive(),
    /** Parallel TCP streams (iperf3 -P): one stream's window and CPU cap a 10/25 Gb/s link well below line rate. */
    streams: z.number().int().min(1).max(128).default(4),
    /** Growth allowed during iperf3 in any counter of frames damaged on the wire (CRC, alignment, symbol …), per counter. */
    maxErrorCounterGrowth: z.number().int().nonnegative().default(0),
    /** Growth allowed during iperf3 in any counter of frames the host dropped or missed (rings full under load), per counter. */
    maxDropCounterGrowth: z.number().int().nonnegative().default(1000),
  }),
  // One iperf3 per connected NIC, one after another (8 NICs is a large host).
  timeoutS: (p) => p.timeoutS * 8,
  expectedS: (p) => p.durationS + 5,
  tools: [
    { binary: 'iperf3', debianPackage: 'iperf3', why: 'TCP goodput to the bench' },
    { binary: 'ethtool', debianPackage: 'ethtool', why: 'negotiated speed, duplex and the driver\'s error counters' },
  ],
  covers: ['nic'],
  summary: z.object({
    nics: z
      .array(
        z.object({
          nic: z.string().max(64).meta({ title: 'NIC' }),
          mac: z.string().max(64).nullable().optional().meta({ title: 'MAC', partId: true }),
          address: z.string().max(64).nullable().meta({ title: 'Address' }),
          outcome: z.enum(['passed', 'failed', 'error', 'not-tested']).meta({ title: 'Result' }),
          linkMbps: z.number().nullable().meta({ title: 'Link', unit: 'Mbit/s' }),
          linkSpeedAssumed: z.boolean().meta({ title: 'Link speed assumed' }),
          goodputMbps: z.number().optional().meta({ title: 'Goodput', unit: 'Mbit/s', floor: 'floorMbps', measure: true }),
          floorMbps: z.number().nullable().meta({ title: 'Floor', unit: 'Mbit/s' }),
          retransmits: z.number().int().nullable().optional().meta({ title: 'Retransmits', measure: true, better: 'lower' }),
          streams: z.number().int().optional().meta({ title: 'Streams' }),
          /** From ethtool: what the link trained at, the NIC's fastest mode, the fastest both ends offer. */
          negotiatedMbps: z.number().nullable().optional().meta({ title: 'Negotiated', unit: 'Mbit/s' }),
          fastestMbps: z.number().nullable().optional().meta({ title: 'NIC supports', unit: 'Mbit/s' }),
          bestCommonMbps: z.number().nullable().optional().meta({ title: 'Both ends support', unit: 'Mbit/s' }),
          duplex: z.enum(['full', 'half']).nullable().optional().meta({ title: 'Duplex' }),
          /** Error counters read before and after iperf3 (ethtool -S and the kernel's statistics). */
          errorCounters: z.number().int().nonnegative().optional().meta({ title: 'Error counters read' }),
          reason: z.string().max(1000).meta({ title: 'Reason' }),
        }),
      )
      .max(256)
      .meta({ title: 'NICs', part: 'nic' }),
    /** Error counters that grew while iperf3 ran (those over their allowance failed the NIC). */
    counters: z
      .array(
        z.object({
          nic: z.string().max(64).meta({ title: 'NIC' }),
          counter: z.string().max(200).meta({ title: 'Counter' }),
          class: z.enum(['error', 'drop']).meta({ title: 'Kind' }),
          before: z.number().meta({ title: 'Before' }),
          after: z.number().meta({ title: 'After' }),
          growth: z.number().meta({ title: 'Growth', ceiling: 'limit', measure: true }),
          limit: z.number().meta({ title: 'Allowed' }),
        }),
      )
      .max(1000)
      .optional()
      .meta({ title: 'Error counters that grew during iperf3' }),
    server: z.object({ host: z.string().max(256).meta({ title: 'Host' }), port: z.number().int().meta({ title: 'Port', format: 'plain' }) }).nullable().meta({ title: 'iperf3 server' }),
  }),
});
