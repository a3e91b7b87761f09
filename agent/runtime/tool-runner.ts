import { existsSync } from 'node:fs';
import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { execa } from 'execa';

// The one way the agent runs an external tool. Every stage goes through here so
// that timeouts, cancellation, output capture (later uploaded as artifacts) and
// progress streaming behave the same everywhere, and so that "the tool could
// not do its job" (missing, killed, timed out: an infrastructure *error*) is a
// distinct type from "the tool ran and reported something" (the stage decides
// whether that is a hardware *failure*).

export type ToolInfraKind = 'missing' | 'killed' | 'timeout' | 'cancelled' | 'spawn-failed';

/** The tool could not produce a verdict; the stage outcome becomes `error`. */
export class ToolInfraError extends Error {
  readonly kind: ToolInfraKind;
  readonly tool: string;
  /** Whatever the tool printed before it died, for the artifact. */
  readonly stdout: string;
  readonly stderr: string;

  constructor(kind: ToolInfraKind, tool: string, message: string, stdout = '', stderr = '') {
    super(message);
    this.name = 'ToolInfraError';
    this.kind = kind;
    this.tool = tool;
    this.stdout = stdout;
    this.stderr = stderr;
  }
}

/** Rethrows a cancellation (the stage is stopping); any other error is the caller's to report. */
export function throwIfCancelled(err: unknown): void {
  if (err instanceof ToolInfraError && err.kind === 'cancelled') throw err;
}

export interface ToolResult {
  tool: string;
  args: string[];
  /** The tool's exit status; non-zero is the stage's to judge (some tools use bit masks). */
  exitCode: number;
  stdout: string;
  stderr: string;
  /** True when a stream was longer than the capture limit and only its tail was kept. */
  truncated: boolean;
  durationMs: number;
}

export interface ToolRunOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  /**
   * Called for every line or progress chunk. Some tools (badblocks -s) redraw a
   * status with backspaces or carriage returns instead of newlines, so a "line"
   * here ends at any of \n, \r or \b.
   */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  env?: Record<string, string>;
  cwd?: string;
  input?: string;
  /** Per-stream capture limit in bytes; longer output keeps its tail. Default 16 MiB. */
  maxCaptureBytes?: number;
}

export type ToolRunner = (tool: string, args: string[], opts: ToolRunOptions) => Promise<ToolResult>;

const DEFAULT_CAPTURE = 16 * 1024 * 1024;
/**
 * util-linux's setpriv, through which every tool is started with a parent-death
 * signal: when the agent is killed or crashes, its badblocks/fio/stress-ng die
 * with it instead of writing on beside the restarted agent's own run of the
 * same test (an orphaned badblocks -w makes the next one read patterns it never
 * wrote, which looks exactly like a bad disk). setpriv execs the tool, so the
 * PID, exit status and signals are the tool's own. The live image has util-linux.
 */
const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p)) ?? null;
/** SIGKILL seen through a shell or container runtime: 128 + 9. */
const EXIT_KILLED = 137;

/** Keeps at most `limit` bytes of a stream (its tail), without unbounded growth. */
class Capture {
  private chunks: string[] = [];
  private size = 0;
  truncated = false;
  constructor(private readonly limit: number) {}
  push(text: string): void {
    this.chunks.push(text);
    this.size += text.length;
    while (this.size > this.limit && this.chunks.length > 1) {
      this.size -= this.chunks.shift()!.length;
      this.truncated = true;
    }
    if (this.size > this.limit) {
      const only = this.chunks[0]!;
      this.chunks[0] = only.slice(only.length - this.limit);
      this.size = this.limit;
      this.truncated = true;
    }
  }
  text(): string {
    return this.chunks.join('');
  }
}

/** Splits a stream into lines ending at \n, \r or \b, holding back a partial tail. */
export class LineSplitter {
  private rest = '';
  constructor(private readonly emit: (line: string) => void) {}
  push(text: string): void {
    const parts = (this.rest + text).split(/[\r\n\b]/);
    this.rest = parts.pop() ?? '';
    for (const p of parts) {
      const line = p.trim();
      if (line) this.emit(line);
    }
  }
  flush(): void {
    const line = this.rest.trim();
    this.rest = '';
    if (line) this.emit(line);
  }
}

export const runTool: ToolRunner = async (tool, args, opts) => {
  const limit = opts.maxCaptureBytes ?? DEFAULT_CAPTURE;
  const out = new Capture(limit);
  const err = new Capture(limit);
  const started = Date.now();
  if (opts.signal?.aborted) throw new ToolInfraError('cancelled', tool, `${tool}: cancelled before start`);
  // Under setpriv a missing tool would be setpriv's exec failure (exit 127), so look first.
  const path = SETPRIV ? await resolveTool(tool) : tool;
  if (path === null) throw new ToolInfraError('missing', tool, `${tool}: not installed (not found on PATH)`);

  const [command, argv] = SETPRIV ? [SETPRIV, ['--pdeathsig', 'SIGKILL', '--', path, ...args]] : [tool, args];
  const child = execa(command, argv, {
    reject: false,
    buffer: false,
    timeout: opts.timeoutMs,
    cancelSignal: opts.signal,
    forceKillAfterDelay: 5000,
    cwd: opts.cwd,
    // Tools' output is parsed, so it must come in one predictable language and format.
    env: { LC_ALL: 'C', LANG: 'C', ...opts.env },
    input: opts.input,
    stdin: opts.input === undefined ? 'ignore' : undefined,
    extendEnv: true,
  });
  const wire = (stream: NodeJS.ReadableStream | null, cap: Capture, name: 'stdout' | 'stderr') => {
    if (!stream) return null;
    const splitter = opts.onLine ? new LineSplitter((line) => safeCall(() => opts.onLine!(line, name))) : null;
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      cap.push(chunk);
      splitter?.push(chunk);
    });
    return splitter;
  };
  const so = wire(child.stdout, out, 'stdout');
  const se = wire(child.stderr, err, 'stderr');
  const result = await child;
  so?.flush();
  se?.flush();
  const stdout = out.text();
  const stderr = err.text();
  const durationMs = Date.now() - started;

  if (result.isCanceled) throw new ToolInfraError('cancelled', tool, `${tool}: cancelled`, stdout, stderr);
  if (result.timedOut) {
    throw new ToolInfraError('timeout', tool, `${tool}: timed out after ${Math.round(opts.timeoutMs / 1000)} s`, stdout, stderr);
  }
  if (SETPRIV && result.exitCode === 127 && /^setpriv: failed to execute/m.test(stderr)) {
    resolved.delete(tool);
    throw new ToolInfraError('missing', tool, `${tool}: could not be started (${stderr.trim().split('\n')[0]})`, stdout, stderr);
  }
  const code = (result as { code?: string }).code;
  if (code === 'ENOENT') throw new ToolInfraError('missing', tool, `${tool}: not installed (not found on PATH)`, stdout, stderr);
  if (result.signal) {
    const hint = result.signal === 'SIGKILL' ? ' (likely the OOM killer)' : '';
    throw new ToolInfraError('killed', tool, `${tool}: killed by ${result.signal}${hint}`, stdout, stderr);
  }
  if (result.exitCode === EXIT_KILLED) {
    throw new ToolInfraError('killed', tool, `${tool}: exited 137, killed by SIGKILL (likely the OOM killer)`, stdout, stderr);
  }
  if (typeof result.exitCode !== 'number') {
    const why = (result as { originalMessage?: string }).originalMessage ?? result.message ?? 'unknown reason';
    throw new ToolInfraError('spawn-failed', tool, `${tool}: could not run: ${why}`, stdout, stderr);
  }
  return { tool, args, exitCode: result.exitCode, stdout, stderr, truncated: out.truncated || err.truncated, durationMs };
};

function safeCall(fn: () => void): void {
  try {
    fn();
  } catch {
    // A broken progress callback must never kill the tool run.
  }
}

/** True when `tool` can be found on PATH (for optional tools such as nvidia-smi). */
export async function toolExists(tool: string): Promise<boolean> {
  return (await lookUp(tool)) !== null;
}

/**
 * Found tools by name, with the PATH they were found on. A stage starts many
 * short tools (a wipefs and a blkid per disk…); walking PATH for each was a
 * measurable part of the Storage stage's overhead (docs/performance.md).
 * A tool that vanished since is reported by its failed exec instead.
 */
const resolved = new Map<string, { path: string; onPath: string | undefined }>();

async function resolveTool(tool: string): Promise<string | null> {
  const hit = resolved.get(tool);
  if (hit && hit.onPath === process.env.PATH) return hit.path;
  const path = await lookUp(tool);
  if (path !== null) resolved.set(tool, { path, onPath: process.env.PATH });
  return path;
}

async function lookUp(tool: string): Promise<string | null> {
  const executable = (p: string) => access(p, constants.X_OK).then(() => true, () => false);
  if (tool.includes('/')) return (await executable(tool)) ? tool : null;
  for (const dir of (process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, tool);
    if (await executable(candidate)) return candidate;
  }
  return null;
}
