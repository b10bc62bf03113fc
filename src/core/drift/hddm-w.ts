import { checkBoolean, checkKnownKeys, checkNumber, type BinaryDriftDetector } from './detector';

/** HDDMW's parameters, named as in river. */
export interface HDDMWOptions {
  /** Significance of the drift test. Default 0.001. */
  drift_confidence?: number;
  /** Significance of the warning test. Default 0.005. */
  warning_confidence?: number;
  /** Weight of the newest value in the EWMA. Default 0.05. */
  lambda_val?: number;
  /** Also watch decreases of the error rate. Default false. */
  two_sided_test?: boolean;
}

const KEYS = ['drift_confidence', 'warning_confidence', 'lambda_val', 'two_sided_test'] as const;

/** An EWMA with its independent-bound condition (river's `SampleInfo`). */
class WeightedSample {
  ewma = 0;
  init = false;
  ibc = 1;

  update(x: number, lambda: number, lambdaSq: number, oneMinusLambdaSq: number): void {
    // river 0.26's EWMean (Rust) starts from the first value and then always blends, even when
    // its mean is exactly 0. The older pure-Python EWMean restarted from x whenever the mean was
    // 0, so after a run of 0s a single 1 jumped a fresh sample's mean to 1 instead of lambda;
    // that hid warnings of the decrease test (two_sided_test) while drifts still matched.
    this.ewma = this.init ? lambda * x + (1 - lambda) * this.ewma : x;
    this.init = true;
    this.ibc = lambdaSq + oneMinusLambdaSq * this.ibc;
  }

  copyFrom(other: WeightedSample): void {
    this.ewma = other.ewma;
    this.init = other.init;
    this.ibc = other.ibc;
  }

  clear(): void {
    this.ewma = 0;
    this.init = false;
    this.ibc = 1;
  }
}

/**
 * HDDM_W: McDiarmid-bound test between exponentially weighted means before and after a cut
 * point. Semantics of river 0.26's `drift.binary.HDDM_W` (class `HDDMW`), itself after MOA.
 *
 * Frías-Blanco et al., "Online and non-parametric drift detection methods based on Hoeffding's
 * bounds", IEEE TKDE 27(3), 2015.
 *
 * @example
 * const hddm = new HDDMW({ lambda_val: 0.05 });
 * for (const err of errors) { hddm.update(err); if (hddm.driftDetected) retrain(); }
 */
export class HDDMW implements BinaryDriftDetector {
  readonly drift_confidence: number;
  readonly warning_confidence: number;
  readonly lambda_val: number;
  readonly two_sided_test: boolean;

  private drift = false;
  private warning = false;
  private readonly total = new WeightedSample();
  private readonly s1Incr = new WeightedSample();
  private readonly s2Incr = new WeightedSample();
  private readonly s1Decr = new WeightedSample();
  private readonly s2Decr = new WeightedSample();
  private incrCutpoint = Infinity;
  private decrCutpoint = -Infinity;
  private readonly lambdaSq: number;
  private readonly oneMinusLambdaSq: number;
  private readonly logDrift: number;
  private readonly logWarning: number;

  constructor(options: HDDMWOptions = {}) {
    checkKnownKeys('hddm-w', options, KEYS);
    this.drift_confidence = checkNumber('hddm-w', 'drift_confidence', options.drift_confidence ?? 0.001, {
      above: 0,
      below: 1,
    });
    this.warning_confidence = checkNumber('hddm-w', 'warning_confidence', options.warning_confidence ?? 0.005, {
      above: 0,
      below: 1,
    });
    this.lambda_val = checkNumber('hddm-w', 'lambda_val', options.lambda_val ?? 0.05, { above: 0, max: 1 });
    this.two_sided_test = checkBoolean('hddm-w', 'two_sided_test', options.two_sided_test ?? false);
    this.lambdaSq = this.lambda_val * this.lambda_val;
    this.oneMinusLambdaSq = (1 - this.lambda_val) * (1 - this.lambda_val);
    this.logDrift = Math.log(1 / this.drift_confidence);
    this.logWarning = Math.log(1 / this.warning_confidence);
  }

  get driftDetected(): boolean {
    return this.drift;
  }

  get warningDetected(): boolean {
    return this.warning;
  }

  update(x: number): void {
    if (this.drift) this.reset();
    const l = this.lambda_val;
    this.total.update(x, l, this.lambdaSq, this.oneMinusLambdaSq);

    let eps = Math.sqrt((this.total.ibc * this.logDrift) / 2);
    if (this.total.ewma + eps < this.incrCutpoint) {
      this.incrCutpoint = this.total.ewma + eps;
      this.s1Incr.copyFrom(this.total);
      this.s2Incr.clear();
    } else {
      this.s2Incr.update(x, l, this.lambdaSq, this.oneMinusLambdaSq);
    }
    if (this.changed(this.s1Incr, this.s2Incr, this.logDrift)) {
      this.warning = false;
      this.drift = true;
    } else if (this.changed(this.s1Incr, this.s2Incr, this.logWarning)) {
      this.warning = true;
      this.drift = false;
    } else {
      this.warning = false;
      this.drift = false;
    }

    eps = Math.sqrt((this.total.ibc * this.logDrift) / 2);
    if (this.total.ewma - eps > this.decrCutpoint) {
      this.decrCutpoint = this.total.ewma - eps;
      this.s1Decr.copyFrom(this.total);
      this.s2Decr.clear();
    } else {
      this.s2Decr.update(x, l, this.lambdaSq, this.oneMinusLambdaSq);
    }
    if (this.two_sided_test) {
      if (this.changed(this.s2Decr, this.s1Decr, this.logDrift)) this.drift = true;
      else if (this.changed(this.s2Decr, this.s1Decr, this.logWarning)) this.warning = true;
    }
  }

  /** True when `after`'s mean exceeds `before`'s by more than the McDiarmid bound. */
  private changed(before: WeightedSample, after: WeightedSample, logInvConfidence: number): boolean {
    if (!(before.init && after.init)) return false;
    const bound = Math.sqrt(((before.ibc + after.ibc) * logInvConfidence) / 2);
    return after.ewma - before.ewma > bound;
  }

  reset(): void {
    this.drift = false;
    this.warning = false;
    this.total.clear();
    this.s1Incr.clear();
    this.s2Incr.clear();
    this.s1Decr.clear();
    this.s2Decr.clear();
    this.incrCutpoint = Infinity;
    this.decrCutpoint = -Infinity;
  }
}
