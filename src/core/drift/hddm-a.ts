import { checkBoolean, checkKnownKeys, checkNumber, type BinaryDriftDetector } from './detector';

/** HDDMA's parameters, named as in river. */
export interface HDDMAOptions {
  /** Significance of the drift test. Default 0.001. */
  drift_confidence?: number;
  /** Significance of the warning test. Default 0.005. */
  warning_confidence?: number;
  /** Also watch decreases of the error rate. Default false. */
  two_sided_test?: boolean;
}

const KEYS = ['drift_confidence', 'warning_confidence', 'two_sided_test'] as const;

/**
 * HDDM_A: Hoeffding-bound test between the running mean and the mean up to a cut point chosen
 * where the (mean + bound) was lowest (highest for decreases). Semantics of river 0.26's
 * `drift.binary.HDDM_A` (class `HDDMA`), itself after MOA.
 *
 * Frías-Blanco et al., "Online and non-parametric drift detection methods based on Hoeffding's
 * bounds", IEEE TKDE 27(3), 2015.
 *
 * @example
 * const hddm = new HDDMA({ two_sided_test: true });
 * for (const err of errors) { hddm.update(err); if (hddm.driftDetected) retrain(); }
 */
export class HDDMA implements BinaryDriftDetector {
  readonly drift_confidence: number;
  readonly warning_confidence: number;
  readonly two_sided_test: boolean;

  private drift = false;
  private warning = false;
  private zN = 0;
  private zMean = 0;
  private minN = 0;
  private minMean = 0;
  private maxN = 0;
  private maxMean = 0;
  private readonly logDrift: number;

  constructor(options: HDDMAOptions = {}) {
    checkKnownKeys('hddm-a', options, KEYS);
    this.drift_confidence = checkNumber('hddm-a', 'drift_confidence', options.drift_confidence ?? 0.001, {
      above: 0,
      below: 1,
    });
    this.warning_confidence = checkNumber('hddm-a', 'warning_confidence', options.warning_confidence ?? 0.005, {
      above: 0,
      below: 1,
    });
    this.two_sided_test = checkBoolean('hddm-a', 'two_sided_test', options.two_sided_test ?? false);
    this.logDrift = Math.log(1.0 / this.drift_confidence);
  }

  get driftDetected(): boolean {
    return this.drift;
  }

  get warningDetected(): boolean {
    return this.warning;
  }

  private bound(n: number): number {
    return Math.sqrt((1.0 / (2 * n)) * this.logDrift);
  }

  update(x: number): void {
    if (this.drift) this.reset();
    this.zN += 1;
    this.zMean += (1 / this.zN) * (x - this.zMean);
    if (this.minN === 0) {
      this.minN = this.zN;
      this.minMean = this.zMean;
    }
    if (this.maxN === 0) {
      this.maxN = this.zN;
      this.maxMean = this.zMean;
    }
    const epsZ = this.bound(this.zN);
    if (this.minMean + this.bound(this.minN) >= this.zMean + epsZ) {
      this.minN = this.zN;
      this.minMean = this.zMean;
    }
    if (this.maxMean - this.bound(this.maxN) <= this.zMean - epsZ) {
      this.maxN = this.zN;
      this.maxMean = this.zMean;
    }
    if (this.meanIncreased(this.drift_confidence)) {
      this.warning = false;
      this.drift = true;
    } else if (this.meanIncreased(this.warning_confidence)) {
      this.warning = true;
      this.drift = false;
    } else {
      this.warning = false;
      this.drift = false;
    }
    if (this.two_sided_test) {
      if (this.meanDecreased(this.drift_confidence)) this.drift = true;
      else if (this.meanDecreased(this.warning_confidence)) this.warning = true;
    }
  }

  private meanIncreased(confidence: number): boolean {
    if (this.minN === this.zN) return false;
    const m = ((this.zN - this.minN) / this.minN) * (1.0 / this.zN);
    return this.zMean - this.minMean >= Math.sqrt((m / 2) * Math.log(2.0 / confidence));
  }

  private meanDecreased(confidence: number): boolean {
    if (this.maxN === this.zN) return false;
    const m = ((this.zN - this.maxN) / this.maxN) * (1.0 / this.zN);
    return this.maxMean - this.zMean >= Math.sqrt((m / 2) * Math.log(2.0 / confidence));
  }

  reset(): void {
    this.drift = false;
    this.warning = false;
    this.zN = 0;
    this.zMean = 0;
    this.minN = 0;
    this.minMean = 0;
    this.maxN = 0;
    this.maxMean = 0;
  }
}
