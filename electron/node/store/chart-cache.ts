/**
 * Recent chart answers, least recently used first out. A run page opened again
 * (a second window, back from the board, the report beside it) asks for the
 * same windows of a run whose samples have not changed; reading them again
 * costs a pass over the run's rollup each time (tens of ms for a long run).
 *
 * Each entry carries the stamp it was computed under (the run's write count in
 * MeasurementStore); a lookup with another stamp misses and drops it, so a run
 * still receiving samples is always read fresh. Only answers of at most
 * `maxEntryPoints` points are kept: envelopes and short windows, not a long
 * window's every raw sample, which would hold megabytes for a rare request.
 */
export class ChartCache<V> {
  private readonly entries = new Map<string, { stamp: number; value: V; points: number }>();
  private heldPoints = 0;

  constructor(
    private readonly maxEntries = 64,
    private readonly maxPoints = 1_000_000,
    private readonly maxEntryPoints = 50_000,
  ) {}

  get(key: string, stamp: number): V | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    this.drop(key);
    if (e.stamp !== stamp) return undefined;
    this.entries.set(key, e); // now the most recently used
    this.heldPoints += e.points;
    return e.value;
  }

  set(key: string, stamp: number, value: V, points: number): void {
    this.drop(key);
    if (points > this.maxEntryPoints) return;
    this.entries.set(key, { stamp, value, points });
    this.heldPoints += points;
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.maxEntries && this.heldPoints <= this.maxPoints) break;
      this.drop(oldest);
    }
  }

  clear(): void {
    this.entries.clear();
    this.heldPoints = 0;
  }

  get size(): number {
    return this.entries.size;
  }

  private drop(key: string): void {
    const e = this.entries.get(key);
    if (!e) return;
    this.entries.delete(key);
    this.heldPoints -= e.points;
  }
}
