import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// gpu-burn's checking, on a machine without a GPU: compiled here with the same flags
// as in the gpu image flavour (image/build-gpu-layer.sh), without its PTX kernel.
// What needs a GPU (the kernel on real hardware) has not run; docs/image.md says so.

let dir: string;
let bin: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vetting-gpu-burn-'));
  bin = join(dir, 'gpu-burn');
  const src = new URL('./gpu-burn.c', import.meta.url).pathname;
  const flags = ['-O2', '-Wall', '-Wextra', '-Werror', '-std=c11', '-ffp-contract=off', '-D_POSIX_C_SOURCE=200809L'];
  await execa('gcc', [...flags, '-o', bin, src, '-ldl', '-lm', '-pthread']);
  // A build that believes it has a kernel, to reach the driver check.
  await execa('gcc', [...flags, '-DBURN_PTX="\\".version 7.0\\""', '-o', `${bin}-ptx`, src, '-ldl', '-lm', '-pthread']);
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('gpu-burn', () => {
  it('--selftest: a clean pass checks clean, a wrong bit early in a chain shows at its end, planted wrong results are caught where a GPU puts them', async () => {
    const r = await execa(bin, ['--selftest'], { reject: false });
    expect(r.exitCode, r.stdout).toBe(0);
    expect(r.stdout).toMatch(/^selftest: clean pass 0 wrong; one bit wrong at step 10 ends [\d.]+ instead of [\d.]+; planted faults fail 5 checks \(first at 777\)$/m);
    expect(r.stdout).toMatch(/^selftest: OK$/m);
  });

  it('never says a GPU is fine when it could not run: no kernel, no driver, or bad arguments', async () => {
    const noKernel = await execa(bin, ['1'], { reject: false });
    expect(noKernel.exitCode).toBe(2);
    expect(noKernel.stdout).toMatch(/built without its kernel/);
    const noDriver = await execa(`${bin}-ptx`, ['1'], { reject: false });
    expect(noDriver.exitCode).toBe(2);
    expect(noDriver.stdout).toMatch(/no CUDA driver: libcuda\.so\.1/);
    for (const args of [[], ['0'], ['-5'], ['ten'], ['1', '2']]) {
      const bad = await execa(bin, args, { reject: false });
      expect(bad.exitCode, args.join(' ')).toBe(64);
    }
  });
});
