// Durations, ETAs and times as a technician reads them across the room.
export { formatBytes } from '../../../common/format.ts';

const pad = (n: number) => String(n).padStart(2, '0');

/** 45 s · 12 min 03 s · 2 h 05 min · 3 d 04 h. Negative or invalid input gives "—". */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return '—';
  const totalS = Math.floor(ms / 1000);
  if (totalS < 60) return `${totalS} s`;
  const totalMin = Math.floor(totalS / 60);
  if (totalMin < 60) return `${totalMin} min ${pad(totalS % 60)} s`;
  const totalH = Math.floor(totalMin / 60);
  if (totalH < 24) return `${totalH} h ${pad(totalMin % 60)} min`;
  return `${Math.floor(totalH / 24)} d ${pad(totalH % 24)} h`;
}

export function parseTime(iso: string | null | undefined): number | null {
  if (!iso) return null;
  const t = Date.parse(iso);
  return Number.isFinite(t) ? t : null;
}

/** Time between start and end (or now while still open). */
export function elapsedMs(startedAt: string | null | undefined, completedAt: string | null | undefined, now: number): number | null {
  const start = parseTime(startedAt);
  if (start === null) return null;
  const end = parseTime(completedAt) ?? now;
  return Math.max(0, end - start);
}

/** "about 5 min left" from an ETA in seconds; rounds up so it never says 0 while work remains. */
export function formatEta(etaS: number | null | undefined): string | null {
  if (etaS === null || etaS === undefined || !Number.isFinite(etaS) || etaS < 0) return null;
  if (etaS < 1) return 'finishing';
  if (etaS < 60) return `about ${Math.ceil(etaS)} s left`;
  if (etaS < 3600) return `about ${Math.ceil(etaS / 60)} min left`;
  const h = Math.floor(etaS / 3600);
  const min = Math.ceil((etaS % 3600) / 60);
  return min === 60 ? `about ${h + 1} h left` : `about ${h} h ${pad(min)} min left`;
}

/** Local date and time, seconds included, for timelines and the audit trail. */
export function formatTime(iso: string | number | null | undefined): string {
  if (iso === null || iso === undefined) return '—';
  const t = typeof iso === 'number' ? iso : parseTime(iso);
  if (t === null) return String(iso);
  const d = new Date(t);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export function formatClock(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export function formatTemp(c: number | null | undefined): string {
  return c === null || c === undefined || !Number.isFinite(c) ? '—' : `${c.toFixed(1)} °C`;
}
