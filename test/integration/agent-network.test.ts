import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PROFILES } from '../../common/profiles.ts';
import type { StageOutcomeReport } from '../../agent/stages/types.ts';
import { summaryOf } from '../../agent/testing/summary-of.ts';
import { Cleanup, isRoot, sh, spawnTracked, tempDir, vethPair } from '../../agent/testing/host-fixtures.ts';

// The Network stage with the real iperf3 across a veth pair between two
// network namespaces this test creates. The stage runs in the client
// namespace (as its own process, so it sees that namespace's interfaces and
// sysfs, where the veth reports a 10000 Mbit/s link). tc's token bucket caps
// the link below the floor to make it fail. Error counters come from the real
// `ethtool -S` and from the kernel's statistics under the sensor root, which a
// test can point at a tree of its own whose CRC counter grows while iperf3 runs.

const run = promisify(execFile);
const root = join(import.meta.dirname, '../..');
let cleanup: Cleanup;
let dir: string;
beforeEach(() => {
  cleanup = new Cleanup();
  dir = tempDir(cleanup, 'agent-net-');
});
afterEach(() => cleanup.run());

// floor = 0.02 × 10000 Mbit/s = 200 Mbit/s: far below what an uncapped veth
// carries even on a busy machine, far above the 20 Mbit/s cap.
const params = { ...PROFILES.smoke, network: { ...PROFILES.smoke.network, floorFraction: 0.02, durationS: 2 } };

async function networkStageIn(ns: string, iperf: { host: string; port: number }, sysfsRoot?: string): Promise<StageOutcomeReport<'Network'>> {
  const spec = join(dir, `spec-${Date.now()}.json`);
  writeFileSync(spec, JSON.stringify({ stage: 'Network', welcome: { iperf }, params, ...(sysfsRoot ? { sysfsRoot } : {}) }));
  const { stdout } = await run('ip', ['netns', 'exec', ns, join(root, 'node_modules/.bin/tsx'), join(root, 'agent/testing/run-stage.ts'), spec], { cwd: root, timeout: 120_000 });
  return (JSON.parse(stdout) as { report: StageOutcomeReport<'Network'> }).report;
}

async function waitForListener(ns: string, port: number): Promise<void> {
  for (let i = 0; i < 50; i++) {
    if (sh('ip', ['netns', 'exec', ns, 'ss', '-Hltn', `sport = :${port}`]).length > 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('iperf3 server did not start');
}

describe.skipIf(!isRoot() && !process.env.CI)('Network stage over a veth pair', () => {
  it('passes uncapped and fails when tc caps the link below the floor', async () => {
    const net = vethPair(cleanup, String(process.pid % 10000), 17);
    spawnTracked(cleanup, 'ip', ['netns', 'exec', net.server, 'iperf3', '-s', '-p', '5201']);
    await waitForListener(net.server, 5201);

    const open = await networkStageIn(net.client, { host: net.serverIp, port: 5201 });
    expect(open.outcome, open.message).toBe('passed');
    const [nic] = summaryOf('Network', open).nics;
    expect(nic).toMatchObject({ nic: net.clientIf, linkMbps: 10000, linkSpeedAssumed: false, floorMbps: 200 });
    // The NIC is named by its MAC, so a spec that lists it is checked against this very card.
    const mac = sh('ip', ['netns', 'exec', net.client, 'cat', `/sys/class/net/${net.clientIf}/address`]);
    expect(nic!.mac).toBe(mac);
    expect(open.coverage).toEqual([
      expect.objectContaining({ part: expect.objectContaining({ kind: 'nic', id: mac }), check: 'iperf3 throughput', status: 'tested' }),
      expect.objectContaining({ part: expect.objectContaining({ kind: 'nic', id: mac }), check: 'link speed and error counters', status: 'tested' }),
    ]);
    expect(nic!.goodputMbps).toBeGreaterThan(200);
    // Several streams, ethtool's nominal veth link, and the kernel's counters read before and after.
    expect(nic).toMatchObject({ streams: params.network.streams, negotiatedMbps: 10000, duplex: 'full' });
    expect(nic!.errorCounters).toBeGreaterThan(10);
    expect(open.measurements?.[0]).toMatchObject({ kind: 'network', sensor: `${net.clientIf}/goodput`, unit: 'Mbit/s' });

    sh('ip', ['netns', 'exec', net.client, 'tc', 'qdisc', 'add', 'dev', net.clientIf, 'root', 'tbf', 'rate', '20mbit', 'burst', '32kbit', 'latency', '400ms']);
    const capped = await networkStageIn(net.client, { host: net.serverIp, port: 5201 });
    expect(capped.outcome).toBe('failed');
    expect(capped.message).toMatch(/< floor 200\.0 Mbit\/s \(0\.02 × 10000 Mbit\/s link, 4 stream\(s\)\)/);
  });

  it('fails the NIC and names the counter when a CRC counter grows while iperf3 runs', async () => {
    const net = vethPair(cleanup, String((process.pid % 10000) + 2), 19);
    spawnTracked(cleanup, 'ip', ['netns', 'exec', net.server, 'iperf3', '-s', '-p', '5201']);
    await waitForListener(net.server, 5201);
    const stats = join(dir, 'sys', 'class', 'net', net.clientIf, 'statistics');
    mkdirSync(stats, { recursive: true });
    for (const c of ['rx_crc_errors', 'rx_frame_errors', 'rx_missed_errors', 'rx_dropped', 'tx_errors']) writeFileSync(join(stats, c), '0\n');
    const stage = networkStageIn(net.client, { host: net.serverIp, port: 5201 }, join(dir, 'sys'));
    // The counters are read before iperf3 connects and again after it ends: grow one in between.
    for (let i = 0; i < 600 && sh('ip', ['netns', 'exec', net.server, 'ss', '-Htn', 'state', 'established', '( sport = :5201 )']) === ''; i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    writeFileSync(join(stats, 'rx_crc_errors'), '17\n');
    writeFileSync(join(stats, 'rx_missed_errors'), '12\n'); // drops within their allowance
    const r = await stage;
    expect(r.outcome).toBe('failed');
    expect(r.message).toMatch(/statistics\/rx_crc_errors grew by 17 during iperf3 \(allowed 0\)/);
    expect(r.message).not.toMatch(/rx_missed_errors grew/);
    expect(summaryOf('Network', r).counters).toEqual([
      { nic: net.clientIf, counter: 'statistics/rx_crc_errors', class: 'error', before: 0, after: 17, growth: 17, limit: 0 },
      { nic: net.clientIf, counter: 'statistics/rx_missed_errors', class: 'drop', before: 0, after: 12, growth: 12, limit: params.network.maxDropCounterGrowth },
    ]);
  });

  it('waits out a server that is busy with another host’s test, then measures', async () => {
    const net = vethPair(cleanup, String((process.pid % 10000) + 3), 20);
    spawnTracked(cleanup, 'ip', ['netns', 'exec', net.server, 'iperf3', '-s', '-p', '5201']);
    await waitForListener(net.server, 5201);
    // Another client holds the server for a few seconds (from the server's own namespace).
    const other = spawnTracked(cleanup, 'ip', ['netns', 'exec', net.server, 'iperf3', '-c', net.serverIp, '-p', '5201', '-t', '4']);
    for (let i = 0; i < 600 && sh('ip', ['netns', 'exec', net.server, 'ss', '-Htn', 'state', 'established', '( sport = :5201 )']) === ''; i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const r = await networkStageIn(net.client, { host: net.serverIp, port: 5201 });
    expect(r.outcome, r.message).toBe('passed');
    expect(other.exitCode === null || other.exitCode === 0).toBe(true);
  });

  it('reports an unreachable iperf3 server as an error, not a pass', async () => {
    const net = vethPair(cleanup, String((process.pid % 10000) + 1), 18);
    const r = await networkStageIn(net.client, { host: net.serverIp, port: 5999 });
    expect(r.outcome).toBe('error');
    expect(r.message).toMatch(/iperf3 error: .*(refused|unable)/i);
    expect(r.coverage.map((c) => c.status)).toEqual(['not-tested']);
  });
});
