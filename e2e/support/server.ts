import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';

// Starts a real `vetting serve` on a temporary data directory (loopback only,
// any free ports) and runs the real CLI against it.

const run = promisify(execFile);
export const repoRoot = resolve(import.meta.dirname, '..', '..');
const cli = join(repoRoot, 'bin', 'vetting.js');

export interface ServerInfo {
  control: string;
  bench: string;
  token: string;
}

export class VettingServer {
  private constructor(
    readonly dataDir: string,
    readonly info: ServerInfo,
    private readonly child: ChildProcess,
    private readonly output: string[],
  ) {}

  /** `uiDir`: the built renderer to serve (see global-setup.ts). */
  static async start(uiDir = join(repoRoot, 'test-results', 'e2e-ui')): Promise<VettingServer> {
    const dataDir = await mkdtemp(join(tmpdir(), 'vetting-e2e-'));
    const child = spawn(process.execPath, [cli, 'serve', '--data-dir', dataDir, '--control-port', '0', '--bench-address', '127.0.0.1', '--bench-port', '0', '--iperf-port', '0', '--ui-dir', uiDir, '--json'], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    });
    const output: string[] = [];
    child.stderr?.on('data', (d: Buffer) => output.push(d.toString()));
    try {
      const info = await new Promise<ServerInfo>((resolveInfo, reject) => {
        const timer = setTimeout(() => reject(new Error(`vetting serve printed no JSON line within 60 s:\n${output.join('')}`)), 60_000);
        child.once('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`vetting serve exited with ${code}:\n${output.join('')}`));
        });
        const lines = createInterface({ input: child.stdout! });
        lines.on('line', (line) => {
          output.push(`${line}\n`);
          try {
            const parsed = JSON.parse(line) as Partial<ServerInfo>;
            if (parsed.control && parsed.token && parsed.bench) {
              clearTimeout(timer);
              resolveInfo(parsed as ServerInfo);
            }
          } catch {
            // not the JSON line yet
          }
        });
      });
      return new VettingServer(dataDir, info, child, output);
    } catch (err) {
      if (child.pid && child.exitCode === null) child.kill('SIGKILL');
      await rm(dataDir, { recursive: true, force: true });
      throw err;
    }
  }

  /** Runs `vetting ARGS --data-dir DIR`; returns stdout. */
  async cli(args: string[], env: Record<string, string> = {}): Promise<string> {
    try {
      const { stdout } = await run(process.execPath, [cli, ...args, '--data-dir', this.dataDir], {
        cwd: repoRoot,
        env: { ...process.env, ...env },
        timeout: 60_000,
      });
      return stdout;
    } catch (err) {
      const e = err as { stderr?: string; stdout?: string; message: string };
      throw new Error(`vetting ${args.join(' ')} failed: ${e.message}\n${e.stderr ?? ''}${e.stdout ?? ''}`);
    }
  }

  async cliJson<T>(args: string[], env: Record<string, string> = {}): Promise<T> {
    const out = await this.cli([...args, '--json'], env);
    return JSON.parse(out) as T;
  }

  log(): string {
    return this.output.join('');
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (child.exitCode === null && child.signalCode === null && child.pid) {
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.exitCode === null && child.signalCode === null && child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    await rm(this.dataDir, { recursive: true, force: true });
  }
}
