import { RunResult } from '../../../common/schema/run.ts';
import type { RunFilters } from '../api/endpoints.ts';

// History filters from the address (#/history?host=…&from=YYYY-MM-DD…). Dates
// are the technician's local days; the server compares ISO instants, so a day
// becomes [its local midnight, the next local midnight).

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

export function localDayStart(day: string, offsetDays = 0): string | undefined {
  const m = DAY.exec(day);
  if (!m) return undefined;
  const [y, mo, da] = [Number(m[1]), Number(m[2]) - 1, Number(m[3])];
  const day0 = new Date(y, mo, da);
  // Refuse days that do not exist (2026-02-30) instead of rolling them over.
  if (day0.getFullYear() !== y || day0.getMonth() !== mo || day0.getDate() !== da) return undefined;
  return new Date(y, mo, da + offsetDays).toISOString();
}

export function filtersFromQuery(q: Record<string, string>): RunFilters {
  // Any of the four results (common/schema/run.ts); anything else in the address filters nothing.
  const parsed = RunResult.safeParse(q.result);
  const result = parsed.success ? parsed.data : undefined;
  const end = q.to ? localDayStart(q.to, 1) : undefined;
  return {
    host: q.host?.trim() || undefined,
    serial: q.serial?.trim() || undefined,
    result,
    from: q.from ? localDayStart(q.from) : undefined,
    // The last millisecond of the chosen day, since the server's bound is inclusive.
    to: end ? new Date(Date.parse(end) - 1).toISOString() : undefined,
    limit: 200,
  };
}
