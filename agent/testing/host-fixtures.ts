import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Real host objects for the agent's integration tests: loop devices over
// sparse files, a loop device over a FUSE file with unreadable bytes, network
// namespaces joined by a veth pair. Every creator registers its own undo in a
// Cleanup so tests can tear everything down in afterEach, even after a failure.

export class Cleanup {
  private steps: (() => void)[] = [];
  add(step: () => void): void {
    this.steps.push(step);
  }
  run(): void {
    const errors: unknown[] = [];
    while (this.steps.length) {
      try {
        this.steps.pop()!();
      } catch (err) {
        errors.push(err);
      }
    }
    if (errors.length) throw new Error(`cleanup: ${errors.map((e) => (e instanceof Error ? e.message : String(e))).join('; ')}`);
  }
}

/** Kills a process by PID; one that is already gone is fine. */
export function killPid(pid: number | undefined, signal: NodeJS.Signals = 'SIGKILL'): void {
  if (!pid) return;
  try {
    process.kill(pid, signal);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

export function sh(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

export function tempDir(cleanup: Cleanup, prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  cleanup.add(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

/** A loop device over a new sparse file; returns the device and its backing file. */
export function loopDevice(cleanup: Cleanup, dir: string, name: string, sizeMiB: number, opts: { readOnly?: boolean } = {}): { dev: string; file: string } {
  const file = join(dir, name);
  sh('truncate', ['-s', `${sizeMiB}M`, file]);
  const dev = sh('losetup', ['-f', '--show', ...(opts.readOnly ? ['-r'] : []), file]);
  cleanup.add(() => sh('losetup', ['-d', dev]));
  return { dev, file };
}

export function mount(cleanup: Cleanup, dev: string, dir: string): void {
  mkdirSync(dir, { recursive: true });
  sh('mount', [dev, dir]);
  cleanup.add(() => sh('umount', [dir]));
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Serves one file (`disk.img`, sizeBytes) from a FUSE filesystem whose reads of
 * [badStart, badStart + badLength) fail with EIO — or, with mode `flip`, return
 * the bytes written there with a bit flipped and no error (silent corruption) —
 * and puts a loop device on it.
 */
export function eioLoopDevice(cleanup: Cleanup, dir: string, sizeBytes: number, badStart: number, badLength: number, mode: 'eio' | 'flip' = 'eio'): { dev: string; file: string } {
  const mnt = join(dir, `fuse-${mode}`);
  mkdirSync(mnt, { recursive: true });
  const script = join(import.meta.dirname, '../../test/integration/fixtures/eio-fuse.py');
  const child: ChildProcess = spawn('/usr/bin/python3', [script, mnt, String(sizeBytes), String(badStart), String(badLength), mode], { stdio: ['ignore', 'ignore', 'inherit'] });
  cleanup.add(() => {
    if (child.exitCode === null) killPid(child.pid, 'SIGTERM');
  });
  cleanup.add(() => {
    // Unmount before the server goes, so nothing is left half-mounted.
    if (sh('sh', ['-c', `grep -c " ${mnt} " /proc/self/mounts || true`]) !== '0') sh('umount', ['-l', mnt]);
  });
  const file = join(mnt, 'disk.img');
  for (let i = 0; i < 100 && !(existsSync(file) && statSync(file).size === sizeBytes); i++) {
    if (child.exitCode !== null) throw new Error(`FUSE server exited with ${child.exitCode}`);
    sleepSync(100);
  }
  if (!existsSync(file)) throw new Error('FUSE server did not come up');
  const dev = sh('losetup', ['-f', '--show', file]);
  cleanup.add(() => sh('losetup', ['-d', dev]));
  return { dev, file };
}

/** Two namespaces joined by a veth pair: server side .1, client side .2 on 10.231.<n>.0/24. */
export function vethPair(cleanup: Cleanup, tag: string, subnet: number): { server: string; client: string; serverIp: string; clientIp: string; clientIf: string } {
  const server = `vt-s-${tag}`;
  const client = `vt-c-${tag}`;
  const sIf = `vts${tag}`.slice(0, 15);
  const cIf = `vtc${tag}`.slice(0, 15);
  sh('ip', ['netns', 'add', server]);
  cleanup.add(() => sh('ip', ['netns', 'del', server]));
  sh('ip', ['netns', 'add', client]);
  cleanup.add(() => sh('ip', ['netns', 'del', client]));
  sh('ip', ['link', 'add', sIf, 'type', 'veth', 'peer', 'name', cIf]);
  sh('ip', ['link', 'set', sIf, 'netns', server]);
  sh('ip', ['link', 'set', cIf, 'netns', client]);
  const serverIp = `10.231.${subnet}.1`;
  const clientIp = `10.231.${subnet}.2`;
  sh('ip', ['-n', server, 'addr', 'add', `${serverIp}/24`, 'dev', sIf]);
  sh('ip', ['-n', client, 'addr', 'add', `${clientIp}/24`, 'dev', cIf]);
  for (const [ns, ifc] of [[server, sIf], [client, cIf], [server, 'lo'], [client, 'lo']] as const) sh('ip', ['-n', ns, 'link', 'set', ifc, 'up']);
  return { server, client, serverIp, clientIp, clientIf: cIf };
}

/** Starts a long-running process and registers its kill by PID. */
export function spawnTracked(cleanup: Cleanup, cmd: string, args: string[]): ChildProcess {
  const child = spawn(cmd, args, { stdio: 'ignore' });
  cleanup.add(() => {
    if (child.exitCode === null) killPid(child.pid);
  });
  return child;
}

export const isRoot = () => process.getuid?.() === 0;
