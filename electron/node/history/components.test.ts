import { describe, expect, it } from 'vitest';
import { componentsOf } from './components.ts';

// What the component history takes from a summary: parts the stage found, never those
// it looked for and missed (a table marked `absent`).

describe('componentsOf', () => {
  it('records the disks a stage measured, not the expected disks it could not find', () => {
    const summary = {
      unresolved: [{ disk: 'WD-MISSING-1', problem: 'no block device with this serial or WWN' }],
      overridden: [],
      disks: [
        {
          disk: 'WD-HERE-1',
          device: '/dev/sdb',
          diskClass: 'hdd',
          outcome: 'passed',
          reasons: [],
          badblocks: null,
          fio: { iops: 231.4, readIops: 116, writeIops: 115, p99Ms: 212.5, minIops: 100, maxP99Ms: 2000 },
        },
      ],
    };
    const mentions = componentsOf('Storage', summary, 7);
    expect(mentions.map((m) => [m.kind, m.ident, m.scope])).toEqual([['disk', 'WD-HERE-1', '']]);
    expect(mentions[0]!.figures['fio.iops']).toEqual({ value: 231.4, label: 'IOPS' });
  });
});
