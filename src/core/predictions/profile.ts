import { quantileSorted, mean, standardDeviation } from 'simple-statistics';
import { normalQuantile, symmetricEigen } from './numeric';
import type { PredictionRow } from './row';
import { detach } from './lines';
import { confidenceAndMargin } from './metrics';

/** Reference statistics of one numeric feature. */
export interface NumericProfile {
  readonly name: string;
  /** Non-missing reference values, ascending. */
  readonly sorted: Float64Array;
  /** Normal score of each rank gap: z[i] for a value with i reference values below it. */
  readonly rankScores: Float64Array;
  readonly missingRate: number;
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  readonly sd: number;
  /** Spread used to scale out-of-range excess: IQR, else sd, else 1. */
  readonly scale: number;
  readonly uniqueValues: number;
  /** Mean and variance of the reference's own normal scores z and of z^2 (ties make them differ from N(0,1)). */
  /** Bucket index over [min, max]: first rank whose value lies in each of BUCKETS equal slices. */
  readonly bucketStart: Int32Array;
  /** BUCKETS / (max - min), 0 when all reference values are equal. */
  readonly bucketScale: number;
  readonly zMean: number;
  readonly zVar: number;
  readonly z2Mean: number;
  readonly z2Var: number;
}

export interface CategoricalProfile {
  readonly name: string;
  readonly counts: ReadonlyMap<string, number>;
  readonly missingRate: number;
}

/** PCA of a vector feature, fitted on the first half of the reference and calibrated on the second. */
export interface VectorProfile {
  readonly name: string;
  readonly length: number;
  readonly mean: Float64Array;
  /** Principal axes kept (90% of variance), each of `length` elements. */
  readonly components: Float64Array[];
  /** Reconstruction error of held-out reference rows: mean and standard deviation. */
  readonly errorMean: number;
  readonly errorSd: number;
  /** Per-element reference range, and one scale for the whole vector (elements share units). */
  readonly min: Float64Array;
  readonly max: Float64Array;
  readonly scale: number;
}

/** Confidence-to-accuracy map learned on labelled reference rows (for CBPE-style estimates). */
export interface ConfidenceCalibration {
  /** Upper edges of equal-width confidence bins; accuracy[i] applies below edge[i]. */
  readonly edges: number[];
  readonly accuracy: number[];
}

/**
 * Reference statistics computed once from the reference rows and reused for every window:
 * per-feature sorted values and ranges, category counts, a PCA of vector inputs, class mixes,
 * reference performance and its confidence calibration.
 */
export interface ReferenceProfile {
  readonly rows: number;
  readonly firstIndex: number;
  readonly lastIndex: number;
  readonly numeric: readonly NumericProfile[];
  readonly categorical: readonly CategoricalProfile[];
  readonly vectors: readonly VectorProfile[];
  readonly predictionCounts: ReadonlyMap<string, number>;
  readonly labelCounts: ReadonlyMap<string, number>;
  readonly segmentCounts: readonly ReadonlyMap<string, number>[];
  readonly labelled: number;
  /** Accuracy on labelled reference rows (classification), NaN when none. */
  readonly accuracy: number;
  /** Regression: mean absolute error on the reference. */
  readonly mae: number;
  readonly confidenceMean: number;
  readonly confidenceSd: number;
  readonly calibration?: ConfidenceCalibration;
}

/** Normal scores of the mid-ranks of a reference of n values; columns of one size share one table (cache-friendlier per row). */
function rankScoreTable(n: number, tables: Map<number, Float64Array>): Float64Array {
  let rankScores = tables.get(n);
  if (!rankScores) {
    rankScores = new Float64Array(2 * n + 1);
    // Index 2*below + equal-count parity: a value tied with reference values takes the mid-rank.
    for (let h = 0; h <= 2 * n; h++) rankScores[h] = normalQuantile((h / 2 + 0.5) / (n + 1));
    tables.set(n, rankScores);
  }
  return rankScores;
}

function numericProfile(name: string, values: number[], total: number, tables: Map<number, Float64Array>): NumericProfile {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  const rankScores = rankScoreTable(n, tables);
  const arr = Array.from(sorted);
  const m = n ? mean(arr) : NaN;
  const sd = n > 1 ? standardDeviation(arr) : 0;
  const iqr = n ? quantileSorted(arr, 0.75) - quantileSorted(arr, 0.25) : 0;
  let unique = 0;
  for (let i = 0; i < n; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) unique++;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let s4 = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j < n && sorted[j] === sorted[i]) j++;
    const z = rankScores[Math.min(2 * i + (j - i), 2 * n)]!;
    const k = j - i;
    s1 += k * z;
    s2 += k * z * z;
    s3 += k * z * z * z;
    s4 += k * z ** 4;
    i = j;
  }
  const bucketStart = new Int32Array(BUCKETS + 1);
  const lo = n ? sorted[0]! : 0;
  const width = n ? (sorted[n - 1]! - lo) / BUCKETS : 0;
  for (let b = 0, i = 0; b <= BUCKETS; b++) {
    const edge = lo + b * width;
    while (i < n && sorted[i]! < edge) i++;
    bucketStart[b] = i;
  }
  const zMean = n ? s1 / n : 0;
  const z2Mean = n ? s2 / n : 1;
  void s3;
  return {
    bucketStart,
    bucketScale: width > 0 ? 1 / width : 0,
    zMean,
    zVar: n ? Math.max(1e-12, z2Mean - zMean * zMean) : 1,
    z2Mean,
    z2Var: n ? Math.max(1e-12, s4 / n - z2Mean * z2Mean) : 2,
    name,
    sorted,
    rankScores,
    missingRate: total ? 1 - n / total : 0,
    min: n ? sorted[0]! : NaN,
    max: n ? sorted[n - 1]! : NaN,
    mean: m,
    sd,
    scale: iqr > 0 ? iqr : sd > 0 ? sd : Math.abs(m) > 0 ? Math.abs(m) : 1,
    uniqueValues: unique,
  };
}

const BUCKETS = 2048;

/**
 * Where x falls in the reference: `below * 65536 + equal` (values strictly below, values equal).
 * Sorting packed ranks sorts the values, and KS and normal scores need nothing else.
 */
export function packedRank(p: NumericProfile, x: number): number {
  // Runs for every feature of every row: a bucket lookup narrows two binary searches to a few values.
  const a = p.sorted;
  const n = a.length;
  if (x < p.min) return 0;
  if (x > p.max) return n * RANK_SHIFT;
  const scale = p.bucketScale;
  const b = scale > 0 ? Math.min(BUCKETS - 1, ((x - p.min) * scale) | 0) : 0;
  let lo = scale > 0 ? p.bucketStart[b]! : 0;
  let hi = scale > 0 && b < BUCKETS - 1 ? p.bucketStart[b + 1]! : n;
  // Rounding at a slice edge: widen until the slice surely brackets x.
  while (lo > 0 && a[lo - 1]! >= x) lo--;
  while (hi < n && a[hi]! <= x) hi++;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  let end = lo;
  if (end < n && a[end] === x) {
    // Ties are mostly short: step a few values before searching the rest.
    end++;
    for (let k = 0; k < 4 && end < n && a[end] === x; k++) end++;
    if (end < n && a[end] === x) {
      hi = n;
      while (end < hi) {
        const mid = (end + hi) >>> 1;
        if (a[mid]! <= x) end = mid + 1;
        else hi = mid;
      }
    }
  }
  return lo * RANK_SHIFT + (end - lo);
}

/** Multiplier of `below` in a packed rank (2^16); references hold at most 20000 rows, so it fits an int32. */
export const RANK_SHIFT = 65536;

/** Normal score of a packed rank: Phi^-1 of its mid-rank position. */
export function rankScore(p: NumericProfile, packed: number): number {
  return p.rankScores[((packed >>> 16) << 1) + (packed & 0xffff)]!;
}

/** Normal score of x against a reference: Phi^-1 of its mid-rank position. */
export function normalScore(p: NumericProfile, x: number): number {
  return rankScore(p, packedRank(p, x));
}

/** KS statistic between the reference and a window given as the window's sorted packed ranks. */
export function ksFromRanks(referenceSize: number, sortedRanks: Int32Array): number {
  const m = sortedRanks.length;
  const n = referenceSize;
  let d = 0;
  for (let j = 0; j < m; ) {
    const q = sortedRanks[j]!;
    let k = j;
    while (k < m && sortedRanks[k] === q) k++;
    const below = q >>> 16;
    const equal = q & 0xffff;
    // Just before the value and at it: the two places where |F_ref - F_cur| can peak.
    const d1 = Math.abs(below / n - j / m);
    const d2 = Math.abs((below + equal) / n - k / m);
    if (d1 > d) d = d1;
    if (d2 > d) d = d2;
    j = k;
  }
  return d;
}

/** Length of the zeroed scratch that ksFromUnsortedRanks needs for a reference of this size. */
export function rankScratchLength(referenceSize: number): number {
  return 3 * (referenceSize + 1) + (referenceSize >>> 5) + 1;
}

/**
 * ksFromRanks for packed ranks in any order: counts them by reference position instead of sorting
 * (a per-window hot spot), then visits the occupied positions in order through a bitmap. Same
 * groups in the same order, so the result is identical. `scratch` (rankScratchLength zeros) is
 * left zeroed.
 */
export function ksFromUnsortedRanks(referenceSize: number, ranks: Int32Array, length: number, scratch: Int32Array): number {
  const n = referenceSize;
  const m = length;
  // Slots 2b / 2b+1: window values strictly between reference positions / equal to sorted[b].
  const equalOf = 2 * (n + 1);
  const bits = 3 * (n + 1);
  for (let i = 0; i < m; i++) {
    const q = ranks[i]!;
    const below = q >>> 16;
    const equal = q & 0xffff;
    if (equal) {
      scratch[2 * below + 1]!++;
      scratch[equalOf + below] = equal;
    } else scratch[2 * below]!++;
    scratch[bits + (below >>> 5)]! |= 1 << (below & 31);
  }
  let d = 0;
  let j = 0;
  const words = (n >>> 5) + 1;
  for (let w = 0; w < words; w++) {
    let word = scratch[bits + w]!;
    scratch[bits + w] = 0;
    while (word !== 0) {
      const low = word & -word;
      word ^= low;
      const b = (w << 5) + 31 - Math.clz32(low);
      const between = scratch[2 * b]!;
      if (between) {
        const k = j + between;
        const d1 = Math.abs(b / n - j / m);
        const d2 = Math.abs(b / n - k / m);
        if (d1 > d) d = d1;
        if (d2 > d) d = d2;
        scratch[2 * b] = 0;
        j = k;
      }
      const at = scratch[2 * b + 1]!;
      if (at) {
        const k = j + at;
        const d1 = Math.abs(b / n - j / m);
        const d2 = Math.abs((b + scratch[equalOf + b]!) / n - k / m);
        if (d1 > d) d = d1;
        if (d2 > d) d = d2;
        scratch[2 * b + 1] = 0;
        scratch[equalOf + b] = 0;
        j = k;
      }
    }
  }
  return d;
}

function vectorProfile(name: string, rows: Float64Array[]): VectorProfile | undefined {
  const length = rows[0]?.length ?? 0;
  if (rows.length < 20 || length === 0) return undefined;
  const half = Math.floor(rows.length / 2);
  const fit = rows.slice(0, half);
  const held = rows.slice(half);
  const mu = new Float64Array(length);
  for (const r of fit) for (let j = 0; j < length; j++) mu[j] = mu[j]! + r[j]! / fit.length;
  const cov = Array.from({ length }, () => new Float64Array(length));
  for (const r of fit) {
    for (let i = 0; i < length; i++) {
      const di = r[i]! - mu[i]!;
      if (di === 0) continue;
      const ci = cov[i]!;
      for (let j = i; j < length; j++) ci[j] = ci[j]! + di * (r[j]! - mu[j]!);
    }
  }
  for (let i = 0; i < length; i++) for (let j = i; j < length; j++) {
    const v = cov[i]![j]! / Math.max(1, fit.length - 1);
    cov[i]![j] = v;
    cov[j]![i] = v;
  }
  const { values, vectors } = symmetricEigen(cov);
  const total = values.reduce((s, v) => s + Math.max(0, v), 0);
  const components: Float64Array[] = [];
  let acc = 0;
  for (let k = 0; k < values.length && acc < 0.9 * total; k++) {
    components.push(vectors[k]!);
    acc += Math.max(0, values[k]!);
  }
  const profile = { name, length, mean: mu, components, errorMean: 0, errorSd: 0 };
  const errors = held.map((r) => reconstructionError(profile, r));
  const min = new Float64Array(length).fill(Infinity);
  const max = new Float64Array(length).fill(-Infinity);
  let all = 0;
  let allSq = 0;
  for (const r of rows) for (let j = 0; j < length; j++) {
    const x = r[j]!;
    if (x < min[j]!) min[j] = x;
    if (x > max[j]!) max[j] = x;
    all += x;
    allSq += x * x;
  }
  const cnt = rows.length * length;
  const globalSd = Math.sqrt(Math.max(0, allSq / cnt - (all / cnt) ** 2));
  return {
    ...profile,
    errorMean: mean(errors),
    errorSd: errors.length > 1 ? standardDeviation(errors) : 0,
    min,
    max,
    scale: globalSd > 0 ? globalSd : 1,
  };
}

/** Squared distance between a vector and its projection on the profile's principal subspace. */
export function reconstructionError(p: Pick<VectorProfile, 'mean' | 'components' | 'length'>, x: Float64Array): number {
  const d = new Float64Array(p.length);
  let total = 0;
  for (let j = 0; j < p.length; j++) {
    d[j] = x[j]! - p.mean[j]!;
    total += d[j]! * d[j]!;
  }
  for (const c of p.components) {
    let dot = 0;
    for (let j = 0; j < p.length; j++) dot += d[j]! * c[j]!;
    total -= dot * dot;
  }
  return Math.max(0, total);
}

/** Confidence of a row's prediction: top probability, or max(score, 1 - score) for binary scores. */
export function rowConfidence(row: PredictionRow): { confidence: number; margin: number; argmax?: number } | undefined {
  if (row.probabilities) return confidenceAndMargin(row.probabilities);
  if (row.score !== undefined) {
    const c = Math.max(row.score, 1 - row.score);
    return { confidence: c, margin: 2 * c - 1 };
  }
  return undefined;
}

function calibrate(pairs: { confidence: number; correct: boolean }[]): ConfidenceCalibration | undefined {
  if (pairs.length < 50) return undefined;
  // Equal-count bins keep each accuracy estimate on enough rows; neighbours are merged to monotone.
  const sorted = [...pairs].sort((a, b) => a.confidence - b.confidence);
  const bins = Math.min(10, Math.floor(sorted.length / 25));
  const edges: number[] = [];
  const accuracy: number[] = [];
  const weights: number[] = [];
  for (let b = 0; b < bins; b++) {
    const lo = Math.floor((b * sorted.length) / bins);
    const hi = Math.floor(((b + 1) * sorted.length) / bins);
    const part = sorted.slice(lo, hi);
    edges.push(b === bins - 1 ? Infinity : sorted[hi]!.confidence);
    accuracy.push(part.filter((p) => p.correct).length / part.length);
    weights.push(part.length);
  }
  // Pool adjacent violators: accuracy must not fall as confidence rises.
  for (let changed = true; changed; ) {
    changed = false;
    for (let i = 0; i + 1 < accuracy.length; i++) {
      if (accuracy[i]! > accuracy[i + 1]!) {
        const w = weights[i]! + weights[i + 1]!;
        const a = (accuracy[i]! * weights[i]! + accuracy[i + 1]! * weights[i + 1]!) / w;
        accuracy[i] = a;
        accuracy[i + 1] = a;
        weights[i] = w;
        weights[i + 1] = w;
        changed = true;
      }
    }
  }
  return { edges, accuracy };
}

/** Calibrated probability that a prediction with this confidence is right. */
export function calibratedAccuracy(c: ConfidenceCalibration, confidence: number): number {
  for (let i = 0; i < c.edges.length; i++) if (confidence < c.edges[i]!) return c.accuracy[i]!;
  return c.accuracy[c.accuracy.length - 1]!;
}

export interface ProfileColumns {
  readonly numericNames: readonly string[];
  readonly categoricalNames: readonly string[];
  readonly vectorNames: readonly string[];
  readonly segments: number;
  readonly regression: boolean;
}

const bump = (m: Map<string, number>, k: string | undefined) => {
  if (k === undefined) return;
  const v = m.get(k);
  m.set(v === undefined ? detach(k) : k, (v ?? 0) + 1);
};

/** Computes the reference profile from the reference rows (called once). */
export function buildReferenceProfile(rows: readonly PredictionRow[], cols: ProfileColumns): ReferenceProfile {
  const n = rows.length;
  const tables = new Map<number, Float64Array>();
  const numeric = cols.numericNames.map((name, i) => {
    const vals: number[] = [];
    for (const r of rows) {
      const v = r.numeric[i]!;
      if (!Number.isNaN(v)) vals.push(v);
    }
    return numericProfile(name, vals, n, tables);
  });
  const categorical = cols.categoricalNames.map((name, i) => {
    const counts = new Map<string, number>();
    let missing = 0;
    for (const r of rows) {
      const v = r.categorical[i];
      if (v === undefined) missing++;
      else bump(counts, v);
    }
    return { name, counts, missingRate: n ? missing / n : 0 };
  });
  const vectors = cols.vectorNames
    .map((name, i) => vectorProfile(name, rows.map((r) => r.vectors[i]).filter((v): v is Float64Array => !!v)))
    .filter((v): v is VectorProfile => !!v);
  const predictionCounts = new Map<string, number>();
  const labelCounts = new Map<string, number>();
  const segmentCounts = Array.from({ length: cols.segments }, () => new Map<string, number>());
  const pairs: { confidence: number; correct: boolean }[] = [];
  const confs: number[] = [];
  let labelled = 0;
  let correct = 0;
  let absErr = 0;
  for (const r of rows) {
    bump(predictionCounts, r.prediction);
    bump(labelCounts, r.label);
    r.segments.forEach((s, i) => bump(segmentCounts[i]!, s));
    const c = rowConfidence(r);
    if (c) confs.push(c.confidence);
    if (cols.regression) {
      if (r.labelValue !== undefined && r.predictionValue !== undefined) {
        labelled++;
        absErr += Math.abs(r.labelValue - r.predictionValue);
      }
    } else if (r.label !== undefined && r.prediction !== undefined) {
      labelled++;
      const ok = r.label === r.prediction;
      if (ok) correct++;
      if (c) pairs.push({ confidence: c.confidence, correct: ok });
    }
  }
  const calibration = calibrate(pairs);
  return {
    rows: n,
    firstIndex: rows[0]?.index ?? 0,
    lastIndex: rows[n - 1]?.index ?? -1,
    numeric,
    categorical,
    vectors,
    predictionCounts,
    labelCounts,
    segmentCounts,
    labelled,
    accuracy: !cols.regression && labelled ? correct / labelled : NaN,
    mae: cols.regression && labelled ? absErr / labelled : NaN,
    confidenceMean: confs.length ? mean(confs) : NaN,
    confidenceSd: confs.length > 1 ? standardDeviation(confs) : 0,
    ...(calibration ? { calibration } : {}),
  };
}
