import { ks2sampSorted, wassersteinDistance } from '../stats';
import { domainClassifierAuc } from '../multivariate';
import { mmdPermutationTest } from './mmd';
import type { EmbeddingMethodName, ResolvedEmbeddingOptions } from './options';
import type { EmbeddingReference } from './reference';

/** One vector column's drift verdict over one window: the only verdict the column gets. */
export interface EmbeddingDriftResult {
  readonly method: EmbeddingMethodName;
  /**
   * model: ROC AUC of the domain classifier; ratio: share of drifted components; distance: the
   * distance between the mean vectors; mmd: the unbiased squared MMD, floored at 0.
   */
  readonly statistic: number;
  /** mmd: the permutation p-value (the method's decision); absent for the others. */
  readonly pValue?: number;
  readonly threshold: number;
  /** `above`: drift when statistic > threshold; `below`: when pValue < threshold. */
  readonly direction: 'above' | 'below';
  readonly drifted: boolean;
  /** Current rows compared. */
  readonly rows: number;
  /** ratio: components that drifted, of `dimension`. */
  readonly driftedComponents?: number;
  readonly dimension: number;
  /** distance: which distance. */
  readonly distance?: 'euclidean' | 'cosine';
}

/** The domain classifier the `model` method asks: cross-validated ROC AUC of reference against current rows. */
export type DomainAuc = (reference: readonly Float64Array[], current: readonly Float64Array[], seed: number) => number;

/** Column means of `rows`. */
export function meanVector(rows: readonly Float64Array[], dimension: number): Float64Array {
  const out = new Float64Array(dimension);
  for (const r of rows) for (let j = 0; j < dimension; j++) out[j] = out[j]! + r[j]!;
  for (let j = 0; j < dimension; j++) out[j] = out[j]! / Math.max(1, rows.length);
  return out;
}

/** scipy.spatial.distance.euclidean. */
export function euclideanDistance(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += (a[j]! - b[j]!) ** 2;
  return Math.sqrt(s);
}

/** scipy.spatial.distance.cosine: 1 - a.b / (|a| |b|); NaN when either vector is all zeros, as scipy gives. */
export function cosineDistance(a: Float64Array, b: Float64Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let j = 0; j < a.length; j++) {
    dot += a[j]! * b[j]!;
    na += a[j]! * a[j]!;
    nb += b[j]! * b[j]!;
  }
  // scipy clips to [0, 2] against rounding.
  return Math.min(2, Math.max(0, 1 - dot / Math.sqrt(na * nb)));
}

/**
 * Evidently's `ratio` method: each component tested alone (normalised Wasserstein > 0.1 by
 * default, or KS p < 0.05), and the share of drifted components compared with the threshold.
 */
function driftedComponents(ref: EmbeddingReference, current: readonly Float64Array[], o: ResolvedEmbeddingOptions): number {
  const n = current.length;
  const col = new Float64Array(n);
  let drifted = 0;
  for (let j = 0; j < ref.dimension; j++) {
    for (let i = 0; i < n; i++) col[i] = current[i]![j]!;
    col.sort();
    const refCol = ref.sortedComponents[j]!;
    if (o.componentTest === 'ks') {
      if (ks2sampSorted(refCol, col).pValue < o.componentThreshold) drifted++;
    } else if (wassersteinDistance(refCol, col) / ref.wassersteinDivisor[j]! > o.componentThreshold) drifted++;
  }
  return drifted;
}

/**
 * The drift verdict of one vector column over the current rows, by the configured method
 * (Evidently's embedding drift methods and defaults; see EmbeddingDriftOptions).
 *
 * @param domainAuc the domain classifier behind the `model` method.
 * @example
 * const ref = buildEmbeddingReference('input', referenceRows, 500, 42);
 * embeddingDrift(ref, windowRows, resolveEmbeddingOptions({ method: 'distance' })).drifted;
 */
export function embeddingDrift(ref: EmbeddingReference, current: readonly Float64Array[], o: ResolvedEmbeddingOptions, domainAuc?: DomainAuc): EmbeddingDriftResult {
  const rows = current.filter((r) => r.length === ref.dimension);
  const base = { method: o.method, threshold: o.threshold, rows: rows.length, dimension: ref.dimension };
  const above = (statistic: number) => ({ ...base, statistic, direction: 'above' as const, drifted: statistic > o.threshold });
  if (!rows.length || !ref.rows.length) return { ...base, statistic: NaN, direction: o.method === 'mmd' ? 'below' : 'above', drifted: false };
  switch (o.method) {
    case 'distance': {
      const cur = meanVector(rows, ref.dimension);
      const d = o.distance === 'cosine' ? cosineDistance(ref.mean, cur) : euclideanDistance(ref.mean, cur);
      return { ...above(Number.isNaN(d) ? 0 : d), distance: o.distance };
    }
    case 'ratio': {
      const k = driftedComponents(ref, rows, o);
      return { ...above(k / ref.dimension), driftedComponents: k };
    }
    case 'mmd': {
      if (rows.length < 2 || ref.sample.length < 2) return { ...base, statistic: NaN, direction: 'below', drifted: false };
      const r = mmdPermutationTest(ref.sample, rows, o, ref.sampleDistances);
      return { ...base, statistic: r.mmd2, pValue: r.pValue, direction: 'below', drifted: r.pValue < o.threshold };
    }
    case 'model': {
      if (!domainAuc) throw new Error('embedding drift: the model method needs a domain classifier');
      return above(domainAuc(ref.sample, rows, o.seed));
    }
  }
}

const round = (x: number, d: number) => Number(x.toFixed(d));

/** The result in a few words, for alert messages and tables: "domain classifier AUC 0.83 > 0.55". */
export function describeEmbeddingDrift(r: EmbeddingDriftResult): string {
  const cmp = r.drifted ? '>' : '<=';
  switch (r.method) {
    case 'model':
      return `domain classifier AUC ${round(r.statistic, 3)} ${cmp} ${r.threshold}`;
    case 'ratio':
      return `${r.driftedComponents} of ${r.dimension} components drifted (share ${round(r.statistic, 3)} ${cmp} ${r.threshold})`;
    case 'distance':
      return `${r.distance} distance between means ${round(r.statistic, 3)} ${cmp} ${r.threshold}`;
    case 'mmd':
      return `MMD² ${round(r.statistic, 5)}, permutation p ${r.pValue === undefined ? '–' : round(r.pValue, 3)} ${r.drifted ? '<' : '>='} ${r.threshold}`;
  }
}

/**
 * How far past its threshold a result is (1 at the threshold), so a vector column can be ranked
 * beside numeric columns' shifts within one drift alert.
 */
export function embeddingStrength(r: EmbeddingDriftResult): number {
  if (Number.isNaN(r.statistic)) return 0;
  if (r.direction === 'below') return r.pValue === undefined || r.threshold <= 0 ? 0 : Math.log(r.pValue) / Math.log(r.threshold);
  return r.threshold > 0 ? r.statistic / r.threshold : r.statistic;
}

/**
 * The `model` method's classifier: the shared domain classifier (cross-validated L2 logistic
 * regression, core/multivariate), linear as Evidently's SGD classifier is: no product terms, which
 * 64 or more components would multiply for little (an embedding's drift moves its components'
 * means and spreads, which a linear score sees). Two folds: Evidently's one 50/50 split, scored
 * both ways; five cost 4 times as much (430 against 100 ms for 500 x 200 rows of 64 components).
 */
export const linearDomainAuc: DomainAuc = (reference, current, seed) =>
  domainClassifierAuc(reference.map((r) => Array.from(r)), current.map((r) => Array.from(r)), { seed, interactions: 0, folds: 2, importances: false }).auc;
