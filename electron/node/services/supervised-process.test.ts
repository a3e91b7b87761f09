import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { SupervisedProcess } from './supervised-process.ts';

const started: SupervisedProcess[] = [];
function supervise(...args: ConstructorParameters<typeof SupervisedProcess>): SupervisedProcess {
  const p = new SupervisedProcess(...args);
  started.push(p);
  return p;
}

afterEach(async () => {
  for (const p of started.splice(0)) await p.stop();
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('SupervisedProcess', () => {
  it('runs a process, keeps its output and stops it by PID', async () => {
    const p = supervise({ name: 'sleeper', command: 'sh', args: ['-c', 'echo hello; echo oops >&2; exec sleep 30'] });
    p.start();
    await p.waitFor((s) => s === 'running', 5000);
    const pid = p.pid;
    expect(pid).toBeGreaterThan(0);
    expect(alive(pid!)).toBe(true);
    await expect.poll(() => p.logTail).toEqual(['hello', 'oops']);
    expect(p.view().detail).toMatch(/^pid \d+, up \d+ s$/);
    await p.stop();
    expect(p.state).toBe('stopped');
    expect(p.pid).toBeNull();
    expect(alive(pid!)).toBe(false);
  });

  it('restarts a process that dies, with a growing delay, and reports why it died', async () => {
    const p = supervise({ name: 'crasher', command: 'sh', args: ['-c', 'echo "bind: address in use" >&2; exit 3'], backoffBaseMs: 50, backoffCapMs: 400 });
    const failures: string[] = [];
    p.on('failed', (m: string) => failures.push(m));
    p.start();
    await expect.poll(() => p.restarts, { timeout: 5000 }).toBeGreaterThanOrEqual(3);
    expect(failures[0]).toBe('crasher exited with status 3: bind: address in use');
    expect(p.lastError).toBe('crasher exited with status 3: bind: address in use');
    await p.stop();
    const restartsAtStop = p.restarts;
    await new Promise((r) => setTimeout(r, 300));
    expect(p.restarts).toBe(restartsAtStop);
    expect(p.state).toBe('stopped');
  });

  it('reports a missing binary in words', async () => {
    const p = supervise({ name: 'ghost', command: '/nonexistent/dnsmasq-xyz', args: [], backoffBaseMs: 10_000 });
    p.start();
    await p.waitFor((s) => s === 'failed', 5000);
    expect(p.lastError).toBe('/nonexistent/dnsmasq-xyz is not installed or not on PATH');
    expect(p.view().detail).toMatch(/^restarting in \d+ s$/);
  });

  it('does not start when the preflight check says it cannot work, and retries later', async () => {
    let calls = 0;
    const p = supervise({
      name: 'needs-root',
      command: 'sleep',
      args: ['30'],
      backoffBaseMs: 30,
      preflight: () => (++calls < 3 ? 'run: setcap cap_net_bind_service+ep /usr/sbin/dnsmasq' : null),
    });
    p.start();
    await p.waitFor((s) => s === 'failed', 5000);
    expect(p.lastError).toContain('setcap');
    await p.waitFor((s) => s === 'running', 5000);
    expect(calls).toBe(3);
  });

  it('uses the explainExit hook and keeps only the last N lines', async () => {
    const p = supervise({
      name: 'chatty',
      command: 'sh',
      args: ['-c', 'for i in 1 2 3 4 5 6 7 8 9 10; do echo line$i; done; exit 2'],
      logLines: 4,
      backoffBaseMs: 10_000,
      explainExit: (exit, tail) => (exit.exitCode === 2 ? `custom: ${tail.at(-1)}` : null),
    });
    p.start();
    await p.waitFor((s) => s === 'failed', 5000);
    expect(p.logTail).toEqual(['line7', 'line8', 'line9', 'line10']);
    expect(p.lastError).toBe('custom: line10');
  });

  it('kills a process that ignores SIGTERM after the grace period', async () => {
    const p = supervise({ name: 'stubborn', command: 'sh', args: ['-c', 'trap "" TERM; echo ready; while :; do sleep 0.1; done'], killGraceMs: 300 });
    p.start();
    await expect.poll(() => p.logTail).toEqual(['ready']);
    const pid = p.pid!;
    await p.stop();
    expect(alive(pid)).toBe(false);
  });

  it('the supervised process dies with the orchestrator, even when that is SIGKILLed', async () => {
    // A real parent process that supervises `sleep 60`, prints its PID, and is then killed hard.
    const script = `
      import { SupervisedProcess } from ${JSON.stringify(new URL('./supervised-process.ts', import.meta.url).pathname)};
      const p = new SupervisedProcess({ name: 'child', command: 'sleep', args: ['60'] });
      p.on('state', (s) => { if (s === 'running') console.log(p.pid); });
      p.start();
      setInterval(() => {}, 1000);
    `;
    const parent = execa(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { reject: false });
    try {
      const childPid = await new Promise<number>((resolve, reject) => {
        parent.stdout!.once('data', (d: Buffer) => resolve(Number(String(d).trim())));
        void parent.then((r) => reject(new Error(`parent exited: ${r.stderr}`)));
      });
      expect(alive(childPid)).toBe(true);
      process.kill(parent.pid!, 'SIGKILL');
      await parent;
      await expect.poll(() => alive(childPid), { timeout: 5000 }).toBe(false);
    } finally {
      if (parent.pid && alive(parent.pid)) process.kill(parent.pid, 'SIGKILL');
    }
  });
});
