import { z } from 'zod';
import { defineStage } from './define.ts';

export const reportingStage = defineStage({
  name: 'Reporting',
  owner: 'orchestrator',
  destructive: false,
  title: 'Render report.html and report.json',
  paramsKey: null,
  params: null,
  timeoutS: () => 60,
  // The report reads the rollup, not every sample: about as quick for a week-long run (docs/performance.md).
  expectedS: () => 0.3,
  tools: [],
  covers: [],
  summary: z.object({ reportJsonSha256: z.string().max(64).meta({ title: 'report.json SHA-256' }) }),
});
