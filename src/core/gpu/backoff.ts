/**
 * Exponential restart delays: `initialMs`, doubling up to `maxMs`. `reset()` after the process
 * has delivered data again, so a single hiccup after hours of health restarts quickly.
 */
export class Backoff {
  private attempts = 0;

  constructor(
    readonly initialMs = 1000,
    readonly maxMs = 30_000,
  ) {
    if (!(initialMs > 0)) throw new RangeError(`Backoff initialMs must be > 0, got ${initialMs}`);
    if (!(maxMs >= initialMs)) throw new RangeError(`Backoff maxMs must be >= initialMs, got ${maxMs}`);
  }

  /** How many delays have been handed out since the last reset. */
  get attempt(): number {
    return this.attempts;
  }

  /** The delay before the next try. */
  next(): number {
    const delay = Math.min(this.maxMs, this.initialMs * 2 ** Math.min(this.attempts, 30));
    this.attempts++;
    return delay;
  }

  reset(): void {
    this.attempts = 0;
  }
}
