import { ksExactMethodPValue } from '../stats/ks';
import { checkKnownKeys, checkNumber, DriftParameterError, MAX_WINDOW_SLOTS, type DriftDetector } from './detector';
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

/**
 * river's sampler: `random.Random(seed).sample(range(n), k)`, made anew on reset. Without a seed
 * each reset draws a fresh one, as `Random(None)` takes fresh entropy.
 */
class SeededSampler implements KSWINSampler {
  private rng: PythonRandom;
  private out = new Int32Array(0);
  constructor(private readonly seed: number | undefined) {
    this.rng = new PythonRandom(seed ?? randomSeed());
  }
  sample(n: number, k: number): ArrayLike<number> {
    if (this.out.length < k) this.out = new Int32Array(k);
    return this.rng.sampleInto(n, k, this.out);
  }
  reset(): void {
    this.rng = new PythonRandom(this.seed ?? randomSeed());
  }
}

const randomSeed = (): number => Math.floor(Math.random() * 2 ** 32);

/** Counts below this fit the packed `counts` layout (two 16-bit halves of an int32). */
const MAX_PACKED_STAT_SIZE = 32767;

/**
 * Kolmogorov-Smirnov WINdowing: keeps the last `window_size` values, and on every update compares
 * the newest `stat_size` of them with `stat_size` drawn at random from the older part by a
 * two-sample KS test; drift when p <= alpha and the statistic exceeds 0.1. Semantics of river
 * 0.26's `drift.KSWIN`; with the same `seed` it draws the same samples, so indices match river's.
 *
 * Raab, Heusinger & Schleif, "Reactive soft prototype computing for concept drift streams",
 * Neurocomputing 416, 2020.
 *
 * How the test stays cheap: for every value v of the older part we keep how many recent values
 * are <= v and < v, updated in one pass as the window slides. Both samples hold stat_size values,
 * so the statistic is h / stat_size for an integer h, and h follows from the sample's histogram
 * over those counts alone (see `statisticCount`), ties included: no sort and no merge per update.
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
  /**
   * Marks for checking an injected sampler's draws (the built-in one's are right by
   * construction); undefined without one.
   */
  private readonly drawn: Uint8Array | undefined;
  // NaN is in no order, so the counts cannot see it; scipy then reports a NaN statistic and
  // p-value, and river no drift. These count the NaNs in the window and in its recent part.
  private nanInWindow = 0;
  private nanInRecent = 0;
  // The window is values[start .. start + length): it slides right one slot per update and is
  // moved back to the front when it reaches the end, so no index needs a modulo.
  private readonly values: Float64Array;
  private start = 0;
  private length = 0;
  /**
   * For each older-part slot of `values`: (#recent <= v) << 16 | (#recent < v). Valid while
   * `counted`; built when the window first fills.
   */
  private readonly counts: Int32Array;
  private counted = false;
  /** Sample histograms over the two counts, cleared again by each test. */
  private readonly atMost: Int32Array;
  private readonly below: Int32Array;
  /** h of the last test, or -1 before the window first fills. */
  private lastH = -1;
  /** scipy's p-value for statistic h / stat_size, h = 0..stat_size (both samples hold stat_size values). */
  private readonly pByH: Float64Array;
  /**
   * Whether h means drift: p <= alpha and statistic > 0.1, where the statistic is h / stat_size
   * exactly as scipy's exact method reports it (so 3 of 30 is 0.1, not above it).
   */
  private readonly driftByH: Uint8Array;

  constructor(options: KSWINOptions = {}) {
    checkKnownKeys('kswin', options, KEYS);
    this.alpha = checkNumber('kswin', 'alpha', options.alpha ?? 0.005, { min: 0, max: 1 });
    this.window_size = checkNumber('kswin', 'window_size', options.window_size ?? 100, { integer: true, min: 2, max: MAX_WINDOW_SLOTS });
    this.stat_size = checkNumber('kswin', 'stat_size', options.stat_size ?? 30, {
      integer: true,
      min: 1,
      max: MAX_PACKED_STAT_SIZE,
    });
    if (this.window_size < 2 * this.stat_size) {
      throw new DriftParameterError(
        'stat_size',
        `kswin: parameter 'stat_size' must be at most window_size / 2 (got stat_size=${this.stat_size}, window_size=${this.window_size})`,
      );
    }
    this.seed =
      options.seed === undefined ? undefined : checkNumber('kswin', 'seed', options.seed, { integer: true, min: 0 });
    this.sampler = options.sampler ?? new SeededSampler(this.seed);
    this.drawn = options.sampler ? new Uint8Array(this.window_size - this.stat_size) : undefined;
    const r = this.stat_size;
    // Room to slide for a while before moving the window back: one copy per `spare` updates.
    const spare = Math.max(this.window_size, 1024);
    this.values = new Float64Array(this.window_size + spare);
    this.counts = new Int32Array(this.window_size + spare);
    this.atMost = new Int32Array(r + 1);
    this.below = new Int32Array(r + 1);
    this.pByH = new Float64Array(r + 1);
    this.driftByH = new Uint8Array(r + 1);
    for (let h = 0; h <= r; h++) {
      this.pByH[h] = ksExactMethodPValue(h, r, r);
      this.driftByH[h] = this.pByH[h]! <= this.alpha && h / r > 0.1 ? 1 : 0;
    }
    if (options.window) {
      const w = options.window;
      for (let i = Math.max(0, w.length - this.window_size); i < w.length; i++) {
        const v = w[i]!;
        if (v !== v) this.nanInWindow++;
        this.values[this.length++] = v;
      }
    }
  }

  get driftDetected(): boolean {
    return this.drift;
  }

  /** p-value of the last test (0 before the window first fills, as in river; NaN when a compared value was NaN). */
  get pValue(): number {
    return this.lastH === NAN_TEST ? Number.NaN : this.lastH < 0 ? 0 : this.pByH[this.lastH]!;
  }

  update(x: number): void {
    if (this.drift) this.reset();
    const ws = this.window_size;
    if (x !== x) this.nanInWindow++;
    if (this.length < ws) {
      this.values[this.start + this.length++] = x;
      if (this.length < ws) {
        this.drift = false;
        return;
      }
    } else {
      this.slide(x);
    }
    if (!this.counted) this.countAll();
    this.test();
  }

  /** Drops the oldest value, moves the first recent value into the older part and appends x. */
  private slide(x: number): void {
    const ws = this.window_size;
    const older = ws - this.stat_size;
    const values = this.values;
    const counts = this.counts;
    if (this.start + ws === values.length) {
      values.copyWithin(0, this.start, this.start + ws);
      counts.copyWithin(0, this.start, this.start + older);
      this.start = 0;
    }
    const joining = values[this.start + older]!;
    const leaving = values[this.start]!;
    if (leaving !== leaving) this.nanInWindow--;
    if (joining !== joining) this.nanInRecent--;
    if (x !== x) this.nanInRecent++;
    const s = ++this.start;
    values[s + ws - 1] = x;
    if (!this.counted) return;
    // The recent part lost `joining` and gained x: shift every older value's counts by the
    // difference, branch-free (the comparisons are data-dependent and would mispredict).
    const end = s + older - 1;
    for (let j = s; j < end; j++) {
      const v = values[j]!;
      counts[j]! += ((+(x <= v) - +(joining <= v)) << 16) + (+(x < v) - +(joining < v));
    }
    counts[end] = this.countRecent(joining);
  }

  /** (#recent <= v) << 16 | (#recent < v) over the current recent part. */
  private countRecent(v: number): number {
    const values = this.values;
    let atMost = 0;
    let below = 0;
    for (let j = this.start + this.window_size - this.stat_size, end = this.start + this.window_size; j < end; j++) {
      const w = values[j]!;
      atMost += +(w <= v);
      below += +(w < v);
    }
    return atMost * 65536 + below;
  }

  private countAll(): void {
    const older = this.window_size - this.stat_size;
    for (let j = this.start; j < this.start + older; j++) this.counts[j] = this.countRecent(this.values[j]!);
    this.nanInRecent = 0;
    for (let j = this.start + older; j < this.start + this.window_size; j++) if (this.values[j] !== this.values[j]) this.nanInRecent++;
    this.counted = true;
  }

  private test(): void {
    const r = this.stat_size;
    const older = this.window_size - r;
    // Drawn on every update, as river does, whatever the test then finds.
    const idx = this.sampler.sample(older, r);
    if (this.drawn) checkDraws(idx, older, r, this.drawn);
    if (this.nanInWindow > 0 && this.hasNaN(idx)) {
      this.lastH = NAN_TEST;
      this.drift = false;
      return;
    }
    const counts = this.counts;
    const atMost = this.atMost;
    const below = this.below;
    for (let i = 0; i < r; i++) {
      const c = counts[this.start + idx[i]!]!;
      atMost[c >>> 16]!++;
      below[c & 0xffff]!++;
    }
    const h = statisticCount(atMost, below, r);
    this.lastH = h;
    this.drift = this.driftByH[h] === 1;
  }

  /** Whether the recent part or the sample holds a NaN. */
  private hasNaN(idx: ArrayLike<number>): boolean {
    if (this.nanInRecent > 0) return true;
    for (let i = 0; i < this.stat_size; i++) {
      const v = this.values[this.start + idx[i]!]!;
      if (v !== v) return true;
    }
    return false;
  }

  reset(): void {
    this.drift = false;
    this.nanInWindow = 0;
    this.nanInRecent = 0;
    this.start = 0;
    this.length = 0;
    this.lastH = -1;
    this.counted = false;
    this.sampler.reset?.();
  }
}

/** `lastH` after a test that compared a NaN. */
const NAN_TEST = -2;

/**
 * An injected sampler must give k distinct whole indices below n; anything else would read
 * stale counts. `seen` (n zeros) is left as it was found.
 */
function checkDraws(idx: ArrayLike<number>, n: number, k: number, seen: Uint8Array): void {
  if (idx.length < k) throw new RangeError(`kswin: the sampler returned ${idx.length} indices, expected ${k}`);
  let bad: number | undefined;
  let i = 0;
  for (; i < k; i++) {
    const j = idx[i]!;
    if (!Number.isInteger(j) || j < 0 || j >= n || seen[j]) {
      bad = j;
      break;
    }
    seen[j] = 1;
  }
  for (let m = 0; m < i; m++) seen[idx[m]!] = 0;
  if (bad !== undefined) {
    throw new RangeError(`kswin: the sampler returned index ${bad}, expected ${k} distinct whole numbers from 0 to ${n - 1}`);
  }
}

/**
 * The KS statistic of sample S against the recent part R, both of size r, times r, from the
 * sample's histograms: atMost[k] = #s in S with exactly k recent values <= s, below[k] = #s with
 * exactly k recent values < s. The largest ECDF gap F_S - F_R sits at a sample value, and the
 * largest s in bucket k has F_S = (atMost[0] + .. + atMost[k]) / r and F_R = k / r. The largest
 * gap F_R - F_S sits at a recent value w, the k-th smallest, with F_R(w) = k / r when w is the
 * last of its ties; a sample value s is <= w exactly when fewer than k recent values are < s, so
 * F_S(w) = (below[0] + .. + below[k-1]) / r. For a k inside a run of tied recent values the same
 * sum is no smaller and k is smaller, so taking every k changes nothing. Clears both arrays.
 */
function statisticCount(atMost: Int32Array, below: Int32Array, r: number): number {
  let h = 0;
  let sampleAtMost = 0;
  let sampleBelow = 0;
  for (let k = 0; k <= r; k++) {
    h = Math.max(h, k - sampleBelow);
    sampleBelow += below[k]!;
    sampleAtMost += atMost[k]!;
    h = Math.max(h, sampleAtMost - k);
    below[k] = 0;
    atMost[k] = 0;
  }
  return h;
}
