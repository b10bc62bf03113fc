import { checkChoice, checkKnownKeys, checkNumber, type DriftDetector } from './detector';
import type { DriftMode } from './page-hinkley';

/** CUSUM's parameters, named as in river. */
export interface CUSUMOptions {
  /** Warm-up values over which the reference mean and std are estimated, then frozen. Default 30. */
  min_instances?: number;
  /** Slack k, in reference standard deviations. Default 0.5. */
  slack?: number;
  /** Decision interval h, in reference standard deviations. Default 5. */
  threshold?: number;
  /** Watch increases (`up`), decreases (`down`) or both. Default `both`. */
  mode?: DriftMode;
}

const KEYS = ['min_instances', 'slack', 'threshold', 'mode'] as const;

/**
 * Tabular CUSUM control chart: S+ = max(0, S+ + x - mu - k), S- = max(0, S- - (x - mu) - k), with
 * mu and sigma frozen after `min_instances` values and k, h scaled by sigma. A drift is signalled
 * when a sum exceeds h. Semantics of river 0.26's `drift.CUSUM`.
 *
 * Page, "Continuous inspection schemes", Biometrika 41 (1954).
 *
 * @example
 * const cusum = new CUSUM({ slack: 0.5, threshold: 5 });
 * for (const x of latencies) { cusum.update(x); if (cusum.driftDetected) alert(); }
 */
export class CUSUM implements DriftDetector {
  readonly min_instances: number;
  readonly slack: number;
  readonly threshold: number;
  readonly mode: DriftMode;

  private drift = false;
  private n = 0;
  private mean = 0;
  private s = 0;
  private reference: number | undefined;
  private sigma = 0;
  private sumIncrease = 0;
  private sumDecrease = 0;

  constructor(options: CUSUMOptions = {}) {
    checkKnownKeys('cusum', options, KEYS);
    this.min_instances = checkNumber('cusum', 'min_instances', options.min_instances ?? 30, { integer: true, min: 1 });
    this.slack = checkNumber('cusum', 'slack', options.slack ?? 0.5, { min: 0 });
    this.threshold = checkNumber('cusum', 'threshold', options.threshold ?? 5, { above: 0 });
    this.mode = checkChoice('cusum', 'mode', options.mode ?? 'both', ['up', 'down', 'both']);
  }

  get driftDetected(): boolean {
    return this.drift;
  }

  update(x: number): void {
    if (this.drift) this.reset();
    this.n += 1;
    const old = this.mean;
    this.mean += (1 / this.n) * (x - this.mean);
    this.s += (x - old) * (x - this.mean);
    if (this.n < this.min_instances) return;
    if (this.reference === undefined) {
      this.reference = this.mean;
      const variance = this.n > 1 ? this.s / (this.n - 1) : 0;
      this.sigma = Math.sqrt(Math.max(variance, 0));
    }
    const k = this.slack * this.sigma;
    const limit = this.threshold * this.sigma;
    const deviation = x - this.reference;
    this.sumIncrease = Math.max(0, this.sumIncrease + deviation - k);
    this.sumDecrease = Math.max(0, this.sumDecrease - deviation - k);
    const up = this.sumIncrease > limit;
    const down = this.sumDecrease > limit;
    this.drift = this.mode === 'up' ? up : this.mode === 'down' ? down : up || down;
  }

  reset(): void {
    this.drift = false;
    this.n = 0;
    this.mean = 0;
    this.s = 0;
    this.reference = undefined;
    this.sigma = 0;
    this.sumIncrease = 0;
    this.sumDecrease = 0;
  }
}
