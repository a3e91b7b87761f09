import { describe, expect, it } from 'vitest';
import { RUN_RESULTS } from '../../../common/schema/run.ts';
import { filtersFromQuery, localDayStart } from './history.ts';

describe('history filters', () => {
  it('turns local days into an inclusive range of instants', () => {
    const f = filtersFromQuery({ from: '2026-11-20', to: '2026-11-27' });
    expect(f.from).toBe(new Date(2026, 10, 20).toISOString());
    expect(Date.parse(f.to!)).toBe(new Date(2026, 10, 28).getTime() - 1);
    // A run created at noon on the last day is inside.
    const noon = new Date(2026, 10, 27, 12).toISOString();
    expect(noon >= f.from! && noon <= f.to!).toBe(true);
  });
  it('ignores what it cannot read', () => {
    expect(filtersFromQuery({ from: 'yesterday', result: 'maybe', host: '  ' })).toEqual({
      host: undefined,
      serial: undefined,
      result: undefined,
      from: undefined,
      to: undefined,
      limit: 200,
    });
    expect(localDayStart('2026-02-30')).toBeUndefined();
    expect(localDayStart('2026-13-01')).toBeUndefined();
    expect(localDayStart('2026-12-31', 1)).toBe(new Date(2027, 0, 1).toISOString());
  });
  it('keeps host, serial and result', () => {
    expect(filtersFromQuery({ host: 'n1', serial: 'SN9', result: 'fail' })).toMatchObject({ host: 'n1', serial: 'SN9', result: 'fail' });
  });
  it('filters by any of the four results', () => {
    for (const result of RUN_RESULTS) expect(filtersFromQuery({ result }).result).toBe(result);
    expect(filtersFromQuery({ result: 'PASS' }).result).toBeUndefined();
  });
});
