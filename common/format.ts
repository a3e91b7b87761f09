// Formatting shared by every side that prints for people: the UI, the report
// and the agent's stage messages say sizes the same way.

/** Binary units, as disk and memory sizes are read on the bench: "512 B", "1.5 KiB", "20 GiB". */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${v} B` : `${v.toFixed(v < 10 && !Number.isInteger(v) ? 1 : 0)} ${units[i]}`;
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** "about 40 s", "about 12 min", "about 2 h 10 min", "about 3 d 4 h": a time left, as precise as it can be. */
export function aboutDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return 'an unknown time';
  if (seconds < 60) return `about ${Math.max(1, Math.round(seconds))} s`;
  const min = Math.round(seconds / 60);
  if (min < 60) return `about ${min} min`;
  const h = Math.floor(min / 60);
  if (h < 24) return `about ${h} h${min % 60 ? ` ${min % 60} min` : ''}`;
  const d = Math.floor(h / 24);
  return `about ${d} d${h % 24 ? ` ${h % 24} h` : ''}`;
}

/**
 * A clock time people plan by: "14:20" today, "Tue 09:40" within the week,
 * "2026-12-09 09:40" beyond; in the local time zone of whoever prints it. The
 * further away, the rounder (to 5 minutes past an hour away, 15 past six), since
 * an estimate that far out is not good to the minute.
 */
export function clockAround(atMs: number, nowMs: number): string {
  const ahead = atMs - nowMs;
  const step = ahead > 6 * 3_600_000 ? 15 : ahead > 3_600_000 ? 5 : 1;
  const d = new Date(Math.round(atMs / (step * 60_000)) * step * 60_000);
  const now = new Date(nowMs);
  const hm = `${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
  if (d.toDateString() === now.toDateString()) return hm;
  if (Math.abs(atMs - nowMs) < 6 * 86_400_000) return `${d.toLocaleDateString('en-GB', { weekday: 'short' })} ${hm}`;
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${hm}`;
}

/** A run's estimated end in words (its EtaView, docs/state-machine.md "Estimated end"); null when there is nothing to say. */
export function etaText(eta: { status: string; at: string | null; remainingS: number | null } | null | undefined, nowMs: number): string | null {
  if (!eta) return null;
  const at = eta.at === null ? null : Date.parse(eta.at);
  switch (eta.status) {
    case 'running':
      return at === null ? null : `done around ${clockAround(at, nowMs)}`;
    case 'waiting-for-person':
      return eta.remainingS ? `waiting for a person (${aboutDuration(eta.remainingS)} of testing left once it continues)` : 'waiting for a person';
    case 'done':
      return at === null ? 'done' : `done at ${clockAround(at, nowMs)}`;
    default:
      return null;
  }
}

/** The same, short, after a "Done" label (the board's tiles): "around 14:20", "when a person decides", "at 14:22". */
export function etaShortText(eta: { status: string; at: string | null } | null | undefined, nowMs: number): string | null {
  if (!eta) return null;
  const at = eta.at === null ? null : Date.parse(eta.at);
  if (eta.status === 'running' && at !== null) return `around ${clockAround(at, nowMs)}`;
  if (eta.status === 'waiting-for-person') return 'when a person decides';
  if (eta.status === 'done' && at !== null) return `at ${clockAround(at, nowMs)}`;
  return null;
}
