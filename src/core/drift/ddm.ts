import { checkKnownKeys, checkNumber, type BinaryDriftDetector } from './detector';

/** DDM's parameters, named as in river. */
export interface DDMOptions {
  /** Values seen before a warning or drift may be signalled. Default 30. */
  warm_start?: number;
  /** Warning when p + s > p_min + warning_threshold * s_min. Default 2. */
  warning_threshold?: number;
  /** Drift when p + s > p_min + drift_threshold * s_min. Default 3. */
  drift_threshold?: number;
}

const KEYS = ['warm_start', 'warning_threshold', 'drift_threshold'] as const;

/**
 * Drift Detection Method over an error stream (1 = error): tracks the error rate p and its
 * binomial std s, remembers them where p + s was smallest, and warns / alarms when p + s rises
 * 2 / 3 of those stds above. Semantics of river 0.26's `drift.binary.DDM`.
 *
 * Gama, Medas, Castillo & Rodrigues, "Learning with drift detection", SBIA 2004.
 *
 * @example
 * const ddm = new DDM();
 * for (const err of errors) { ddm.update(err); if (ddm.warningDetected) warn(); if (ddm.driftDetected) retrain(); }
 */
export class DDM implements BinaryDriftDetector {
  readonly warm_start: number;
  readonly warning_threshold: number;
  readonly drift_threshold: number;

  private drift = false;
  private warning = false;
  private n = 0;
  private p = 0;
  private pMin = Infinity;
  private sMin = Infinity;
  private psMin = Infinity;

  constructor(options: DDMOptions = {}) {
    checkKnownKeys('ddm', options, KEYS);
    this.warm_start = checkNumber('ddm', 'warm_start', options.warm_start ?? 30, { integer: true, min: 0 });
    this.warning_threshold = checkNumber('ddm', 'warning_threshold', options.warning_threshold ?? 2, { above: 0 });
    this.drift_threshold = checkNumber('ddm', 'drift_threshold', options.drift_threshold ?? 3, { above: 0 });
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
    this.p += (1 / this.n) * (x - this.p);
    const p = this.p;
    const s = Math.sqrt((p * (1 - p)) / this.n);
    if (this.n > this.warm_start) {
      if (p + s <= this.psMin) {
        this.pMin = p;
        this.sMin = s;
        this.psMin = this.pMin + this.sMin;
      }
      this.warning = p + s > this.pMin + this.warning_threshold * this.sMin;
      if (p + s > this.pMin + this.drift_threshold * this.sMin) {
        this.drift = true;
        this.warning = false;
      }
    }
  }

  reset(): void {
    this.drift = false;
    this.warning = false;
    this.n = 0;
    this.p = 0;
    this.pMin = Infinity;
    this.sMin = Infinity;
    this.psMin = Infinity;
  }
}
