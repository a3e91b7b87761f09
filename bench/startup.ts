import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { CLI, tempDir } from '../test/support/serve.ts';
import type { Figure } from './table.ts';

// Benchmark 6 (server half): `vetting serve` start to its first API answer,
// against the same measurement for a bare Node HTTP server (the floor).

async function timeToFirstAnswer(args: string[], tokenFromLine: boolean): Promise<number> {
  const t0 = performance.now();
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, VETTING_LOG_LEVEL: 'warn' } });
  try {
    const line = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout }).once('line', resolve);
      child.once('exit', (c) => reject(new Error(`exited ${c}`)));
    });
    const info = JSON.parse(line) as { control: string; token?: string };
    for (;;) {
      const res = await fetch(`${info.control}/api/session`, tokenFromLine ? { headers: { authorization: `Bearer ${info.token}` } } : {}).catch(() => null);
      if (res?.ok) return performance.now() - t0;
      await new Promise((r) => setTimeout(r, 5));
    }
  } finally {
    child.kill('SIGKILL');
  }
}

const BARE = `const s=require('http').createServer((q,r)=>r.end('{}')).listen(0,'127.0.0.1',()=>console.log(JSON.stringify({control:'http://127.0.0.1:'+s.address().port})))`;

export async function benchStartup(repeats: number): Promise<Figure[]> {
  const serveMs: number[] = [];
  const bareMs: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const tmp = tempDir('vetting-bench-start-');
    try {
      serveMs.push(await timeToFirstAnswer([CLI, 'serve', '--data-dir', tmp.path, '--control-port', '0', '--bench-address', '127.0.0.1', '--bench-port', '0', '--json'], true));
    } finally {
      tmp.remove();
    }
    bareMs.push(await timeToFirstAnswer(['-e', BARE], false));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const v = median(serveMs);
  const b = median(bareMs);
  return [{ name: 'startup: vetting serve to first API answer (cold data dir)', value: v, unit: 'ms', baseline: b, baselineLabel: 'bare Node HTTP server', ratio: v / b, target: null, met: null, check: `median of ${repeats}` }];
}
