import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { IperfPool } from './iperf-pool.ts';

// Real iperf3 servers and clients on loopback: one server answers a second
// concurrent client "busy"; the pool gives each run a server of its own.

const pools: IperfPool[] = [];
afterEach(async () => {
  for (const p of pools.splice(0)) await p.stop();
});

const canListen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });

/** A first port with `n` free ports from it. */
async function freeRange(n: number): Promise<number> {
  for (;;) {
    const srv = createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const base = (srv.address() as { port: number }).port;
    await new Promise((r) => srv.close(r));
    if (base + n > 65535) continue;
    const ok = await Promise.all(Array.from({ length: n }, (_, i) => canListen(base + i)));
    if (ok.every(Boolean)) return base;
  }
}

async function listening(port: number): Promise<void> {
  await expect.poll(() => canListen(port), { timeout: 5000 }).toBe(false);
}

const client = (port: number) => execa('iperf3', ['-c', '127.0.0.1', '-p', String(port), '-t', '2', '-J'], { reject: false }).then((r) => JSON.parse(r.stdout) as { error?: string; end?: { sum_received?: { bits_per_second: number } } });

describe('iperf3 servers per host under test (real iperf3 on loopback)', () => {
  it('gives two runs two servers, so both test at once where one server would answer "busy"', async () => {
    const base = await freeRange(2);
    const pool = new IperfPool({ address: '127.0.0.1', basePort: base, size: 2 });
    pools.push(pool);
    const active = () => true;
    const a = pool.portFor(1, active);
    const b = pool.portFor(2, active);
    expect([a, b]).toEqual([base, base + 1]);
    expect(pool.portFor(1, active)).toBe(base); // the same run keeps its port
    await listening(base);
    await listening(base + 1);

    // Two clients at once against one server: one of them is told the server is busy.
    const pair = await Promise.all([client(base), new Promise((r) => setTimeout(r, 300)).then(() => client(base))]);
    expect(pair.filter((r) => r.error === undefined)).toHaveLength(1);
    expect(pair.find((r) => r.error !== undefined)?.error).toMatch(/server is busy/);

    // Against their own servers, both run.
    const both = await Promise.all([client(a!), client(b!)]);
    expect(both.map((r) => r.error)).toEqual([undefined, undefined]);
    expect(both.every((r) => (r.end?.sum_received?.bits_per_second ?? 0) > 0)).toBe(true);
    expect(pool.views().map((v) => [v.name, v.state, v.detail?.split(';')[0]])).toEqual([
      ['iperf3', 'running', `port ${base}, run 1`],
      ['iperf3', 'running', `port ${base + 1}, run 2`],
    ]);
  });

  it('gives a finished run’s port to the next run, and shares ports only when all are taken', async () => {
    const base = await freeRange(2);
    const pool = new IperfPool({ address: '127.0.0.1', basePort: base, size: 2 });
    pools.push(pool);
    const finished = new Set<number>();
    const active = (id: number) => !finished.has(id);
    expect(pool.portFor(1, active)).toBe(base);
    expect(pool.portFor(2, active)).toBe(base + 1);
    expect(pool.portFor(3, active)).toBe(base + (3 % 2)); // all taken: shared, the agent waits out "busy"
    finished.add(1);
    expect(pool.portFor(4, active)).toBe(base);
    expect(pool.views().map((v) => v.detail?.split(';')[0])).toEqual([`port ${base + 1}, run 2`, `port ${base}, run 4`]);
  });
});
