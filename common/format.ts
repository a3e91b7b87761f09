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
