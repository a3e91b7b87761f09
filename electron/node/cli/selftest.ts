import type { RunResult } from '../../../common/schema/run.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunDetailView } from '../../../common/schema/index.ts';
import { runAgent } from '../../../agent/main.ts';
import { startOrchestrator } from '../orchestrator.ts';
import { UserError } from '../util/errors.ts';
import { createLogger } from '../util/log.ts';
import { readServerFile } from './server-file.ts';

// `vetting selftest`: a real run of the whole pipeline against the machine it
// runs on, without a bench. The `selftest` profile keeps it harmless: fio
// exercises a scratch file, badblocks does not run, no disk is written.

export interface SelftestResult {
  run: number;
  state: string;
  result: RunResult | null;
  report: string | null;
  failedStage: string | null;
  message: string | null;
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

export function selftestHostName(): string {
  const clean = hostname().replace(/[^A-Za-z0-9._-]/g, '-').replace(/^[^A-Za-z0-9]+/, '') || 'localhost';
  return `selftest-${clean}`.slice(0, 63);
}

export async function selftest(dataDir: string, opts: { timeoutS: number; progress: (line: string) => void }): Promise<SelftestResult> {
  if (readServerFile(dataDir)) {
    throw new UserError(`a server is running on ${dataDir}; run the self-test on another --data-dir (it starts its own orchestrator)`, 'server-running', 409);
  }
  const orch = await startOrchestrator({ dataDir, controlPort: 0, benchAddress: '127.0.0.1', benchPort: 0, iperfPort: await freePort(), uiDir: null, log: createLogger('warn') });
  const work = mkdtempSync(join(tmpdir(), 'vetting-selftest-'));
  const stop = new AbortController();
  try {
    const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
      const res = await fetch(`${orch.controlUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${orch.token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      const data = (await res.json()) as T & { error?: string };
      if (!res.ok) throw new UserError(data.error ?? `HTTP ${res.status}`, 'selftest', res.status);
      return data;
    };
    const name = selftestHostName();
    const existing = await fetch(`${orch.controlUrl}/api/hosts/${encodeURIComponent(name)}`, { headers: { authorization: `Bearer ${orch.token}` } });
    if (existing.status === 404) await call('POST', '/api/hosts', { name, profile: 'selftest', notes: 'created by vetting selftest' });
    else {
      const host = (await existing.json()) as { activeRun: number | null };
      if (host.activeRun) await call('POST', `/api/runs/${host.activeRun}/actions`, { action: 'abandon', reason: 'superseded by a new self-test' });
    }
    const { run, orchestrator, token } = await call<{ run: number; orchestrator: string; token: string }>('POST', '/api/runs', { host: name, profile: 'selftest' });
    opts.progress(`run ${run} started for ${name}`);

    // Follow the run: report each stage as it ends; stop the agent when the run holds.
    let seen = 0;
    const unsubscribe = orch.subscribe((e) => {
      if (e.type !== 'run-updated' || e.runId !== run) return;
      void call<RunDetailView>('GET', `/api/runs/${run}`).then((d) => {
        for (const s of d.stages.slice(seen)) if (s.outcome) opts.progress(`  ${s.name.padEnd(13)} ${s.outcome.padEnd(8)} ${s.message ?? ''}`);
        seen = d.stages.filter((s) => s.outcome).length;
        if (d.state === 'FailedHolding') stop.abort();
      }).catch(() => {});
    });
    const timer = setTimeout(() => stop.abort(), opts.timeoutS * 1000);
    try {
      await runAgent({ orchestrator, token, pin: orch.pin, stateDir: join(work, 'state'), workDir: join(work, 'work'), signal: stop.signal, logLevel: 'warn' });
    } finally {
      clearTimeout(timer);
      unsubscribe();
    }
    const detail = await call<RunDetailView>('GET', `/api/runs/${run}`);
    const report = detail.artifacts.some((a) => a.name === 'report.html') ? join(dataDir, 'artifacts', `run-${run}`, 'report.html') : null;
    const failed = detail.stages.find((s) => s.name === detail.failedStage);
    return { run, state: detail.state, result: detail.result, report, failedStage: detail.failedStage, message: failed?.message ?? null };
  } finally {
    stop.abort();
    await orch.close();
    rmSync(work, { recursive: true, force: true });
  }
}
