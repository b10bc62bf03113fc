import { checkKnownKeys, checkNumber, DriftParameterError, type BinaryDriftDetector } from './detector';

/** EDDM's parameters, named as in river. */
export interface EDDMOptions {
  /** Values and errors seen before a warning or drift may be signalled. Default 30. */
  warm_start?: number;
  /** Warning when (p' + 2s') / max(p' + 2s') < alpha. Default 0.95. */
  alpha?: number;
  /** Drift when (p' + 2s') / max(p' + 2s') < beta. Default 0.9. */
  beta?: number;
}

const KEYS = ['warm_start', 'alpha', 'beta'] as const;

/**
 * Early Drift Detection Method: watches the mean p' and std s' of the distance between
 * consecutive errors (1s), and alarms when p' + 2s' falls to a fraction of its maximum, which
 * catches gradual drift earlier than DDM. Semantics of river 0.26's `drift.binary.EDDM`.
 *
 * Baena-García et al., "Early drift detection method", StreamKDD workshop 2006.
 *
 * @example
 * const eddm = new EDDM({ alpha: 0.95, beta: 0.9 });
 * for (const err of errors) { eddm.update(err); if (eddm.driftDetected) retrain(); }
 */
export class EDDM implements BinaryDriftDetector {
  readonly warm_start: number;
  readonly alpha: number;
  readonly beta: number;

  private drift = false;
  private warning = false;
  private n = 0;
  private lastError = 0;
  private nErrors = 0;
  private p2sMax = -1;
  // Welford state of the distances between errors (river's stats.Var, ddof = 1).
  private dn = 0;
  private dMean = 0;
  private dS = 0;

  constructor(options: EDDMOptions = {}) {
    checkKnownKeys('eddm', options, KEYS);
    this.warm_start = checkNumber('eddm', 'warm_start', options.warm_start ?? 30, { integer: true, min: 0 });
    this.alpha = checkNumber('eddm', 'alpha', options.alpha ?? 0.95, { above: 0, max: 1 });
    this.beta = checkNumber('eddm', 'beta', options.beta ?? 0.9, { above: 0, max: 1 });
    if (this.alpha < this.beta) {
      throw new DriftParameterError('alpha', `eddm: parameter 'alpha' must be >= beta (got alpha=${this.alpha}, beta=${this.beta})`);
    }
  }

  get driftDetected(): boolean {
    return this.drift;
  }

  get warningDetected(): boolean {
    return this.warning;
  }

  update(x: number): void {
    if (this.drift) this.reset();
    this.n += 1;
    if (x !== 1) return;
    this.nErrors += 1;
    const distance = this.n - this.lastError;
    const old = this.dMean;
    this.dn += 1;
    this.dMean += (1 / this.dn) * (distance - this.dMean);
    this.dS += (distance - old) * (distance - this.dMean);
    if (this.n > this.warm_start) {
      const variance = this.dn > 1 ? this.dS / (this.dn - 1) : 0;
      const p2s = this.dMean + 2 * Math.sqrt(variance);
      if (p2s > this.p2sMax) {
        this.p2sMax = p2s;
      } else if (this.nErrors > this.warm_start) {
        const level = p2s / this.p2sMax;
        if (level < this.beta) this.drift = true;
        else if (level < this.alpha) this.warning = true;
        else this.warning = false;
      }
    }
    this.lastError = this.n;
  }

  reset(): void {
    this.drift = false;
    this.warning = false;
    this.n = 0;
    this.lastError = 0;
    this.nErrors = 0;
    this.p2sMax = -1;
    this.dn = 0;
    this.dMean = 0;
    this.dS = 0;
  }
}
