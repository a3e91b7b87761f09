import { describe, expect, it } from 'vitest';
import { smartArtifactName, smartctlArgs } from './index.ts';

describe('SMART targets', () => {
  it('passes -d megaraid,N for disks behind a RAID controller', () => {
    expect(smartctlArgs({ path: '/dev/bus/0', type: 'megaraid,5' })).toEqual(['-j', '-a', '-d', 'megaraid,5', '/dev/bus/0']);
    expect(smartctlArgs({ path: '/dev/nvme0n1', type: null }, '-i')).toEqual(['-j', '-i', '/dev/nvme0n1']);
    expect(smartArtifactName({ path: '/dev/bus/0', type: 'megaraid,5' })).toBe('smart-bus_0-megaraid_5.json');
    expect(smartArtifactName({ path: '/dev/nvme0n1', type: null })).toBe('smart-nvme0n1.json');
  });
});
