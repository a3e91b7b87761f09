import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LineSplitter, runTool, ToolInfraError } from './tool-runner.ts';

describe('LineSplitter', () => {
  it('ends lines at newline, carriage return and backspace, keeping a partial tail', () => {
    const lines: string[] = [];
    const s = new LineSplitter((l) => lines.push(l));
    s.push('a 1%\b\b\b\bb 2');
    s.push('%\r\nc');
    expect(lines).toEqual(['a 1%', 'b 2%']);
    s.flush();
    expect(lines).toEqual(['a 1%', 'b 2%', 'c']);
  });
});

describe('runTool', () => {
  it('captures output, streams lines and returns a non-zero exit for the stage to judge', async () => {
    const seen: string[] = [];
    const r = await runTool('sh', ['-c', 'echo out; echo err >&2; exit 3'], { timeoutMs: 10_000, onLine: (l, s) => seen.push(`${s}:${l}`) });
    expect(r.exitCode).toBe(3);
    expect(r.stdout).toBe('out\n');
    expect(r.stderr).toBe('err\n');
    expect(seen.sort()).toEqual(['stderr:err', 'stdout:out']);
  });

  it('reports a missing tool as an infrastructure error', async () => {
    const err = await runTool('vetting-no-such-tool', [], { timeoutMs: 5000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ToolInfraError);
    expect((err as ToolInfraError).kind).toBe('missing');
  });

  it('reports a tool removed after it was first found as missing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tool-runner-path-'));
    const oldPath = process.env.PATH;
    try {
      writeFileSync(join(dir, 'vetting-vanishing-tool'), '#!/bin/sh\necho here\n', { mode: 0o755 });
      process.env.PATH = `${dir}:${oldPath}`;
      expect((await runTool('vetting-vanishing-tool', [], { timeoutMs: 5000 })).stdout).toBe('here\n');
      rmSync(join(dir, 'vetting-vanishing-tool'));
      const err = await runTool('vetting-vanishing-tool', [], { timeoutMs: 5000 }).catch((e: unknown) => e);
      expect((err as ToolInfraError).kind).toBe('missing');
    } finally {
      process.env.PATH = oldPath;
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports a tool killed by SIGKILL (the OOM killer) and exit 137 as killed', async () => {
    const sig = await runTool('sh', ['-c', 'kill -9 $$'], { timeoutMs: 5000 }).catch((e: unknown) => e);
    expect((sig as ToolInfraError).kind).toBe('killed');
    expect((sig as ToolInfraError).message).toMatch(/SIGKILL/);
    const code = await runTool('sh', ['-c', 'exit 137'], { timeoutMs: 5000 }).catch((e: unknown) => e);
    expect((code as ToolInfraError).kind).toBe('killed');
  });

  it('distinguishes a timeout from a cancellation', async () => {
    const t = await runTool('sleep', ['10'], { timeoutMs: 200 }).catch((e: unknown) => e);
    expect((t as ToolInfraError).kind).toBe('timeout');
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    const c = await runTool('sleep', ['10'], { timeoutMs: 10_000, signal: ac.signal }).catch((e: unknown) => e);
    expect((c as ToolInfraError).kind).toBe('cancelled');
  });

  it('keeps only the tail of output beyond the capture limit', async () => {
    const r = await runTool('sh', ['-c', 'seq 1 20000'], { timeoutMs: 10_000, maxCaptureBytes: 1000 });
    expect(r.truncated).toBe(true);
    expect(r.stdout.length).toBeLessThanOrEqual(1000);
    expect(r.stdout.endsWith('20000\n')).toBe(true);
  });

  it.skipIf(!existsSync('/usr/bin/setpriv'))('kills a running tool when the agent itself is killed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tool-runner-'));
    const pidFile = join(dir, 'pid');
    let toolPid = 0;
    // A separate Node process plays the agent: it starts a long tool and is then SIGKILLed.
    const script = `import { runTool } from ${JSON.stringify(new URL('./tool-runner.ts', import.meta.url).href)};
      await runTool('sh', ['-c', 'echo $$ > ${pidFile}; exec sleep 60'], { timeoutMs: 120000 });`;
    const agent = spawn(process.execPath, ['--import', 'tsx/esm', '--input-type=module', '-e', script], { stdio: 'ignore' });
    try {
      for (let i = 0; i < 100 && !existsSync(pidFile); i++) await new Promise((r) => setTimeout(r, 100));
      toolPid = Number(readFileSync(pidFile, 'utf8'));
      expect(alive(toolPid)).toBe(true);
      agent.kill('SIGKILL');
      for (let i = 0; i < 50 && alive(toolPid); i++) await new Promise((r) => setTimeout(r, 100));
      expect(alive(toolPid)).toBe(false);
    } finally {
      agent.kill('SIGKILL');
      if (toolPid && alive(toolPid)) process.kill(toolPid, 'SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    // A killed child of a dead parent is reaped by init; until then it is a zombie.
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

