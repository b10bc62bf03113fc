import { checkKnownKeys, checkNumber, MAX_WINDOW_SLOTS, type BinaryDriftDetector } from './detector';

/** FHDDM's parameters, named as in river. */
export interface FHDDMOptions {
  /** Values in the sliding window; no test until it is full. Default 100. */
  sliding_window_size?: number;
  /** Significance of the Hoeffding bound. Default 1e-6. */
  confidence_level?: number;
  /** Optional short window of the stacking variant (FHDDMS); off by default. */
  short_window_size?: number;
}

const KEYS = ['sliding_window_size', 'confidence_level', 'short_window_size'] as const;

/**
 * Fast Hoeffding Drift Detection Method: the share u of 1s in a sliding window is compared with
 * the largest share seen, and a drift is signalled when u_max - u exceeds the Hoeffding bound.
 * Note (as in river 0.26's `drift.binary.FHDDM`): it alarms when the share of 1s *drops*, so feed
 * it 1 = correct prediction if you want it to catch a rising error rate. It never warns.
 *
 * Pesaranghader & Viktor, "Fast Hoeffding drift detection method for evolving data streams",
 * ECML-PKDD 2016.
 *
 * @example
 * const fhddm = new FHDDM({ sliding_window_size: 100 });
 * for (const ok of correct) { fhddm.update(ok); if (fhddm.driftDetected) retrain(); }
 */
export class FHDDM implements BinaryDriftDetector {
  readonly sliding_window_size: number;
  readonly confidence_level: number;
  readonly short_window_size: number | undefined;

  private drift = false;
  private readonly window: Float64Array;
  private head = 0;
  private filled = 0;
  private ones = 0;
  private uMax = 0;
  private uShortMax = 0;
  private readonly epsilon: number;
  private readonly epsilonShort: number;

  constructor(options: FHDDMOptions = {}) {
    checkKnownKeys('fhddm', options, KEYS);
    this.sliding_window_size = checkNumber('fhddm', 'sliding_window_size', options.sliding_window_size ?? 100, {
      integer: true,
      min: 1,
      max: MAX_WINDOW_SLOTS,
    });
    this.confidence_level = checkNumber('fhddm', 'confidence_level', options.confidence_level ?? 0.000001, {
      above: 0,
      below: 1,
    });
    this.short_window_size =
      options.short_window_size === undefined
        ? undefined
        : checkNumber('fhddm', 'short_window_size', options.short_window_size, {
            integer: true,
            min: 1,
            max: this.sliding_window_size,
          });
    this.window = new Float64Array(this.sliding_window_size);
    const logInv = Math.log(1 / this.confidence_level);
    this.epsilon = Math.sqrt(logInv / (2 * this.sliding_window_size));
    this.epsilonShort = this.short_window_size ? Math.sqrt(logInv / (2 * this.short_window_size)) : 0;
  }

  get driftDetected(): boolean {
    return this.drift;
  }

  /** Always false: FHDDM has no warning zone. */
  get warningDetected(): boolean {
    return false;
  }

  update(x: number): void {
    if (this.drift) this.reset();
    const size = this.sliding_window_size;
    if (this.filled === size && this.window[this.head] === 1) this.ones -= 1;
    this.window[this.head] = x;
    if (x === 1) this.ones += 1;
    this.head = this.head + 1 === size ? 0 : this.head + 1;
    if (this.filled < size) this.filled += 1;
    if (this.filled !== size) return;
    const u = this.ones / size;
    if (this.uMax < u) this.uMax = u;
    let shortDrift = false;
    if (this.short_window_size !== undefined) {
      let sum = 0;
      for (let i = 1; i <= this.short_window_size; i++) sum += this.window[(this.head - i + size) % size]!;
      const uShort = sum / this.short_window_size;
      if (this.uShortMax < uShort) this.uShortMax = uShort;
      shortDrift = this.uShortMax - uShort > this.epsilonShort;
    }
    this.drift = this.uMax - u > this.epsilon || shortDrift;
  }

  reset(): void {
    this.drift = false;
    this.window.fill(0);
    this.head = 0;
    this.filled = 0;
    this.ones = 0;
    this.uMax = 0;
    this.uShortMax = 0;
  }
}
