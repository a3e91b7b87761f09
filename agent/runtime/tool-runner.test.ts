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
});
