import { ksPValue, ksStatisticSorted } from '../stats/ks';
import { checkKnownKeys, checkNumber, DriftParameterError, type DriftDetector } from './detector';
import { PythonRandom } from './python-random';

/** Draws k distinct indices from 0..populationSize-1; `reset` is called when the detector resets. */
export interface KSWINSampler {
  sample(populationSize: number, k: number): ArrayLike<number>;
  reset?(): void;
}

/** KSWIN's parameters, named as in river, plus an injectable sampler. */
export interface KSWINOptions {
  /** Significance of the KS test. Default 0.005. */
  alpha?: number;
  /** Length of the sliding window. Default 100. */
  window_size?: number;
  /** Length of the newest part of the window compared against a sample of the rest. Default 30. */
  stat_size?: number;
  /** Seed of the Python-compatible sampler (river's `seed`); reseeded on every reset, as river does. */
  seed?: number;
  /** Values to start the window with (river's `window`); kept until the first reset. */
  window?: ArrayLike<number>;
  /** Replaces the seeded sampler, e.g. for tests. */
  sampler?: KSWINSampler;
}

const KEYS = ['alpha', 'window_size', 'stat_size', 'seed', 'window', 'sampler'] as const;

/** river's sampler: `random.Random(seed).sample(range(n), k)`, reseeded on reset. */
class SeededSampler implements KSWINSampler {
  private rng: PythonRandom;
  private out = new Int32Array(0);
  private pool = new Int32Array(0);
  constructor(private readonly seed: number) {
    this.rng = new PythonRandom(seed);
  }
  sample(n: number, k: number): ArrayLike<number> {
    if (this.out.length < k) this.out = new Int32Array(k);
    if (this.pool.length < n) this.pool = new Int32Array(n);
    return this.rng.sampleInto(n, k, this.out, this.pool);
  }
  reset(): void {
    this.rng = new PythonRandom(this.seed);
  }
}

/**
 * Kolmogorov-Smirnov WINdowing: keeps the last `window_size` values, and on every update compares
 * the newest `stat_size` of them with `stat_size` drawn at random from the older part by a
 * two-sample KS test; drift when p <= alpha and the statistic exceeds 0.1. Semantics of river
 * 0.26's `drift.KSWIN`; with the same `seed` it draws the same samples, so indices match river's.
 *
 * Raab, Heusinger & Schleif, "Reactive soft prototype computing for concept drift streams",
 * Neurocomputing 416, 2020.
 *
 * @example
 * const kswin = new KSWIN({ alpha: 0.0001, seed: 42 });
 * for (const x of scores) { kswin.update(x); if (kswin.driftDetected) alert(); }
 */
export class KSWIN implements DriftDetector {
  readonly alpha: number;
  readonly window_size: number;
  readonly stat_size: number;
  readonly seed: number | undefined;

  private drift = false;
  private readonly sampler: KSWINSampler;
  // Ring buffer of the window, oldest at `start`.
  private readonly ring: Float64Array;
  private start = 0;
  private length = 0;
  private pValueLast = 0;
  /** scipy's p-value for statistic h / stat_size, h = 0..stat_size (both samples hold stat_size values). */
  private readonly pByH: Float64Array;
  // Once the window is full both parts are kept sorted incrementally (O(window) per update, no
  // comparison sort): `olderOrder` lists the older part's ring slots by value, `rankOf` maps a
  // slot back to its rank, so the random sample comes out sorted by marking ranks.
  private sorted = false;
  private readonly olderOrder: Int32Array;
  private readonly rankOf: Int32Array;
  private readonly marks: Uint8Array;
  private readonly recentSorted: Float64Array;
  private readonly sampleSorted: Float64Array;

  constructor(options: KSWINOptions = {}) {
    checkKnownKeys('kswin', options, KEYS);
    this.alpha = checkNumber('kswin', 'alpha', options.alpha ?? 0.005, { min: 0, max: 1 });
    this.window_size = checkNumber('kswin', 'window_size', options.window_size ?? 100, { integer: true, min: 2 });
    this.stat_size = checkNumber('kswin', 'stat_size', options.stat_size ?? 30, { integer: true, min: 1 });
    if (this.window_size < 2 * this.stat_size) {
      throw new DriftParameterError(
        'stat_size',
        `kswin: parameter 'stat_size' must be at most window_size / 2 (got stat_size=${this.stat_size}, window_size=${this.window_size})`,
      );
    }
    this.seed =
      options.seed === undefined ? undefined : checkNumber('kswin', 'seed', options.seed, { integer: true, min: 0 });
    this.sampler = options.sampler ?? new SeededSampler(this.seed ?? Math.floor(Math.random() * 2 ** 32));
    const r = this.stat_size;
    const older = this.window_size - r;
    this.ring = new Float64Array(this.window_size);
    this.pByH = new Float64Array(r + 1);
    for (let h = 0; h <= r; h++) this.pByH[h] = ksPValue(h / r, r, r);
    this.olderOrder = new Int32Array(older);
    this.rankOf = new Int32Array(this.window_size);
    this.marks = new Uint8Array(older);
    this.recentSorted = new Float64Array(r);
    this.sampleSorted = new Float64Array(r);
    if (options.window) {
      const w = options.window;
      for (let i = Math.max(0, w.length - this.window_size); i < w.length; i++) this.push(w[i]!);
    }
  }

  get driftDetected(): boolean {
    return this.drift;
  }

  /** p-value of the last test (0 before the window first fills, as in river). */
  get pValue(): number {
    return this.pValueLast;
  }

  private push(x: number): void {
    const ws = this.window_size;
    if (this.length < ws) {
      this.ring[(this.start + this.length) % ws] = x;
      this.length++;
      return;
    }
    if (!this.sorted) {
      this.ring[this.start] = x;
      this.start = (this.start + 1) % ws;
      return;
    }
    // The oldest value leaves, the first recent value joins the older part, x joins the recent part.
    const older = ws - this.stat_size;
    const leaving = this.start;
    const moving = (this.start + older) % ws;
    this.removeOlder(this.rankOf[leaving]!);
    const v = this.ring[moving]!;
    removeValue(this.recentSorted, v);
    this.insertOlder(moving, v);
    this.ring[leaving] = x;
    this.start = (this.start + 1) % ws;
    insertValue(this.recentSorted, x);
  }

  private removeOlder(rank: number): void {
    const order = this.olderOrder;
    const last = order.length - 1;
    for (let i = rank; i < last; i++) {
      const slot = order[i + 1]!;
      order[i] = slot;
      this.rankOf[slot] = i;
    }
  }

  /** Inserts ring slot `slot` (value v) into the older part's order; its last entry is free. */
  private insertOlder(slot: number, v: number): void {
    const order = this.olderOrder;
    let i = order.length - 1;
    while (i > 0 && this.ring[order[i - 1]!]! > v) {
      const s = order[i - 1]!;
      order[i] = s;
      this.rankOf[s] = i;
      i--;
    }
    order[i] = slot;
    this.rankOf[slot] = i;
  }

  private buildSorted(): void {
    const ws = this.window_size;
    const r = this.stat_size;
    const older = ws - r;
    const slots = Array.from({ length: older }, (_, i) => (this.start + i) % ws);
    slots.sort((a, b) => this.ring[a]! - this.ring[b]!);
    slots.forEach((slot, rank) => {
      this.olderOrder[rank] = slot;
      this.rankOf[slot] = rank;
    });
    for (let i = 0; i < r; i++) this.recentSorted[i] = this.ring[(this.start + older + i) % ws]!;
    this.recentSorted.sort();
    this.sorted = true;
  }

  update(x: number): void {
    if (this.drift) this.reset();
    this.push(x);
    if (this.length < this.window_size) {
      this.drift = false;
      return;
    }
    if (!this.sorted) this.buildSorted();
    const r = this.stat_size;
    const older = this.window_size - r;
    const idx = this.sampler.sample(older, r);
    const ws = this.window_size;
    for (let i = 0; i < r; i++) this.marks[this.rankOf[(this.start + idx[i]!) % ws]!] = 1;
    for (let rank = 0, k = 0; rank < older; rank++) {
      if (this.marks[rank]) {
        this.marks[rank] = 0;
        this.sampleSorted[k++] = this.ring[this.olderOrder[rank]!]!;
      }
    }
    const d = ksStatisticSorted(this.sampleSorted, this.recentSorted);
    this.pValueLast = this.pByH[Math.round(d * r)]!;
    this.drift = this.pValueLast <= this.alpha && d > 0.1;
  }

  reset(): void {
    this.drift = false;
    this.start = 0;
    this.length = 0;
    this.pValueLast = 0;
    this.sorted = false;
    this.sampler.reset?.();
  }
}

/** Removes one element equal to v from an ascending array whose last slot then becomes free. */
function removeValue(a: Float64Array, v: number): void {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  a.copyWithin(lo, lo + 1);
}

/** Inserts v into an ascending array whose last slot is free. */
function insertValue(a: Float64Array, v: number): void {
  let i = a.length - 1;
  while (i > 0 && a[i - 1]! > v) {
    a[i] = a[i - 1]!;
    i--;
  }
  a[i] = v;
}
