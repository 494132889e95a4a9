/**
 * Background loops of a service, each at a fixed rate: the next run starts one period after the last one
 * started (not after it ended), never two runs of one loop at once. A failed run is reported and the loop
 * goes on. `stop()` ends every loop; a run in flight finishes but starts no other.
 */
export class FixedRateLoops {
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(private readonly onError: (error: Error) => void) {}

  get isStopped(): boolean {
    return this.stopped;
  }

  start(periodMs: number, body: () => Promise<void>): void {
    const run = (): void => {
      if (this.stopped) return;
      const started = Date.now();
      void body()
        .catch((error: unknown) => this.onError(error instanceof Error ? error : new Error(String(error))))
        .finally(() => {
          if (this.stopped) return;
          const timer = setTimeout(() => {
            this.timers.delete(timer);
            run();
          }, Math.max(0, periodMs - (Date.now() - started)));
          this.timers.add(timer);
        });
    };
    run();
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}
