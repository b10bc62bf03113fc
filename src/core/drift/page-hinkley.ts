import { checkChoice, checkKnownKeys, checkNumber, type DriftDetector } from './detector';

export type DriftMode = 'up' | 'down' | 'both';
const MODES: readonly DriftMode[] = ['up', 'down', 'both'];

/** PageHinkley's parameters, named as in river. */
export interface PageHinkleyOptions {
  /** Values seen before a drift may be signalled. Default 30. */
  min_instances?: number;
  /** Magnitude of change tolerated per value. Default 0.005. */
  delta?: number;
  /** Detection threshold (lambda). Default 50. */
  threshold?: number;
  /** Forgetting factor of the cumulative sums. Default 1 - 0.0001. */
  alpha?: number;
  /** Watch increases (`up`), decreases (`down`) or both. Default `both`. */
  mode?: DriftMode;
}

const KEYS = ['min_instances', 'delta', 'threshold', 'alpha', 'mode'] as const;

/**
 * Page-Hinkley test: cumulative deviations from the running mean, faded by `alpha`; a drift is
 * signalled when the sum rises more than `threshold` above its minimum (or falls below its maximum).
 * Semantics of river 0.26's `drift.PageHinkley`, including reset on the update after a drift.
 *
 * Page, "Continuous inspection schemes", Biometrika 41 (1954); Sebastião & Fernandes, ISMIS 2017.
 *
 * @example
 * const ph = new PageHinkley({ threshold: 50, mode: 'up' });
 * for (const x of losses) { ph.update(x); if (ph.driftDetected) alert(); }
 */
export class PageHinkley implements DriftDetector {
  readonly min_instances: number;
  readonly delta: number;
  readonly threshold: number;
  readonly alpha: number;
  readonly mode: DriftMode;

  private drift = false;
  private n = 0;
  private mean = 0;
  private sumIncrease = 0;
  private sumDecrease = 0;
  private minIncrease = Infinity;
  private maxDecrease = -1;

  constructor(options: PageHinkleyOptions = {}) {
    checkKnownKeys('page-hinkley', options, KEYS);
    this.min_instances = checkNumber('page-hinkley', 'min_instances', options.min_instances ?? 30, {
      integer: true,
      min: 1,
    });
    this.delta = checkNumber('page-hinkley', 'delta', options.delta ?? 0.005, { min: 0 });
    this.threshold = checkNumber('page-hinkley', 'threshold', options.threshold ?? 50, { above: 0 });
    this.alpha = checkNumber('page-hinkley', 'alpha', options.alpha ?? 1 - 0.0001, { above: 0, max: 1 });
    this.mode = checkChoice('page-hinkley', 'mode', options.mode ?? 'both', MODES);
  }

  get driftDetected(): boolean {
    return this.drift;
  }

  update(x: number): void {
    if (this.drift) this.reset();
    this.n += 1;
    this.mean += (1 / this.n) * (x - this.mean);
    const dev = x - this.mean;
    this.sumIncrease = this.alpha * this.sumIncrease + dev - this.delta;
    this.sumDecrease = this.alpha * this.sumDecrease + dev + this.delta;
    if (this.sumIncrease < this.minIncrease) this.minIncrease = this.sumIncrease;
    if (this.sumDecrease > this.maxDecrease) this.maxDecrease = this.sumDecrease;
    if (this.n >= this.min_instances) {
      const up = this.sumIncrease - this.minIncrease > this.threshold;
      const down = this.maxDecrease - this.sumDecrease > this.threshold;
      this.drift = this.mode === 'up' ? up : this.mode === 'down' ? down : up || down;
    }
  }

  reset(): void {
    this.drift = false;
    this.n = 0;
    this.mean = 0;
    this.sumIncrease = 0;
    this.sumDecrease = 0;
    this.minIncrease = Infinity;
    this.maxDecrease = -1;
  }
}
