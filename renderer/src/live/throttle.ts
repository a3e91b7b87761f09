// Invalidations of expensive queries (a long run's chart is a server-side LTTB
// pass over every stored sample) are spread out: the first one goes through at
// once, later ones within `intervalMs` collapse into one trailing call.

export function keyedThrottle(intervalMs: number, run: (key: string) => void) {
  const last = new Map<string, number>();
  const pending = new Map<string, ReturnType<typeof setTimeout>>();
  return {
    call(key: string): void {
      if (pending.has(key)) return;
      const now = Date.now();
      const since = now - (last.get(key) ?? -Infinity);
      if (since >= intervalMs) {
        last.set(key, now);
        run(key);
        return;
      }
      pending.set(
        key,
        setTimeout(() => {
          pending.delete(key);
          last.set(key, Date.now());
          run(key);
        }, intervalMs - since),
      );
    },
    cancel(): void {
      for (const t of pending.values()) clearTimeout(t);
      pending.clear();
    },
  };
}
