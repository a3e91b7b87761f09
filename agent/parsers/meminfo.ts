/** One field of /proc/meminfo ("MemTotal", "MemAvailable"), in bytes; null when absent. */
export function meminfoBytes(meminfo: string, field: 'MemTotal' | 'MemAvailable'): number | null {
  const m = new RegExp(`^${field}:\\s+(\\d+)\\s*kB`, 'm').exec(meminfo);
  return m ? Number(m[1]) * 1024 : null;
}
