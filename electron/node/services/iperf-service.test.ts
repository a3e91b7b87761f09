import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { createIperfService } from './iperf-service.ts';
import type { SupervisedProcess } from './supervised-process.ts';

const services: SupervisedProcess[] = [];
afterEach(async () => {
  for (const s of services.splice(0)) await s.stop();
});

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

describe('iperf3 supervisor (real iperf3 on loopback)', () => {
  it('serves a real client, and comes back after being killed', async () => {
    const port = await freePort();
    const svc = createIperfService({ address: '127.0.0.1', port, backoffBaseMs: 100 });
    services.push(svc);
    svc.start();
    await svc.waitFor((s) => s === 'running', 5000);
    await expect.poll(() => svc.logTail.join('\n'), { timeout: 5000 }).toContain(`Server listening on ${port}`);
    const client = await execa('iperf3', ['-c', '127.0.0.1', '-p', String(port), '-t', '1', '-J'], { reject: false });
    const json = JSON.parse(client.stdout) as { error?: string; end: { sum_received: { bits_per_second: number } } };
    expect(json.error).toBeUndefined();
    expect(json.end.sum_received.bits_per_second).toBeGreaterThan(0);

    const firstPid = svc.pid!;
    process.kill(firstPid, 'SIGKILL');
    await expect.poll(() => svc.restarts, { timeout: 5000 }).toBe(1);
    await svc.waitFor((s) => s === 'running', 5000);
    expect(svc.pid).not.toBe(firstPid);
    expect(svc.lastError).toBe('iperf3 was killed by SIGKILL');
  });

  it('explains a port that is already taken', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    try {
      const svc = createIperfService({ address: '127.0.0.1', port, backoffBaseMs: 10_000 });
      services.push(svc);
      svc.start();
      await svc.waitFor((s) => s === 'failed', 5000);
      expect(svc.lastError).toBe(`port ${port} on 127.0.0.1 is already in use (another iperf3 -s?): stop it or change bench.iperfPort`);
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  });

  it('rejects settings it cannot use without starting anything', async () => {
    const svc = createIperfService({ address: 'bench.local', port: 5201 });
    services.push(svc);
    svc.start();
    await svc.waitFor((s) => s === 'failed', 5000);
    expect(svc.lastError).toMatch(/not an IP address/);
    expect(svc.pid).toBeNull();
  });
});
