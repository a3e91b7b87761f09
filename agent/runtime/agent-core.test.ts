import { describe, expect, it } from 'vitest';
import type { Sample } from '../../common/schema/protocol.ts';
import { buildResult, errorReport } from './agent-core.ts';
import { ToolInfraError } from './tool-runner.ts';

describe('stage results', () => {
  it('turns infrastructure errors into outcome error naming the kind', () => {
    const r = errorReport(new ToolInfraError('missing', 'fio', 'fio: not installed'));
    expect(r).toMatchObject({ outcome: 'error', summary: { infraError: 'missing', tool: 'fio' } });
  });

  it('thins measurements so a result fits one frame', () => {
    const many: Sample[] = Array.from({ length: 20_000 }, (_, i) => ({ kind: 'psu', sensor: `chip/in${i % 8}-${'x'.repeat(60)}`, value: 12, unit: 'V', ts: i }));
    const r = buildResult({ stage: 'PSU', attempt: 1 }, { outcome: 'passed', message: 'ok', summary: { telemetry: true }, coverage: [], measurements: many });
    expect(r.outcome).toBe('passed');
    expect('measurements' in r && r.measurements!.length).toBeLessThan(20_000);
    expect(Buffer.byteLength(JSON.stringify(r))).toBeLessThan(1024 * 1024);
  });

  it('replaces an invalid report with an error result', () => {
    const r = buildResult({ stage: 'Storage', attempt: 1 }, { outcome: 'failed', message: 'x', summary: { overridden: [] }, coverage: [], unexpectedData: [{ disk: 'a', device: '/dev/x', found: [] }] });
    expect(r.outcome).toBe('error');
    expect(r.message).toMatch(/invalid result/);
  });
});
