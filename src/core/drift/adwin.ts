import { checkKnownKeys, checkNumber, type DriftDetector } from './detector';

/** Buckets per ADWIN row at most: 64 rows of 100,000 would already hold 100 MB. */
const MAX_ADWIN_BUCKETS = 100_000;

/** ADWIN's parameters, named as in river. */
export interface ADWINOptions {
  /** Significance of the cut test; smaller means fewer, later detections. Default 0.002. */
  delta?: number;
  /** Test for a cut only every `clock` updates (counted from the last reset). Default 32. */
  clock?: number;
  /** Buckets of each size kept before two are merged. Default 5. */
  max_buckets?: number;
  /** Smallest sub-window a cut may leave on either side. Default 5. */
  min_window_length?: number;
  /** No test until the window holds more than this many values. Default 10. */
  grace_period?: number;
}

const KEYS = ['delta', 'clock', 'max_buckets', 'min_window_length', 'grace_period'] as const;

/**
 * ADaptive WINdowing: keeps a window of recent values in exponential-histogram buckets and drops
 * its older part when two sub-windows' means differ by more than a Hoeffding-style bound.
 *
 * Semantics are river 0.26's `drift.ADWIN` (Cython `AdaptiveWindowing`): a cut is tested every
 * `clock` updates, every bucket boundary is a candidate, and on the update after a drift the whole
 * window is emptied (MOA keeps the newer sub-window; river does not).
 *
 * Bifet & Gavaldà, "Learning from time-changing data with adaptive windowing", SIAM SDM 2007.
 *
 * @example
 * const adwin = new ADWIN({ delta: 0.002 });
 * for (const [i, x] of stream.entries()) {
 *   adwin.update(x);
 *   if (adwin.driftDetected) console.log(`drift at ${i}`);
 * }
 */
export class ADWIN implements DriftDetector {
  readonly delta: number;
  readonly clock: number;
  readonly max_buckets: number;
  readonly min_window_length: number;
  readonly grace_period: number;

  private drift = false;
  // Row r holds buckets of 2^r values, oldest first; totals and variances side by side.
  private totals: Float64Array[] = [];
  private variances: Float64Array[] = [];
  private counts: number[] = [];
  private total = 0;
  private variance = 0;
  private windowWidth = 0;
  private tick = 0;
  private detections = 0;

  constructor(options: ADWINOptions = {}) {
    checkKnownKeys('adwin', options, KEYS);
    this.delta = checkNumber('adwin', 'delta', options.delta ?? 0.002, { above: 0, below: 1 });
    this.clock = checkNumber('adwin', 'clock', options.clock ?? 32, { integer: true, min: 1 });
    // Every bucket row holds max_buckets + 1 slots, and rows grow with log2 of the window.
    this.max_buckets = checkNumber('adwin', 'max_buckets', options.max_buckets ?? 5, { integer: true, min: 1, max: MAX_ADWIN_BUCKETS });
    this.min_window_length = checkNumber('adwin', 'min_window_length', options.min_window_length ?? 5, {
      integer: true,
      min: 1,
    });
    this.grace_period = checkNumber('adwin', 'grace_period', options.grace_period ?? 10, { integer: true, min: 0 });
    this.clear();
  }

  get driftDetected(): boolean {
    return this.drift;
  }

  /** Number of values in the current window. */
  get width(): number {
    return this.windowWidth;
  }

  /** Mean of the current window (0 when empty). */
  get estimation(): number {
    return this.windowWidth === 0 ? 0 : this.total / this.windowWidth;
  }

  /** Drifts found since the last reset (river's `n_detections`). */
  get nDetections(): number {
    return this.detections;
  }

  update(x: number): void {
    if (this.drift) this.reset();
    this.insert(x);
    this.drift = this.detectChange();
  }

  reset(): void {
    this.drift = false;
    this.clear();
  }

  private clear(): void {
    this.totals = [new Float64Array(this.max_buckets + 1)];
    this.variances = [new Float64Array(this.max_buckets + 1)];
    this.counts = [0];
    this.total = 0;
    this.variance = 0;
    this.windowWidth = 0;
    this.tick = 0;
    this.detections = 0;
  }

  private insert(value: number): void {
    const c = this.counts[0]!;
    this.totals[0]![c] = value;
    this.variances[0]![c] = 0;
    this.counts[0] = c + 1;
    this.windowWidth += 1;
    const w = this.windowWidth;
    if (w > 1) {
      // Same operation order as river so that the floating-point results match bit for bit.
      const d = value - this.total / (w - 1);
      this.variance += ((w - 1) * d * d) / w;
    }
    this.total += value;
    this.compress();
  }

  private compress(): void {
    const limit = this.max_buckets + 1;
    for (let idx = 0; idx < this.counts.length; idx++) {
      if (this.counts[idx] !== limit) break;
      if (idx + 1 === this.counts.length) {
        this.totals.push(new Float64Array(limit));
        this.variances.push(new Float64Array(limit));
        this.counts.push(0);
      }
      const t = this.totals[idx]!;
      const v = this.variances[idx]!;
      const n1 = 2 ** idx;
      const mu1 = t[0]! / n1;
      const mu2 = t[1]! / n1;
      const nt = this.totals[idx + 1]!;
      const nv = this.variances[idx + 1]!;
      const nc = this.counts[idx + 1]!;
      nt[nc] = t[0]! + t[1]!;
      nv[nc] = v[0]! + v[1]! + n1 * 0.5 * (mu1 - mu2) * (mu1 - mu2);
      this.counts[idx + 1] = nc + 1;
      shift(t, v, this.counts[idx]!, 2);
      this.counts[idx] = this.counts[idx]! - 2;
      if (nc + 1 <= this.max_buckets) break;
    }
  }

  /** Removes the oldest bucket and returns how many values it held. */
  private deleteOldest(): number {
    const last = this.counts.length - 1;
    const n = 2 ** last;
    const u = this.totals[last]![0]!;
    const mu = u / n;
    const v = this.variances[last]![0]!;
    this.windowWidth -= n;
    this.total -= u;
    const muWindow = this.total / this.windowWidth;
    this.variance -= v + (n * this.windowWidth * (mu - muWindow) * (mu - muWindow)) / (n + this.windowWidth);
    shift(this.totals[last]!, this.variances[last]!, this.counts[last]!, 1);
    this.counts[last] = this.counts[last]! - 1;
    if (this.counts[last] === 0) {
      this.totals.pop();
      this.variances.pop();
      this.counts.pop();
    }
    return n;
  }

  private detectChange(): boolean {
    let change = false;
    this.tick += 1;
    if (this.tick % this.clock !== 0 || this.windowWidth <= this.grace_period) return false;
    const mwl = this.min_window_length;
    let reduce = true;
    while (reduce) {
      reduce = false;
      let exit = false;
      let n0 = 0;
      let n1 = this.windowWidth;
      let u0 = 0;
      let u1 = this.total;
      // river also tracks both sub-windows' variances here but never reads them; they are skipped.
      const deltaPrime = Math.log((2 * Math.log(this.windowWidth)) / this.delta);
      const varianceInWindow = this.variance / this.windowWidth;
      for (let idx = this.counts.length - 1; idx >= 0 && !exit; idx--) {
        const t = this.totals[idx]!;
        const count = this.counts[idx]!;
        const size = 2 ** idx;
        for (let k = 0; k < count; k++) {
          n0 += size;
          n1 -= size;
          u0 += t[k]!;
          u1 -= t[k]!;
          if (idx === 0 && k === count - 1) {
            exit = true;
            break;
          }
          if (n1 >= mwl && n0 >= mwl) {
            const deltaMean = u0 / n0 - u1 / n1;
            const mRecip = 1 / (n0 - mwl + 1) + 1 / (n1 - mwl + 1);
            const epsilon = Math.sqrt(2 * mRecip * varianceInWindow * deltaPrime) + (2 / 3) * deltaPrime * mRecip;
            if (Math.abs(deltaMean) > epsilon) {
              reduce = true;
              change = true;
              if (this.windowWidth > 0) {
                n0 -= this.deleteOldest();
                exit = true;
                break;
              }
            }
          }
        }
      }
    }
    if (change) this.detections += 1;
    return change;
  }
}

function shift(t: Float64Array, v: Float64Array, count: number, by: number): void {
  for (let i = by; i < count; i++) {
    t[i - by] = t[i]!;
    v[i - by] = v[i]!;
  }
  for (let i = Math.max(count - by, 0); i < count; i++) {
    t[i] = 0;
    v[i] = 0;
  }
}
