/**
 * Prints samples one at a time, in order, keeping only the newest while one prints: a producer
 * faster than the output (a broken wrapper, a slow reader) costs skipped samples, never memory.
 * Memory is one pending sample, whatever the rate.
 */
export class LatestSamplePrinter<T> {
  /** Samples replaced by a newer one before they could be printed. */
  skipped = 0;
  private pending: T | undefined;
  private running: Promise<void> | undefined;

  /** `print` may be slow (it awaits host metrics and a writable stdout); its failures are dropped. */
  constructor(private readonly print: (sample: T) => Promise<void>) {}

  offer(sample: T): void {
    if (this.pending !== undefined) this.skipped++;
    this.pending = sample;
    this.running ??= this.drain();
  }

  /** Resolves once every offered sample is printed or skipped. */
  idle(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  private async drain(): Promise<void> {
    for (let next = this.pending; next !== undefined; next = this.pending) {
      this.pending = undefined;
      await this.print(next).catch(() => undefined);
    }
    this.running = undefined;
  }
}
