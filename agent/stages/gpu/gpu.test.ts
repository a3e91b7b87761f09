import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fakeContext } from '../../testing/fake-context.ts';
import { summaryOf } from '../../testing/summary-of.ts';
import { gpuStage } from './index.ts';

// The GPU stage against an nvidia-smi that replays what the real one printed on
// an H100 (fixtures/tool-outputs/gpu-h100), on a PATH that holds nothing else:
// no gpu-burn, no stress-ng. Watching an idle GPU is not a GPU test.

const H100 = join(import.meta.dirname, '../../../fixtures/tool-outputs/gpu-h100');
let bin: string;
let savedPath: string | undefined;

beforeEach(() => {
  bin = mkdtempSync(join(tmpdir(), 'gpu-stage-'));
  const script = `#!/bin/sh
case "$1" in
  --query-gpu=*) exec /bin/cat ${join(H100, 'nvidia-smi-query-noheader.csv')} ;;
  -q) exec /bin/cat ${join(H100, 'nvidia-smi-q.txt')} ;;
  dmon) exec /bin/cat ${join(H100, 'nvidia-smi-dmon.txt')} ;;
esac
exit 2
`;
  writeFileSync(join(bin, 'nvidia-smi'), script);
  chmodSync(join(bin, 'nvidia-smi'), 0o755);
  savedPath = process.env.PATH;
  process.env.PATH = bin;
});
afterEach(() => {
  process.env.PATH = savedPath;
  rmSync(bin, { recursive: true, force: true });
});

describe('GPU stage without a burn tool', () => {
  it('does not call a GPU tested: the H100 is listed as not tested, and the message says why', async () => {
    const r = await gpuStage.run(fakeContext({ stage: 'GPU', workDir: join(bin, 'work') }));
    expect(r.outcome).toBe('passed');
    expect(r.message).toMatch(/^1 GPU\(s\): NOT TESTED: no compute burn tool in this image/);
    expect(r.coverage).toEqual([
      expect.objectContaining({ part: expect.objectContaining({ kind: 'gpu', id: '1752624021410', label: 'NVIDIA H100 80GB HBM3 (00000000:00:06.0)' }), status: 'not-tested', required: true }),
    ]);
    const summary = summaryOf('GPU', r);
    expect(summary).toMatchObject({ burnTool: null, gpus: [{ serial: '1752624021410', eccUncorrected: 0 }] });
    expect(summary.dmonSamples).toBe(30);
  });
});
