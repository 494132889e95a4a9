/** Durations (or other amounts) collected between two reports, summarized as `p50/p99/max<unit>(count)`. */
export class TimingStats {
  private values: number[] = [];
  /** Since the start, never drained: what a metrics scrape reads (mean = rate of sum / rate of count). */
  private runningCount = 0;
  private runningSum = 0;

  constructor(private readonly unit = 'ms') {}

  add(ms: number): void {
    this.runningCount += 1;
    this.runningSum += ms;
    // Bounded: a report every 10 s at a 50 ms loop is 200 values; keep far more than that, never unbounded.
    if (this.values.length < 100_000) this.values.push(ms);
  }

  /** Every amount added since the start: how many, and their sum. */
  totals(): { count: number; sum: number } {
    return { count: this.runningCount, sum: this.runningSum };
  }

  /** The summary since the previous call, and a fresh start. */
  drain(): string {
    const values = this.values.sort((a, b) => a - b);
    this.values = [];
    if (values.length === 0) return '-';
    const at = (q: number): number => values[Math.min(values.length - 1, Math.floor(q * values.length))]!;
    return `${at(0.5)}/${at(0.99)}/${values[values.length - 1]!}${this.unit}(${values.length})`;
  }
}
