import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const CLI = join(ROOT, 'bin', 'vetting.js');

export interface Served {
  control: string;
  bench: string;
  token: string;
  dataDir: string;
  child: ChildProcess;
  /** What it has written to stderr so far. */
  stderr(): string;
  /** Stops the server (SIGTERM, or SIGKILL to simulate a crash). */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export function tempDir(prefix = 'vetting-test-'): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** Starts a real `vetting serve --json` on any free ports and waits for its JSON line. */
export async function serve(dataDir: string, extra: string[] = []): Promise<Served> {
  // No iperf3 server unless a test asks for one: a SIGKILLed server would leave it behind.
  const iperf = extra.includes('--iperf-port') ? [] : ['--iperf-port', '0'];
  const child = spawn(process.execPath, [CLI, 'serve', '--data-dir', dataDir, '--control-port', '0', '--bench-address', '127.0.0.1', '--bench-port', '0', '--json', ...iperf, ...extra], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, VETTING_LOG_LEVEL: process.env.VETTING_LOG_LEVEL ?? 'warn' },
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const line = await new Promise<string>((resolveLine, reject) => {
    const rl = createInterface({ input: child.stdout! });
    const timer = setTimeout(() => reject(new Error(`vetting serve printed nothing in 30 s; stderr: ${stderr}`)), 30_000);
    rl.once('line', (l) => {
      clearTimeout(timer);
      resolveLine(l);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`vetting serve exited with ${code}: ${stderr}`));
    });
  });
  const info = JSON.parse(line) as { control: string; bench: string; token: string };
  return {
    ...info,
    dataDir,
    child,
    stderr: () => stderr,
    stop: (signal = 'SIGTERM') =>
      new Promise<void>((done) => {
        if (child.exitCode !== null || child.signalCode !== null) return done();
        child.once('exit', () => done());
        child.kill(signal);
      }),
  };
}

/** Runs the CLI to completion and returns its output. */
export async function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, VETTING_LOG_LEVEL: 'warn', ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number>((r) => child.on('exit', (c) => r(c ?? 1)));
  return { code, stdout, stderr };
}

/** Calls the control API with the token. */
export async function api<T = unknown>(s: Pick<Served, 'control' | 'token'>, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${s.control}${path}`, {
    method,
    headers: { authorization: `Bearer ${s.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}
