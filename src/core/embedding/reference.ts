import { seededRandom } from '../random';
import { wassersteinScale } from '../stats';

/**
 * What every embedding drift method needs from the reference rows of one vector column,
 * computed once: the rows, the mean vector, each component sorted with its Wasserstein scale,
 * and a seeded sample of the rows for the methods whose cost grows with the reference (MMD, the
 * domain classifier) together with the squared distances between those sampled rows.
 */
export interface EmbeddingReference {
  readonly name: string;
  readonly dimension: number;
  readonly rows: readonly Float64Array[];
  readonly mean: Float64Array;
  /** Component j's reference values, ascending. */
  readonly sortedComponents: readonly Float64Array[];
  /** Component j's normalised-Wasserstein divisor (population sd, floored at 0.001 as Evidently). */
  readonly wassersteinDivisor: Float64Array;
  /** At most `maxReferenceRows` rows, sampled without replacement with the seed. */
  readonly sample: readonly Float64Array[];
  /** Squared Euclidean distances between the sampled rows, row-major (sample.length squared). */
  readonly sampleDistances: Float64Array;
}


/** `k` of `n` indices without replacement (a partial Fisher-Yates shuffle), in ascending order. */
export function sampleIndices(n: number, k: number, random: () => number): Int32Array {
  const idx = Int32Array.from({ length: n }, (_, i) => i);
  if (k >= n) return idx;
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(random() * (n - i));
    const t = idx[i]!;
    idx[i] = idx[j]!;
    idx[j] = t;
  }
  return idx.subarray(0, k).sort();
}

/** Squared Euclidean distance between two vectors of the same length. */
export function squaredDistance(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) {
    const d = a[j]! - b[j]!;
    s += d * d;
  }
  return s;
}

/**
 * Builds the reference of a vector column. Rows of another length than the first are left out
 * (the decoder already rejects them when the schema knows the length).
 */
export function buildEmbeddingReference(name: string, rows: readonly Float64Array[], maxReferenceRows: number, seed: number): EmbeddingReference {
  const dimension = rows[0]?.length ?? 0;
  const kept = rows.filter((r) => r.length === dimension);
  const n = kept.length;
  const mean = new Float64Array(dimension);
  for (const r of kept) for (let j = 0; j < dimension; j++) mean[j] = mean[j]! + r[j]!;
  for (let j = 0; j < dimension; j++) mean[j] = mean[j]! / Math.max(1, n);
  const sortedComponents: Float64Array[] = [];
  const wassersteinDivisor = new Float64Array(dimension);
  for (let j = 0; j < dimension; j++) {
    const col = new Float64Array(n);
    for (let i = 0; i < n; i++) col[i] = kept[i]![j]!;
    col.sort();
    sortedComponents.push(col);
    wassersteinDivisor[j] = n ? wassersteinScale(col).divisor : 1;
  }
  const sample = Array.from(sampleIndices(n, maxReferenceRows, seededRandom(seed)), (i) => kept[i]!);
  const s = sample.length;
  const sampleDistances = new Float64Array(s * s);
  for (let i = 0; i < s; i++) {
    for (let k = i + 1; k < s; k++) {
      const d = squaredDistance(sample[i]!, sample[k]!);
      sampleDistances[i * s + k] = d;
      sampleDistances[k * s + i] = d;
    }
  }
  return { name, dimension, rows: kept, mean, sortedComponents, wassersteinDivisor, sample, sampleDistances };
}
