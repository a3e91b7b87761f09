import { describe, expect, it } from 'vitest';
import { parseLshwJson } from './lshw.ts';
import { expectParseError, fixture, truncated } from './test-fixtures.ts';

describe('parseLshwJson', () => {
  it('reads memory, the e1000 NIC and the NVMe namespace from the live guest', () => {
    const r = parseLshwJson(fixture('live-guest-agent/lshw.json'));
    expect(r.memoryBytes).toBe(2147483648);
    expect(r.nics).toEqual([
      {
        name: 'eth0',
        mac: '52:54:00:00:07:05',
        speedMbps: 1000,
        driver: 'e1000',
        link: true,
        product: '82540EM Gigabit Ethernet Controller',
        vendor: expect.any(String),
        busInfo: expect.any(String),
      },
    ]);
    expect(r.disks).toEqual([{ logicalName: '/dev/nvme0n1', serial: 'LABNVME0001', product: 'QEMU NVMe Ctrl', sizeBytes: 1073741824 }]);
    expect(r.system).toMatchObject({ product: 'PowerEdge R740', serial: 'LIVESVC01' });
  });

  it('reads the host capture', () => {
    const r = parseLshwJson(fixture('lshw.json'));
    expect(r.memoryBytes).toBe(25769803776);
    expect(r.nics).toHaveLength(1);
    expect(r.nics[0]).toMatchObject({ name: 'eth0', mac: '02:fc:00:00:00:01', driver: 'virtio_net', link: true, speedMbps: null, product: 'Virtio 1.0 network device' });
    expect(r.disks).toEqual([{ logicalName: '/dev/vda', serial: null, product: 'Virtio 1.0 block device', sizeBytes: null }]);
  });

  it('rejects truncated and foreign JSON', () => {
    expectParseError(() => parseLshwJson(truncated(fixture('lshw.json'))), 'lshw', /not valid JSON/);
    expectParseError(() => parseLshwJson(fixture('lshw.err')), 'lshw', /empty|not valid JSON/);
    expectParseError(() => parseLshwJson('{"id": "x"}'), 'lshw', /not an lshw node tree/);
  });
});
